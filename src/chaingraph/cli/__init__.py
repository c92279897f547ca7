"""The ``chaingraph`` command line: a thin layer over the library.

Exit codes (as pySHACL has them): 0 fine, 1 findings, 2 bad input or usage. Errors are one
sentence on stderr, never a traceback. Each command is a module of this package named after
it (``chaingraph.cli.who``) with ``add_arguments(parser, lang)`` and ``run(args) -> int``;
only the module of the command being run is imported, so a command starts quickly.

This package is the only part of chaingraph that reads the command line, prints and chooses
exit codes. Every help text is in the message catalogue (``catalogue/cli.toml``); ``--lang
nl`` anywhere on the command line gives the whole help, argparse's own phrases included, in
Dutch.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from typing import Any, NoReturn

from chaingraph import output, progress
from chaingraph.catalogue import DEFAULT, LANGUAGES, entries, text
from chaingraph.errors import ChaingraphError

# The commands, in the order --help lists them; each is the module chaingraph.cli.NAME.
COMMANDS = ("info", "monitor", "reason", "audit", "query", "who", "chain", "raci", "export",
            "generate", "load", "serve", "users", "case")

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class Parser(argparse.ArgumentParser):
    """An argument parser in a language, whose usage errors are one line on stderr."""

    def __init__(self, *args: Any, lang: str = "en", **kwargs: Any) -> None:
        self.lang = lang
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, text("cli.argparse.error", self.lang) % {"prog": self.prog,
                                                                         "message": message})


def module_name(command: str) -> str:
    """The module of ``command``: ``chaingraph.cli.who`` for ``who``."""
    return f"{__name__}.{command}"


def available() -> tuple[str, ...]:
    """Return the commands whose modules are installed."""
    return tuple(name for name in COMMANDS if importlib.util.find_spec(module_name(name)))


def language(argv: Sequence[str]) -> str:
    """The language ``--lang`` asks for anywhere on the command line (the last one counts).

    Example:
        >>> language(["who", "FX-001", "--lang", "nl"]), language(["--lang=en"]), language([])
        ('nl', 'en', 'en')
    """
    chosen = "en"
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--lang="):
            value = arg.partition("=")[2]
        else:
            continue
        if value in LANGUAGES:
            chosen = value
    return chosen


@contextlib.contextmanager
def argparse_language(lang: str) -> Iterator[None]:
    """Have argparse say its own phrases ("usage:", "invalid choice" ...) in ``lang``.

    argparse looks its phrases up with gettext at the time it says them; the catalogue's
    ``cli.argparse`` keys hold argparse's English phrase and its translation.
    """
    if lang == "en":
        yield
        return
    table = {str(v["en"]): str(v.get(lang) or v["en"]) for k, v in entries().items()
             if k.startswith("cli.argparse.")}
    hooks = vars(argparse)  # argparse's own names for gettext's functions
    saved = {name: hooks[name] for name in ("_", "ngettext")}

    def gettext(message: str) -> str:
        return table.get(message, message)

    def ngettext(singular: str, plural: str, n: int) -> str:
        return gettext(singular if n == 1 else plural)

    hooks.update(_=gettext, ngettext=ngettext)
    try:
        yield
    finally:
        hooks.update(saved)


def build_parser(selected: str | None = None, lang: str = "en") -> Parser:
    """Build the parser in ``lang``; only ``selected``'s module is imported to add its options."""
    from chaingraph import __version__

    parser = Parser(prog="chaingraph", lang=lang, description=text("cli.main.description", lang),
                    epilog=text("cli.main.epilog", lang))
    parser.add_argument("--version", action="version", version=f"chaingraph {__version__}",
                        help=text("cli.main.version", lang))
    parser.add_argument("--lang", choices=LANGUAGES, default="en", help=text("cli.main.lang", lang))
    sub = parser.add_subparsers(dest="command", metavar=text("cli.main.command", lang),
                                title=text("cli.main.commands", lang))
    for name in available():
        summary = text(f"cli.{name}.summary", lang)
        command = sub.add_parser(name, help=summary, description=summary, lang=lang)
        command.add_argument("--lang", choices=LANGUAGES, default="en",
                             help=text("cli.main.lang", lang))
        if name == selected:
            importlib.import_module(module_name(name)).add_arguments(command, lang)
    return parser


def message(exc: BaseException, lang: str) -> str:
    """The one sentence that says what went wrong, in ``lang`` where the error can say it so."""
    say = getattr(exc, "text", None)
    sentence = str(say(lang)) if callable(say) else str(exc)
    # one line whatever the data held: a control character a parser quotes is shown escaped
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in sentence)


def _options(parser: argparse.ArgumentParser, command: str | None) -> Iterator[argparse.Action]:
    """The options of ``command`` (and of the subcommands under it)."""
    for action in parser._actions:  # argparse keeps no public list of a parser's options
        if isinstance(action, argparse._SubParsersAction):
            chosen = action.choices.get(command) if command else None
            subparsers = [chosen] if chosen is not None else (
                [] if command else list(action.choices.values()))
            for sub in subparsers:
                yield from _options(sub, None)
        elif action.option_strings:
            yield action


# The options whose empty value the commands would take for "not given" (a silent fallback).
_EMPTY_IS_NOT_NONE = {"--store", "--endpoint", "--at", "--output", "--data", "--case", "--phase",
                      "--role", "--instrument", "--pseudonymise", "--timeout"}


def _check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse an option given an empty value, and an ``--output`` that cannot be a file.

    ``--store ''``, ``--endpoint ''`` or ``--at ''`` would otherwise read as "not given" and
    fall back to the bundled data or today. A symbolic link as ``--output`` is followed (its
    target is written) and said so on stderr.
    """
    from chaingraph.cli.console import note
    from chaingraph.errors import BadParameter
    from chaingraph.output import check_writable, link_target

    for action in _options(parser, args.command):
        if not set(action.option_strings) & _EMPTY_IS_NOT_NONE:
            continue
        value = getattr(args, action.dest, None)
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and not v.strip() for v in values):
            raise BadParameter(key="empty_option", option=max(action.option_strings, key=len))
    output = getattr(args, "output", None)
    if isinstance(output, str) and output != "-":
        check_writable(output)
        target = link_target(output)
        if target is not None:
            note(f"chaingraph {args.command}: "
                 + text("reliability.symlink", args.lang, path=output, target=target))


class Terminated(KeyboardInterrupt):
    """SIGTERM stopped a command: handled as Ctrl-C is (worker processes stopped, temporary
    files removed), with the shell's exit code for it."""

    exit_code = 128 + int(signal.SIGTERM)


@contextlib.contextmanager
def _terminable() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` while a command runs (in the main thread), so that
    what it started is cleaned up instead of left running, as a killed parent leaves its
    audit workers."""

    def stop(signum: int, frame: Any) -> None:
        raise Terminated(signal.Signals(signum).name)

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: signals are the main thread's business
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    from chaingraph.cli.console import note
    from chaingraph.readable import quiet_rdflib_log

    args_list = list(sys.argv[1:] if argv is None else argv)
    lang = language(args_list)
    commands = available()
    selected = next((a for a in args_list if a in commands), None)
    with argparse_language(lang):
        parser = build_parser(selected, lang)
        try:
            args, extra = parser.parse_known_args(args_list)
            # Files after the options (export collaboration --format csv a.ttl): argparse takes
            # a command's positionals in one run, so they come back unrecognised.
            if extra and isinstance(getattr(args, "paths", None), list) \
                    and not any(e.startswith("-") for e in extra):
                args.paths.extend(extra)
            elif extra:
                parser.error(text("cli.argparse.unrecognized", lang) % " ".join(extra))
        except SystemExit as exc:  # argparse: --help/--version exit 0, usage errors exit 2
            return int(exc.code or 0)
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
    args.lang = lang  # the subcommand's --lang default would hide a --lang given before it
    module = importlib.import_module(module_name(args.command))
    output.on_leftover = lambda path, pid: note(
        text("backends.write.removed", lang, path=path, pid=pid))
    progress.language = lang  # the progress bars' words, for this command (reset below)
    try:
        # rdflib logs a traceback for every ill-typed literal it reads (a store another tool
        # wrote to): chaingraph says what is wrong in one sentence of its own instead.
        with _terminable(), quiet_rdflib_log():
            _check_arguments(parser, args)
            return int(module.run(args))
    except ChaingraphError as exc:
        note(f"chaingraph {args.command}: {message(exc, lang)}")
        return EXIT_USAGE
    except KeyboardInterrupt as stop:  # Ctrl-C (130) or SIGTERM (143), see _terminable
        note(f"chaingraph {args.command}: {text('cli.main.interrupted', lang)}")
        return int(getattr(stop, "exit_code", 130))
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug of ours: one sentence, the traceback on request
        if os.environ.get("CHAINGRAPH_DEBUG"):
            raise
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        note(f"chaingraph {args.command}: " + text("cli.main.internal", lang,
                                                   error=f"{exc.__class__.__name__}: {first}"))
        return EXIT_USAGE
    finally:
        progress.language = DEFAULT  # main() in a longer-lived process leaves no language set
