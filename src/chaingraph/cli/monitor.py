"""``chaingraph monitor``: regenerate sections 2 and 4 of the monitor (Markdown, HTML)."""

from __future__ import annotations

import argparse

from chaingraph.catalogue import text
from chaingraph.cli.console import emit
from chaingraph.cli.options import add_format, add_paths, metavar
from chaingraph.monitor import FORMATS, render_html, render_markdown


def add_arguments(parser: argparse.ArgumentParser, lang: str = "en") -> None:
    add_paths(parser, lang, "cli.monitor.paths")
    add_format(parser, lang, FORMATS, "markdown")
    parser.add_argument("--output", "-o", metavar=metavar("file", lang), default=None,
                        help=text("cli.options.output", lang))


def run(args: argparse.Namespace) -> int:
    from chaingraph.graph import load

    graph = load(args.paths)
    render = render_html if args.format == "html" else render_markdown
    emit(render(graph, lang=args.lang), args.output)
    return 0
