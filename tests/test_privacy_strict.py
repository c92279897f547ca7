"""The export's privacy check is strict (issues 13 and 16): no escaping hides a person.

Each case below adds a fictional case to the bundled data whose labels name a person in
a way the old check missed (``-`` written ``&#45;`` in SVG; ``&`` and ``"`` escaped in
XML, HTML, JSON and DOT; a ``foaf:name``; a pseudonym of two characters; a pseudonym of
another case), and every one of the 14 formats must refuse it. Free text on case nodes
(``rdfs:comment`` with a name, street and phone number) never reaches any format, and
with ``--pseudonymise`` every format carries the keyed pseudonyms and the internal mark.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

from chaingraph import load
from chaingraph.errors import PersonalDataLeak
from chaingraph.export import privacy, views
from chaingraph.export.content import export, marked, render
from chaingraph.export.formats import FORMATS, render_dot
from chaingraph.export.subgraph import PREDICATES
from chaingraph.namespace import CG
from chaingraph.resources import CASES_DIR

CASE = '''
@prefix cg:  <https://w3id.org/chaingraph/ontology#> .
@prefix mon: <https://w3id.org/chaingraph/monitor/> .
@prefix prs: <https://w3id.org/chaingraph/person/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix :    <https://w3id.org/chaingraph/case/PX-001/> .

mon:org-team a cg:Organisation ; skos:prefLabel "LABEL"@en ; skos:altLabel "team" .
mon:role-team a cg:Role ; cg:heldAt mon:org-team ; skos:prefLabel "ROLE"@en .

:case a cg:Case ; cg:caseId "PX-001" ; cg:startDate "2021-03-01"^^xsd:date ;
    cg:endDate "2021-06-01"^^xsd:date ; cg:appliesPhase cg:PhaseRecognition ;
    cg:victim <https://w3id.org/chaingraph/person/Q-A%26B> ; cg:suspect prs:AB ;
    rdfs:comment "COMMENT-CASE Jan Jansen, Dorpsstraat 12, 1234 AB Utrecht, 06-12345678" .
:own-1 a cg:PhaseOwnership ; cg:inCase :case ; cg:phase cg:PhaseRecognition ;
    cg:organisation mon:org-team ; cg:role mon:role-team ; cg:holder prs:P-PX1 ;
    cg:responsibility cg:Owns ; cg:startDate "2021-03-01"^^xsd:date ;
    cg:endDate "2021-06-01"^^xsd:date ; rdfs:label "LABEL-ASSIGNMENT Piet Pietersen" ;
    rdfs:comment "COMMENT-ASSIGNMENT spoke to Jan Jansen, Dorpsstraat 12, 06-12345678" .
:ev-1 a cg:Report ; cg:inCase :case ; cg:date "2021-03-02"^^xsd:date ;
    cg:byOrganisation mon:org-team ;
    rdfs:comment "COMMENT-EVENT Jan Jansen lives at Dorpsstraat 12, phone 06-12345678" .
<https://w3id.org/chaingraph/person/Q-A%26B> a cg:Person ; cg:pseudonym "Q-A&B\\"C" .
prs:AB a cg:Person ; cg:pseudonym "AB" ; foaf:name "Jan Jansen" .
prs:P-PX1 a cg:Professional ; cg:pseudonym "P-PX1" .
'''

OTHER_CASE = CASES_DIR / "FX-001.ttl"
JOBS = [("case", "PX-001"), ("timeline", "PX-001"), ("collaboration", "PX-001")]

# What the role's label says in each leak, and the person it names.
LEAKS = {
    "svg-dash": "team of P-PX1",  # P&#45;PX1 in SVG
    "escaped-amp-quote": 'team of Q-A&B"C',  # &amp; &quot; \u0026 \" in the formats
    "foaf-name": "team of Jan Jansen",  # a literal on a person other than its pseudonym
    "short-pseudonym": "team AB",  # two characters, a word of its own
    "other-case": "team of P-V706U",  # a pseudonym of FX-001, not of this case
}


def _graph(tmp_path, role_label: str = "ROLE") -> Graph:
    path = tmp_path / "PX-001.ttl"
    path.write_text(CASE.replace('"ROLE"@en', f'"{_turtle(role_label)}"@en'), encoding="utf-8")
    return load([path, OTHER_CASE], check=False)


def _turtle(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _texts(content: str | bytes) -> list[str]:
    if isinstance(content, bytes) and content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return [archive.read(name).decode("utf-8") for name in archive.namelist()]
    return [content] if isinstance(content, str) else []


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Graph:
    return _graph(tmp_path_factory.mktemp("clean"))


def test_the_clean_case_exports_in_every_format(clean):
    made = 0
    for what, case_id in JOBS:
        for fmt in FORMATS:
            assert export(clean, what, fmt, case_id=case_id)
            made += 1
    assert made == len(JOBS) * len(FORMATS) == 42


@pytest.mark.parametrize("leak", sorted(LEAKS))
def test_a_label_naming_a_person_is_refused_in_every_format(tmp_path, leak):
    graph = _graph(tmp_path, LEAKS[leak])
    refused = []
    for fmt in FORMATS:
        with pytest.raises(PersonalDataLeak):
            export(graph, "case", fmt, case_id="PX-001")
        refused.append(fmt)
    assert refused == list(FORMATS)


@pytest.mark.parametrize("fmt", ["svg", "graphml", "html", "node-link", "dot", "archimate"])
def test_the_rendered_output_is_checked_after_undoing_its_escaping(clean, fmt):
    """The last line of defence alone: the output (not the view) against the identifiers."""
    view = views.build(clean, "case", case_id="PX-001")
    content = render(clean, view, fmt)
    tampered = _texts(content)[0].replace("LABEL", _escaped(fmt, 'Q-A&B"C'))
    with pytest.raises(PersonalDataLeak):
        privacy.check(tampered, {'Q-A&B"C'}, fmt=fmt)
    assert 'Q-A&B"C' not in tampered  # only the escaped form is there


def _escaped(fmt: str, text: str) -> str:
    if fmt in ("svg", "graphml", "archimate", "html"):
        return text.replace("&", "&amp;").replace('"', "&quot;").replace("-", "&#45;")
    if fmt == "node-link":
        return text.replace("&", "\\u0026").replace('"', '\\"')
    return text.replace('"', '\\"')


def test_short_identifiers_match_whole_words_only(tmp_path):
    """"AB" (a pseudonym) inside "LABEL" or "TABLE" is no leak; "AB" on its own is."""
    graph = _graph(tmp_path, "TABLE of LABELS")
    for fmt in FORMATS:
        assert export(graph, "case", fmt, case_id="PX-001")


def test_identifiers_are_every_text_literal_on_the_cases_persons(clean):
    view = views.build(clean, "case", case_id="PX-001")
    case_iri = views.find_case(clean, "PX-001")
    scope = privacy.scope(clean, view, cases=[case_iri])
    found = privacy.identifiers(scope)
    assert {"AB", "Jan Jansen", 'Q-A&B"C', "P-PX1"} <= found
    assert "P-V706U" not in found  # another case's person: found by look-up, not by scope
    assert privacy.lookup(clean, ["held by P-V706U."]) == {"P-V706U"}
    assert len(scope) < 200  # the case's triples and its persons', not the store


@pytest.mark.parametrize(("what", "case_id"), JOBS)
def test_free_text_reaches_no_format(clean, what, case_id):
    for fmt in FORMATS:
        for text in _texts(export(clean, what, fmt, case_id=case_id)):
            for marker in ("COMMENT-", "LABEL-ASSIGNMENT", "Dorpsstraat", "06-12345678",
                           "Piet Pietersen"):
                assert marker not in text, (what, fmt, marker)


def test_rdf_exports_carry_only_the_listed_predicates(clean, tmp_path):
    """Every predicate of a turtle export is in its view's list, on the example cases too."""
    checked = 0
    for what, case_id in [*JOBS, ("timeline", "FX-001"), ("case", "FX-001"), ("chain", None)]:
        turtle = export(clean, what, "turtle", case_id=case_id)
        sub = Graph().parse(data=turtle, format="turtle")
        used = set(sub.predicates())
        allowed = PREDICATES[what] | {SKOS.prefLabel, SKOS.altLabel, RDFS.label}
        assert used and used <= allowed, (what, used - allowed)
        assert RDFS.comment not in used and DCTERMS.description not in used
        checked += 1
    assert checked == 6


KEYED = re.compile(r"K-[0-9a-f]{12}")


def test_pseudonymised_every_format_carries_the_keys_and_the_mark(tmp_path):
    graph = load()
    key = privacy.keyed(b"a secret key of the chain, 32 bytes")
    view = views.build(graph, "case", case_id="FX-001", pseudonymise=key)
    mark = view.graph["internal"]
    for fmt in FORMATS:
        content = export(graph, "case", fmt, case_id="FX-001", pseudonymise=key)
        texts = _texts(content) if fmt != "png" else [render_dot(marked(view))]
        joined = "\n".join(privacy.readable(t, fmt) for t in texts)
        assert KEYED.search(joined), fmt
        assert mark.split(":")[0] in joined, fmt  # "keyed pseudonyms"
    plain = export(graph, "case", "turtle", case_id="FX-001")
    assert not KEYED.search(plain)  # type: ignore[arg-type]


def test_the_check_reads_no_whole_store(clean, monkeypatch):
    """The persons of the whole store are never collected (the old check's two full scans)."""
    def whole(graph):
        raise AssertionError("a scan of every person in the store")

    monkeypatch.setattr(privacy, "_query_person_rows", whole)
    for what, case_id in [*JOBS, ("chain", None)]:
        assert export(clean, what, "csv", case_id=case_id)


def test_person_iri_and_pseudonym_are_found_in_a_store(tmp_path):
    """The look-up and the scope on Oxigraph (the backend of a region's store)."""
    from chaingraph.backends import open_oxigraph

    path = tmp_path / "PX-001.ttl"
    path.write_text(CASE.replace('"ROLE"@en', '"team of P-V706U"@en'), encoding="utf-8")
    graph = open_oxigraph([path, OTHER_CASE], progress=False)
    assert (None, CG.pseudonym, Literal("P-V706U")) in graph
    assert privacy.lookup(graph, ["x P-V706U y", "https://w3id.org/chaingraph/person/P-PX1"]) \
        == {"P-V706U", "P-PX1", "https://w3id.org/chaingraph/person/P-PX1"}
    with pytest.raises(PersonalDataLeak):
        export(graph, "timeline", "svg", case_id="PX-001")
    view = views.build(graph, "case", case_id="PX-001")
    scope = privacy.scope(graph, view, cases=[URIRef(views.find_case(graph, "PX-001"))])
    assert "P-PX1" in privacy.identifiers(scope)
