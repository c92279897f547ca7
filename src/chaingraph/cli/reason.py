"""``chaingraph reason``: check consistency with HermiT and show what it infers."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from chaingraph.catalogue import text
from chaingraph.cli.console import emit
from chaingraph.cli.options import add_format, add_paths


def add_arguments(parser: argparse.ArgumentParser, lang: str = "en") -> None:
    add_paths(parser, lang)
    add_format(parser, lang, ("text", "json"), "text")
    parser.epilog = text("cli.reason.epilog", lang)


def run(args: argparse.Namespace) -> int:
    from chaingraph.graph import load
    from chaingraph.reasoning import java, reason, render_text

    java()  # before loading, so a missing Java is reported at once
    graph = load(args.paths)
    result = reason(graph)
    if args.format == "json":
        emit(json.dumps(asdict(result), indent=2, ensure_ascii=False))
    else:
        emit(render_text(result, graph, lang=args.lang))
    return 0 if result.consistent else 1
