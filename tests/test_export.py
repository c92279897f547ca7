"""``chaingraph export``: every WHAT in every format from the bundled data, without personal data.

The real clients (networkx, Graphviz, xmlschema, Chromium) are in test_export_clients.py.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections import defaultdict
from itertools import combinations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from chaingraph import export as export_command
from chaingraph.cli import main
from chaingraph.errors import ChaingraphError
from chaingraph.export import privacy, views
from chaingraph.export.content import render
from chaingraph.export.formats import FORMATS
from chaingraph.graph import case_files
from chaingraph.labels import label
from chaingraph.namespace import CG, PRS
from chaingraph.resources import CASES_DIR

CASE_IDS = [p.stem for p in case_files()]
JOBS = [("collaboration", None), ("chain", None)] + [
    (what, case_id) for case_id in CASE_IDS for what in ("collaboration", "case", "timeline")]
BINARY = {"png", "archimate-csv"}
CASE_INTERNAL_IRI = re.compile(r"https://w3id\.org/chaingraph/case/[^/\s\"'<>]+/(?!case\b)[\w.-]+")
PHASES = {"recognition": CG.PhaseRecognition, "risk": CG.PhaseRiskAssessment,
          "direction": CG.PhaseCaseDirection, "collaboration": CG.PhaseCollaboration,
          "other": CG.PhaseOther}


def test_parametrised_lists_are_not_empty():
    assert len(CASE_IDS) >= 8
    assert len(JOBS) == 2 + 3 * len(CASE_IDS)
    # the CLI offers exactly the formats there are
    assert tuple(FORMATS) == export_command.FORMAT_NAMES
    assert export_command.WHATS == views.VIEWS


@pytest.fixture(scope="module")
def person_identifiers(graph: Graph) -> set[str]:
    """Every cg:pseudonym value and every prs: IRI (and its local name) in the source, found
    here independently of chaingraph.export.privacy."""
    tokens = {str(o) for o in graph.objects(None, CG.pseudonym)}
    for s, _, o in graph:
        for term in (s, o):
            if isinstance(term, URIRef) and str(term).startswith(str(PRS)):
                tokens |= {str(term), str(term)[len(str(PRS)):]}
    assert len(tokens) > 20
    return tokens


@pytest.fixture(scope="module")
def exports(graph: Graph) -> dict[tuple[str, str | None, str], str | bytes]:
    """Every WHAT x FORMAT, for every example case where a case applies, made once."""
    tokens = privacy.identifiers(graph)
    made = {}
    for what, case_id in JOBS:
        view = views.build(graph, what, case_id=case_id)
        for fmt in FORMATS:
            made[(what, case_id, fmt)] = render(graph, view, fmt, tokens=tokens)
    return made


def texts(content: str | bytes, fmt: str) -> list[str]:
    """The text to scan in an export: a zip's members; a PNG through the DOT it came from."""
    if fmt == "archimate-csv":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:  # type: ignore[arg-type]
            return [archive.read(name).decode("utf-8") for name in archive.namelist()]
    if fmt == "png":
        return []
    assert isinstance(content, str)
    return [content]


@pytest.mark.parametrize(("what", "case_id"), JOBS)
def test_every_format_is_produced(exports, what, case_id):
    for fmt in FORMATS:
        content = exports[(what, case_id, fmt)]
        assert content, fmt
        assert isinstance(content, bytes) == (fmt in BINARY), fmt
        if fmt == "png":
            assert content[:8] == b"\x89PNG\r\n\x1a\n"
        elif fmt == "archimate-csv":
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                assert sorted(archive.namelist()) == ["elements.csv", "properties.csv",
                                                      "relations.csv"]
        elif fmt in ("node-link", "cytoscape", "jsonld"):
            json.loads(content)
        elif fmt in ("turtle",):
            Graph().parse(data=content, format="turtle")
        elif fmt in ("graphml", "gexf", "archimate", "svg"):
            assert content.lstrip().startswith("<?xml"), fmt
        elif fmt == "html":
            assert content.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(("what", "case_id"), JOBS)
def test_no_person_identifier_in_any_export(exports, person_identifiers, what, case_id):
    for fmt in FORMATS:
        for text in texts(exports[(what, case_id, fmt)], fmt):
            found = sorted(t for t in person_identifiers if t in text)
            assert not found, f"{what} {case_id} {fmt} contains {found[:3]}"
            assert "w3id.org/chaingraph/person" not in text, f"{what} {case_id} {fmt}"
            internal = CASE_INTERNAL_IRI.findall(text)
            assert not internal, f"{what} {case_id} {fmt} names case-internal nodes {internal[:3]}"


def test_persons_appear_as_their_roles(graph, exports):
    """Every role held in a case is in that case's exports, by its role label."""
    checked = 0
    for case_id in CASE_IDS:
        case_iri = views.find_case(graph, case_id)
        roles = {graph.value(a, CG.role) for a in graph.subjects(CG.inCase, case_iri)} - {None}
        page = exports[("case", case_id, "html")]
        for role in roles:
            name = label(graph, role, "en")
            assert name in page, f"{case_id}: {name}"
            checked += 1
    assert checked > 20


def _orgs_in(graph: Graph, thing: URIRef, props) -> set[URIRef]:
    return {o for p in props for o in graph.objects(thing, p) if isinstance(o, URIRef)}


def _subclasses(graph: Graph, cls: URIRef) -> set[URIRef]:
    return set(graph.transitive_subjects(RDFS.subClassOf, cls))


def test_collaboration_weights_count_what_organisations_share(graph):
    """The aggregate query against a plain Python count over the triples."""
    in_case = (CG.organisation, CG.byOrganisation, CG.participant, CG.fromOrganisation,
               CG.toOrganisation,
               CG.hostedBy)
    expected: dict[tuple[str, str], dict[str, set]] = defaultdict(lambda: defaultdict(set))

    def share(orgs, kind, thing):
        for a, b in combinations(sorted({views.node_id(o) for o in orgs}), 2):
            expected[(a, b)][kind].add(thing)

    for case_iri in graph.subjects(RDF.type, CG.Case):
        orgs = set()
        for member in graph.subjects(CG.inCase, case_iri):
            orgs |= _orgs_in(graph, member, in_case)
        share(orgs, "cases", case_iri)
    for cls, kind, props in ((CG.Agreement, "agreements", (CG.party,)),
                             (CG.Meeting, "meetings", (CG.participant, CG.hostedBy))):
        for sub in _subclasses(graph, cls):
            for thing in graph.subjects(RDF.type, sub):
                share(_orgs_in(graph, thing, props), kind, thing)
    view = views.collaboration(graph)
    got = {tuple(sorted((u, v))): d for u, v, d in view.edges(data=True)}
    assert set(got) == set(expected)
    for pair, kinds in expected.items():
        for kind in ("cases", "agreements", "meetings"):
            assert got[pair][kind] == len(kinds.get(kind, ())), (pair, kind)
        assert got[pair]["weight"] == sum(len(v) for v in kinds.values())
    assert all(n.startswith("org-") for n in view.nodes)


@pytest.mark.parametrize(("kind", "rule"), [("gap", "phase-gap"), ("overlap", "phase-overlap")])
def test_timeline_gaps_and_overlaps_are_exactly_the_known_flaws(graph, kind, rule):
    flaws = json.loads((CASES_DIR / "flaws.json").read_text())
    assert set(flaws) == set(CASE_IDS)
    seen = 0
    for case_id in CASE_IDS:
        known = sorted((label(graph, PHASES[f["phase"]], "en"), f["from"], f["to"])
                       for f in flaws[case_id] if f["rule"] == rule)
        found = sorted((i.lane.split(": ", 1)[1], i.start.isoformat(), i.end.isoformat())
                       for i in views.timeline_items(graph, case_id) if i.kind == kind)
        assert found == known, case_id
        seen += len(known)
    assert seen >= 1


def test_case_view_has_roles_phases_handovers_and_escalation_lines(graph):
    handovers = 0
    for case_id in CASE_IDS:
        view = views.case(graph, case_id)
        kinds = {k for _, k in view.nodes(data="kind")}
        assert kinds <= {"case", "role", "organisation", "phase", "instrument"}, case_id
        assert all(not n.startswith("P-") and "/" not in n for n in view.nodes), case_id
        assert not any("holders" in d for _, d in view.nodes(data=True))
        case_iri = views.find_case(graph, case_id)
        for phase in graph.objects(case_iri, CG.appliesPhase):
            assert view.has_edge("case", views.node_id(phase)), (case_id, phase)
        for event in graph.subjects(CG.inCase, case_iri):
            if (event, RDF.type, CG.Handover) in graph:
                a = views.node_id(graph.value(event, CG.fromOrganisation))
                b = views.node_id(graph.value(event, CG.toOrganisation))
                assert view.edges[a, b]["kind"] == "handover"
                handovers += 1
        for u, v, d in view.edges(data=True):
            if d["kind"] == "escalates-to":
                assert (view.nodes[u]["iri"], view.nodes[v]["iri"]) and (
                    URIRef(view.nodes[u]["iri"]), CG.escalatesTo,
                    URIRef(view.nodes[v]["iri"])) in graph
    assert handovers >= 1


def test_chain_view_has_every_organisation_role_and_escalation_line(graph):
    view = views.chain(graph)
    for org in graph.subjects(RDF.type, CG.Organisation):
        assert views.node_id(org) in view
    lines = list(graph.subject_objects(CG.escalatesTo))
    assert lines
    for a, b in lines:
        assert view.edges[views.node_id(a), views.node_id(b)]["kind"] == "escalates-to"
    assert {k for _, k in view.nodes(data="kind")} >= {"organisation", "role", "agreement",
                                                       "measure", "chain"}


def test_pseudonymised_mode_is_keyed_internal_and_off_by_default(graph, person_identifiers,
                                                                  tmp_path, capsys):
    key = tmp_path / "key"
    key.write_text("a secret key of the chain, 32 bytes\n")
    case_id = CASE_IDS[0]
    out = tmp_path / "internal.graphml"
    assert main(["export", "case", "--case", case_id, "--format", "graphml", "--output", str(out),
                 "--pseudonymise", str(key)]) == 0
    text = out.read_text()
    assert re.search(r"K-[0-9a-f]{12}", text) and "keyed pseudonyms" in text
    assert not [t for t in person_identifiers if t in text]
    assert main(["export", "case", "--case", case_id, "--format", "graphml", "--output",
                 str(out)]) == 0
    assert not re.search(r"K-[0-9a-f]{12}", out.read_text())
    assert main(["export", "chain", "--format", "csv", "--pseudonymise", str(key)]) == 2
    assert "case" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "says"), [
    (["export", "case", "--case", "FX-999", "--format", "dot"],
     "unknown case 'FX-999'; known: FX-001"),
    (["export", "case", "--case", "FX-001", "--format", "visio"],
     "unknown format 'visio'; known: graphml, gexf"),
    (["export", "everything", "--format", "dot"],
     "unknown export 'everything'; known: collaboration, case"),
    (["export", "timeline", "--format", "dot"], "'timeline' needs --case ID; known: FX-001"),
    (["export", "chain"], "--format is required; formats: graphml"),
    (["export", "chain", "--case", "FX-001", "--format", "dot"],
     "'chain' shows the whole chain and takes no --case"),
])
def test_bad_input_is_one_sentence_and_exit_2(argv, says, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert says in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_output_is_written_and_replaced_only_on_success(tmp_path, monkeypatch, capsys):
    target = tmp_path / "collaboration.dot"
    target.write_text("the previous export\n")
    assert main(["export", "collaboration", "--format", "dot", "--output", str(target)]) == 0
    assert target.read_text().startswith('graph "collaboration"')
    target.write_text("the previous export\n")

    from chaingraph.export import formats

    def broken(view):
        raise ChaingraphError("the renderer broke half-way")

    monkeypatch.setitem(formats.GRAPH_RENDERERS, "dot", broken)
    assert main(["export", "collaboration", "--format", "dot", "--output", str(target)]) == 2
    assert "broke half-way" in capsys.readouterr().err
    assert target.read_text() == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["collaboration.dot"]  # no temporary file left


def test_an_export_that_would_leak_is_refused_and_nothing_written(tmp_path, monkeypatch, capsys):
    """The last line of defence: the scan of the finished export (told 'police' is a person)."""
    target = tmp_path / "collaboration.mmd"
    monkeypatch.setattr(privacy, "identifiers", lambda graph: {"police"})
    assert main(["export", "collaboration", "--format", "mermaid", "--output", str(target)]) == 2
    assert "person identifier" in capsys.readouterr().err
    assert not target.exists()


def test_dutch_labels(capsys):
    assert main(["export", "chain", "--format", "mermaid", "--lang", "nl"]) == 0
    out = capsys.readouterr().out
    assert "De keten" in out and "escaleert naar" in out
