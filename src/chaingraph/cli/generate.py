"""``chaingraph generate``: generate fictional cases with seeded flaws."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from chaingraph import generator
from chaingraph.catalogue import text
from chaingraph.cli.console import note
from chaingraph.cli.options import metavar
from chaingraph.errors import BadParameter


def add_arguments(parser: argparse.ArgumentParser, lang: str = "en") -> None:
    parser.add_argument("--cases", type=int, required=True, metavar=metavar("n", lang),
                        help=text("cli.generate.cases", lang))
    parser.add_argument("--seed", type=int, default=0, metavar=metavar("n", lang),
                        help=text("cli.generate.seed", lang))
    parser.add_argument("--output", "-o", metavar=metavar("file", lang),
                        help=text("cli.generate.output", lang))
    parser.add_argument("--flaw-rate", type=float, default=None, metavar=metavar("rate", lang),
                        help=text("cli.generate.flaw_rate", lang, rate=generator.DEFAULT_RATE))
    # Taken as text and checked in run(): a bad value is one sentence, in the --lang language.
    parser.add_argument("--running", default=None, metavar=metavar("share", lang),
                        help=text("cli.generate.running", lang, running=generator.DEFAULT_RUNNING))
    parser.add_argument("--as-of", default=None, metavar=metavar("date", lang),
                        help=text("cli.generate.as_of", lang,
                                  as_of=generator.DEFAULT_AS_OF.isoformat()))


def _check(args: argparse.Namespace) -> tuple[float | None, date]:
    """Check the command's numbers and date before anything is written; return share and as-of."""
    if args.cases < 0:
        raise BadParameter(text("generate.bad_cases", args.lang, value=args.cases))
    if args.flaw_rate is not None and not 0.0 <= args.flaw_rate <= 1.0:
        raise BadParameter(text("generate.bad_rate", args.lang, value=args.flaw_rate))
    share = None if args.running is None else generator.parse_share(args.running, args.lang)
    as_of = generator.DEFAULT_AS_OF if args.as_of is None else args.as_of
    return share, generator.parse_as_of(as_of, args.lang)


def run(args: argparse.Namespace) -> int:
    from chaingraph.progress import Progress

    share, as_of = _check(args)
    if args.output in (None, "-"):
        flaws: dict[str, list[generator.Flaw]] = {}
        for chunk in generator.iter_turtle(args.cases, seed=args.seed, flaw_rate=args.flaw_rate,
                                           flaws=flaws, running=share, as_of=as_of):
            sys.stdout.write(chunk)
        return 0
    with Progress("generate", total=args.cases, unit="cases") as bar:
        result = generator.generate(args.cases, args.output, seed=args.seed,
                                    flaw_rate=args.flaw_rate, progress=bar, running=share,
                                    as_of=as_of)
    note(text("generate.done", args.lang, cases=result.cases, running=len(result.running),
              as_of=result.as_of.isoformat(), triples=result.triples, out=args.output,
              flaws=result.flaw_count, fl=generator.flaws_path(args.output)))
    return 0
