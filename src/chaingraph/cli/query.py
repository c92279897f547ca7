"""``chaingraph query``: run a named SPARQL query (``--list`` shows them)."""

from __future__ import annotations

import argparse
from typing import Any

from chaingraph.catalogue import text
from chaingraph.cli.console import emit
from chaingraph.cli.options import add_data, add_format, metavar, open_graph
from chaingraph.errors import BadParameter
from chaingraph.queries import FORMATS


def add_arguments(parser: argparse.ArgumentParser, lang: str = "en") -> None:
    parser.add_argument("name", nargs="?", metavar=metavar("name", lang),
                        help=text("cli.query.name", lang))
    parser.add_argument("--list", action="store_true", help=text("cli.query.list", lang))
    parser.add_argument("--param", action="append", default=[], metavar=metavar("param", lang),
                        help=text("cli.query.param", lang))
    add_format(parser, lang, FORMATS, "table")
    add_data(parser, lang)
    parser.add_argument("--output", metavar=metavar("file", lang),
                        help=text("cli.options.output", lang))


def run(args: argparse.Namespace) -> int:
    from chaingraph.queries import find_query, list_queries, parse_params, render_list, run_query

    if args.list:
        emit(render_list(list_queries()), args.output)
        return 0
    if not args.name:
        raise BadParameter(text("cli.query.no_name", args.lang))
    info = find_query(args.name)
    params: dict[str, Any] = parse_params(args.param)
    if "lang" not in params and any(p.name == "lang" for p in info.params):
        params["lang"] = args.lang
    for name in params:
        info.param(name)  # an undeclared parameter fails before the data is loaded
    graph = open_graph(args)
    from chaingraph.readable import check_case_id, check_source

    if "case" in params:  # a store's or endpoint's case: its values checked, as who checks them
        check_case_id(graph, str(params["case"]))
    else:  # every case of a store or endpoint: all its values, as a file's are when read
        check_source(graph)
    result = run_query(graph, info.path, **params)
    render = {"table": result.to_table, "json": result.to_json, "csv": result.to_csv}[args.format]
    emit(render(), args.output)
    return 0
