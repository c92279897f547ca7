"""``chaingraph audit``: check every case against the agreed work process."""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from chaingraph.catalogue import text
from chaingraph.cli.console import emit
from chaingraph.cli.options import add_backend, add_format, add_paths, metavar, open_graph
from chaingraph.errors import BadParameter

if TYPE_CHECKING:
    from rdflib import Graph


def add_arguments(parser: argparse.ArgumentParser, lang: str = "en") -> None:
    add_paths(parser, lang)
    parser.add_argument("--case", action="extend", nargs="+", metavar=metavar("id", lang),
                        dest="cases", help=text("cli.audit.cases", lang))
    parser.add_argument("--at", metavar=metavar("date", lang), help=text("cli.audit.at", lang))
    add_format(parser, lang, ("text", "json", "html"), "text")
    parser.add_argument("--output", "-o", metavar=metavar("file", lang),
                        help=text("cli.options.output", lang))
    parser.add_argument("--engine", choices=("auto", "shacl", "sparql"), default="auto",
                        help=text("cli.audit.engine", lang))
    add_backend(parser, lang)


def run(args: argparse.Namespace) -> int:
    from chaingraph.audit import audit, audit_compiled, audit_files, choose_engine, parse_date
    from chaingraph.backends import backend_of, has_cases
    from chaingraph.shapes import load_shapes

    at = parse_date(args.at) if args.at else date.today()
    shapes = load_shapes()
    engine, why, detail = choose_engine(shapes, args.engine, args.lang)
    if engine == "sparql" and args.paths and not (args.store or args.endpoint):
        report = audit_files(args.paths, cases=args.cases, at=at, shapes=shapes, lang=args.lang)
    else:
        # pySHACL wants rdflib's own store, whatever the size
        backend = "memory" if engine == "shacl" and args.backend == "auto" else args.backend
        graph = open_graph(args, args.paths, backend=backend)
        if (args.store is not None or args.endpoint is not None) and not has_cases(graph):
            # "no violations" of a store or endpoint without data would read as "all is well"
            raise BadParameter(key="no_cases", where=args.store or args.endpoint)
        if engine == "sparql":
            _say_if_unrecorded(graph, args)
            report = audit_compiled(graph, cases=args.cases, at=at, shapes=shapes, lang=args.lang,
                                    progress=True, location=args.store)
        elif backend_of(graph) == "endpoint":
            raise BadParameter(text("cli.audit.shacl_on_endpoint", args.lang))
        else:
            report = audit(graph, cases=args.cases, at=at, shapes=shapes, lang=args.lang,
                           progress=True)
    report = replace(report, why=why, why_detail=detail)
    if args.format == "json":
        emit(report.to_json(), args.output)
    elif args.format == "html":
        emit(report.render_html(), args.output)
    else:
        emit(report.render_text(), args.output)
    return 0 if report.conforms else 1


def _say_if_unrecorded(graph: Graph, args: argparse.Namespace) -> None:
    """Say on stderr when a store has no record of ``chaingraph load``: its audit is correct but
    slower (it first checks where each node belongs), and ``load --reindex`` records it once."""
    from chaingraph.backends import native_store
    from chaingraph.cli.console import note
    from chaingraph.storewrite import is_recorded

    store = native_store(graph) if args.store is not None else None
    if store is not None and not is_recorded(store):
        note(f"chaingraph audit: {text('cli.audit.unrecorded', args.lang, store=args.store)}")
