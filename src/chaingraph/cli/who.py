"""``chaingraph who``: who is responsible for what in a case, now or on a date.

On a store (``--store``), a past day (``--at``) is answered from the case as it was recorded
in the store at the end of that day (the store's history), so an answer given then can be
given again; a case first recorded later (most are: a case is entered after its first days)
is shown as it is recorded now.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import TYPE_CHECKING

from chaingraph.catalogue import text
from chaingraph.cli.console import emit, note
from chaingraph.cli.options import add_data, add_format, metavar, open_graph

if TYPE_CHECKING:
    from chaingraph.responsibility import Responsibilities


def add_arguments(parser: argparse.ArgumentParser, lang: str = "en") -> None:
    parser.add_argument("case", metavar=metavar("case", lang), help=text("cli.options.case", lang))
    parser.add_argument("--phase", metavar=metavar("phase", lang), help=text("cli.who.phase", lang))
    parser.add_argument("--instrument", metavar=metavar("kind", lang),
                        help=text("cli.who.instrument", lang))
    parser.add_argument("--at", metavar=metavar("date", lang), help=text("cli.options.day", lang))
    add_format(parser, lang, ("text", "json"), "text")
    add_data(parser, lang)


def run(args: argparse.Namespace) -> int:
    from chaingraph.queries import parse_date
    from chaingraph.responsibility import render_text, responsibilities

    day = parse_date(args.at, "--at") if args.at is not None else None  # before the data
    answer = None
    if day is not None and args.store:
        answer = _as_recorded(args, day)
    if answer is None:
        answer = responsibilities(open_graph(args), args.case, at=args.at, lang=args.lang,
                                  phase=args.phase, instrument=args.instrument)
        if day is not None and args.store:  # said: not what the store held that day
            note(text("cli.who.recorded_later", args.lang, case=args.case, store=args.store,
                      day=day.isoformat()))
    if args.format == "json":
        emit(json.dumps(answer.as_dict(), indent=2, ensure_ascii=False))
    else:
        emit(render_text(answer, args.lang))
    return 0


def _as_recorded(args: argparse.Namespace, day: date) -> Responsibilities | None:
    """On a store, a past day is answered from the case as it was recorded that day (its
    history, :func:`chaingraph.history.as_recorded`); None when the case was first recorded
    later (then the case as it is now answers, and stderr says so)."""
    from chaingraph import history
    from chaingraph.errors import UnknownCase
    from chaingraph.responsibility import responsibilities

    recorded = history.as_recorded(args.store, day, case=args.case)
    try:
        return responsibilities(recorded, args.case, at=args.at, lang=args.lang,
                                phase=args.phase, instrument=args.instrument)
    except UnknownCase:
        return None
