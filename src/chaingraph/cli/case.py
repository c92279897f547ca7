"""``chaingraph case``: record and keep cases (the form, new, show, update, handover,
instruments, events, close, import).

Every change is written to ``--store DIR`` (the case replaced in one transaction, the
change recorded with ``--by``) or to ``--output FILE`` (atomically, never over an input);
without either, the Turtle goes to stdout and the messages to stderr. A case that can be
recorded but breaks the work process is written and its findings shown: exit 1.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from chaingraph.catalogue import LANGUAGES, text
from chaingraph.cli.console import emit, note
from chaingraph.cli.options import metavar

ACTIONS = ("template", "new", "show", "update", "handover", "instrument", "event", "close",
           "import")


def _h(key: str, lang: str, **params: Any) -> str:
    return text(f"case.help.{key}", lang, **params)


def _source(parser: argparse.ArgumentParser, lang: str) -> None:
    parser.add_argument("--data", action="append", default=[], metavar=metavar("path", lang),
                        help=_h("data", lang))
    parser.add_argument("--store", metavar=metavar("dir", lang), help=_h("store", lang))


def _target(parser: argparse.ArgumentParser, lang: str, *, store: bool = True) -> None:
    if store:
        parser.add_argument("--store", metavar=metavar("dir", lang), help=_h("store", lang))
    parser.add_argument("--output", "-o", metavar=metavar("file", lang), help=_h("output", lang))
    parser.add_argument("--by", metavar=_h("user_metavar", lang), help=_h("by", lang))
    parser.add_argument("--at", metavar=metavar("date", lang), help=_h("at", lang))


def _case(parser: argparse.ArgumentParser, lang: str) -> None:
    parser.add_argument("case", metavar=metavar("case", lang), help=text("cli.options.case", lang))


def add_arguments(parser: argparse.ArgumentParser, lang: str = "en") -> None:
    from chaingraph.cli import Parser  # one-line usage errors in either language

    sub = parser.add_subparsers(dest="action", metavar=_h("action", lang), required=True,
                                title=_h("actions", lang), parser_class=Parser)

    def action(name: str) -> argparse.ArgumentParser:
        found: argparse.ArgumentParser = sub.add_parser(
            name, help=_h(name, lang), description=_h(name, lang), lang=lang)
        found.add_argument("--lang", choices=LANGUAGES, default="en",
                           help=text("cli.main.lang", lang))
        return found

    p = action("template")
    p.add_argument("--output", "-o", metavar=metavar("file", lang), help=_h("output", lang))

    for name in ("new", "update"):
        p = action(name)
        p.add_argument("form", metavar=_h("form_metavar", lang), help=_h("form", lang))
        _target(p, lang)
        if name == "update":
            p.add_argument("--data", action="append", default=[], metavar=metavar("path", lang),
                           help=_h("data", lang))

    p = action("show")
    _case(p, lang)
    p.add_argument("--format", choices=("yaml", "turtle"), default="yaml",
                   help=text("cli.options.format", lang))
    p.add_argument("--output", "-o", metavar=metavar("file", lang), help=_h("output", lang))
    _source(p, lang)

    p = action("handover")
    _case(p, lang)
    p.add_argument("--role", required=True, metavar=metavar("role", lang), help=_h("role", lang))
    p.add_argument("--to", required=True, metavar=_h("holder_metavar", lang),
                   help=_h("to", lang))
    p.add_argument("--organisation", metavar=metavar("org", lang), help=_h("organisation", lang))
    p.add_argument("--from", dest="previous", metavar=_h("holder_metavar", lang),
                   help=_h("previous", lang))
    p.add_argument("--on", required=True, metavar=metavar("date", lang), help=_h("on", lang))
    _edit_options(p, lang)

    p = action("instrument")
    _case(p, lang)
    p.add_argument("change", choices=("add", "extend", "end"), help=_h("change", lang))
    p.add_argument("--id", metavar=metavar("id", lang), help=_h("instrument_id", lang))
    p.add_argument("--type", metavar=metavar("kind", lang), help=_h("type", lang))
    p.add_argument("--from", dest="start", metavar=metavar("date", lang), help=_h("from", lang))
    p.add_argument("--to", dest="until", metavar=metavar("date", lang), help=_h("until", lang))
    p.add_argument("--on", metavar=metavar("date", lang), help=_h("instrument_on", lang))
    p.add_argument("--person", nargs=3, action="append", default=[],
                   metavar=(_h("kind_metavar", lang), metavar("role", lang),
                            _h("holder_metavar", lang)), help=_h("person", lang))
    p.add_argument("--duty-to-report", choices=("true", "false"), help=_h("duty", lang))
    _edit_options(p, lang)

    p = action("event")
    _case(p, lang)
    p.add_argument("--type", required=True, metavar=metavar("kind", lang),
                   help=_h("event_type", lang))
    p.add_argument("--on", required=True, metavar=metavar("date", lang), help=_h("event_on", lang))
    for option in ("by-organisation", "hosted-by", "from-organisation", "to-organisation"):
        p.add_argument(f"--{option}", metavar=metavar("org", lang),
                       help=_h(option.replace("-", "_") + "_help", lang))
    for option in ("chaired-by", "escalated-to", "escalated-by"):
        p.add_argument(f"--{option}", metavar=metavar("role", lang),
                       help=_h(option.replace("-", "_") + "_help", lang))
    p.add_argument("--participant", action="append", default=[], metavar=metavar("org", lang),
                   help=_h("participant", lang))
    p.add_argument("--concerns", metavar=metavar("id", lang), help=_h("concerns", lang))
    p.add_argument("--follows-up", metavar=metavar("id", lang), help=_h("follows_up", lang))
    p.add_argument("--phase", metavar=metavar("phase", lang), help=_h("phase", lang))
    p.add_argument("--id", metavar=metavar("id", lang), help=_h("event_id", lang))
    p.add_argument("--note", metavar=_h("note_metavar", lang), help=_h("note", lang))
    _edit_options(p, lang)

    p = action("close")
    _case(p, lang)
    p.add_argument("--on", required=True, metavar=metavar("date", lang), help=_h("close_on", lang))
    _edit_options(p, lang)

    p = action("import")
    p.add_argument("csv", metavar=_h("csv_metavar", lang), help=_h("csv", lang))
    _target(p, lang)


def _edit_options(parser: argparse.ArgumentParser, lang: str) -> None:
    parser.add_argument("--data", action="append", default=[], metavar=metavar("path", lang),
                        help=_h("data", lang))
    _target(parser, lang)


# ------------------------------------------------------------------ running

def _day(value: str | None, option: str) -> Any:
    from chaingraph.cases.form import parse_date

    return None if value is None else parse_date(value, field=option)


def _name(kind: str, value: str | None, option: str, lang: str) -> Any:
    from chaingraph.cases.vocabulary import vocabulary
    from chaingraph.errors import FormError

    if value is None:
        return None
    found = vocabulary().kind(kind).find(value)
    if found is None:
        raise FormError("unknown_name", field=option, value=value, kind=kind,
                        allowed=", ".join(vocabulary().kind(kind).allowed(lang)))
    return found


def _no_overwrite(args: argparse.Namespace, inputs: list[str]) -> None:
    """Refuse ``--output`` naming an input: the source is never changed in place."""
    from chaingraph.errors import FormError

    output = getattr(args, "output", None)
    if output is None or output == "-":
        return
    target = Path(output).resolve()
    for raw in inputs:
        path = Path(raw)
        files = path.rglob("*") if path.is_dir() else [path]
        if any(f.resolve() == target for f in files):
            raise FormError("output_is_input", field="--output", path=output)


def _finish(args: argparse.Namespace, cases: Any, activity: str, *, inputs: list[str]) -> int:
    """Check ``cases``, write them where the options say, report; the exit code."""
    from chaingraph.cases.record import check, save, turtle

    chosen = cases if isinstance(cases, list) else [cases]
    _no_overwrite(args, inputs)
    at = _day(getattr(args, "at", None), "--at")
    report = check(chosen, at=at, lang=args.lang)
    store, output = getattr(args, "store", None), getattr(args, "output", None)
    say = emit if (store or output) else note
    if store:
        save(chosen, store=store, by=args.by, activity=activity, note=note, lang=args.lang)
        say(text("case.done.store", args.lang, n=len(chosen), cases=", ".join(c.id for c in chosen),
                 store=store))
    elif output and output != "-":
        save(chosen, output=output, by=args.by, activity=activity)
        say(text("case.done.file", args.lang, n=len(chosen),
                 cases=", ".join(c.id for c in chosen), file=output))
    else:
        emit(turtle(chosen))
    if report.conforms:
        say(text("case.done.conforms", args.lang, n=len(chosen)))
        return 0
    say(report.render_text(args.lang))
    return 1


def _load(args: argparse.Namespace) -> Any:
    from chaingraph.cases.record import load_case

    return load_case(args.case, paths=args.data, store=args.store)


def run(args: argparse.Namespace) -> int:
    inputs = [*getattr(args, "data", []), *(getattr(args, name, None) or "-"
                                           for name in ("form", "csv") if hasattr(args, name))]
    _no_overwrite(args, [i for i in inputs if i != "-"])  # before any work is done
    action = args.action.replace("import", "import_")
    result: int = globals()[f"_run_{action}"](args)
    return result


def _run_template(args: argparse.Namespace) -> int:
    from chaingraph.cases.show import template

    emit(template(args.lang), args.output)
    return 0


def _form(args: argparse.Namespace) -> Any:
    from chaingraph.cases.form import read_form

    return read_form(args.form, lang=args.lang)


def _run_new(args: argparse.Namespace) -> int:
    case = _form(args)
    return _finish(args, case, "new", inputs=[args.form])


def _run_update(args: argparse.Namespace) -> int:
    from chaingraph.cases.record import case_exists
    from chaingraph.errors import FormError

    case = _form(args)
    if not case_exists(case.id, paths=args.data, store=args.store):
        raise FormError("case_missing", case=case.id)
    return _finish(args, case, "update", inputs=[args.form, *args.data])


def _run_show(args: argparse.Namespace) -> int:
    from chaingraph.cases.record import turtle
    from chaingraph.cases.show import show_form

    case = _load(args)
    _no_overwrite(args, args.data)
    emit(show_form(case, args.lang) if args.format == "yaml" else turtle(case), args.output)
    return 0


def _run_handover(args: argparse.Namespace) -> int:
    from chaingraph.cases.edit import handover
    from chaingraph.cases.form import parse_pseudonym

    case = _load(args)
    new = handover(case, role=_name("role", args.role, "--role", args.lang),
                   to=parse_pseudonym(args.to, field="--to"), on=_day(args.on, "--on"),
                   organisation=_name("organisation", args.organisation, "--organisation",
                                      args.lang),
                   previous=parse_pseudonym(args.previous, field="--from")
                   if args.previous else None)
    code = _finish(args, case, "handover", inputs=args.data)
    note(text("case.done.handover", args.lang, n=len(new), holder=args.to, day=args.on))
    return code


def _need(value: Any, option: str) -> Any:
    from chaingraph.errors import FormError

    if value is None:
        raise FormError("option_needed", option=option)
    return value


def _run_instrument(args: argparse.Namespace) -> int:
    from chaingraph.cases.edit import add_instrument, end_instrument, extend_instrument
    from chaingraph.cases.form import parse_pseudonym
    from chaingraph.cases.model import Assignment, Instrument
    from chaingraph.cases.vocabulary import vocabulary
    from chaingraph.errors import FormError

    case = _load(args)
    if args.change == "add":
        instrument = Instrument(type=_name("instrument", _need(args.type, "--type"), "--type",
                                           args.lang),
                                start=_day(_need(args.start, "--from"), "--from"),
                                end=_day(args.until, "--to"), id=args.id,
                                duty_to_report=None if args.duty_to_report is None
                                else args.duty_to_report == "true")
        for kind, role_name, holder in args.person:
            role = _name("role", role_name.split("@")[0], "--person", args.lang)
            org_name = role_name.partition("@")[2]
            organisation = (_name("organisation", org_name, "--person", args.lang) if org_name
                            else vocabulary().role_organisation.get(role))
            if organisation is None:
                raise FormError("option_needed", option="--person ROLE@ORGANISATION")
            instrument.responsibilities.append(Assignment(
                organisation=organisation, role=role,
                holder=parse_pseudonym(holder, field="--person"),
                start=instrument.start, end=instrument.end,
                kind=_name("responsibility", kind, "--person", args.lang)))
        if instrument.end is not None and instrument.end < instrument.start:
            raise FormError("end_before_start", field="--to", start=args.start, end=args.until)
        add_instrument(case, instrument)
    elif args.change == "extend":
        extend_instrument(case, _need(args.id, "--id"), until=_day(_need(args.until, "--to"),
                                                                  "--to"),
                          on=_day(args.on, "--on"))
    else:
        end_instrument(case, _need(args.id, "--id"), on=_day(_need(args.on, "--on"), "--on"))
    return _finish(args, case, f"instrument-{args.change}", inputs=args.data)


def _run_event(args: argparse.Namespace) -> int:
    from chaingraph.cases.edit import add_event
    from chaingraph.cases.model import Event

    case = _load(args)
    lang = args.lang
    add_event(case, Event(
        type=_name("event", args.type, "--type", lang), date=_day(args.on, "--on"), id=args.id,
        by=_name("organisation", args.by_organisation, "--by-organisation", lang),
        hosted_by=_name("organisation", args.hosted_by, "--hosted-by", lang),
        chaired_by=_name("role", args.chaired_by, "--chaired-by", lang),
        participants=[_name("organisation", p, "--participant", lang) for p in args.participant],
        from_organisation=_name("organisation", args.from_organisation, "--from-organisation",
                                lang),
        to_organisation=_name("organisation", args.to_organisation, "--to-organisation", lang),
        phase=_name("phase", args.phase, "--phase", lang),
        escalated_to=_name("role", args.escalated_to, "--escalated-to", lang),
        escalated_by=_name("role", args.escalated_by, "--escalated-by", lang),
        concerns=args.concerns, follows_up=args.follows_up, note=args.note))
    return _finish(args, case, "event", inputs=args.data)


def _run_close(args: argparse.Namespace) -> int:
    from chaingraph.cases.edit import close

    case = _load(args)
    close(case, on=_day(args.on, "--on"))
    return _finish(args, case, "close", inputs=args.data)


def _run_import_(args: argparse.Namespace) -> int:
    from chaingraph.cases.csvimport import read_csv

    cases = read_csv(args.csv, lang=args.lang)
    return _finish(args, cases, "import", inputs=[args.csv])
