"""Many cases from a spreadsheet (CSV) with one row per assignment.

The shape of an export from a case-management system: each row names its case (with the
case's own columns repeated), what the assignment is (``owner``, ``contact_point`` or a
responsibility for an instrument such as ``decides``; in Dutch ``eigenaar``,
``aanspreekpunt``, ``besluit`` ...), and who holds it from when to when. Instruments are
named by an id per case with their type; an instrument runs from its first row's start to
its last row's end. Columns (the header row, in any order; ``,``, ``;`` or tab between
fields)::

    case, case_start, case_end, risk, victim, suspect, fictional,
    assignment, phase, instrument, instrument_type, organisation, role, holder,
    paired_with, from, to

Every mistake names its row (the header is row 1) and nothing is imported.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

from rdflib import URIRef

from chaingraph.cases.build import assign_ids
from chaingraph.cases.form import CASE_ID, LOCAL_ID, check_references, parse_date, parse_pseudonym
from chaingraph.cases.model import Assignment, Case, Instrument
from chaingraph.cases.vocabulary import Vocabulary, normal, vocabulary
from chaingraph.errors import FormError
from chaingraph.labels import label
from chaingraph.namespace import CG
from chaingraph.readable import read_text

__all__ = ["COLUMNS", "read_csv", "parse_csv"]

COLUMNS = ("case", "case_start", "case_end", "risk", "victim", "suspect", "fictional",
           "assignment", "phase", "instrument", "instrument_type", "organisation", "role",
           "holder", "paired_with", "from", "to")
NEEDED = ("case", "case_start", "assignment", "role", "holder")


def _assignment_kinds(vocab: Vocabulary) -> dict[str, URIRef]:
    """What the ``assignment`` column may say: owner, contact point, or a responsibility."""
    from chaingraph.cases.vocabulary import base_graph

    graph = base_graph()
    found = dict(vocab.responsibility.by_name)
    for node in (CG.Owns, CG.ContactPoint):
        for lang in ("en", "nl"):
            found[normal(label(graph, node, lang))] = node
    found[normal("owner")] = CG.Owns
    return found


def parse_csv(text: str, *, lang: str = "en", vocab: Vocabulary | None = None) -> list[Case]:
    """Read the cases of a spreadsheet (CSV text), one row per assignment.

    Example:
        >>> cases = parse_csv('''case;case_start;assignment;phase;role;holder;from
        ... C-1;2021-06-20;owner;risk;casusregisseur;P-AB12C;20-06-2021
        ... C-1;2021-06-20;contact_point;;casusregisseur;P-AB12C;20-06-2021''')
        >>> [(c.id, len(c.owners), len(c.contact_points), c.phases[0].split("#")[1]) for c in cases]
        [('C-1', 1, 1, 'PhaseRiskAssessment')]

    Raises:
        FormError: the first bad row: its number, the column and what is allowed.
    """
    vocab = vocab or vocabulary()
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows = [r for r in reader]
    if not rows or not any(c.strip() for c in rows[0]):
        raise FormError("csv_empty")
    header = [normal(c) for c in rows[0]]
    columns = {normal(c): c for c in COLUMNS}
    index: dict[str, int] = {}
    for i, heading in enumerate(header):
        if not heading:
            continue
        if heading not in columns:
            raise FormError("csv_unknown_column", field=rows[0][i].strip(), line=1, place="row",
                            allowed=", ".join(COLUMNS))
        index[columns[heading]] = i
    for column in NEEDED:
        if column not in index:
            raise FormError("csv_header", column=column, needed=", ".join(NEEDED))
    if len(rows) < 2:
        raise FormError("csv_empty")
    kinds = _assignment_kinds(vocab)
    cases: dict[str, Case] = {}
    instruments: dict[tuple[str, str], Instrument] = {}
    for number, row in enumerate(rows[1:], 2):
        if not any(c.strip() for c in row):
            continue

        def cell(column: str, row: list[str] = row) -> str:
            i = index.get(column)
            return row[i].strip() if i is not None and i < len(row) else ""

        def where(column: str, number: int = number) -> dict[str, Any]:
            return {"field": column, "line": number, "place": "row"}

        def name(kind: str, column: str) -> URIRef | None:
            value = cell(column)
            if not value:
                return None
            found = vocab.kind(kind).find(value)
            if found is None:
                raise FormError("unknown_name", value=value, kind=kind,
                                allowed=", ".join(vocab.kind(kind).allowed(lang)), **where(column))
            return found

        def day(column: str) -> date | None:
            value = cell(column)
            return parse_date(value, **where(column)) if value else None

        case_id = cell("case")
        if not CASE_ID.match(case_id):
            raise FormError("bad_case_id", value=case_id, **where("case"))
        start = day("case_start")
        if start is None:
            raise FormError("missing", **where("case_start"))
        fictional = cell("fictional").casefold() in ("true", "yes", "ja", "1")
        people = {column: parse_pseudonym(cell(column), **where(column)) if cell(column) else None
                  for column in ("victim", "suspect")}
        fields = {"case_start": start, "case_end": day("case_end"), "risk": name("risk", "risk"),
                  **people, "fictional": fictional}
        case = cases.get(case_id)
        if case is None:
            case = cases[case_id] = Case(id=case_id, start=start, end=fields["case_end"],  # type: ignore[arg-type]  # a date
                                         risk=fields["risk"], victim=fields["victim"],  # type: ignore[arg-type]  # types per key
                                         suspect=fields["suspect"], fictional=fictional,  # type: ignore[arg-type]  # types per key
                                         escalation_agreement=next(iter(
                                             vocab.agreement.written["en"]), None))
        else:
            known = {"case_start": case.start, "case_end": case.end, "risk": case.risk,
                     "victim": case.victim, "suspect": case.suspect, "fictional": case.fictional}
            for column, value in fields.items():
                if value is not None and value is not False and value != known[column] \
                        and (known[column] is not None and cell(column)):
                    raise FormError("csv_conflict", case=case_id, what=column, **where(column))
                if known[column] is None and value is not None:
                    setattr(case, {"case_end": "end"}.get(column, column), value)
        what = cell("assignment")
        kind = kinds.get(normal(what))
        if kind is None:
            allowed = sorted({*vocab.responsibility.allowed(lang), "owner", "contact_point"})
            raise FormError("csv_what", value=what, allowed=", ".join(allowed),
                            **where("assignment"))
        role = name("role", "role")
        if role is None:
            raise FormError("missing", **where("role"))
        organisation = name("organisation", "organisation") or vocab.role_organisation.get(role)
        if organisation is None:
            raise FormError("missing", **where("organisation"))
        holder = parse_pseudonym(cell("holder"), **where("holder"))
        begin, end = day("from") or case.start, day("to")
        if end is not None and end < begin:
            raise FormError("end_before_start", start=begin.isoformat(), end=end.isoformat(),
                            **where("to"))
        person = Assignment(organisation=organisation, role=role, holder=holder, start=begin,
                            end=end, kind=kind, line=number,
                            paired_with=parse_pseudonym(cell("paired_with"), **where("paired_with"))
                            if cell("paired_with") else None)
        if kind == CG.Owns:
            phase = name("phase", "phase")
            if phase is None:
                raise FormError("missing", **where("phase"))
            person.phase = phase
            case.owners.append(person)
            if phase not in case.phases:
                case.phases.append(phase)
        elif kind == CG.ContactPoint:
            case.contact_points.append(person)
        else:
            ident = cell("instrument")
            if not LOCAL_ID.match(ident):
                raise FormError("bad_id", value=ident, **where("instrument"))
            instrument = instruments.get((case_id, ident))
            type_ = name("instrument", "instrument_type")
            if instrument is None:
                if type_ is None:
                    raise FormError("missing", **where("instrument_type"))
                instrument = Instrument(type=type_, start=begin, end=end, id=ident, line=number)
                instruments[(case_id, ident)] = instrument
                case.instruments.append(instrument)
            elif type_ is not None and type_ != instrument.type:
                raise FormError("csv_conflict", case=case_id, what="instrument_type",
                                **where("instrument_type"))
            instrument.start = min(instrument.start, begin)
            ends = [p.end for p in instrument.responsibilities] + [end]
            instrument.end = None if any(e is None for e in ends) else max(e for e in ends if e)
            instrument.responsibilities.append(person)
    for case in cases.values():
        phase_order = vocab.phase.order
        case.phases.sort(key=lambda p: phase_order.get(p, 99))
        assign_ids(case)
        check_references(case)
    return list(cases.values())


def read_csv(path: str | Path, *, lang: str = "en", vocab: Vocabulary | None = None) -> list[Case]:
    """Read the cases of the spreadsheet file ``path`` (UTF-8, with or without BOM)."""
    return parse_csv(read_text(path), lang=lang, vocab=vocab)
