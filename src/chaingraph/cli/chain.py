"""``chaingraph chain``: the responsibility and escalation chain of a case."""

from __future__ import annotations

import argparse
import json

from chaingraph.catalogue import text
from chaingraph.cli.console import emit
from chaingraph.cli.options import add_data, add_format, metavar, open_graph


def add_arguments(parser: argparse.ArgumentParser, lang: str = "en") -> None:
    parser.add_argument("case", metavar=metavar("case", lang), help=text("cli.options.case", lang))
    parser.add_argument("--role", metavar=metavar("role", lang), help=text("cli.chain.role", lang))
    parser.add_argument("--at", metavar=metavar("date", lang), help=text("cli.options.day", lang))
    add_format(parser, lang, ("text", "json"), "text")
    add_data(parser, lang)


def run(args: argparse.Namespace) -> int:
    from chaingraph.escalation import case_chains, render_text
    from chaingraph.queries import parse_date

    at = parse_date(args.at, "--at") if args.at else None
    found = case_chains(open_graph(args), args.case, role=args.role, at=at, lang=args.lang)
    if args.format == "json":
        emit(json.dumps(found.as_dict(), indent=2, ensure_ascii=False))
    else:
        emit(render_text(found, args.lang))
    return 1 if found.problems else 0
