"""The case graph: one case as a networkx graph, for ``chain``, the exports and the web pages.

:func:`case_graph` is the one picture of a case: ``chaingraph chain`` follows its
escalation lines, ``chaingraph export case`` draws it, and the web pages show it. It is
read with the internal queries of ``queries/internal/`` (so it is the same on every
backend) and carries only scalar attributes (GraphML and GEXF refuse others).

Node ids are derived from public names (:func:`node_id`): ``case``, ``phase-risk-assessment``,
``instrument-1`` … (the case's instruments in date order), ``role-casusregisseur`` (a role
held for another organisation than its own is its own node, ``role-…--org-…``) and
``org-politie``; never a person or the IRI of a node inside a case file. Only when the
caller asks for holders are there ``holder`` nodes, under the name the caller gives each
pseudonym (the pseudonym itself for a coordinator, a keyed pseudonym for the internal
export).

Node attributes: ``kind`` (case, phase, instrument, role, organisation, holder),
``label`` (short, for pictures), ``name`` (full), ``iri`` (public IRIs only), ``group``
(the organisation a role or organisation is coloured by), ``level`` (a role's
escalation level: ``LevelOperational``, ``LevelTactical``, ``LevelAdministrative``),
``notation`` (a phase's), ``type`` (an instrument's most specific class), and
``start_date``/``end_date`` (ISO dates).

Edges (attribute ``kind``): case ``applies`` phase; case ``applied`` instrument; role
``held-at`` organisation; role (or an organisation without a role) ``owns`` phase,
``responsibility`` instrument and ``role-assignment`` case (the contact points), each
with ``responsibility`` (the kinds' notations, space-separated) and ``periods``; role
``escalates-to`` role (the agreed lines, upward from every role in the case);
organisation ``escalated`` role and organisation ``handover`` organisation (what
happened, with ``dates``); holder ``holds`` role (with holders only). Every edge has a
``label``.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

import networkx as nx
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from chaingraph import catalogue
from chaingraph.export import privacy
from chaingraph.labels import label as label_of
from chaingraph.labels import local_name, short_name
from chaingraph.names import find_case
from chaingraph.namespace import CG
from chaingraph.queryfiles import internal
from chaingraph.sparql import execute

__all__ = ["EDGE_KINDS", "NODE_KINDS", "case_graph", "node_id", "role_name", "role_node"]

ASSIGNMENTS_QUERY = internal("case-assignments")
HOLDERS_QUERY = internal("case-holders")  # read only when the caller asks for holders
INSTRUMENTS_QUERY = internal("case-instruments")
EVENTS_QUERY = internal("case-events")
CASE_QUERY = internal("case-facts")
ESCALATION_LINES_QUERY = internal("escalation-lines")

NODE_KINDS = ("case", "phase", "instrument", "role", "organisation", "holder")
EDGE_KINDS = ("applies", "applied", "held-at", "owns", "responsibility", "role-assignment",
              "escalates-to", "escalated", "handover", "holds")


# ----------------------------------------------------------------------------- names


def node_id(iri: URIRef) -> str:
    """Return the node id of a public IRI (organisation, role, phase, agreement, ...).

    Example:
        >>> from chaingraph.namespace import CG, MON
        >>> node_id(MON["org-politie"]), node_id(CG.PhaseRiskAssessment)
        ('org-politie', 'phase-risk-assessment')
    """
    name = local_name(iri)
    if name.startswith("Phase") and str(iri).startswith(str(CG._NS)):
        return "phase-" + re.sub(r"(?<!^)(?=[A-Z])", "-", name[len("Phase"):]).lower()
    return name


def as_date(value: object) -> dt.date | None:
    if isinstance(value, Literal):
        py = value.toPython()
        if isinstance(py, dt.datetime):
            return py.date()
        if isinstance(py, dt.date):
            return py
        text = str(value)
        for size, suffix in ((10, ""), (7, "-01"), (4, "-01-01")):
            try:
                return dt.date.fromisoformat(text[:size] + suffix)
            except ValueError:
                continue
        return None
    return None


def iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def public(iri: object) -> str:
    return str(iri) if isinstance(iri, URIRef) and privacy.is_public(iri) else ""


def merge_edge(view: nx.Graph, u: str, v: str, **attrs: object) -> None:
    """Add an edge, or merge ``attrs`` into the existing one (texts joined, counts added)."""
    if not view.has_edge(u, v):
        view.add_edge(u, v, **{k: val for k, val in attrs.items() if val not in (None, "")})
        return
    data = view.edges[u, v]
    for key, value in attrs.items():
        if value in (None, ""):
            continue
        old = data.get(key)
        if old is None:
            data[key] = value
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and key == "weight":
            data[key] = old + value
        elif key == "responsibility" and isinstance(value, str):
            data[key] = " ".join(sorted(set(str(old).split()) | set(value.split())))
        elif isinstance(value, str) and value not in str(old).split("; "):
            data[key] = f"{old}; {value}"


def add_organisation(view: nx.Graph, graph: Graph, org: URIRef, lang: str) -> str:
    nid = node_id(org)
    if nid not in view:
        view.add_node(nid, label=short_name(graph, org, lang), name=label_of(graph, org, lang),
                      kind="organisation", iri=public(org), group=nid)
    return nid


def held_at(graph: Graph, role: URIRef) -> URIRef | None:
    value = graph.value(role, CG.heldAt)
    return value if isinstance(value, URIRef) else None


def role_name(role: str, organisations: list[str]) -> str:
    """Name a role with its organisations, unless its name already says them.

    Example:
        >>> role_name("intake officer (police)", ["police"]), role_name("wijkteamprofessional",
        ...                                                             ["wijkteam"])
        ('intake officer (police)', 'wijkteamprofessional (wijkteam)')
    """
    shown = [o for o in organisations
             if not re.search(rf"(?<!\w){re.escape(o)}(?!\w)", role, flags=re.I)]
    return f"{role} ({', '.join(shown)})" if shown else role


def role_label(graph: Graph, role: URIRef, org: URIRef | None, lang: str) -> str:
    text = label_of(graph, role, lang)
    return role_name(text, [short_name(graph, org, lang)] if org is not None else [])


def role_node(graph: Graph, role: URIRef, org: URIRef | None = None) -> str:
    """Return the node id of ``role`` held for ``org`` (its own organisation when None).

    Example:
        >>> from chaingraph import load
        >>> from chaingraph.namespace import MON
        >>> role_node(load(), MON["role-casusregisseur"])
        'role-casusregisseur'
    """
    home = held_at(graph, role)
    org = org or home
    return node_id(role) if org is None or org == home else f"{node_id(role)}--{node_id(org)}"


def add_role(view: nx.Graph, graph: Graph, role: URIRef, org: URIRef | None, lang: str) -> str:
    """Add a role node; a role held for another organisation than its usual one is its own node."""
    org = org or held_at(graph, role)
    nid = role_node(graph, role, org)
    if nid not in view:
        level = graph.value(role, CG.escalationLevel)
        view.add_node(nid, label=role_label(graph, role, org, lang),
                      name=label_of(graph, role, lang), kind="role", iri=public(role),
                      group=node_id(org) if org is not None else "",
                      level=local_name(level) if isinstance(level, URIRef) else "")
        if org is not None:
            add_organisation(view, graph, org, lang)
            merge_edge(view, nid, node_id(org), kind="held-at",
                        label=catalogue.text("export.held-at", lang))
    return nid


def type_label(graph: Graph, node: URIRef, base: URIRef, lang: str) -> tuple[URIRef | None, str]:
    """Return the most specific asserted ``cg:`` type of ``node`` under ``base``, with its label."""
    types = [t for t in graph.objects(node, RDF.type) if isinstance(t, URIRef)]
    # URIRef * "*" is a property path (rdflib.paths); the stubs do not declare __mul__
    under = [t for t in types if (t, RDFS.subClassOf * "*", base) in graph]  # type: ignore[operator]  # a path
    best = None
    for t in under:
        if best is None or (t, RDFS.subClassOf * "+", best) in graph:  # type: ignore[operator]  # path
            best = t
    return best, (label_of(graph, best, lang) if best is not None else "")


@dataclass
class _Instrument:
    iri: URIRef
    kind: str
    start: dt.date | None
    end: dt.date | None
    type: URIRef | None = None


def case_instruments(graph: Graph, case_iri: URIRef,
                 lang: str) -> dict[URIRef, tuple[str, _Instrument]]:
    """Return the case's instruments with derived ids ``instrument-1`` … in date order."""
    found: dict[URIRef, _Instrument] = {}
    for row in execute(graph, INSTRUMENTS_QUERY, {"case": case_iri}):
        if row.i not in found:
            best, kind = type_label(graph, row.i, CG.Instrument, lang)
            found[row.i] = _Instrument(row.i, kind, as_date(row.start), as_date(row.end), best)
    ordered = sorted(found.values(), key=lambda i: (i.start or dt.date.max, i.kind, str(i.iri)))
    return {inst.iri: (f"instrument-{n}", inst) for n, inst in enumerate(ordered, 1)}


# ----------------------------------------------------------------------------- events


# One dated event of a case: its types, its date, and the organisations, roles and instruments
# involved, under the names of the query's columns ("from" is a Python keyword, hence a dict).
_Event = TypedDict("_Event", {
    "types": set[Node], "date": dt.date | None, "by": set[URIRef], "from": set[URIRef],
    "to": set[URIRef], "escalatedTo": set[URIRef], "concerns": set[URIRef],
    "participant": set[URIRef]})
_Involved = typing.Literal["by", "from", "to", "escalatedTo", "concerns", "participant"]
_INVOLVED: tuple[_Involved, ...] = ("by", "from", "to", "escalatedTo", "concerns", "participant")


def _events(graph: Graph, case_iri: URIRef) -> dict[URIRef, _Event]:
    """Return the case's dated events: type, date and the organisations and roles involved."""
    events: dict[URIRef, _Event] = {}
    for row in execute(graph, EVENTS_QUERY, {"case": case_iri}):
        event = events.setdefault(row.e, {
            "types": set(), "date": as_date(row.date), "by": set(), "from": set(), "to": set(),
            "escalatedTo": set(), "concerns": set(), "participant": set()})
        event["types"].add(row.type)
        for key in _INVOLVED:
            value = row[key]
            if isinstance(value, URIRef):
                event[key].add(value)
    return events


def case_events(graph: Graph, case_iri: URIRef) -> list[_Event]:
    """The case's events by date, then kind, then IRI: the same order on every backend."""
    events = _events(graph, case_iri)
    return [events[k] for k in sorted(events, key=lambda k: (
        iso(events[k]["date"]), sorted(map(str, events[k]["types"])), str(k)))]


def _add_case_events(view: nx.DiGraph, graph: Graph, case_iri: URIRef, lang: str) -> None:
    for event in case_events(graph, case_iri):
        date = iso(event["date"])
        types = event["types"]
        if CG.Handover in types:
            for a in sorted(event["from"]):
                for b in sorted(event["to"]):
                    u = add_organisation(view, graph, a, lang)
                    v = add_organisation(view, graph, b, lang)
                    merge_edge(view, u, v, kind="handover",
                                label=catalogue.text("export.handover", lang), dates=date)
        if CG.Escalation in types:
            for role in sorted(event["escalatedTo"]):
                target = add_role(view, graph, role, None, lang)
                for org in sorted(event["by"]) or []:
                    source = add_organisation(view, graph, org, lang)
                    merge_edge(view, source, target, kind="escalated",
                                label=catalogue.text("export.escalated", lang), dates=date)


# ----------------------------------------------------------------------------- the case


def _case_node(view: nx.Graph, graph: Graph, case_iri: URIRef, case_id: str,
               lang: str) -> list[URIRef]:
    """Add the case node; return the phases the case applies."""
    start = end = risk = None
    applied: list[URIRef] = []
    for row in execute(graph, CASE_QUERY, {"case": case_iri}):
        start, end, risk = as_date(row.start), as_date(row.end), row.risk
        if isinstance(row.phase, URIRef) and row.phase not in applied:
            applied.append(row.phase)
    view.add_node("case", label=f"{catalogue.text('export.case', lang)} {case_id}", kind="case",
                  case_id=case_id,
                  start_date=iso(start), end_date=iso(end),
                  risk=label_of(graph, risk, lang) if isinstance(risk, URIRef) else "")
    return applied


def _add_phase(view: nx.Graph, graph: Graph, phase: URIRef, lang: str) -> str:
    pid = node_id(phase)
    if pid not in view:
        view.add_node(pid, label=label_of(graph, phase, lang), kind="phase", iri=public(phase),
                      notation=str(graph.value(phase, SKOS.notation) or local_name(phase)))
    return pid


def _period(start: dt.date | None, end: dt.date | None) -> str:
    return f"{iso(start) or '?'}..{iso(end)}"


def _running(start: dt.date | None, end: dt.date | None, at: dt.date | None) -> bool:
    return at is None or (start is not None and start <= at and (end is None or at <= end))


def add_escalation_lines(view: nx.DiGraph, graph: Graph, lang: str = "en") -> None:
    """Add the agreed escalation lines upward from every role node of ``view``.

    A role held for another organisation than its own escalates along its role's lines.
    """
    lines: dict[URIRef, list[URIRef]] = defaultdict(list)
    for row in execute(graph, ESCALATION_LINES_QUERY):
        lines[row["from"]].append(row.to)
    starts = {URIRef(d["iri"]): n for n, d in view.nodes(data=True)
              if d.get("kind") == "role" and d.get("iri")}
    todo = sorted(starts)
    seen = set(todo)
    variants = sorted((n, URIRef(d["iri"])) for n, d in view.nodes(data=True)
                      if d.get("kind") == "role" and "--" in n and d.get("iri"))
    while todo:
        role = todo.pop()
        for target in sorted(lines.get(role, ())):
            u = add_role(view, graph, role, None, lang)
            v = add_role(view, graph, target, None, lang)
            merge_edge(view, u, v, kind="escalates-to",
                        label=catalogue.text("export.escalates-to", lang))
            if target not in seen:
                seen.add(target)
                todo.append(target)
    for variant, role in variants:
        for target in sorted(lines.get(role, ())):
            merge_edge(view, variant, add_role(view, graph, target, None, lang),
                        kind="escalates-to", label=catalogue.text("export.escalates-to", lang))


def case_graph(graph: Graph, case_id: str, *, at: dt.date | None = None, lang: str = "en",
               holders: Callable[[str], str] | None = None) -> nx.DiGraph:
    """Return the graph of one case: its phases, instruments, roles, organisations and lines.

    Args:
        at: only the assignments running on this day (default: over the case's whole period).
        lang: the language of the labels.
        holders: add the holders of the roles, each under ``holders(pseudonym)`` (``str``
            for the pseudonyms themselves). Off by default: a learning session sees roles,
            never persons.

    Raises:
        UnknownCase: no such case.

    Example:
        >>> from chaingraph import load
        >>> G = case_graph(load(), "FX-005")
        >>> G.nodes["case"]["kind"], G.nodes["role-casusregisseur"]["level"]
        ('case', 'LevelOperational')
    """
    case_iri = find_case(graph, case_id)
    title = catalogue.text("export.case-title", lang).format(case=case_id)
    view = nx.DiGraph(what="case", case=case_id, title=title, lang=lang)
    if at is not None:
        view.graph["at"] = at.isoformat()
    for phase in _case_node(view, graph, case_iri, case_id, lang):
        merge_edge(view, "case", _add_phase(view, graph, phase, lang), kind="applies",
                    label=catalogue.text("export.applies", lang))
    instruments = case_instruments(graph, case_iri, lang)
    for iid, inst in instruments.values():
        view.add_node(iid, label=inst.kind, kind="instrument", start_date=iso(inst.start),
                      end_date=iso(inst.end), type=public(inst.type))
        merge_edge(view, "case", iid, kind="applied", label=catalogue.text("export.applied", lang))
    shown: dict[URIRef, list[str]] = defaultdict(list)
    if holders is not None:
        for row in execute(graph, HOLDERS_QUERY, {"case": case_iri}):
            shown[row.a].append(holders(str(row.pseudonym)))
    for row in sorted(execute(graph, ASSIGNMENTS_QUERY, {"case": case_iri}),
                      key=lambda r: (str(r.start or ""), str(r.a), str(r.resp or ""))):
        start, end = as_date(row.start), as_date(row.end)
        if not _running(start, end, at):
            continue
        org = row.org if isinstance(row.org, URIRef) else None
        if isinstance(row.role, URIRef):
            source = add_role(view, graph, row.role, org, lang)
        elif org is not None:
            source = add_organisation(view, graph, org, lang)
        else:
            continue
        period = _period(start, end)
        for holder in shown.get(row.a, ()):
            view.add_node(holder, label=holder, kind="holder")
            merge_edge(view, holder, source, kind="holds",
                        label=catalogue.text("chain.holds", lang), periods=period)
        resp = row.resp if isinstance(row.resp, URIRef) else None
        notation = str(graph.value(resp, SKOS.notation) or local_name(resp)) if resp else ""
        name = label_of(graph, resp, lang) if resp is not None else ""
        if row.type == CG.PhaseOwnership and isinstance(row.phase, URIRef):
            merge_edge(view, source, _add_phase(view, graph, row.phase, lang), kind="owns",
                        label=catalogue.text("export.owns", lang), responsibility=notation,
                        periods=period)
        elif row.type == CG.InstrumentResponsibility and row.instrument in instruments:
            merge_edge(view, source, instruments[row.instrument][0], kind="responsibility",
                        label=name, responsibility=notation, periods=period)
        else:
            merge_edge(view, source, "case", kind="role-assignment", label=name,
                        responsibility=notation, periods=period)
    _add_case_events(view, graph, case_iri, lang)
    add_escalation_lines(view, graph, lang)
    return view
