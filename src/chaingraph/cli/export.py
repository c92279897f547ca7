"""``chaingraph export``: collaboration graphs and timelines for learning sessions."""

from __future__ import annotations

import argparse

from chaingraph.catalogue import text
from chaingraph.cli.console import emit, note
from chaingraph.cli.options import add_backend, add_paths, metavar, open_graph
from chaingraph.errors import BadParameter
from chaingraph.export import FORMAT_NAMES, WHATS, index_note


def add_arguments(parser: argparse.ArgumentParser, lang: str = "en") -> None:
    parser.add_argument("what", metavar=metavar("what", lang),
                        help=text("cli.export.what", lang, whats=", ".join(WHATS)))
    add_paths(parser, lang)
    parser.add_argument("--case", metavar=metavar("id", lang), help=text("cli.export.case", lang))
    parser.add_argument("--format", metavar=metavar("format", lang),
                        help=text("cli.export.format", lang, formats=", ".join(FORMAT_NAMES)))
    parser.add_argument("--output", "-o", metavar=metavar("file", lang),
                        help=text("cli.export.output", lang))
    parser.add_argument("--pseudonymise", metavar=metavar("keyfile", lang),
                        help=text("cli.export.pseudonymise", lang))
    add_backend(parser, lang)


def run(args: argparse.Namespace) -> int:
    from chaingraph.export.content import UnknownFormat, UnknownView, export
    from chaingraph.export.privacy import keyed, read_key

    if args.what not in WHATS:
        raise UnknownView(args.what, WHATS)
    if args.format is None:
        raise BadParameter(text("cli.export.format_required", args.lang,
                                formats=", ".join(FORMAT_NAMES)))
    if args.format not in FORMAT_NAMES:
        raise UnknownFormat(args.format, FORMAT_NAMES)
    pseudonymise = keyed(read_key(args.pseudonymise)) if args.pseudonymise else None
    graph = open_graph(args, args.paths)
    if args.what == "collaboration" and not args.case:
        from chaingraph.readable import check_source

        said = index_note(graph, store=args.store, lang=args.lang)
        if said:
            note(said)
        check_source(graph)  # every case of a store or endpoint: its values, as files' are
    content = export(graph, args.what, args.format, case_id=args.case, lang=args.lang,
                     pseudonymise=pseudonymise)
    emit(content, args.output)
    return 0
