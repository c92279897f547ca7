"""The exports in the programs that open them: networkx, Graphviz, xmlschema, rdflib, Chromium."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import networkx as nx
import pytest
from rdflib import Graph

from chaingraph.export import privacy, views
from chaingraph.export.archimate import ELEMENT_TYPES
from chaingraph.export.content import render
from chaingraph.graph import case_files

FIXTURES = Path(__file__).parent / "fixtures"
CASE_IDS = [p.stem for p in case_files()]
JOBS = [("collaboration", None), ("chain", None)] + [
    (what, case_id) for case_id in CASE_IDS for what in ("collaboration", "case", "timeline")]


def test_parametrised_lists_are_not_empty():
    assert len(CASE_IDS) >= 8 and len(JOBS) > 20
    assert {"FX-005", "FX-008"} <= set(CASE_IDS)


@pytest.fixture(scope="module")
def built(graph: Graph) -> dict[tuple[str, str | None], nx.Graph]:
    return {(what, case_id): views.build(graph, what, case_id=case_id) for what, case_id in JOBS}


@pytest.fixture(scope="module")
def tokens(graph: Graph) -> set[str]:
    return privacy.identifiers(graph)


def _edges(view: nx.Graph) -> set:
    return {frozenset(e) if not view.is_directed() else e for e in view.edges()}


@pytest.mark.parametrize(("what", "case_id"), JOBS)
def test_networkx_reads_graphml_and_gexf_back(graph, built, tokens, tmp_path, what, case_id):
    view = built[(what, case_id)]
    for fmt, reader in (("graphml", nx.read_graphml),
                        ("gexf", lambda p: nx.read_gexf(p, relabel=False))):
        path = tmp_path / f"view.{fmt}"
        path.write_text(render(graph, view, fmt, tokens=tokens))
        back = reader(path)
        assert set(back.nodes) == set(view.nodes), fmt
        assert _edges(back) == _edges(view), fmt
        for u, v, data in view.edges(data=True):
            if "weight" in data:
                assert float(back.edges[u, v]["weight"]) == float(data["weight"]), (fmt, u, v)
        for node, data in view.nodes(data=True):
            assert back.nodes[node]["label"] == data["label"], (fmt, node)


@pytest.mark.parametrize(("what", "case_id"), JOBS)
def test_graphviz_renders_every_dot_export(graph, built, tokens, what, case_id):
    dot = shutil.which("dot")
    assert dot, "Graphviz is needed: apt-get install graphviz (make test installs it)"
    source = render(graph, built[(what, case_id)], "dot", tokens=tokens)
    done = subprocess.run([dot, "-Tsvg"], input=source.encode(), capture_output=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr.decode()
    assert not done.stderr.strip(), done.stderr.decode()  # no warnings either
    svg = ET.fromstring(done.stdout)
    titles = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}title")}
    assert set(built[(what, case_id)].nodes) <= titles


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated")
@pytest.mark.parametrize(("what", "case_id"), JOBS)
def test_json_csv_and_rdf_read_back(graph, built, tokens, what, case_id):
    view = built[(what, case_id)]
    back = nx.node_link_graph(json.loads(render(graph, view, "node-link", tokens=tokens)),
                              edges="edges")
    assert set(back.nodes) == set(view.nodes) and _edges(back) == _edges(view)
    back = nx.cytoscape_graph(json.loads(render(graph, view, "cytoscape", tokens=tokens)))
    assert set(back.nodes) == set(view.nodes) and _edges(back) == _edges(view)
    rows = list(csv.DictReader(io.StringIO(render(graph, view, "csv", tokens=tokens))))
    assert {(r["source"], r["target"]) for r in rows} == set(view.edges())
    turtle = Graph().parse(data=render(graph, view, "turtle", tokens=tokens), format="turtle")
    jsonld = Graph().parse(data=render(graph, view, "jsonld", tokens=tokens), format="json-ld")
    assert len(turtle) == len(jsonld) > 0
    mermaid = render(graph, view, "mermaid", tokens=tokens).splitlines()
    assert mermaid[1].startswith("flowchart") and len(mermaid) > view.number_of_nodes()


@pytest.fixture(scope="module")
def archimate_schema():
    import xmlschema

    return xmlschema.XMLSchema(str(FIXTURES / "archimate3-xsd" / "archimate3_Diagram.xsd"))


def test_archimate_schemas_carry_their_licence():
    assert "MIT" in (FIXTURES / "archimate3-xsd" / "LICENSE.txt").read_text()


# xmlschema takes 1-4 s a model (the identity constraints), so the full schema check runs on
# every WHAT for a sound case and two flawed ones; every model gets the structural check below.
SCHEMA_JOBS = [("collaboration", None), ("chain", None)] + [
    (what, case_id) for case_id in (CASE_IDS[1], "FX-005", "FX-008")
    for what in ("collaboration", "case", "timeline")]


@pytest.mark.parametrize(("what", "case_id"), SCHEMA_JOBS)
def test_archimate_validates_against_the_open_group_schema(graph, built, tokens, archimate_schema,
                                                           what, case_id):
    xml = render(graph, built[(what, case_id)], "archimate", tokens=tokens)
    errors = list(archimate_schema.iter_errors(xml))
    assert not errors, errors[0]


@pytest.mark.parametrize(("what", "case_id"), JOBS)
def test_archimate_models_are_whole(graph, built, tokens, what, case_id):
    view = built[(what, case_id)]
    xml = render(graph, view, "archimate", tokens=tokens)
    ns = {"a": "http://www.opengroup.org/xsd/archimate/3.0/"}
    xsi_type = "{http://www.w3.org/2001/XMLSchema-instance}type"
    root = ET.fromstring(xml)
    elements = {e.get("identifier"): e.get(xsi_type)
                for e in root.iterfind("a:elements/a:element", ns)}
    assert set(elements.values()) <= set(ELEMENT_TYPES.values())
    assert all(re.fullmatch(r"[A-Za-z_][\w.-]*", i) for i in elements)  # valid xs:ID
    for rel in root.iterfind("a:relationships/a:relationship", ns):
        assert rel.get("source") in elements and rel.get("target") in elements
        if rel.get(xsi_type) == "Assignment":
            assert elements[rel.get("source")] in ("BusinessActor", "BusinessRole",
                                                   "BusinessCollaboration")
    assert len(root.findall(".//a:view/a:node",
                            ns)) == view.number_of_nodes()  # it opens with a picture
    with zipfile.ZipFile(io.BytesIO(render(graph, view, "archimate-csv",
                                           tokens=tokens))) as archive:
        elements = list(csv.DictReader(io.StringIO(archive.read("elements.csv").decode())))
        relations = list(csv.DictReader(io.StringIO(archive.read("relations.csv").decode())))
    ids = {e["ID"] for e in elements}
    assert elements[0]["Type"] == "ArchimateModel" and len(elements) == view.number_of_nodes() + 1
    assert all(r["Source"] in ids and r["Target"] in ids for r in relations)


def test_the_schema_check_catches_a_dangling_relationship(graph, built, tokens, archimate_schema):
    xml = render(graph, built[("chain", None)], "archimate", tokens=tokens)
    broken = xml.replace('target="id-org-politie"', 'target="id-org-nowhere"', 1)
    assert broken != xml
    assert list(archimate_schema.iter_errors(broken))


HTML_JOBS = [("collaboration", None), ("chain", None), ("case", CASE_IDS[1]),
             ("timeline", CASE_IDS[4])]


@pytest.mark.parametrize(("what", "case_id"), HTML_JOBS)
def test_html_page_opens_offline_in_chromium_and_shows_the_organisations(
        graph, built, tokens, browser, tmp_path, what, case_id):
    view = built[(what, case_id)]
    page_file = tmp_path / "page.html"
    page_file.write_text(render(graph, view, "html", tokens=tokens), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    problems: list[str] = []
    fetched: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(page_file.as_uri())
    page.wait_for_load_state("load")
    assert not problems
    assert all(url.startswith(("file:", "data:")) for url in fetched), fetched  # none from the web
    organisations = [d["label"] for _, d in view.nodes(data=True)
                     if d.get("kind") == "organisation"]
    assert organisations
    picture = " ".join(page.locator("#picture svg text").all_text_contents())
    for name in organisations:
        assert name in picture, name
        assert page.locator("#picture svg text", has_text=name).first.is_visible(), name
    assert page.locator("h2", has_text="Legend").is_visible()
    assert page.locator("h2", has_text="Timeline").is_visible()
    # Interactive: clicking an organisation lists what it is connected to.
    first = next(n for n, d in view.nodes(data=True)
                 if d.get("kind") == "organisation" and view.degree(n))
    # Graphviz's nodes carry their id as their <title>; chaingraph's own pictures (timeline,
    # collaboration) as data-node
    own = page.locator(f"#picture [data-node='{first}'] text, #picture text[data-node='{first}']")
    (own if own.count() else page.locator(
        "#picture g.node", has=page.locator(f"title:text-is('{first}')"))).first.click()
    assert page.locator("#details li").count() == view.degree(first)
    assert page.locator("#details h3").inner_text() == view.nodes[first]["label"]
    shot = tmp_path / "page.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    page.close()
