"""The options several commands share: the data files, and where the graph lives."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from rdflib import Graph

from chaingraph.catalogue import text


def metavar(name: str, lang: str) -> str:
    """The name --help gives the value of an option (``FILE``, in Dutch ``BESTAND``)."""
    return text(f"cli.metavar.{name}", lang)


def add_paths(parser: argparse.ArgumentParser, lang: str,
              help_key: str = "cli.options.paths") -> None:
    """Add the positional ``PATH ...``: case files or folders."""
    parser.add_argument("paths", nargs="*", metavar=metavar("path", lang),
                        help=text(help_key, lang))


def add_format(parser: argparse.ArgumentParser, lang: str, choices: Sequence[str],
               default: str) -> None:
    """Add ``--format`` with ``choices``."""
    parser.add_argument("--format", choices=tuple(choices), default=default,
                        help=text("cli.options.format", lang))


def add_backend(parser: argparse.ArgumentParser, lang: str) -> None:
    """Add ``--backend``, ``--store DIR`` and ``--endpoint URL`` (one of them at most)."""
    from chaingraph.backends import LARGE

    group = parser.add_argument_group(text("cli.options.where", lang))
    where = group.add_mutually_exclusive_group()
    where.add_argument("--backend", choices=("auto", "memory", "oxigraph"), default="auto",
                       help=text("cli.options.backend", lang, mib=LARGE >> 20))
    where.add_argument("--store", metavar=metavar("dir", lang),
                       help=text("cli.options.store", lang))
    where.add_argument("--endpoint", metavar=metavar("url", lang),
                       help=text("cli.options.endpoint", lang))
    add_timeout(group, lang)


def add_timeout(parser: argparse.ArgumentParser | argparse._ArgumentGroup, lang: str) -> None:
    """Add ``--timeout SECONDS``: how long a SPARQL endpoint may take (see :func:`timeout`)."""
    from chaingraph.backends import DEFAULT_TIMEOUT

    parser.add_argument("--timeout", metavar=text("reliability.metavar_seconds", lang),
                        help=text("reliability.timeout_help", lang, seconds=DEFAULT_TIMEOUT))


def timeout(args: argparse.Namespace) -> float:
    """The endpoint timeout: ``--timeout``, else CHAINGRAPH_TIMEOUT, else the default.

    Example:
        >>> timeout(argparse.Namespace(timeout="2.5"))
        2.5
    """
    import math
    import os

    from chaingraph.backends import DEFAULT_TIMEOUT
    from chaingraph.errors import BadParameter

    value = getattr(args, "timeout", None)
    if value is None:
        value = os.environ.get("CHAINGRAPH_TIMEOUT") or None
    if value is None:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not (0 < seconds < math.inf):
        raise BadParameter(key="timeout_value", value=str(value))
    return seconds


def add_data(parser: argparse.ArgumentParser, lang: str) -> None:
    """Add ``--data PATH`` (repeatable) and the backend options."""
    parser.add_argument("--data", action="append", default=[], metavar=metavar("path", lang),
                        help=text("cli.options.data", lang))
    add_backend(parser, lang)


def open_graph(args: argparse.Namespace, paths: Sequence[str] | None = None,
               backend: str | None = None) -> Graph:
    """Open the graph the options ask for: ``paths`` (default ``--data``), a store or endpoint."""
    from chaingraph.backends import open_graph as open_
    from chaingraph.cli.console import note

    return open_(paths=args.data if paths is None else paths, store=args.store,
                 endpoint=args.endpoint, backend=backend or args.backend, lang=args.lang,
                 timeout=timeout(args), note=note)
