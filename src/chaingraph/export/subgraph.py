"""The RDF behind a view, without persons: for Turtle and JSON-LD exports.

For the case and timeline views the subgraph is the case's own triples (the case, its
assignments, instruments and events) with every person removed: triples with
``cg:holder``, ``cg:victim``, ``cg:suspect`` or ``cg:pseudonym`` are dropped (an
assignment still names its role and organisation, which is how the person appears), and
the nodes inside the case file other than the case itself become blank nodes with
derived names (``_:roleassignment-2``), so the export cannot be linked back to the
source file's internal IRIs. For the collaboration and chain views it is the triples of
the public resources the view shows (organisations, roles, agreements, measures).
Labels of the monitor and ontology terms referred to are added so a reader sees names.

Only the predicates a view needs are copied (:data:`PREDICATES`, one list per view): the
triples its queries read, the types and the labels. Free text (``rdfs:comment``,
``skos:note``, ``dcterms:description``, ``skos:definition``, a label on a node inside a
case file, anything not listed) never reaches an export, whatever it says.

In the internal mode (``pseudonymise``), each holder, victim and suspect is a blank node
with the keyed pseudonym (``cg:pseudonym "K-…"``), and the case carries the internal mark
as ``dcterms:accessRights``.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import networkx as nx
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from chaingraph.export.privacy import PERSON_PREDICATES, is_person, is_public
from chaingraph.labels import local_name
from chaingraph.namespace import CG, ORG, PREFIXES

_LABELS = (SKOS.prefLabel, RDFS.label, SKOS.altLabel)

# What the views read (queries/internal/case-*.rq, chain-overview.rq, members-*.rq); the
# labels of public terms are added by _add_labels.
_CASE = frozenset({
    RDF.type, CG.caseId, CG.startDate, CG.endDate, CG.date, CG.riskLevel, CG.appliesPhase,
    CG.escalationAgreement, CG.inCase, CG.phase, CG.organisation, CG.role, CG.responsibility,
    CG.instrument, CG.byOrganisation, CG.fromOrganisation, CG.toOrganisation, CG.escalatedTo,
    CG.concerns, CG.participant, CG.hostedBy,
})
_PUBLIC = frozenset({
    RDF.type, *_LABELS, CG.partner, CG.party, CG.heldAt, CG.escalatesTo, CG.owner, CG.phase,
    CG.status, ORG.subOrganizationOf,
})
PREDICATES: dict[str, frozenset[URIRef]] = {
    "case": _CASE, "timeline": _CASE, "collaboration": _PUBLIC, "chain": _PUBLIC,
}
"""The predicates each view's RDF export may carry; every other triple is left out."""

INTERNAL_MARK = DCTERMS.accessRights


def _new_graph() -> Graph:
    out = Graph(bind_namespaces="core")
    for prefix, ns in PREFIXES.items():
        if prefix != "prs":
            out.bind(prefix, ns)
    out.bind("skos", SKOS)
    out.bind("dcterms", DCTERMS)
    out.bind("xsd", XSD)
    return out


def _add_labels(out: Graph, graph: Graph) -> None:
    """Add the labels of every public IRI the subgraph refers to."""
    referred = {o for o in out.objects() if isinstance(o, URIRef) and is_public(o)}
    referred |= {s for s in out.subjects() if isinstance(s, URIRef) and is_public(s)}
    for term in referred:
        for prop in _LABELS:
            for value in graph.objects(term, prop):
                if isinstance(value, Literal):
                    out.add((term, prop, value))


def case_subgraph(graph: Graph, case_iri: URIRef, *, what: str = "case",
                  pseudonymise: Callable[[str], str] | None = None,
                  internal: str = "") -> Graph:
    """Return the triples of one case without persons, case-internal nodes as blank nodes.

    Only the predicates of :data:`PREDICATES` for ``what`` are copied. With
    ``pseudonymise`` (the internal mode), holders, victim and suspect are blank nodes with
    keyed pseudonyms and the case carries ``internal`` as ``dcterms:accessRights``.

    Example:
        >>> from chaingraph import load
        >>> from chaingraph.export.views import case_index
        >>> g = load()
        >>> cid, iri = sorted(case_index(g).items())[0]
        >>> sub = case_subgraph(g, iri)
        >>> (iri, CG.caseId, None) in sub and not list(sub.triples((None, CG.holder, None)))
        True
    """
    allowed = PREDICATES[what]
    members = {case_iri} | {s for s in graph.subjects(CG.inCase, case_iri) if isinstance(s, URIRef)}
    # Instruments a member refers to belong to the case too, even without their own cg:inCase.
    members |= {
        o for m in list(members) for o in graph.objects(m, CG.instrument) if isinstance(o, URIRef)
    }
    members = {m for m in members if m == case_iri or not is_person(graph, m)}
    renamed: dict[URIRef, URIRef | BNode] = {case_iri: case_iri}
    counters: dict[str, int] = {}

    def sort_key(node: URIRef) -> tuple[str, str, str]:
        kind = min((local_name(t) for t in graph.objects(node, RDF.type)), default="node")
        when = graph.value(node, CG.startDate) or graph.value(node, CG.date) or ""
        return (kind, str(when), str(node))

    for node in sorted(members - {case_iri}, key=sort_key):
        kind = sort_key(node)[0].lower()
        counters[kind] = counters.get(kind, 0) + 1
        renamed[node] = BNode(f"{kind}-{counters[kind]}")
    out = _new_graph()
    for node in members:
        for p, o in graph.predicate_objects(node):
            if p in PERSON_PREDICATES and pseudonymise is not None and isinstance(o, URIRef):
                keyed = pseudonymise(str(graph.value(o, CG.pseudonym) or local_name(o)))
                out.add((renamed[node], p, BNode(f"person-{keyed}")))
                out.add((BNode(f"person-{keyed}"), CG.pseudonym, Literal(keyed)))
                continue
            if p not in allowed or p in PERSON_PREDICATES or is_person(graph, o):
                continue
            if isinstance(o, URIRef):
                if o in renamed:
                    o = renamed[o]
                elif not is_public(o):
                    continue
            elif isinstance(o, BNode):
                continue
            out.add((renamed[node], p, o))
    if pseudonymise is not None:
        out.add((case_iri, INTERNAL_MARK, Literal(internal or "internal use only")))
    _add_labels(out, graph)
    return out


def view_subgraph(graph: Graph, view: nx.Graph) -> Graph:
    """Return the triples of the public resources a view shows, without persons.

    Example:
        >>> from chaingraph import load
        >>> from chaingraph.export.views import chain
        >>> g = load()
        >>> len(view_subgraph(g, chain(g))) > 100
        True
    """
    allowed = PREDICATES.get(view.graph.get("what", ""), _PUBLIC)
    shown = {URIRef(d["iri"]) for _, d in view.nodes(data=True) if d.get("iri")}
    out = _new_graph()
    for node in shown:
        if not is_public(node):
            continue
        for p, o in graph.predicate_objects(node):
            if p not in allowed or p in PERSON_PREDICATES or isinstance(o, BNode):
                continue
            if is_person(graph, o):
                continue
            if isinstance(o, URIRef) and not is_public(o):
                continue
            out.add((node, p, o))
    _add_labels(out, graph)
    return out


def subgraph(graph: Graph, view: nx.Graph, *, case_iri: URIRef | None = None,
             pseudonymise: Callable[[str], str] | None = None) -> Graph:
    """Return the RDF behind ``view``: the case's triples for case views, else those shown."""
    what = view.graph.get("what")
    if case_iri is not None and what in ("case", "timeline"):
        return case_subgraph(graph, case_iri, what=what, pseudonymise=pseudonymise,
                             internal=str(view.graph.get("internal", "")))
    return view_subgraph(graph, view)


def render_turtle(sub: Graph) -> str:
    """Serialise a subgraph as Turtle."""
    return sub.serialize(format="turtle")


def render_jsonld(sub: Graph) -> str:
    """Serialise a subgraph as JSON-LD with the project's prefixes as context.

    The nodes, keys and values come in a fixed order (rdflib writes them in the order of
    its hash tables), so the same subgraph gives the same bytes; an ``@list`` keeps its own.
    """
    context = {prefix: str(ns) for prefix, ns in sorted(sub.namespaces()) if prefix}
    data = json.loads(sub.serialize(format="json-ld", context=context))
    return json.dumps(_ordered(data), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _ordered(value: object, key: str = "") -> object:
    if isinstance(value, dict):
        return {k: _ordered(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [_ordered(v) for v in value]
        if key == "@list":
            return items
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value
