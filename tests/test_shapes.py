"""The rules in shapes/: well-formed, documented, and each tested both ways on its fixtures.

For every rule (a shape with a target) there is ``tests/fixtures/shapes/<Shape>.valid.ttl``
and at least one ``<Shape>.invalid-NN.ttl`` whose first line says why it is invalid. Each
invalid fixture must fail *because of that shape* (a finding whose ``sh:sourceShape`` is the
shape's IRI); each valid fixture has targets of the shape and no finding from it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pyshacl.entrypoints import meta_validate
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from chaingraph import load
from chaingraph.audit import audit
from chaingraph.graph import check_terms, declared_terms, monitor_files, ontology_files, parse_file
from chaingraph.labels import local_name
from chaingraph.namespace import CG
from chaingraph.shapes import CGSH, load_shapes, rules, shape_files

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
AT = date(2030, 1, 1)

SHAPES = load_shapes()
RULES = rules(SHAPES)
RULE_IRIS = sorted(RULES, key=str)
INVALID = sorted(FIXTURES.glob("*.invalid-*.ttl"))
VALID = sorted(FIXTURES.glob("*.valid.ttl"))


def _shape_of(fixture: Path) -> URIRef:
    return CGSH[fixture.name.split(".")[0]]


BASE = load(ontology_files() + monitor_files(), base=False)
"""The ontology and the monitor, read once; each fixture is audited on a copy plus the fixture."""
DECLARED = declared_terms(load(ontology_files(), base=False))


@pytest.fixture(scope="module")
def base() -> Graph:
    return BASE


def _with_base(fixture: Path) -> Graph:
    graph = Graph()
    graph += BASE
    return parse_file(fixture, graph)


def _audit(fixture: Path):
    return audit(_with_base(fixture), at=AT)


def test_there_are_rules_and_fixtures():
    assert len(shape_files()) >= 7
    assert len(RULE_IRIS) >= 25
    assert INVALID and VALID


def test_shapes_files_validate_against_shacl_for_shacl():
    for path in shape_files():
        conforms, _, text = meta_validate(Graph().parse(path))
        assert conforms, f"{path.name}: {text}"
    conforms, _, text = meta_validate(SHAPES)
    assert conforms, text


@pytest.mark.parametrize("path", shape_files(), ids=lambda p: p.name)
def test_each_shapes_file_has_an_ontology_header_and_its_own_prefixes(path: Path):
    graph = Graph().parse(path)
    (header,) = graph.subjects(RDF.type, OWL.Ontology)
    assert {v.language for v in graph.objects(header, RDFS.label)} == {"en", "nl"}
    for constraint in graph.subjects(SH.select, None):
        declared = graph.value(constraint, SH.prefixes)
        assert (declared, SH.declare, None) in graph, f"{constraint}: prefixes not in {path.name}"


def _referenced() -> set:
    """Shapes that other shapes refer to."""
    found = {o for p in (SH.node, SH.qualifiedValueShape, SH.property, SH["not"])
             for o in SHAPES.objects(None, p)}
    for lst in SHAPES.objects(None, SH["or"]):
        found |= set(SHAPES.items(lst))
    return found


def test_no_blank_node_shapes():
    shapes = (set(SHAPES.subjects(RDF.type, SH.NodeShape))
              | set(SHAPES.subjects(RDF.type, SH.PropertyShape)) | _referenced())
    assert shapes
    blank = [s for s in shapes if isinstance(s, BNode)]
    assert not blank, f"{len(blank)} blank-node shapes"
    assert all(str(s).startswith(str(CGSH)) for s in shapes)


def test_every_shape_has_a_type_and_helpers_a_comment():
    for shape in _referenced():
        assert (shape, RDF.type, None) in SHAPES, f"{shape} has no rdf:type"
        if shape not in RULES and (shape, SH.path, None) not in SHAPES:
            assert {c.language for c in SHAPES.objects(shape, RDFS.comment)} == {"en", "nl"}, shape


@pytest.mark.parametrize("shape", RULE_IRIS, ids=local_name)
def test_rule_is_documented(shape: URIRef, base: Graph):
    rule = RULES[shape]
    assert SHAPES.value(shape, SKOS.notation) is not None, "no skos:notation (rule name)"
    assert SHAPES.value(shape, SH.severity) in (SH.Violation, SH.Warning, SH.Info)
    for prop in (SH.message, SKOS.scopeNote, RDFS.label):
        langs = {v.language for v in SHAPES.objects(shape, prop)}
        assert langs == {"en", "nl"}, f"{prop} in {langs}, not en and nl"
    assert rule.measure is not None, "no cg:enforces"
    assert (rule.measure, RDF.type, CG.ImprovementMeasure) in base, f"{rule.measure}: no measure"


@pytest.mark.parametrize("shape", RULE_IRIS, ids=local_name)
def test_rule_has_fixtures(shape: URIRef):
    name = local_name(shape)
    assert (FIXTURES / f"{name}.valid.ttl").is_file(), f"no {name}.valid.ttl"
    assert list(FIXTURES.glob(f"{name}.invalid-*.ttl")), f"no {name}.invalid-NN.ttl"


@pytest.mark.parametrize("fixture", INVALID + VALID, ids=lambda p: p.name)
def test_fixture_is_named_after_a_rule_and_says_why(fixture: Path):
    assert _shape_of(fixture) in RULES, f"{fixture.name} names no rule"
    check_terms(parse_file(fixture), DECLARED, source=fixture)
    first = fixture.read_text(encoding="utf-8").splitlines()[0]
    kind = "Invalid" if ".invalid-" in fixture.name else "Valid"
    assert first.startswith(f"# {kind}: "), first


@pytest.mark.parametrize("fixture", INVALID, ids=lambda p: p.name)
def test_invalid_fixture_fails_because_of_its_shape(fixture: Path):
    shape = _shape_of(fixture)
    report = _audit(fixture)
    found = [f for f in report if f.shape == str(shape)]
    assert found, f"no finding from {shape}; findings: {[(f.rule, f.shape) for f in report]}"
    assert all(f.rule == RULES[shape].name and f.severity == RULES[shape].severity for f in found)


def _targets(graph: Graph, shape: URIRef) -> set:
    nodes = set()
    for cls in SHAPES.objects(shape, SH.targetClass):
        classes = set(graph.transitive_subjects(RDFS.subClassOf, cls))
        nodes |= {s for c in classes for s in graph.subjects(RDF.type, c)}
    for prop in SHAPES.objects(shape, SH.targetSubjectsOf):
        nodes |= set(graph.subjects(prop, None))
    return nodes


@pytest.mark.parametrize("fixture", VALID, ids=lambda p: p.name)
def test_valid_fixture_passes_its_shape(fixture: Path):
    shape = _shape_of(fixture)
    own = Graph().parse(fixture)
    targets = _targets(_with_base(fixture), shape) & set(own.subjects())
    assert targets, "the fixture has nothing the shape checks"
    report = _audit(fixture)
    found = [(f.rule, f.node, f.message) for f in report if f.shape == str(shape)]
    assert not found, found


def _eleven_proof(first_eight: str) -> str | None:
    """The nine-digit number starting with ``first_eight`` that passes the BSN eleven-test
    (None if no last digit makes it), made at run time so that no file of the repository holds
    one: a real citizen number cannot be told from a made-up one."""
    for last in range(10):
        digits = [int(d) for d in first_eight + str(last)]
        if (sum(w * d for w, d in zip(range(9, 1, -1), digits[:8], strict=True))
                - digits[8]) % 11 == 0:
            return first_eight + str(last)
    return None


def test_a_number_passing_the_bsn_eleven_test_in_free_text_is_flagged_by_both_engines(tmp_path):
    from chaingraph.audit import audit_files

    number = next(n for i in range(1, 50) if (n := _eleven_proof(f"1{i:07d}")))
    fixture = tmp_path / "FreeTextPersonalData.invalid-bsn.ttl"
    fixture.write_text(
        "# Invalid: the comment on an event holds a number that passes the BSN eleven-test.\n"
        "@prefix cg:  <https://w3id.org/chaingraph/ontology#> .\n"
        "@prefix mon: <https://w3id.org/chaingraph/monitor/> .\n"
        "@prefix prs: <https://w3id.org/chaingraph/person/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix :    <https://w3id.org/chaingraph/case/TEST/> .\n"
        ':case a cg:Case ; cg:caseId "TEST" ; cg:fictional true ;\n'
        '    cg:startDate "2021-01-01"^^xsd:date ; cg:endDate "2021-12-31"^^xsd:date ;\n'
        "    cg:victim prs:P-VICT1 .\n"
        'prs:P-VICT1 a cg:Person ; cg:pseudonym "P-VICT1" .\n'
        ':ev-1 a cg:Report ; cg:inCase :case ; cg:date "2021-01-01"^^xsd:date ;\n'
        "    cg:byOrganisation mon:org-politie ;\n"
        f'    rdfs:comment "Dossier gekoppeld aan {number} in het bronsysteem." .\n',
        encoding="utf-8")
    shape = str(CGSH["FreeTextPersonalData"])
    for report in (_audit(fixture), audit_files([fixture], at=AT, progress=False)):
        found = [f for f in report if f.shape == shape]
        assert [f.node for f in found] == ["ev-1"]
        assert number not in " ".join(f.message for f in found)  # the text is never repeated
        # the kind of personal data in the finding's language, the value itself a code
        assert [f.value for f in found] == ["citizen number (BSN)"]
        assert "(citizen number (BSN))" in found[0].texts["en"]["message"]
        assert "(burgerservicenummer (BSN))" in found[0].texts["nl"]["message"]
    near_miss = str((int(number) + 1) % 10**9).zfill(9)  # one off: fails the eleven-test
    fixture.write_text(fixture.read_text(encoding="utf-8").replace(number, near_miss),
                       encoding="utf-8")
    assert not [f for f in _audit(fixture) if f.shape == shape]
