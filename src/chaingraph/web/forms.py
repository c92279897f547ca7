"""The web app's forms for recording cases: intake, handover and closing a case.

Each form is a list of :class:`Field` (a label, a type, the value typed, the one sentence
that says what is wrong with it); reading a posted form gives either the change to make or
those sentences. The change itself is the case library's (:mod:`chaingraph.cases`):
:func:`~chaingraph.cases.edit.handover`, :func:`~chaingraph.cases.edit.close`, a new
:class:`~chaingraph.cases.model.Case` for an intake, written with
:func:`~chaingraph.cases.record.save` to the store the app runs on, in one transaction,
recorded in the store's history.

Need-to-know holds for writing as for reading: a member changes only the cases its
organisation takes part in, hands over only its own organisation's roles, and a case it
takes in has its organisation as the first phase's owner.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from rdflib import URIRef

from chaingraph.cases.model import Assignment, Case
from chaingraph.catalogue import text
from chaingraph.errors import ChaingraphError, FormError

CASE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass
class Field:
    """One field of a form: ``options`` (value, label) make it a list to choose from."""

    name: str
    label: str
    type: str = "text"
    value: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None
    hint: str | None = None
    required: bool = True


class Invalid(Exception):
    """A posted form with mistakes: field name → one sentence."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


def options(kind: str, lang: str) -> list[tuple[str, str]]:
    """The names a form may use for ``kind`` (``risk``, ``phase``, ``role``, ``organisation``):
    (IRI, the name as written in ``lang``), in the scheme's order."""
    from chaingraph.cases.vocabulary import vocabulary

    found = vocabulary().kind(kind)
    nodes = sorted(found.written.get("en", {}),
                   key=lambda n: (found.order.get(n, 99), found.write(n, lang)))
    return [(str(n), found.write(n, lang)) for n in nodes]


def _date(form: Mapping[str, str], name: str, lang: str, errors: dict[str, str]) -> date | None:
    from chaingraph.cases.form import parse_date

    raw = form.get(name, "").strip()
    if not raw:
        errors[name] = text("web.form.required", lang)
        return None
    try:
        return parse_date(raw)
    except FormError:
        errors[name] = text("web.form.bad_date", lang, value=raw)
        return None


def _pseudonym(form: Mapping[str, str], name: str, lang: str,
               errors: dict[str, str]) -> str | None:
    from chaingraph.cases.form import parse_pseudonym

    raw = form.get(name, "").strip()
    if not raw:
        errors[name] = text("web.form.required", lang)
        return None
    try:
        return parse_pseudonym(raw)
    except FormError:
        errors[name] = text("web.form.bad_pseudonym", lang, value=raw)
        return None


def _choice(form: Mapping[str, str], name: str, kind: str, lang: str,
            errors: dict[str, str]) -> URIRef | None:
    raw = form.get(name, "").strip()
    if raw not in {value for value, _ in options(kind, lang)}:
        errors[name] = text("web.form.choose", lang)
        return None
    return URIRef(raw)


def intake_fields(lang: str, values: Mapping[str, str], errors: Mapping[str, str], *,
                  organisation: str | None) -> list[Field]:
    """The intake form: the case's id, start, risk level, first phase and its owner.

    ``organisation``: the member's organisation, which owns the first phase (None: chosen
    on the form, in ``--open`` mode).
    """
    out = [Field("id", text("web.form.case_id", lang), hint=text("web.form.case_id_hint", lang)),
           Field("start", text("web.form.start", lang), "date"),
           Field("risk", text("web.form.risk", lang), options=options("risk", lang)),
           Field("phase", text("web.form.phase", lang), options=options("phase", lang)),
           Field("role", text("web.form.role", lang), options=options("role", lang)),
           Field("holder", text("web.form.holder", lang),
                 hint=text("web.form.pseudonym_hint", lang))]
    if organisation is None:
        out.insert(4, Field("organisation", text("web.form.organisation", lang),
                            options=options("organisation", lang)))
    return _filled(out, values, errors)


def handover_fields(lang: str, values: Mapping[str, str], errors: Mapping[str, str], *,
                    roles: list[tuple[str, str]]) -> list[Field]:
    """The handover form: the role passed on (``roles``: those in the case), to whom, from when."""
    return _filled([
        Field("role", text("web.form.role", lang), options=roles),
        Field("to", text("web.form.to", lang), hint=text("web.form.pseudonym_hint", lang)),
        Field("on", text("web.form.on", lang), "date", hint=text("web.form.on_hint", lang))],
        values, errors)


def close_fields(lang: str, values: Mapping[str, str], errors: Mapping[str, str]) -> list[Field]:
    """The closing form: the case's last day."""
    return _filled([Field("end", text("web.form.end", lang), "date",
                          hint=text("web.form.end_hint", lang))], values, errors)


def _filled(fields: list[Field], values: Mapping[str, str],
            errors: Mapping[str, str]) -> list[Field]:
    for f in fields:
        f.value = values.get(f.name, f.value)
        f.error = errors.get(f.name)
    return fields


def read_intake(form: Mapping[str, str], lang: str, *, organisation: str | None,
                exists: Callable[[str], bool] | None = None) -> Case:
    """The :class:`~chaingraph.cases.model.Case` a posted intake form asks for.

    ``exists``: a function telling whether a case id is already in the store.

    Raises:
        Invalid: the mistakes, one sentence per field.
    """
    errors: dict[str, str] = {}
    case_id = form.get("id", "").strip()
    if not CASE_ID.match(case_id):
        errors["id"] = text("web.form.bad_case_id", lang, value=case_id)
    elif exists is not None and exists(case_id):
        errors["id"] = text("web.form.case_exists", lang, case=case_id)
    start = _date(form, "start", lang, errors)
    risk = _choice(form, "risk", "risk", lang, errors)
    phase = _choice(form, "phase", "phase", lang, errors)
    role = _choice(form, "role", "role", lang, errors)
    org = URIRef(organisation) if organisation else _choice(form, "organisation",
                                                            "organisation", lang, errors)
    holder = _pseudonym(form, "holder", lang, errors)
    if errors:
        raise Invalid(errors)
    assert start and phase and role and org and holder
    return Case(id=case_id, start=start, risk=risk, phases=[phase],
                owners=[Assignment(organisation=org, role=role, holder=holder, start=start,
                                   phase=phase)])


def apply_handover(case: Case, form: Mapping[str, str], lang: str, *,
                   organisation: str | None, roles: list[tuple[str, str]]) -> None:
    """Hand over in ``case`` what the posted form says (only ``organisation``'s roles).

    Raises:
        Invalid: the mistakes, one sentence per field (the library's own for the handover).
    """
    from chaingraph.cases.edit import handover

    errors: dict[str, str] = {}
    role = form.get("role", "").strip()
    if role not in {value for value, _ in roles}:
        errors["role"] = text("web.form.choose", lang)
    to = _pseudonym(form, "to", lang, errors)
    on = _date(form, "on", lang, errors)
    if errors:
        raise Invalid(errors)
    assert to and on
    try:
        handover(case, role=URIRef(role), to=to, on=on,
                 organisation=URIRef(organisation) if organisation else None)
    except ChaingraphError as exc:
        where = "on" if getattr(exc, "problem", None) == "outside_case" else (
            "to" if getattr(exc, "problem", None) == "same_holder" else "role")
        raise Invalid({where: exc.text(lang)}) from None


def apply_close(case: Case, form: Mapping[str, str], lang: str) -> None:
    """Close ``case`` on the day the posted form says.

    Raises:
        Invalid: the mistake, one sentence (the library's own when it refuses).
    """
    from chaingraph.cases.edit import close

    errors: dict[str, str] = {}
    on = _date(form, "end", lang, errors)
    if errors:
        raise Invalid(errors)
    assert on
    try:
        close(case, on=on)
    except ChaingraphError as exc:
        raise Invalid({"end": exc.text(lang)}) from None
