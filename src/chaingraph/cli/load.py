"""``chaingraph load``: load data into a persistent Oxigraph store."""

from __future__ import annotations

import argparse

from chaingraph.catalogue import text
from chaingraph.cli.console import emit, note
from chaingraph.cli.options import add_paths, metavar
from chaingraph.errors import BadParameter


def add_arguments(parser: argparse.ArgumentParser, lang: str = "en") -> None:
    add_paths(parser, lang, "cli.load.paths")
    parser.add_argument("--store", metavar=metavar("dir", lang), required=True,
                        help=text("cli.load.store", lang))
    parser.add_argument("--replace", action="store_true", help=text("cli.load.replace", lang))
    parser.add_argument("--no-base", action="store_true", help=text("cli.load.no_base", lang))
    parser.add_argument("--skip-bad-lines", action="store_true",
                        help=text("cli.load.skip_bad_lines", lang))
    parser.add_argument("--by", metavar="P-XXXXX", help=text("cli.load.by", lang))
    parser.add_argument("--reindex", action="store_true", help=text("cli.load.reindex", lang))


def run(args: argparse.Namespace) -> int:
    from chaingraph.backends import load_store, reindex_store
    from chaingraph.storewrite import Interrupted

    try:
        if args.reindex:
            if args.paths or args.replace or args.no_base or args.skip_bad_lines or args.by:
                raise BadParameter(text("cli.load.reindex_alone", args.lang))
            count = reindex_store(args.store, note=note, lang=args.lang)
            emit(text("cli.load.reindexed", args.lang, memberships=count, store=args.store))
            return 0
        report = load_store(args.paths, args.store, base=not args.no_base,
                            replace=args.replace, skip_bad_lines=args.skip_bad_lines,
                            by=args.by, note=note, lang=args.lang)
    except Interrupted as stop:
        note(f"chaingraph load: {stop.text(args.lang)}")
        return stop.exit_code
    if report.replaced:
        shown = ", ".join(report.replaced[:10]) + (" …" if len(report.replaced) > 10 else "")
        note(text("backends.write.replaced", args.lang, n=len(report.replaced),
                  store=args.store, ids=shown))
    emit(text("cli.load.done", args.lang, files=report.files, store=args.store,
              triples=report.triples, memberships=report.memberships))
    if report.skipped:
        note(text("cli.load.skipped", args.lang, n=report.skipped, where=report.skipped_at[0]))
    return 0
