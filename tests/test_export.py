"""``chaingraph export``: every WHAT in every format from the bundled data, without personal data.

The real clients (networkx, Graphviz, xmlschema, Chromium) are in test_export_clients.py.
"""

from __future__ import annotations

import datetime as dt
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


@pytest.mark.parametrize(("fmt", "name"), [("mermaid", "collaboration.mmd"),
                                           ("png", "collaboration.png")])
def test_an_export_that_would_leak_is_refused_and_nothing_written(tmp_path, monkeypatch, capsys,
                                                                  fmt, name):
    """The last line of defence: the scan of the finished export (told 'police' is a person);
    a PNG is checked through the SVG it was drawn from."""
    target = tmp_path / name
    monkeypatch.setattr(privacy, "identifiers", lambda graph: {"police"})
    assert main(["export", "collaboration", "--format", fmt, "--output", str(target)]) == 2
    assert "person identifier" in capsys.readouterr().err
    assert not target.exists()


def test_dutch_labels(capsys):
    assert main(["export", "chain", "--format", "mermaid", "--lang", "nl"]) == 0
    out = capsys.readouterr().out
    assert "De keten" in out and "escaleert naar" in out


# ----------------------------------------------------------------------------- the pictures
# `export timeline|collaboration --format svg|png|html` draw the web pages' pictures
# (chaingraph.pictures), not Graphviz's graph.

SVG_NS = "{http://www.w3.org/2000/svg}"


def _classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def _gap_case(graph: Graph) -> tuple[str, int]:
    """A case in which `chaingraph who` finds a gap, and how many."""
    from chaingraph.responsibility import responsibilities

    for case_id in CASE_IDS:
        gaps = [f for f in responsibilities(graph, case_id).as_dict()["findings"]
                if f["kind"] == "gap"]
        if gaps:
            return case_id, len(gaps)
    raise AssertionError("no example case has a gap")


def test_exported_timeline_svg_has_the_lanes_of_the_case_page(graph):
    import xml.etree.ElementTree as ET

    from chaingraph import pictures
    from chaingraph.catalogue import text

    case_id, gaps = _gap_case(graph)
    svg = export_command_export(graph, "timeline", "svg", case_id=case_id)
    assert svg == export_command_export(graph, "timeline", "svg", case_id=case_id)  # same bytes
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg" and "timeline" in _classes(root)
    lanes = {}
    for lane in root.iter(f"{SVG_NS}g"):
        if "tl-lane" in _classes(lane):
            name = lane.find(f"{SVG_NS}text[@class='tl-name']/{SVG_NS}title").text
            lanes[name] = lane
    kinds = {name: _classes(lane) - {"tl-lane"} for name, lane in lanes.items()}
    assert {"risk", "direction"} <= {n for n, k in kinds.items() if k == {"tl-phase"}}
    assert {"police", "VTRR"} <= {n for n, k in kinds.items() if k == {"tl-organisation"}}
    assert kinds[text("web.lane.case", "en")] == {"tl-case"}
    # every gap `who` finds is a bar of the gap class, in a phase lane
    in_phases = [bar for name, lane in lanes.items() if kinds[name] == {"tl-phase"}
                 for bar in lane.iter(f"{SVG_NS}g") if {"tl-bar", "tl-gap"} <= _classes(bar)]
    everywhere = [bar for bar in root.iter(f"{SVG_NS}g") if {"tl-bar", "tl-gap"} <= _classes(bar)]
    legend = [g for g in root.iter(f"{SVG_NS}g") if "tl-legend" in _classes(g)]
    assert len(legend) == 1 and len(list(legend[0].iter(f"{SVG_NS}rect"))) >= 4
    assert len(in_phases) == len(everywhere) - 1 == gaps  # less the legend's swatch
    # its own rules, the colours written out (a standalone file has no page around it)
    style = root.find(f"{SVG_NS}style").text
    assert style == pictures.style() and "var(" not in style
    assert ".tl-gap rect{fill:#c62828}" in style
    # a visible heading and the legend, in the catalogue's words
    shown = " ".join(t.text or "" for t in root.iter(f"{SVG_NS}text"))
    assert text("export.timeline-title", "en").format(case=case_id) in shown
    assert text("export.legend.gap", "en") in shown and text("export.case-period", "en") in shown


def export_command_export(graph, what, fmt, **kwargs):
    from chaingraph.export.content import export

    return export(graph, what, fmt, **kwargs)


def test_exported_timeline_speaks_dutch(graph):
    from chaingraph.catalogue import text

    case_id, _ = _gap_case(graph)
    svg = export_command_export(graph, "timeline", "svg", case_id=case_id, lang="nl")
    for key in ("web.lane.case", "web.lane.instruments", "export.legend.gap",
                "export.case-period"):
        assert f">{text(key, 'nl')}<" in svg, key
    assert ">risico<" in svg and ">risk<" not in svg


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    import struct

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(data):
        (size,) = struct.unpack(">I", data[at:at + 4])
        chunks.append((data[at + 4:at + 8], data[at + 8:at + 8 + size]))
        at += 12 + size
    return chunks


@pytest.mark.parametrize(("what", "case_id"), [("timeline", "FX-008"), ("collaboration", None)])
def test_exported_png_is_1920_wide_without_a_date_and_the_same_twice(graph, what, case_id):
    import struct

    first = export_command_export(graph, what, "png", case_id=case_id)
    assert isinstance(first, bytes)
    assert first == export_command_export(graph, what, "png", case_id=case_id)
    chunks = _png_chunks(first)
    width, height = struct.unpack(">II", chunks[0][1][:8])
    assert chunks[0][0] == b"IHDR" and width == 1920 and height > 500
    assert not {kind for kind, _ in chunks} & {b"tIME", b"tEXt", b"zTXt", b"iTXt", b"eXIf"}


def test_no_cairo_is_one_sentence_naming_the_debian_package(monkeypatch, capsys):
    import sys

    monkeypatch.setitem(sys.modules, "cairosvg", None)  # import cairosvg raises ImportError
    assert main(["export", "collaboration", "--format", "png"]) == 2
    err = capsys.readouterr().err
    assert "libcairo2" in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_exported_collaboration_is_the_fitted_circle_of_the_page(graph):
    import xml.etree.ElementTree as ET

    view = views.build(graph, "collaboration")
    svg = export_command_export(graph, "collaboration", "svg")
    root = ET.fromstring(svg)
    assert "collaboration" in _classes(root) and root.find(f"{SVG_NS}style") is not None
    names = [t.text for g in root.iter(f"{SVG_NS}g") if "co-org" in _classes(g)
             for t in g.iter(f"{SVG_NS}text")]
    assert sorted(names) == sorted(d["label"] for _, d in view.nodes(data=True))
    lines = [e for e in root.iter(f"{SVG_NS}line") if "co-line" in _classes(e)]
    assert len(lines) == view.number_of_edges()
    assert not list(root.iter(f"{SVG_NS}a"))  # a file: no links to the web app
    # fitted: every dot lies inside the viewBox
    left, top, wide, tall = map(float, root.get("viewBox").split())
    for circle in root.iter(f"{SVG_NS}circle"):
        x, y, r = (float(circle.get(k)) for k in ("cx", "cy", "r"))
        assert left <= x - r and x + r <= left + wide and top <= y - r and y + r <= top + tall


@pytest.mark.parametrize(("many", "along_the_radius"), [(8, False), (36, True)])
def test_collaboration_names_never_overlap_however_many(many, along_the_radius):
    import math
    from itertools import combinations

    import networkx as nx

    from chaingraph.pictures.collaboration import NAME_HEIGHT, frame, layout, name_boxes

    view = nx.Graph()
    for n in range(many):
        view.add_node(f"org-{n}", label=f"Organisation number {n} of the region"[: 8 + n % 30],
                      cases=n)
    where, radial = layout(view)
    assert radial == along_the_radius
    boxes = name_boxes(view, where, radial)
    if not radial:  # level names: no two boxes meet
        for (a, box_a), (b, box_b) in combinations(boxes.items(), 2):
            apart = (box_a[2] <= box_b[0] or box_b[2] <= box_a[0] or box_a[3] <= box_b[1]
                     or box_b[3] <= box_a[1])
            assert apart, (a, b)
    else:  # names along the radius part from each other outwards: their starts are apart
        centre = (sum(x for x, _, _ in where.values()) / many,
                  sum(y for _, y, _ in where.values()) / many)
        radius = math.dist(centre, next(iter(where.values()))[:2])
        assert 2 * radius * math.sin(math.pi / many) >= NAME_HEIGHT
    left, top, right, bottom = frame(view, where, radial)
    assert all(left <= b[0] and b[2] <= right and top <= b[1] and b[3] <= bottom
               for b in boxes.values())


@pytest.mark.parametrize(("what", "case_id"), [("timeline", "FX-008"), ("case", "FX-008"),
                                               ("collaboration", None), ("chain", None)])
def test_exported_page_shows_the_lane_timeline_and_the_circle(exports, what, case_id):
    page = exports[(what, case_id, "html")]
    assert isinstance(page, str)
    svgs = re.findall(r"<svg\b[^>]*>", page)
    timelines = [s for s in svgs if 'class="timeline"' in s]
    assert len(timelines) == 1, what  # once: as the picture of a timeline, else below it
    assert 'class="tl-lane tl-' in page and "var(" not in page.split("</style>")[0]
    assert ".tl-gap rect{fill:#c62828}" in page  # the pictures' rules, in the page's style
    if what == "timeline":
        assert 'class="tl-lane tl-phase"' in page and 'class="tl-bar tl-overlap' in page
        picture = page.split('id="picture">', 1)[1]
        assert picture.startswith("<svg") and 'class="timeline"' in picture[:200]
    if what == "collaboration":
        assert any('class="collaboration"' in s for s in svgs)
        assert 'class="co-org" data-node="org-politie"' in page
    if what in ("case", "chain"):
        assert "<!-- Generated by graphviz" not in page and 'class="node"' in page  # Graphviz


def test_archimate_collaboration_diagram_follows_the_page_layout(graph):
    import xml.etree.ElementTree as ET

    from chaingraph.pictures.collaboration import positions

    view = views.build(graph, "collaboration")
    xml = render(graph, view, "archimate")
    ns = {"a": "http://www.opengroup.org/xsd/archimate/3.0/"}
    centres = {}
    for box in ET.fromstring(xml).iterfind(".//a:view/a:node", ns):
        x, y, w, h = (int(box.get(k)) for k in ("x", "y", "w", "h"))
        centres[box.get("elementRef").removeprefix("id-")] = (x + w / 2, y + h / 2)
    where = positions(view)
    assert set(centres) == set(where)
    nodes = sorted(where)
    a, b = max(((p, q) for p in nodes for q in nodes),
               key=lambda pq: abs(where[pq[0]][0] - where[pq[1]][0]))
    scale = (centres[a][0] - centres[b][0]) / (where[a][0] - where[b][0])
    assert scale >= 1
    for n in nodes:  # one scale and one shift take the page's circle to the diagram
        for axis in (0, 1):
            expected = centres[a][axis] + scale * (where[n][axis] - where[a][axis])
            assert abs(centres[n][axis] - expected) <= 1.5, (n, axis)
    # and no two boxes overlap
    boxes = [(c[0] - 60, c[1] - 27.5, c[0] + 60, c[1] + 27.5) for c in centres.values()]
    for p, q in combinations(boxes, 2):
        assert p[2] <= q[0] or q[2] <= p[0] or p[3] <= q[1] or q[3] <= p[1]


def test_the_pictures_rules_have_one_source():
    from chaingraph import pictures

    web_css = (pictures.CSS_FILE.parent / "web.css").read_text()
    assert '@import url("pictures.css");' in web_css.split("}", 1)[0]  # first, as CSS wants
    rules = pictures.rules()
    for rule in (".tl-gap rect", ".co-org circle", ".tl-name", "--gap:"):
        assert rule in rules and rule not in web_css, rule
    # every class the pictures draw with has a rule there
    from chaingraph.pictures import collaboration, timeline

    day = dt.date(2021, 3, 1)
    items = [views.Item(f"i{n}", kind, kind, day, day if kind in timeline.MARKS else None,
                        "phase: risk" if kind in ("ownership", "gap", "overlap") else "x",
                        ("org-a",))
             for n, kind in enumerate(timeline.LEGEND_KINDS)]
    drawn = timeline.svg(items, organisations={"org-a": "A"}, today=day, names={
        "case": "case", "instruments": "i", "events": "e", "phase": "phase"})
    import networkx as nx

    view = nx.Graph()
    view.add_edge("a", "b", weight=1)
    drawn += collaboration.svg(view, selected="a")
    used = {c for found in re.findall(r'class="([^"]*)"', str(drawn)) for c in found.split()}
    used -= {"timeline", "collaboration", "tl-lane", "tl-bar", "tl-phase", "tl-organisation",
             "tl-events", "tl-instruments", "tl-event", "tl-running", "off"}  # none needed
    missing = {c for c in used if f".{c}" not in rules}
    assert not missing, missing
