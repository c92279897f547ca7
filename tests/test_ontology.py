"""The ontology: it parses, every term is labelled and defined in Dutch and English,
and the Python constants match the file exactly."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from chaingraph.graph import declared_terms, ontology_files, parse_file
from chaingraph.namespace import CG


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    files = ontology_files()
    assert files, "no ontology files"
    for path in files:
        parse_file(path, graph)
    return graph


def _terms(ontology: Graph, *types: URIRef) -> list[URIRef]:
    ns = str(CG._NS)
    found = {s for t in types for s in ontology.subjects(RDF.type, t) if str(s).startswith(ns)}
    return sorted(found)


def test_has_versioned_header(ontology):
    header = URIRef("https://w3id.org/chaingraph/ontology")
    assert (header, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(header, OWL.versionInfo) is not None
    assert ontology.value(header, OWL.versionIRI) is not None


@pytest.mark.parametrize("kind", [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty])
def test_every_term_has_dutch_and_english_label_and_definition(ontology, kind):
    terms = _terms(ontology, kind)
    assert terms, f"no {kind} in the ontology"
    missing = []
    for term in terms:
        for prop in (RDFS.label, SKOS.definition):
            langs = {o.language for o in ontology.objects(term, prop)}
            if not {"nl", "en"} <= langs:
                missing.append(f"{term} {prop}: has {sorted(filter(None, langs))}")
    assert not missing, "\n".join(missing)


def test_every_concept_has_dutch_and_english_preflabel_and_definition(ontology):
    concepts = [s for s in ontology.subjects(SKOS.inScheme, None)]
    assert len(concepts) >= 20
    for concept in concepts:
        for prop in (SKOS.prefLabel, SKOS.definition):
            langs = {o.language for o in ontology.objects(concept, prop)}
            assert {"nl", "en"} <= langs, f"{concept} {prop}"


def test_phases_are_an_ordered_scheme_of_five(ontology):
    phases = sorted(
        ontology.subjects(RDF.type, CG.Phase), key=lambda p: int(ontology.value(p, CG.order))
    )
    assert phases == [
        CG.PhaseRecognition,
        CG.PhaseRiskAssessment,
        CG.PhaseCaseDirection,
        CG.PhaseCollaboration,
        CG.PhaseOther,
    ]


def test_constants_match_the_ontology(ontology):
    in_file = {str(t) for t in declared_terms(ontology)}
    in_code = {str(CG._NS) + name for name in CG.__annotations__}
    assert in_code == in_file, (sorted(in_code - in_file), sorted(in_file - in_code))


def test_misspelt_constant_raises():
    with pytest.raises(AttributeError):
        CG.CaseDirektor  # noqa: B018
