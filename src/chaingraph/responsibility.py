"""``chaingraph who``: who is responsible for what in a case, now or on a date.

Everything here is computed with the named SPARQL queries of ``queries/``
(``cases``, ``phase-owners``, ``case-responsibilities``, ``contact-points``,
``escalation-path``), so the same answer comes from any SPARQL backend; the gaps,
overlaps and handovers over the case's whole period come from :mod:`chaingraph.periods`
over the owners the query returns (the ``gaps-and-overlaps`` query and the audit's
``phase-gap`` and ``phase-overlap`` rules give the same). Two owners of a phase on the
day are a conflict whatever their organisations, as they are an overlap.

Which day: ``at`` if given. Otherwise today, except for a case that has already
closed: then the case's last day, with a note saying that the case is closed (a
coordinator who opens a closed case wants to see how it ended, not a page of
"nobody"). A day outside the case's period is answered too, with a note saying so.

This module imports neither networkx nor pyshacl, so ``chaingraph who`` starts fast.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

from chaingraph import periods
from chaingraph.catalogue import DEFAULT, text
from chaingraph.errors import UnknownCase, UnknownInstrument
from chaingraph.glossary import Glossary
from chaingraph.labels import local_name, short_name
from chaingraph.namespace import CG
from chaingraph.queries import (
    parse_date,
    resolve,
    run_query,
)

# responsibility kinds of instruments, in the order of the scheme
KIND_ORDER = ("O", "A", "R", "M", "E", "I", "C")


@dataclass(frozen=True)
class Holding:
    """One assignment: an organisation and a pseudonymous holder in a role, for a period."""

    organisation: str | None
    role: str | None
    holder: str | None
    start: date
    end: date | None
    assignment: str

    def describe(self, names: Glossary, lang: str = DEFAULT) -> str:
        """Return 'holder (role, organisation)' for one-line messages."""
        return (f"{self.holder or '?'} ({names.label(self.role, lang)}, "
                f"{names.short(self.organisation, lang)})")

    def as_dict(self, names: Glossary, lang: str = DEFAULT) -> dict[str, Any]:
        """Return the holding as plain data, with its role's and organisation's names."""
        return {"organisation": self.organisation,
                "organisation_label": names.short(self.organisation, lang),
                "role": self.role, "role_label": names.label(self.role, lang),
                "holder": self.holder, "start": self.start, "end": self.end,
                "assignment": self.assignment}


@dataclass
class PhaseLine:
    """The owner(s) of one phase on the day: none is "nobody", two or more (of any
    organisations, even one) a conflict."""

    phase: str
    notation: str
    owners: list[Holding] = field(default_factory=list)
    gap: periods.Gap | None = None

    @property
    def state(self) -> str:
        """'owned', 'nobody' or 'conflict'."""
        return "nobody" if not self.owners else "conflict" if len(self.owners) > 1 else "owned"


@dataclass
class InstrumentLine:
    """An instrument applied in the case and who does what for it on the day.

    ``kind`` is the local name of the instrument's class (``Aware``), ``type`` its IRI.
    """

    instrument: str
    kind: str
    type: str | None
    responsibilities: dict[str, list[Holding]] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One role on the escalation path, with who holds it in this case on the day.

    ``level`` is the local name of the role's escalation level (``LevelTactical``),
    ``level_iri`` its IRI.
    """

    role: str
    organisation: str | None
    level: str
    level_iri: str | None
    holders: tuple[str, ...] = ()


@dataclass(frozen=True)
class OwnershipFinding:
    """A gap, an overlap or a handover in a phase's ownership over the case's period.

    For a gap or an overlap ``start`` … ``end`` are its days (inclusive; ``end`` None
    while open); ``first`` and ``second`` the owners before and after it, or the two
    owners at once. For a handover ``start`` is the previous owner's last day, ``end``
    the next owner's first day and ``days`` the days nobody owned the phase in between.
    ``phase`` is the phase's notation, ``phase_iri`` its IRI.
    What ``who`` shows of a phase's ownership; an audit's finding is a
    :class:`chaingraph.findings.Finding`.
    """

    kind: str
    phase: str
    phase_iri: str
    start: date
    end: date | None
    first: Holding | None
    second: Holding | None
    days: int | None


@dataclass
class Responsibilities:
    """Who is responsible for what in one case on one day.

    The result holds IRIs, notations and catalogue keys; ``names`` has the labels of
    what it names in every language, and :func:`render_text` and :meth:`as_dict` put it
    into words (in ``lang``, the language asked for, unless told another).
    """

    case: str
    start: date | None
    end: date | None
    at: date
    remarks: list[tuple[str, dict[str, Any]]]
    phases: list[PhaseLine]
    instruments: list[InstrumentLine]
    contact_points: list[Holding]
    escalation: list[Step]
    escalation_problem: str | None
    findings: list[OwnershipFinding]
    names: Glossary = field(default_factory=Glossary)
    lang: str = DEFAULT

    @property
    def notes(self) -> list[str]:
        """The notes about the day (closed case, a day outside the case) in ``lang``."""
        return self.notes_in(self.lang)

    def notes_in(self, lang: str) -> list[str]:
        """The notes about the day in ``lang``."""
        return [text(key, lang, **{"end": params["end"] or text("who.running", lang),
                                   **{k: v for k, v in params.items() if k != "end"}})
                for key, params in self.remarks]

    def as_dict(self, lang: str | None = None) -> dict[str, Any]:
        """Return a JSON-ready dict: the IRIs with their names (dates as ISO strings)."""
        lang = lang or self.lang
        names = self.names

        def holding(h: Holding | None) -> dict[str, Any] | None:
            return h.as_dict(names, lang) if h is not None else None

        def gap(g: periods.Gap | None) -> dict[str, Any] | None:
            return None if g is None else {
                "start": g.start, "end": g.end, "before": holding(cast(Holding, g.before)),
                "after": holding(cast(Holding, g.after))}

        data = {
            "case": self.case, "start": self.start, "end": self.end, "at": self.at,
            "notes": self.notes_in(lang),
            "phases": [{"phase": p.phase, "notation": p.notation,
                        "label": names.label(p.phase, lang),
                        "owners": [holding(h) for h in p.owners], "gap": gap(p.gap),
                        "state": p.state} for p in self.phases],
            "instruments": [{"instrument": i.instrument, "kind": i.kind,
                             "kind_label": names.label(i.type, lang),
                             "responsibilities": {k: [holding(h) for h in hs]
                                                  for k, hs in i.responsibilities.items()}}
                            for i in self.instruments],
            "contact_points": [holding(h) for h in self.contact_points],
            "escalation": [{"role": s.role, "role_label": names.label(s.role, lang),
                            "organisation_label": names.short(s.organisation, lang),
                            "level": s.level, "level_label": names.label(s.level_iri, lang),
                            "holders": list(s.holders)} for s in self.escalation],
            "escalation_problem": self.escalation_problem,
            "findings": [{"kind": f.kind, "phase": f.phase,
                          "phase_label": names.label(f.phase_iri, lang), "start": f.start,
                          "end": f.end, "first": _described(f.first, names, lang),
                          "second": _described(f.second, names, lang), "days": f.days}
                         for f in self.findings],
        }
        return cast(dict[str, Any], _iso(data))


def _iso(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_iso(v) for v in value]
    return value


def _date(value: Any, predicate: str = "cg:startDate", node: Any = None) -> date | None:
    """A date of the data; an impossible one (2021-02-30 in a store that no file check saw)
    is one sentence naming the node, not a TypeError later."""
    if not isinstance(value, Literal):
        return None
    day = value.toPython()
    if isinstance(day, date):
        return day
    from chaingraph.errors import SourceError

    where = local_name(node) if node is not None else "the data"
    raise SourceError(where, problem="ill_typed_date", predicate=predicate, value=f'"{value}"',
                      example='"2021-06-20"^^xsd:date')


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def short_label(graph: Graph, node: Node | None, lang: str = "en") -> str:
    """Return an organisation's short name (:func:`chaingraph.labels.short_name`), '?' for none."""
    return "?" if node is None else short_name(graph, node, lang)


def case_ids(graph: Graph) -> list[str]:
    """Return the identifiers of the cases in the graph, sorted."""
    from chaingraph.queries import case_ids as listed

    return listed(graph)


def case_period(graph: Graph, case: str) -> tuple[date | None, date | None]:
    """Return the case's (start, end); an unknown case raises UnknownCase listing the cases.

    A case with two start or end dates (the audit's ``case-dates-twice``) has the earliest.

    Example:
        >>> from chaingraph import load
        >>> case_period(load(), "no-such-case")
        Traceback (most recent call last):
        ...
        chaingraph.errors.UnknownCase: unknown case 'no-such-case'...
    """
    rows = run_query(graph, "cases", case=case).dicts()
    if not rows:
        raise UnknownCase(case, case_ids(graph))
    from chaingraph.readable import check_case

    check_case(graph, URIRef(str(rows[0]["caseIri"])))  # a store's or endpoint's values
    # Two start or end dates (a row for each): the earliest of each, on every backend, not
    # the one a backend happens to give first
    starts = [day for row in rows if (day := _date(row["start"], "cg:startDate", case))]
    ends = [day for row in rows if (day := _date(row["end"], "cg:endDate", case))]
    return min(starts, default=None), min(ends, default=None)


def default_day(start: date | None, end: date | None, *, today: date | None = None) -> date:
    """Return the day ``who`` shows by default: today, or the last day of a closed case.

    Example:
        >>> default_day(date(2021, 3, 1), date(2021, 9, 30), today=date(2026, 1, 1))
        datetime.date(2021, 9, 30)
    """
    today = today or date.today()
    return end if end is not None and end < today else today



def _described(owner: Holding | None, names: Glossary, lang: str) -> str | None:
    """Describe the owner of a period of :func:`responsibilities`."""
    return owner.describe(names, lang) if owner else None


def _owner(owner: Hashable) -> Holding | None:
    """The owners of the periods of :func:`responsibilities` are Holdings."""
    return cast(Holding, owner) if owner else None


def _holding(row: dict[str, Any], names: Glossary, graph: Graph) -> Holding:
    org, role = row.get("organisation"), row.get("role")
    names.add(graph, [org], short=True)
    names.add(graph, [role])
    return Holding(
        organisation=_str(org), role=_str(role),
        holder=_str(row.get("pseudonym")) or (local_name(row["holder"]) if row.get("holder")
                                              else None),
        # every assignment has a cg:startDate: the shapes require one
        start=_date(row["start"], "cg:startDate",  # type: ignore[arg-type]  # never None
                    row["assignment"]),
        end=_date(row.get("end"), "cg:endDate", row["assignment"]),
        assignment=str(row["assignment"]))


def instrument_kinds(graph: Graph) -> list[URIRef]:
    """Return the instrument classes: cg:Instrument and everything below it."""
    kinds = {CG.Instrument}
    changed = True
    while changed:
        changed = False
        for sub, _, sup in graph.triples((None, RDFS.subClassOf, None)):
            if sup in kinds and isinstance(sub, URIRef) and sub not in kinds:
                kinds.add(sub)
                changed = True
    return sorted(kinds)


def resolve_instrument_kind(graph: Graph, name: str) -> URIRef:
    """Return the instrument class called ``name`` (local name or label, either language)."""
    wanted = name.strip().casefold()
    kinds = instrument_kinds(graph)
    for kind in kinds:
        names = {local_name(kind).casefold()} | {
            str(v).casefold() for v in graph.objects(kind, RDFS.label)}
        if wanted in names or wanted.replace(" ", "") in {n.replace(" ", "") for n in names}:
            return kind
    raise UnknownInstrument(name, [local_name(k) for k in kinds])


def _within(graph: Graph, kind: str, wanted: URIRef) -> bool:
    node = URIRef(kind)
    seen = {node}
    todo = [node]
    while todo:
        current = todo.pop()
        if current == wanted:
            return True
        for sup in graph.objects(current, RDFS.subClassOf):
            if isinstance(sup, URIRef) and sup not in seen:
                seen.add(sup)
                todo.append(sup)
    return False


def escalation_steps(graph: Graph, role: URIRef, *, holders: dict[str, list[str]] | None = None,
                     names: Glossary | None = None) -> tuple[list[Step], str | None]:
    """Follow the escalation lines from ``role`` (query ``escalation-path``) to the top.

    Returns the steps, starting with ``role`` itself, and a problem: None when the
    path ends at the administrative level, otherwise ``dead-end IRI`` or ``cycle IRI``
    (:func:`problem_text` words it). The names of the roles, organisations and levels
    go into ``names`` when given.
    """
    holders = holders or {}
    names = names if names is not None else Glossary()
    rows = run_query(graph, "escalation-path", role=role).dicts()
    successors: dict[str, list[str]] = {}
    levels: dict[str, str] = {}
    for row in rows:
        if row["roleLevel"] is not None:
            levels[str(row["role"])] = str(row["roleLevel"])
        if row["from"] is not None:
            successors.setdefault(str(row["from"]), []).append(str(row["to"]))
            for key in ("from", "to"):
                if row[key + "Level"] is not None:
                    levels[str(row[key])] = str(row[key + "Level"])
    path = [str(role)]
    problem = None
    while True:
        nxt = sorted(set(successors.get(path[-1], [])))
        if not nxt:
            if levels.get(path[-1]) != str(CG.LevelAdministrative):
                problem = f"dead-end {path[-1]}"
            break
        if nxt[0] in path:
            problem = f"cycle {nxt[0]}"
            break
        path.append(nxt[0])

    steps = []
    for iri in path:
        org = next(graph.objects(URIRef(iri), CG.heldAt), None)
        level = levels.get(iri)
        names.add(graph, [iri, level])
        names.add(graph, [org], short=True)
        steps.append(Step(iri, _str(org), local_name(level) if level else "?", level,
                          tuple(holders.get(iri, []))))
    return steps, problem


def responsibilities(graph: Graph, case: str, *, at: date | str | None = None, lang: str = "en",
                     phase: str | None = None, instrument: str | None = None,
                     today: date | None = None) -> Responsibilities:
    """Return who is responsible for what in ``case`` on ``at`` (the module doc has the default).

    Args:
        graph: the loaded graph.
        case: the case identifier, e.g. ``FX-001``.
        at: the day to look at (a date or ``YYYY-MM-DD``).
        lang: the language the result is put into words in by default (its ``notes``,
            :func:`render_text`, :meth:`Responsibilities.as_dict`); it holds IRIs.
        phase: only this phase (notation, label or IRI local name).
        instrument: only instruments of this kind (class local name or label).
        today: the day to count as today (for tests).

    Raises:
        UnknownCase, UnknownPhase, UnknownInstrument, BadParameter: bad input.
    """
    start, end = case_period(graph, case)
    names = Glossary()
    remarks: list[tuple[str, dict[str, Any]]] = []
    fmt: dict[str, Any] = {"case": case, "start": start, "end": end}
    if at is None:
        day = default_day(start, end, today=today)
        if end is not None and day == end and (today or date.today()) > end:
            remarks.append(("who.closed", fmt))
    else:
        day = parse_date(at)
        if start is not None and day < start:
            remarks.append(("who.before", {**fmt, "at": day}))
        elif end is not None and day > end:
            remarks.append(("who.after", {**fmt, "at": day}))
    wanted_phase = resolve(graph, phase, of_class=CG.Phase) if phase else None
    wanted_kind = resolve_instrument_kind(graph, instrument) if instrument else None

    # phases on the day, and over the whole period (for gaps, overlaps, handovers)
    lines: dict[str, PhaseLine] = {}
    for row in run_query(graph, "phase-owners", case=case, date=day).dicts():
        node = row["phase"]  # bound in every row: the query's ?phase is not optional
        if node is None:
            continue
        key = str(node)
        if key not in lines:
            names.add(graph, [node])
            lines[key] = PhaseLine(key, str(next(graph.objects(node, SKOS.notation),
                                                 local_name(node))))
        if row["assignment"] is not None:
            lines[key].owners.append(_holding(row, names, graph))
    history: dict[str, list[Holding]] = {key: [] for key in lines}
    for row in run_query(graph, "phase-owners", case=case).dicts():
        if row["assignment"] is not None:
            history.setdefault(str(row["phase"]), []).append(_holding(row, names, graph))
    findings: list[OwnershipFinding] = []
    for key, owners in history.items():
        if key not in lines or start is None:
            continue
        line = lines[key]
        spans = [periods.Period(h.start, h.end, h) for h in owners]
        for gap in periods.gaps(spans, start, end):
            findings.append(OwnershipFinding("gap", line.notation, key, gap.start, gap.end,
                                             _owner(gap.before), _owner(gap.after), gap.days))
            if gap.start <= day and (gap.end is None or day <= gap.end):
                line.gap = gap
        for overlap in periods.overlaps(spans):
            days = None if overlap.end is None else (overlap.end - overlap.start).days + 1
            findings.append(OwnershipFinding("overlap", line.notation, key, overlap.start,
                                             overlap.end, _owner(overlap.first),
                                             _owner(overlap.second), days))
        for handover in periods.handovers(spans):
            findings.append(OwnershipFinding("handover", line.notation, key,
                                             handover.previous_end, handover.next_start,
                                             _owner(handover.previous), _owner(handover.next),
                                             handover.gap_days))
    # a handover is listed after the gap it spans (it starts on the previous owner's last day)
    findings.sort(key=lambda f: (f.start + periods.ONE_DAY if f.kind == "handover" else f.start,
                                 f.phase, f.kind != "gap", f.kind))

    # instruments and role holders on the day
    instruments: dict[str, InstrumentLine] = {}
    holders_by_role: dict[str, list[str]] = {}
    for row in run_query(graph, "case-responsibilities", case=case, date=day).dicts():
        holding = _holding(row, names, graph)
        if (holding.role and holding.holder
                and holding.holder not in holders_by_role.get(holding.role, [])):
            holders_by_role.setdefault(holding.role, []).append(holding.holder)
        if row["instrument"] is None:
            continue
        kind = row["instrumentType"]
        if wanted_kind is not None and (kind is None or not _within(graph, str(kind), wanted_kind)):
            continue
        key = str(row["instrument"])
        if key not in instruments:
            names.add(graph, [kind])
            instruments[key] = InstrumentLine(key, local_name(kind) if kind else "?",
                                              _str(kind))
        notation = str(row["kind"]) if row["kind"] is not None else "?"
        instruments[key].responsibilities.setdefault(notation, []).append(holding)
    for instrument_line in instruments.values():
        instrument_line.responsibilities = dict(sorted(
            instrument_line.responsibilities.items(),
            key=lambda kv: KIND_ORDER.index(kv[0]) if kv[0] in KIND_ORDER else 99))

    contacts = [_holding(row, names, graph)
                for row in run_query(graph, "contact-points", case=case, date=day).dicts()]

    # the escalation path starts at whoever directs the case on the day
    direction = lines.get(str(CG.PhaseCaseDirection))
    start_role = next((h.role for h in (direction.owners if direction else []) if h.role), None)
    steps: list[Step]
    problem: str | None
    if start_role is None:
        steps, problem = [], "no-start"
    else:
        steps, problem = escalation_steps(graph, URIRef(start_role), holders=holders_by_role,
                                          names=names)

    phases = list(lines.values())
    if wanted_phase is not None:
        phases = [p for p in phases if p.phase == str(wanted_phase)]
        findings = [f for f in findings if f.phase == phases[0].notation] if phases else []
    return Responsibilities(case, start, end, day, remarks, phases, list(instruments.values()),
                            contacts, steps, problem, findings, names, lang)


# ---------------------------------------------------------------- rendering

def _columns(rows: list[list[str]], indent: str = "  ") -> list[str]:
    if not rows:
        return []
    widths = [max(len(r[i]) for r in rows if i < len(r)) for i in range(max(map(len, rows)))]
    return [indent + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)).rstrip()
            for r in rows]


def _holding_cells(h: Holding, names: Glossary, lang: str) -> list[str]:
    return [names.short(h.organisation, lang), names.label(h.role, lang), h.holder or "?",
            h.start.isoformat()]


def problem_text(problem: str | None, graph_labels: dict[str, str], lang: str) -> str | None:
    """Word an escalation problem ('dead-end IRI', 'cycle IRI', 'no-start') in ``lang``."""
    if problem is None:
        return None
    if problem == "no-start":
        return text("who.no_start", lang)
    kind, _, iri = problem.partition(" ")
    key = "dead_end" if kind == "dead-end" else "cycle"
    return text(f"who.{key}", lang, role=graph_labels.get(iri, local_name(iri)))


def phase_name(notation: str, label: str, lang: str) -> str:
    """The short name of a phase in ``lang`` ("risk", "risico"); its label if it has none."""
    try:
        return text(f"who.phase.{notation}", lang)
    except KeyError:
        return label


def render_text(r: Responsibilities, lang: str | None = None) -> str:
    """Return the answer a coordinator reads in ten seconds: aligned columns (in ``lang``,
    by default the language the answer was asked in)."""
    lang = lang or r.lang
    m = lambda key: text(f"who.{key}", lang)  # noqa: E731
    names = r.names
    cells = lambda h: _holding_cells(h, names, lang)  # noqa: E731
    period = f"{r.start} … {r.end or m('running')}"
    out = [f"{r.case}  ({period})  {m('as_on')} {r.at}"]
    out += [f"! {note}" for note in r.notes_in(lang)]

    out += ["", m("phases")]
    header = [m("org"), m("role"), m("holder"), m("since")]
    rows = [["", *header]]
    for line in r.phases:
        if not line.owners:
            extra = ""
            if line.gap is not None:
                extra = m("gap_now").format(start=line.gap.start, end=line.gap.end or m("open"))
            rows.append([names.label(line.phase, lang), m("nobody").upper(), "", "", "", extra])
        for i, owner in enumerate(line.owners):
            conflict = line.state == "conflict" and i == 0
            note = m("conflict").format(n=len(line.owners)) if conflict else ""
            rows.append([names.label(line.phase, lang) if i == 0 else "", *cells(owner), note])
    out += _columns(rows) if len(rows) > 1 else ["  " + m("none")]

    out += ["", m("instruments")]
    rows = [["", "", *header]]
    for inst in r.instruments:
        first = True
        for notation, holdings in inst.responsibilities.items():
            for h in holdings:
                rows.append([names.label(inst.type, lang) if first else "", notation, *cells(h)])
                first = False
    out += _columns(rows) if len(rows) > 1 else ["  " + m("none")]

    out += ["", m("contacts")]
    out += _columns([cells(h) for h in r.contact_points]) or ["  " + m("none")]

    out += ["", m("escalation")]
    if r.escalation:
        parts = []
        for step in r.escalation:
            who = f", {', '.join(step.holders)}" if step.holders else ""
            parts.append(f"{names.label(step.role, lang)} ({names.short(step.organisation, lang)}"
                         f"{who}; {names.label(step.level_iri, lang)})")
        out.append("  " + "\n  → ".join(parts))
    labels = {s.role: names.label(s.role, lang) for s in r.escalation}
    problem = problem_text(r.escalation_problem, labels, lang)
    if problem:
        out.append(f"  ! {problem}")

    out += ["", m("whole")]
    rows = []
    for f in r.findings:
        span = f"{f.start} … {f.end or m('open')}"
        days = text("common.days", lang, n=f.days) if f.days is not None else m("open")
        if f.kind == "handover":
            span = f"{f.start} → {f.end}"
            days = text("common.days", lang, n=f.days) if f.days else ""
            if not f.days:
                continue  # a seamless handover is not worth a coordinator's second
        one, other = (_described(f.first, names, lang), _described(f.second, names, lang))
        between = " → ".join(x for x in (one, other) if x) if f.kind != "overlap" \
            else f"{one} + {other}"
        rows.append([m(f.kind), phase_name(f.phase, names.label(f.phase_iri, lang), lang), span,
                     days, between])
    out += _columns(rows) or ["  " + m("no_findings")]
    return "\n".join(out)
