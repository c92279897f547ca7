"""``chaingraph raci``: the RACI matrix of a case (CSV, Markdown)."""

from __future__ import annotations

import argparse

from chaingraph.catalogue import text
from chaingraph.cli.console import emit
from chaingraph.cli.options import add_data, add_format, metavar, open_graph


def add_arguments(parser: argparse.ArgumentParser, lang: str = "en") -> None:
    parser.add_argument("case", metavar=metavar("case", lang), help=text("cli.options.case", lang))
    add_format(parser, lang, ("csv", "markdown"), "markdown")
    parser.add_argument("--at", metavar=metavar("date", lang), help=text("cli.raci.at", lang))
    parser.add_argument("--output", metavar=metavar("file", lang),
                        help=text("cli.options.output", lang))
    add_data(parser, lang)


def run(args: argparse.Namespace) -> int:
    from chaingraph.queries import parse_date
    from chaingraph.raci import raci, to_csv, to_markdown

    if args.at is not None:
        parse_date(args.at, "--at")
    matrix = raci(open_graph(args), args.case, at=args.at, lang=args.lang)
    render = to_csv if args.format == "csv" else to_markdown
    emit(render(matrix, args.lang), args.output)
    return 0
