"""``chaingraph who``: who is responsible for what in a case, now or on a date."""

from __future__ import annotations

import argparse
import json

from chaingraph.catalogue import text
from chaingraph.cli.console import emit
from chaingraph.cli.options import add_data, add_format, metavar, open_graph


def add_arguments(parser: argparse.ArgumentParser, lang: str = "en") -> None:
    parser.add_argument("case", metavar=metavar("case", lang), help=text("cli.options.case", lang))
    parser.add_argument("--phase", metavar=metavar("phase", lang), help=text("cli.who.phase", lang))
    parser.add_argument("--instrument", metavar=metavar("kind", lang),
                        help=text("cli.who.instrument", lang))
    parser.add_argument("--at", metavar=metavar("date", lang), help=text("cli.options.day", lang))
    add_format(parser, lang, ("text", "json"), "text")
    add_data(parser, lang)


def run(args: argparse.Namespace) -> int:
    from chaingraph.queries import parse_date
    from chaingraph.responsibility import render_text, responsibilities

    if args.at is not None:
        parse_date(args.at, "--at")  # a malformed date fails before the data is loaded
    graph = open_graph(args)
    answer = responsibilities(graph, args.case, at=args.at, lang=args.lang,
                              phase=args.phase, instrument=args.instrument)
    if args.format == "json":
        emit(json.dumps(answer.as_dict(), indent=2, ensure_ascii=False))
    else:
        emit(render_text(answer, args.lang))
    return 0
