"""The ``chaingraph`` command line: a thin layer over the library.

Exit codes (as pySHACL has them): 0 fine, 1 findings, 2 bad input or usage. Errors
are one sentence on stderr, never a traceback. Each subcommand lives in its own
module with ``add_arguments(parser)`` and ``run(args) -> int``; only the module of
the command being run is imported, so a command starts quickly.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from collections.abc import Sequence

from chaingraph.errors import ChaingraphError
from chaingraph.language import LANGUAGES

# name -> (module, one-line help). A command whose module is not there is not offered.
COMMANDS: dict[str, tuple[str, str]] = {
    "info": ("chaingraph.info", "what is loaded: triples, organisations, roles, measures, cases"),
    "monitor": ("chaingraph.monitor", "regenerate sections 2 and 4 of the monitor (Markdown, HTML)"),
    "reason": ("chaingraph.reasoning", "check consistency with HermiT and show what it infers"),
    "audit": ("chaingraph.audit", "check every case against the agreed work process"),
    "query": ("chaingraph.queries", "run a named SPARQL query (--list shows them)"),
    "who": ("chaingraph.responsibility", "who is responsible for what in a case, now or on a date"),
    "chain": ("chaingraph.escalation", "the responsibility and escalation chain of a case"),
    "raci": ("chaingraph.raci", "the RACI matrix of a case (CSV, Markdown)"),
    "export": ("chaingraph.export", "collaboration graphs and timelines for learning sessions"),
    "generate": ("chaingraph.generator", "generate fictional cases with seeded flaws"),
    "load": ("chaingraph.backends", "load data into a persistent Oxigraph store"),
}

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def available() -> dict[str, tuple[str, str]]:
    """Return the commands whose modules are installed."""
    return {name: entry for name, entry in COMMANDS.items() if importlib.util.find_spec(entry[0])}


def common_options() -> argparse.ArgumentParser:
    """Options every subcommand takes (a parent parser)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--lang", choices=LANGUAGES, default="en",
                        help="output language (default: en)")
    return parent


def build_parser(selected: str | None = None) -> argparse.ArgumentParser:
    """Build the parser; only ``selected``'s module is imported to add its arguments."""
    from chaingraph import __version__

    parser = argparse.ArgumentParser(
        prog="chaingraph",
        description="The chain approach to (ex-)partner stalking in Rotterdam-Rijnmond as a "
                    "knowledge graph: who is responsible for what, audited and exported.",
        epilog="Exit codes: 0 fine, 1 findings, 2 bad input or usage. "
               "Run 'chaingraph COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"chaingraph {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    parent = common_options()
    for name, (module_name, summary) in available().items():
        command = sub.add_parser(name, help=summary, description=summary, parents=[parent])
        if name == selected:
            importlib.import_module(module_name).add_arguments(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    commands = available()
    selected = next((a for a in args_list if a in commands), None)
    parser = build_parser(selected)
    try:
        args, extra = parser.parse_known_args(args_list)
        # Files after the options (export collaboration --format csv a.ttl): argparse takes
        # a command's positionals in one run, so they come back unrecognised.
        if extra and isinstance(getattr(args, "paths", None), list) \
                and not any(e.startswith("-") for e in extra):
            args.paths.extend(extra)
        elif extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exc:  # argparse: --help/--version exit 0, usage errors exit 2
        return int(exc.code or 0)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    module = importlib.import_module(commands[args.command][0])
    try:
        return int(module.run(args))
    except ChaingraphError as exc:
        print(f"chaingraph {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"chaingraph {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
