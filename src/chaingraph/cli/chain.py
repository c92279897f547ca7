"""``chaingraph chain``: the escalation chains of a case, or (without one) of the whole chain.

``chain CASE`` follows the case graph that ``export case --case CASE`` draws; ``chain`` the
graph of the whole chain that ``export chain`` draws.
"""

from __future__ import annotations

import argparse
import json

from chaingraph.catalogue import text
from chaingraph.cli.console import emit
from chaingraph.cli.options import add_data, add_format, metavar, open_graph
from chaingraph.errors import BadParameter


def add_arguments(parser: argparse.ArgumentParser, lang: str = "en") -> None:
    parser.add_argument("case", nargs="?", metavar=metavar("case", lang),
                        help=text("cli.chain.case", lang))
    parser.add_argument("--role", metavar=metavar("role", lang), help=text("cli.chain.role", lang))
    parser.add_argument("--at", metavar=metavar("date", lang), help=text("cli.options.day", lang))
    add_format(parser, lang, ("text", "json"), "text")
    add_data(parser, lang)


def run(args: argparse.Namespace) -> int:
    from chaingraph.escalation import case_chains, chain_chains, render_text
    from chaingraph.queries import parse_date

    at = parse_date(args.at, "--at") if args.at else None
    if args.case is None:  # the whole chain: the graph `export chain` draws
        if at is not None:
            raise BadParameter(text("chain.at_needs_case", args.lang))
        found = chain_chains(open_graph(args), role=args.role)
    else:
        found = case_chains(open_graph(args), args.case, role=args.role, at=at)
    if args.format == "json":
        emit(json.dumps(found.as_dict(args.lang), indent=2, ensure_ascii=False))
    else:
        emit(render_text(found, args.lang))
    return 1 if found.problems else 0
