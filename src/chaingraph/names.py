"""Names for things: a resource's IRI from a name, label or notation; a case from its id."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS, XSD

from chaingraph.errors import (
    BadParameter,
    UnknownArea,
    UnknownCase,
    UnknownIndicator,
    UnknownName,
    UnknownOrganisation,
    UnknownPhase,
    UnknownRole,
    UnknownStatus,
)
from chaingraph.labels import local_name
from chaingraph.namespace import CASE_CLASSES, CG
from chaingraph.results import DISPLAY_PREFIXES

_SAFE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")

_UNKNOWN_BY_CLASS: dict[URIRef, type[UnknownName]] = {
    CG.Role: UnknownRole,
    CG.Phase: UnknownPhase,
    CG.Organisation: UnknownOrganisation,
    CG.MeasureStatus: UnknownStatus,
    CG.Indicator: UnknownIndicator,
    CG.Area: UnknownArea,
}


def resolve(graph: Graph, value: str | URIRef, *, of_class: URIRef | None = None,
            what: str = "name") -> URIRef:
    """Turn a user's name for a resource into its IRI.

    Accepts a full IRI, a prefixed name (``mon:role-ovj``), a local name
    (``role-ovj``), a local name without its type prefix (``ovj``), a
    ``skos:notation`` or a label in either language. With ``of_class`` only instances
    of that class count and an unknown name raises the matching ``Unknown…`` error
    (listing what exists); without it, a full or prefixed IRI is taken as given.

    Example:
        >>> from chaingraph import load
        >>> resolve(load(), "direction", of_class=CG.Phase) == CG.PhaseCaseDirection
        True
    """
    if isinstance(value, URIRef):
        return value
    text = str(value).strip()
    candidates = (sorted({s for s in graph.subjects(RDF.type, of_class) if isinstance(s, URIRef)})
                  if of_class is not None else None)
    iri: URIRef | None = None
    if ":" in text:
        prefix, _, rest = text.partition(":")
        if prefix in DISPLAY_PREFIXES and _SAFE_NAME.match(rest or "-"):
            iri = URIRef(DISPLAY_PREFIXES[prefix] + rest)
        elif _SAFE_IRI.match(text) and "//" in text:
            iri = URIRef(text)
    if iri is not None and (candidates is None or iri in candidates):
        return iri
    if candidates is None:
        candidates = sorted({s for s in graph.subjects() if isinstance(s, URIRef)})
    wanted = text.casefold()
    for node in candidates:
        local = local_name(node)
        if wanted in (local.casefold(), local.split("-", 1)[-1].casefold()):
            return node
    for node in candidates:
        names = {str(v).casefold() for p in (SKOS.notation, SKOS.prefLabel, RDFS.label)
                 for v in graph.objects(node, p)}
        if wanted in names:
            return node
    known = ([str(next(graph.objects(n, SKOS.notation), local_name(n))) for n in candidates]
             if of_class is not None else [])
    if of_class is not None:
        raise _UNKNOWN_BY_CLASS.get(of_class, UnknownName)(text, known)
    raise BadParameter(key="not_a_name", what=what, value=text)


def class_iri(name: str) -> URIRef:
    """Return the IRI of a prefixed class name as a query file writes it (``cg:Role``)."""
    prefix, _, rest = name.partition(":")
    if prefix not in DISPLAY_PREFIXES:
        raise BadParameter(key="unknown_prefix", name=name)
    return URIRef(DISPLAY_PREFIXES[prefix] + rest)


def case_ids(graph: Graph) -> list[str]:
    """Return the identifiers of the cases in ``graph``, sorted.

    On Oxigraph the identifiers come as the store's own TSV text: a region's 100,000
    cases in a fraction of a second, where turning each row into rdflib terms takes
    seconds (an unknown case lists the nearest ones).

    Example:
        >>> from chaingraph import load
        >>> case_ids(load())[:2]
        ['FX-001', 'FX-002']
    """
    from chaingraph.backends import native_store, select_rows
    from chaingraph.queryfiles import internal

    query = internal("cases-by-id").text
    store = native_store(graph)
    if store is None:
        rows = graph.query(query)
        return sorted({str(row[1]) for row in rows})  # type: ignore[index]  # a SELECT's rows are tuples
    from rdflib.util import from_n3

    ids = set()
    for _case, term in select_rows(store, query):
        if term.startswith('"') and "\\" not in term:
            ids.add(term[1:term.rindex('"')])
        else:
            ids.add(str(from_n3(term)))
    return sorted(ids)


def audit_case_id(case: object, ids: Iterable[object]) -> str:
    """The id the audit files a case under: the first of its ``cg:caseId`` values (one in
    sound data; none or two is the rule ``case-id-missing``), else the part of its IRI
    before ``/case``. Every engine names a case this way, so a case without an id is
    audited, and reported, under the same name by each.

    Example:
        >>> audit_case_id("https://w3id.org/chaingraph/case/FX-005/case", [])
        'FX-005'
        >>> audit_case_id("urn:x:case", ["FX-9", "FX-10"])
        'FX-10'
    """
    found = sorted(str(i) for i in ids)
    if found:
        return found[0]
    text = str(case)
    return local_name(text[: -len("/case")]) if text.endswith("/case") else local_name(text)


def find_case(graph: Graph, case_id: str) -> URIRef:
    """Return the IRI of the case (a ``cg:Case``) with identifier ``case_id``.

    Looked up by its identifier; only an unknown case lists the cases there are.

    Example:
        >>> from chaingraph import load
        >>> find_case(load(), "FX-001").endswith("/FX-001/case")
        True

    Raises:
        UnknownCase: no such case; the message names the nearest.
    """
    for literal in (Literal(case_id), Literal(case_id, datatype=XSD.string)):
        for node in graph.subjects(CG.caseId, literal):
            if isinstance(node, URIRef) and any((node, RDF.type, cls) in graph
                                                for cls in CASE_CLASSES):
                from chaingraph.readable import check_case

                check_case(graph, node)  # a store's or endpoint's values (files: when read)
                return node
    raise UnknownCase(case_id, case_ids(graph))
