"""Reading a case back from its triples: the :class:`~chaingraph.cases.model.Case` a form shows.

Works on any graph that holds the case (its file, the bundled data, a store): only the case
node, the nodes ``cg:inCase`` it and the pseudonyms they name are read. :func:`case_triples`
gives those triples as a graph of their own, the case as a store keeps it.
"""

from __future__ import annotations

from datetime import date

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.term import Node

from chaingraph.cases.model import Assignment, Case, Event, Extension, Instrument
from chaingraph.cases.vocabulary import Vocabulary, base_graph, vocabulary
from chaingraph.labels import local_name
from chaingraph.names import find_case
from chaingraph.namespace import CG

__all__ = ["case_triples", "read_case"]

_ASSIGNMENTS = (CG.PhaseOwnership, CG.RoleAssignment, CG.InstrumentResponsibility)


def _day(value: Node | None) -> date | None:
    if value is None:
        return None
    return date.fromisoformat(str(value)[:10])


def _uri(value: Node | None) -> URIRef | None:
    return value if isinstance(value, URIRef) else None


def _pseudonym(graph: Graph, node: Node | None) -> str | None:
    if node is None:
        return None
    found = graph.value(node, CG.pseudonym)
    return str(found) if found is not None else local_name(node)


def _text(graph: Graph, node: Node) -> str | None:
    found = graph.value(node, RDFS.comment)
    return str(found) if isinstance(found, Literal) else None


def case_triples(graph: Graph, case_id: str) -> Graph:
    """The triples of case ``case_id``: the case, its parts and the pseudonyms they name.

    Raises:
        UnknownCase: no such case in ``graph``.
    """
    case = find_case(graph, case_id)
    out = Graph()
    for prefix, namespace in graph.namespaces():
        out.bind(prefix, namespace, override=False)
    nodes = {case, *graph.subjects(CG.inCase, case)}
    persons: set[Node] = set()
    for node in nodes:
        for triple in graph.triples((node, None, None)):
            out.add(triple)
            if triple[1] in (CG.holder, CG.victim, CG.suspect, CG.pairedWith):
                persons.add(triple[2])
    for person in persons:
        for triple in graph.triples((person, None, None)):
            out.add(triple)
    return out


def _kind_of(graph: Graph, node: Node, kinds: set[URIRef]) -> URIRef | None:
    for cls in sorted(graph.objects(node, RDF.type), key=str):
        if cls in kinds:
            return _uri(cls)
    return None


def _assignment(graph: Graph, node: Node) -> Assignment:
    return Assignment(
        organisation=graph.value(node, CG.organisation),  # type: ignore[arg-type]  # IRIs
        role=graph.value(node, CG.role),  # type: ignore[arg-type]  # in the data
        holder=_pseudonym(graph, graph.value(node, CG.holder)) or "",
        start=_day(graph.value(node, CG.startDate)) or date.min,
        end=_day(graph.value(node, CG.endDate)),
        kind=_uri(graph.value(node, CG.responsibility)), phase=_uri(graph.value(node, CG.phase)),
        paired_with=_pseudonym(graph, graph.value(node, CG.pairedWith)), id=local_name(node))


def read_case(graph: Graph, case_id: str, *, vocab: Vocabulary | None = None) -> Case:
    """Read case ``case_id`` from ``graph`` into a :class:`Case` (the form ``case show`` writes).

    Example:
        >>> from chaingraph import load
        >>> case = read_case(load(), "FX-001")
        >>> case.start.isoformat(), len(case.owners), len(case.contact_points)
        ('2021-03-01', 6, 6)

    Raises:
        UnknownCase: no such case in ``graph``.
    """
    vocab = vocab or vocabulary()
    node = find_case(graph, case_id)
    case = Case(
        id=case_id, start=_day(graph.value(node, CG.startDate)) or date.min,
        end=_day(graph.value(node, CG.endDate)),
        fictional=bool(graph.value(node, CG.fictional) is not None
                       and graph.value(node, CG.fictional).toPython() is True),  # type: ignore[union-attr]  # checked
        risk=_uri(graph.value(node, CG.riskLevel)),
        victim=_pseudonym(graph, graph.value(node, CG.victim)),
        suspect=_pseudonym(graph, graph.value(node, CG.suspect)),
        phases=sorted((p for p in graph.objects(node, CG.appliesPhase) if isinstance(p, URIRef)),
                      key=lambda p: vocab.phase.order.get(p, 99)),
        escalation_agreement=_uri(graph.value(node, CG.escalationAgreement)),
        note=_text(graph, node))
    parts = sorted((p for p in graph.subjects(CG.inCase, node) if isinstance(p, URIRef)), key=str)
    instrument_types = set(vocab.instrument.by_name.values())
    event_types = set(vocab.event.by_name.values())
    instruments: dict[Node, Instrument] = {}
    for part in parts:
        kind = _kind_of(graph, part, instrument_types)
        if kind is None:
            continue
        instruments[part] = Instrument(
            type=kind, start=_day(graph.value(part, CG.startDate)) or case.start,
            end=_day(graph.value(part, CG.endDate)), id=local_name(part),
            risk_outcome=_uri(graph.value(part, CG.riskOutcome)),
            duty_to_report=(graph.value(part, CG.dutyToReport).toPython()  # type: ignore[union-attr]  # checked
                            if graph.value(part, CG.dutyToReport) is not None else None),
            conditions=sorted(local_name(c) for c in graph.objects(part, CG.includesCondition)),
            note=_text(graph, part))
    for part in parts:
        types = set(graph.objects(part, RDF.type))
        if CG.PhaseOwnership in types:
            case.owners.append(_assignment(graph, part))
        elif CG.RoleAssignment in types:
            case.contact_points.append(_assignment(graph, part))
        elif CG.InstrumentResponsibility in types:
            instrument = instruments.get(graph.value(part, CG.instrument))  # type: ignore[arg-type]  # a node
            if instrument is not None:
                instrument.responsibilities.append(_assignment(graph, part))
        elif CG.InstrumentExtended in types:
            instrument = instruments.get(graph.value(part, CG.concerns))  # type: ignore[arg-type]  # a node
            day, until = _day(graph.value(part, CG.date)), _day(graph.value(part, CG.extendedUntil))
            if instrument is not None and day and until:
                instrument.extensions.append(Extension(day, until, local_name(part)))
        elif part not in instruments:
            kind = _kind_of(graph, part, event_types)
            day = _day(graph.value(part, CG.date))
            if kind is None or day is None:
                continue
            concerns, follows = graph.value(part, CG.concerns), graph.value(part, CG.followsUp)
            case.events.append(Event(
                type=kind, date=day, id=local_name(part),
                by=_uri(graph.value(part, CG.byOrganisation)),
                concerns=local_name(concerns) if concerns is not None else None,
                hosted_by=_uri(graph.value(part, CG.hostedBy)),
                chaired_by=_uri(graph.value(part, CG.chairedBy)),
                participants=sorted(p for p in graph.objects(part, CG.participant)
                                    if isinstance(p, URIRef)),
                from_organisation=_uri(graph.value(part, CG.fromOrganisation)),
                to_organisation=_uri(graph.value(part, CG.toOrganisation)),
                phase=_uri(graph.value(part, CG.phase)),
                escalated_to=_uri(graph.value(part, CG.escalatedTo)),
                escalated_by=_uri(graph.value(part, CG.escalatedBy)),
                follows_up=local_name(follows) if follows is not None else None,
                note=_text(graph, part)))
    case.instruments = sorted(instruments.values(), key=lambda i: (i.start, str(i.id)))
    kinds = base_graph()
    order = {k: int(v) for k, v in kinds.subject_objects(CG.order) if isinstance(v, Literal)}
    for instrument in case.instruments:
        instrument.responsibilities.sort(
            key=lambda a: (order.get(a.kind, 99) if a.kind else 99, a.start, str(a.id)))
        instrument.extensions.sort(key=lambda e: e.date)
    case.owners.sort(key=lambda a: (vocab.phase.order.get(a.phase, 99) if a.phase else 99,
                                    a.start, str(a.id)))
    case.contact_points.sort(key=lambda a: (a.start, str(a.id)))
    case.events.sort(key=lambda e: (e.date, str(e.id)))
    return case
