"""Turning a :class:`~chaingraph.cases.model.Case` into the case's triples.

The triples have the shape of ``data/cases/*.ttl``: the case at ``<…/case/ID/case>``, every
assignment, instrument and event in the case's namespace with ``cg:inCase``, dates typed
``xsd:date``, persons as ``prs:P-…`` with their pseudonym.
"""

from __future__ import annotations

from datetime import date

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef

from chaingraph.cases.model import Assignment, Case
from chaingraph.cases.vocabulary import slug, vocabulary
from chaingraph.namespace import CG, PREFIXES

__all__ = ["CASE_BASE", "PERSON", "assign_ids", "case_graph", "case_iri", "case_namespace"]

CASE_BASE = "https://w3id.org/chaingraph/case/"
PERSON = Namespace("https://w3id.org/chaingraph/person/")


def case_namespace(case_id: str) -> Namespace:
    """The namespace of everything belonging to case ``case_id``."""
    return Namespace(f"{CASE_BASE}{case_id}/")


def case_iri(case_id: str) -> URIRef:
    """The IRI of the case ``case_id`` itself.

    Example:
        >>> str(case_iri("FX-001"))
        'https://w3id.org/chaingraph/case/FX-001/case'
    """
    return case_namespace(case_id)["case"]


def _day(value: date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.date)


def _unique(wanted: str, taken: set[str]) -> str:
    name, n = wanted, 1
    while name in taken or name == "case":
        n += 1
        name = f"{wanted}-{n}"
    taken.add(name)
    return name


def assign_ids(case: Case) -> Case:
    """Give every assignment, instrument and event without an id one, unique in the case."""
    vocab = vocabulary()
    taken = {str(a.id) for a in case.assignments() if a.id is not None}
    taken |= {str(i.id) for i in case.instruments if i.id is not None}
    taken |= {str(e.id) for e in case.events if e.id is not None}
    for owner in case.owners:
        if owner.id is None:
            phase = vocab.phase.write(owner.phase, "en") if owner.phase else "phase"
            owner.id = _unique(f"own-{phase}-1", taken)
    for contact in case.contact_points:
        if contact.id is None:
            contact.id = _unique(f"ra-{vocab.role.write(contact.role, 'en')}", taken)
    for instrument in case.instruments:
        if instrument.id is None:
            instrument.id = _unique(vocab.instrument.write(instrument.type, "en"), taken)
    for instrument in case.instruments:
        for person in instrument.responsibilities:
            if person.id is None and person.kind is not None:
                kind = slug(vocab.responsibility.write(person.kind, "en"))
                person.id = _unique(f"resp-{instrument.id}-{kind}", taken)
        for extension in instrument.extensions:
            if extension.id is None:
                extension.id = _unique(f"extended-{instrument.id}", taken)
    for event in case.events:
        if event.id is None:
            event.id = _unique(vocab.event.write(event.type, "en"), taken)
    return case


def _person(graph: Graph, pseudonym: str, cls: URIRef) -> URIRef:
    node = PERSON[pseudonym]
    if cls == CG.Person and (node, RDF.type, CG.Professional) in graph:
        return node
    graph.remove((node, RDF.type, CG.Person))
    graph.add((node, RDF.type, cls))
    graph.set((node, CG.pseudonym, Literal(pseudonym)))
    return node


def _assignment(graph: Graph, ns: Namespace, case: URIRef, a: Assignment, cls: URIRef) -> URIRef:
    node = ns[str(a.id)]
    graph.add((node, RDF.type, cls))
    graph.add((node, CG.inCase, case))
    graph.add((node, CG.organisation, a.organisation))
    graph.add((node, CG.role, a.role))
    graph.add((node, CG.holder, _person(graph, a.holder, CG.Professional)))
    graph.add((node, CG.startDate, _day(a.start)))
    if a.end is not None:
        graph.add((node, CG.endDate, _day(a.end)))
    if a.paired_with is not None:
        graph.add((node, CG.pairedWith, _person(graph, a.paired_with, CG.Professional)))
    return node


def case_graph(case: Case) -> Graph:
    """Return the triples of ``case`` as a graph (bound to the usual prefixes).

    Example:
        >>> from chaingraph.cases.form import parse_form
        >>> g = case_graph(parse_form("case: {id: C-1, start: 2021-06-20}"))
        >>> (case_iri("C-1"), CG.caseId, Literal("C-1")) in g
        True
    """
    assign_ids(case)
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    ns = case_namespace(case.id)
    graph.bind("", ns)
    node = ns["case"]
    graph.add((node, RDF.type, CG.Case))
    graph.add((node, CG.caseId, Literal(case.id)))
    if case.fictional:
        graph.add((node, CG.fictional, Literal(True)))
    graph.add((node, CG.startDate, _day(case.start)))
    if case.end is not None:
        graph.add((node, CG.endDate, _day(case.end)))
    if case.risk is not None:
        graph.add((node, CG.riskLevel, case.risk))
    if case.victim:
        graph.add((node, CG.victim, _person(graph, case.victim, CG.Person)))
    if case.suspect:
        graph.add((node, CG.suspect, _person(graph, case.suspect, CG.Person)))
    for phase in case.phases:
        graph.add((node, CG.appliesPhase, phase))
    if case.escalation_agreement is not None:
        graph.add((node, CG.escalationAgreement, case.escalation_agreement))
    if case.note:
        graph.add((node, RDFS.comment, Literal(case.note)))
    for owner in case.owners:
        own = _assignment(graph, ns, node, owner, CG.PhaseOwnership)
        graph.add((own, CG.phase, owner.phase))  # type: ignore[arg-type]  # set by the form
        graph.add((own, CG.responsibility, CG.Owns))
    for contact in case.contact_points:
        ra = _assignment(graph, ns, node, contact, CG.RoleAssignment)
        graph.add((ra, CG.responsibility, CG.ContactPoint))
    for instrument in case.instruments:
        inst = ns[str(instrument.id)]
        graph.add((inst, RDF.type, instrument.type))
        graph.add((inst, CG.inCase, node))
        graph.add((inst, CG.startDate, _day(instrument.start)))
        if instrument.end is not None:
            graph.add((inst, CG.endDate, _day(instrument.end)))
        if instrument.risk_outcome is not None:
            graph.add((inst, CG.riskOutcome, instrument.risk_outcome))
        if instrument.duty_to_report is not None:
            graph.add((inst, CG.dutyToReport, Literal(instrument.duty_to_report)))
        for condition in instrument.conditions:
            graph.add((inst, CG.includesCondition, ns[condition]))
        if instrument.note:
            graph.add((inst, RDFS.comment, Literal(instrument.note)))
        for person in instrument.responsibilities:
            resp = _assignment(graph, ns, node, person, CG.InstrumentResponsibility)
            graph.add((resp, CG.instrument, inst))
            graph.add((resp, CG.responsibility, person.kind))  # type: ignore[arg-type]  # set
        for extension in instrument.extensions:
            ext = ns[str(extension.id)]
            graph.add((ext, RDF.type, CG.InstrumentExtended))
            graph.add((ext, CG.inCase, node))
            graph.add((ext, CG.date, _day(extension.date)))
            graph.add((ext, CG.concerns, inst))
            graph.add((ext, CG.extendedUntil, _day(extension.until)))
    for event in case.events:
        ev = ns[str(event.id)]
        graph.add((ev, RDF.type, event.type))
        graph.add((ev, CG.inCase, node))
        graph.add((ev, CG.date, _day(event.date)))
        for prop, value in ((CG.byOrganisation, event.by), (CG.hostedBy, event.hosted_by),
                            (CG.chairedBy, event.chaired_by),
                            (CG.fromOrganisation, event.from_organisation),
                            (CG.toOrganisation, event.to_organisation), (CG.phase, event.phase),
                            (CG.escalatedTo, event.escalated_to),
                            (CG.escalatedBy, event.escalated_by)):
            if value is not None:
                graph.add((ev, prop, value))
        for participant in event.participants:
            graph.add((ev, CG.participant, participant))
        if event.concerns is not None:
            graph.add((ev, CG.concerns, ns[event.concerns]))
        if event.follows_up is not None:
            graph.add((ev, CG.followsUp, ns[event.follows_up]))
        if event.note:
            graph.add((ev, RDFS.comment, Literal(event.note)))
    return graph
