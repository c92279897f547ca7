"""``chaingraph info``: what is loaded."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from chaingraph.cli.console import emit
from chaingraph.cli.options import add_format, add_paths


def add_arguments(parser: argparse.ArgumentParser, lang: str = "en") -> None:
    add_paths(parser, lang)
    add_format(parser, lang, ("text", "json"), "text")


def run(args: argparse.Namespace) -> int:
    from chaingraph.graph import load, sources
    from chaingraph.info import render_text, summarise

    files = sources(args.paths)
    summary = summarise(load(args.paths), lang=args.lang, files=len(files))
    if args.format == "json":
        emit(json.dumps(asdict(summary), indent=2, ensure_ascii=False))
    else:
        emit(render_text(summary, args.lang))
    return 0
