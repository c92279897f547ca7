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
"""

from __future__ import annotations

import networkx as nx
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from chaingraph.export.privacy import PERSON_PREDICATES, is_public, persons
from chaingraph.labels import local_name
from chaingraph.namespace import CG, PREFIXES

_LABELS = (SKOS.prefLabel, RDFS.label, SKOS.altLabel)


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


def case_subgraph(graph: Graph, case_iri: URIRef) -> Graph:
    """Return the triples of one case without persons, case-internal nodes as blank nodes.

    Example:
        >>> from chaingraph import load
        >>> from chaingraph.export.views import case_index
        >>> g = load()
        >>> cid, iri = sorted(case_index(g).items())[0]
        >>> sub = case_subgraph(g, iri)
        >>> (iri, CG.caseId, None) in sub and not list(sub.triples((None, CG.holder, None)))
        True
    """
    people = persons(graph)
    members = {case_iri} | {s for s in graph.subjects(CG.inCase, case_iri) if isinstance(s, URIRef)}
    # Instruments a member refers to belong to the case too, even without their own cg:inCase.
    members |= {
        o for m in list(members) for o in graph.objects(m, CG.instrument) if isinstance(o, URIRef)
    }
    members -= people
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
            if p in PERSON_PREDICATES or o in people:
                continue
            if isinstance(o, URIRef):
                if o in renamed:
                    o = renamed[o]
                elif not is_public(o):
                    continue
            elif isinstance(o, BNode):
                continue
            out.add((renamed[node], p, o))
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
    people = persons(graph)
    shown = {URIRef(d["iri"]) for _, d in view.nodes(data=True) if d.get("iri")}
    out = _new_graph()
    for node in shown:
        if not is_public(node):
            continue
        for p, o in graph.predicate_objects(node):
            if p in PERSON_PREDICATES or o in people or isinstance(o, BNode):
                continue
            if isinstance(o, URIRef) and not is_public(o):
                continue
            out.add((node, p, o))
    _add_labels(out, graph)
    return out


def subgraph(graph: Graph, view: nx.Graph, *, case_iri: URIRef | None = None) -> Graph:
    """Return the RDF behind ``view``: the case's triples for case views, else those shown."""
    if case_iri is not None and view.graph.get("what") in ("case", "timeline"):
        return case_subgraph(graph, case_iri)
    return view_subgraph(graph, view)


def render_turtle(sub: Graph) -> str:
    """Serialise a subgraph as Turtle."""
    return sub.serialize(format="turtle")


def render_jsonld(sub: Graph) -> str:
    """Serialise a subgraph as JSON-LD with the project's prefixes as context."""
    context = {prefix: str(ns) for prefix, ns in sub.namespaces() if prefix}
    return sub.serialize(format="json-ld", context=context, indent=2)
