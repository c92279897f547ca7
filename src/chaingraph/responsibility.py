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
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, cast

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

from chaingraph import periods
from chaingraph.catalogue import text
from chaingraph.errors import UnknownCase, UnknownInstrument
from chaingraph.labels import label, local_name, short_name
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
    organisation_label: str
    role: str | None
    role_label: str
    holder: str | None
    start: date
    end: date | None
    assignment: str

    def describe(self) -> str:
        """Return 'holder (role, organisation)' for one-line messages."""
        return f"{self.holder or '?'} ({self.role_label}, {self.organisation_label})"


@dataclass
class PhaseLine:
    """The owner(s) of one phase on the day: none is "nobody", two or more (of any
    organisations, even one) a conflict."""

    phase: str
    notation: str
    label: str
    owners: list[Holding] = field(default_factory=list)
    gap: periods.Gap | None = None

    @property
    def state(self) -> str:
        """'owned', 'nobody' or 'conflict'."""
        return "nobody" if not self.owners else "conflict" if len(self.owners) > 1 else "owned"


@dataclass
class InstrumentLine:
    """An instrument applied in the case and who does what for it on the day."""

    instrument: str
    kind: str
    kind_label: str
    responsibilities: dict[str, list[Holding]] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One role on the escalation path, with who holds it in this case on the day."""

    role: str
    role_label: str
    organisation_label: str
    level: str
    level_label: str
    holders: tuple[str, ...] = ()


@dataclass(frozen=True)
class OwnershipFinding:
    """A gap, an overlap or a handover in a phase's ownership over the case's period.

    For a gap or an overlap ``start`` … ``end`` are its days (inclusive; ``end`` None
    while open); ``first`` and ``second`` the owners before and after it, or the two
    owners at once. For a handover ``start`` is the previous owner's last day, ``end``
    the next owner's first day and ``days`` the days nobody owned the phase in between.
    What ``who`` shows of a phase's ownership; an audit's finding is a
    :class:`chaingraph.findings.Finding`.
    """

    kind: str
    phase: str
    phase_label: str
    start: date
    end: date | None
    first: str | None
    second: str | None
    days: int | None


@dataclass
class Responsibilities:
    """Who is responsible for what in one case on one day."""

    case: str
    start: date | None
    end: date | None
    at: date
    notes: list[str]
    phases: list[PhaseLine]
    instruments: list[InstrumentLine]
    contact_points: list[Holding]
    escalation: list[Step]
    escalation_problem: str | None
    findings: list[OwnershipFinding]

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (dates as ISO strings)."""
        data = asdict(self)
        for line, raw in zip(data["phases"], self.phases, strict=True):
            line["state"] = raw.state
        return _iso(data)


def _iso(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_iso(v) for v in value]
    return value


def _date(value: Any) -> date | None:
    return value.toPython() if isinstance(value, Literal) else None


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
    return _date(rows[0]["start"]), _date(rows[0]["end"])


def default_day(start: date | None, end: date | None, *, today: date | None = None) -> date:
    """Return the day ``who`` shows by default: today, or the last day of a closed case.

    Example:
        >>> default_day(date(2021, 3, 1), date(2021, 9, 30), today=date(2026, 1, 1))
        datetime.date(2021, 9, 30)
    """
    today = today or date.today()
    return end if end is not None and end < today else today



def _described(owner: Hashable) -> str | None:
    """Describe the owner of a period of :func:`responsibilities`, which are Holdings."""
    return cast(Holding, owner).describe() if owner else None


def _holding(graph: Graph, row: dict[str, Any], lang: str) -> Holding:
    org, role = row.get("organisation"), row.get("role")
    return Holding(
        organisation=_str(org), organisation_label=short_label(graph, org, lang),
        role=_str(role), role_label=label(graph, role, lang) if role is not None else "?",
        holder=_str(row.get("pseudonym")) or (local_name(row["holder"]) if row.get("holder")
                                              else None),
        # every assignment has a cg:startDate: the shapes require one
        start=_date(row["start"]),  # type: ignore[arg-type]  # see above: never None
        end=_date(row.get("end")), assignment=str(row["assignment"]))


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


def escalation_steps(graph: Graph, role: URIRef, *, lang: str = "en",
                     holders: dict[str, list[str]] | None = None) -> tuple[list[Step], str | None]:
    """Follow the escalation lines from ``role`` (query ``escalation-path``) to the top.

    Returns the steps, starting with ``role`` itself, and a problem: None when the
    path ends at the administrative level, otherwise a dead end or a cycle message
    (in English; :func:`render_text` words it in the chosen language).
    """
    holders = holders or {}
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
        node = URIRef(iri)
        org = next(graph.objects(node, CG.heldAt), None)
        level = levels.get(iri)
        steps.append(Step(iri, label(graph, node, lang),
                          short_label(graph, org, lang) if org else "?",
                          local_name(level) if level else "?",
                          label(graph, URIRef(level), lang) if level else "?",
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
        lang: language of the labels.
        phase: only this phase (notation, label or IRI local name).
        instrument: only instruments of this kind (class local name or label).
        today: the day to count as today (for tests).

    Raises:
        UnknownCase, UnknownPhase, UnknownInstrument, BadParameter: bad input.
    """
    start, end = case_period(graph, case)
    notes: list[str] = []
    fmt = {"case": case, "start": start, "end": end or text("who.running", lang)}
    if at is None:
        day = default_day(start, end, today=today)
        if end is not None and day == end and (today or date.today()) > end:
            notes.append(text("who.closed", lang, **fmt))
    else:
        day = parse_date(at)
        if start is not None and day < start:
            notes.append(text("who.before", lang, at=day, **fmt))
        elif end is not None and day > end:
            notes.append(text("who.after", lang, at=day, **fmt))
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
            lines[key] = PhaseLine(key, str(next(graph.objects(node, SKOS.notation),
                                                 local_name(node))),
                                   label(graph, node, lang))
        if row["assignment"] is not None:
            lines[key].owners.append(_holding(graph, row, lang))
    history: dict[str, list[Holding]] = {key: [] for key in lines}
    for row in run_query(graph, "phase-owners", case=case).dicts():
        if row["assignment"] is not None:
            history.setdefault(str(row["phase"]), []).append(_holding(graph, row, lang))
    findings: list[OwnershipFinding] = []
    for key, owners in history.items():
        if key not in lines or start is None:
            continue
        line = lines[key]
        spans = [periods.Period(h.start, h.end, h) for h in owners]
        for gap in periods.gaps(spans, start, end):
            findings.append(OwnershipFinding("gap", line.notation, line.label, gap.start, gap.end,
                                             _described(gap.before), _described(gap.after),
                                             gap.days))
            if gap.start <= day and (gap.end is None or day <= gap.end):
                line.gap = gap
        for overlap in periods.overlaps(spans):
            days = None if overlap.end is None else (overlap.end - overlap.start).days + 1
            findings.append(OwnershipFinding("overlap", line.notation, line.label, overlap.start,
                                             overlap.end, _described(overlap.first),
                                             _described(overlap.second), days))
        for handover in periods.handovers(spans):
            findings.append(OwnershipFinding("handover", line.notation, line.label,
                                             handover.previous_end, handover.next_start,
                                             _described(handover.previous),
                                             _described(handover.next), handover.gap_days))
    # a handover is listed after the gap it spans (it starts on the previous owner's last day)
    findings.sort(key=lambda f: (f.start + periods.ONE_DAY if f.kind == "handover" else f.start,
                                 f.phase, f.kind != "gap", f.kind))

    # instruments and role holders on the day
    instruments: dict[str, InstrumentLine] = {}
    holders_by_role: dict[str, list[str]] = {}
    for row in run_query(graph, "case-responsibilities", case=case, date=day).dicts():
        holding = _holding(graph, row, lang)
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
            instruments[key] = InstrumentLine(key, local_name(kind) if kind else "?",
                                              label(graph, kind, lang) if kind else "?")
        notation = str(row["kind"]) if row["kind"] is not None else "?"
        instruments[key].responsibilities.setdefault(notation, []).append(holding)
    for instrument_line in instruments.values():
        instrument_line.responsibilities = dict(sorted(
            instrument_line.responsibilities.items(),
            key=lambda kv: KIND_ORDER.index(kv[0]) if kv[0] in KIND_ORDER else 99))

    contacts = [_holding(graph, row, lang)
                for row in run_query(graph, "contact-points", case=case, date=day).dicts()]

    # the escalation path starts at whoever directs the case on the day
    direction = lines.get(str(CG.PhaseCaseDirection))
    start_role = next((h.role for h in (direction.owners if direction else []) if h.role), None)
    steps: list[Step]
    problem: str | None
    if start_role is None:
        steps, problem = [], "no-start"
    else:
        steps, problem = escalation_steps(graph, URIRef(start_role), lang=lang,
                                          holders=holders_by_role)

    phases = list(lines.values())
    if wanted_phase is not None:
        phases = [p for p in phases if p.phase == str(wanted_phase)]
        findings = [f for f in findings if f.phase == phases[0].notation] if phases else []
    return Responsibilities(case, start, end, day, notes, phases, list(instruments.values()),
                            contacts, steps, problem, findings)


# ---------------------------------------------------------------- rendering

def _columns(rows: list[list[str]], indent: str = "  ") -> list[str]:
    if not rows:
        return []
    widths = [max(len(r[i]) for r in rows if i < len(r)) for i in range(max(map(len, rows)))]
    return [indent + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)).rstrip()
            for r in rows]


def _holding_cells(h: Holding) -> list[str]:
    return [h.organisation_label, h.role_label, h.holder or "?", h.start.isoformat()]


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


def render_text(r: Responsibilities, lang: str = "en") -> str:
    """Return the answer a coordinator reads in ten seconds: aligned columns."""
    m = lambda key: text(f"who.{key}", lang)  # noqa: E731
    period = f"{r.start} … {r.end or m('running')}"
    out = [f"{r.case}  ({period})  {m('as_on')} {r.at}"]
    out += [f"! {note}" for note in r.notes]

    out += ["", m("phases")]
    header = [m("org"), m("role"), m("holder"), m("since")]
    rows = [["", *header]]
    for line in r.phases:
        if not line.owners:
            extra = ""
            if line.gap is not None:
                extra = m("gap_now").format(start=line.gap.start, end=line.gap.end or m("open"))
            rows.append([line.label, m("nobody").upper(), "", "", "", extra])
        for i, owner in enumerate(line.owners):
            conflict = line.state == "conflict" and i == 0
            note = m("conflict").format(n=len(line.owners)) if conflict else ""
            rows.append([line.label if i == 0 else "", *_holding_cells(owner), note])
    out += _columns(rows) if len(rows) > 1 else ["  " + m("none")]

    out += ["", m("instruments")]
    rows = [["", "", *header]]
    for inst in r.instruments:
        first = True
        for notation, holdings in inst.responsibilities.items():
            for h in holdings:
                rows.append([inst.kind_label if first else "", notation, *_holding_cells(h)])
                first = False
    out += _columns(rows) if len(rows) > 1 else ["  " + m("none")]

    out += ["", m("contacts")]
    out += _columns([_holding_cells(h) for h in r.contact_points]) or ["  " + m("none")]

    out += ["", m("escalation")]
    if r.escalation:
        parts = []
        for step in r.escalation:
            who = f", {', '.join(step.holders)}" if step.holders else ""
            parts.append(f"{step.role_label} ({step.organisation_label}{who}; {step.level_label})")
        out.append("  " + "\n  → ".join(parts))
    labels = {s.role: s.role_label for s in r.escalation}
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
        between = " → ".join(x for x in (f.first, f.second) if x) if f.kind != "overlap" \
            else f"{f.first} + {f.second}"
        rows.append([m(f.kind), phase_name(f.phase, f.phase_label, lang), span, days, between])
    out += _columns(rows) or ["  " + m("no_findings")]
    return "\n".join(out)
