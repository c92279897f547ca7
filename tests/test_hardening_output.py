"""Outputs are well-formed and inert whatever the data says (issue 16).

A hostile organisation, role and improvement measure (control characters, ``<script>``,
``javascript:``, formula prefixes in their labels) go through every writer: every XML
export parses with a strict parser, the HTML pages hold no raw control character, no
script, handler or link from the data, the Markdown no raw HTML, every CSV cell is inert.
And the same export gives the same bytes in two processes with different hash seeds.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from rdflib import Graph

from chaingraph import escape, load
from chaingraph.export import views
from chaingraph.export.content import render
from chaingraph.export.formats import FORMATS
from chaingraph.monitor import render_markdown
from chaingraph.raci import raci, to_csv, to_markdown
from chaingraph.sparql import run_query

HOSTILE = r'''
@prefix cg:  <https://w3id.org/chaingraph/ontology#> .
@prefix mon: <https://w3id.org/chaingraph/monitor/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix :    <https://w3id.org/chaingraph/case/HX-001/> .

mon:org-evil a cg:Organisation ;
    skos:prefLabel
        "=HYPERLINK(\"http://x\") ctl\u0001\u000B\uFFFE\u0085 <script>alert(1)</script>"@en ;
    skos:altLabel "@SUM(1) <script>alert(7)</script> javascript:alert(1)" .
mon:role-evil a cg:Role ; cg:heldAt mon:org-evil ;
    skos:prefLabel
        "+SUM(1) @cmd -2+3 <img src=x onerror=alert(1)> [x](javascript:alert(2)) a|b"@en .
mon:measure-evil a cg:ImprovementMeasure ; skos:notation "4.1-9" ; cg:order 99 ;
    skos:prefLabel "4.1-9 <script>alert(3)</script> measure\u0001"@en ;
    dcterms:source mon:section-4.1 ; cg:owner mon:org-evil ;
    cg:statusText "<img src=x onerror=alert(4)> [y](javascript:alert(5))"@en ;
    cg:attentionPoint "<iframe src=javascript:alert(6)>"@en .

:case a cg:Case ; cg:caseId "HX-001" ; cg:startDate "2021-03-01"^^xsd:date ;
    cg:endDate "2021-06-01"^^xsd:date ; cg:appliesPhase cg:PhaseRecognition .
:own-1 a cg:PhaseOwnership ; cg:inCase :case ; cg:phase cg:PhaseRecognition ;
    cg:organisation mon:org-evil ; cg:role mon:role-evil ; cg:responsibility cg:Owns ;
    cg:startDate "2021-03-01"^^xsd:date ; cg:endDate "2021-06-01"^^xsd:date .
:own-2 a cg:PhaseOwnership ; cg:inCase :case ; cg:phase cg:PhaseRecognition ;
    cg:organisation mon:org-politie ; cg:role mon:role-casusregisseur ; cg:responsibility cg:Owns ;
    cg:startDate "2021-03-01"^^xsd:date ; cg:endDate "2021-06-01"^^xsd:date .
:ev-1 a cg:Report ; cg:inCase :case ; cg:date "2021-03-02"^^xsd:date ;
    cg:byOrganisation mon:org-evil .
'''

JOBS = [("case", "HX-001"), ("timeline", "HX-001"), ("collaboration", "HX-001"),
        ("chain", None)]
XML = ("graphml", "gexf", "archimate", "svg")
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
FORMULA = re.compile(r"[=+\-@\t\r]")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Graph:
    path = tmp_path_factory.mktemp("hostile") / "HX-001.ttl"
    path.write_text(HOSTILE, encoding="utf-8")
    return load([path], check=False)


@pytest.fixture(scope="module")
def exports(hostile) -> dict[tuple[str, str], str | bytes]:
    made = {}
    for what, case_id in JOBS:
        view = views.build(hostile, what, case_id=case_id)
        for fmt in FORMATS:
            made[(what, fmt)] = render(hostile, view, fmt)
    return made


def test_the_hostile_labels_reach_the_views(hostile):
    labels = {d.get("label", "") for what, case_id in JOBS
              for _, d in views.build(hostile, what, case_id=case_id).nodes(data=True)}
    assert any("\x01" in str(t) for t in labels) and any("<script>" in str(t) for t in labels)
    assert any(str(t).startswith(("+", "=", "javascript:")) for t in labels)


@pytest.mark.parametrize(("what", "fmt"), [(w, f) for w, _ in JOBS for f in XML])
def test_every_xml_export_parses_strictly(exports, what, fmt):
    content = exports[(what, fmt)]
    assert isinstance(content, str)
    ET.fromstring(content.encode("utf-8"))  # expat: no recovery, raises on any fault
    assert not FORBIDDEN.search(content), (what, fmt)
    assert "<script>alert" not in content


class _Active(HTMLParser):
    """What a browser would run or follow in a page: scripts, handlers, links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts, self.found = 0, []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts += 1
        if tag in ("a", "iframe", "img", "object", "embed", "foreignobject"):
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or name in ("href", "xlink:href", "src", "xlink:title"):
                self.found.append(f"{name}={value}")
            if value and re.match(r"\s*(javascript|data|vbscript):", value, re.I):
                self.found.append(f"{name}={value}")


@pytest.mark.parametrize(("what", "case_id"), JOBS)
def test_html_holds_no_control_character_script_or_link_from_the_data(exports, what, case_id):
    page = exports[(what, "html")]
    assert isinstance(page, str)
    assert not FORBIDDEN.search(page)
    reader = _Active()
    reader.feed(page)
    assert reader.scripts == 2, "only the page's own data block and script"
    assert not reader.found, reader.found
    assert "<script>alert" not in page and "<img src=x" not in page


@pytest.mark.parametrize(("what", "case_id"), JOBS)
def test_svg_carries_tooltips_as_titles_not_links(exports, what, case_id):
    svg = exports[(what, "svg")]
    assert isinstance(svg, str)
    assert "<a " not in svg and "xlink:title" not in svg and "<title>" in svg


def _inert(rows: list[list[str]], where: str) -> int:
    checked = 0
    for row in rows:
        for cell in row:
            if cell and FORMULA.match(cell):
                assert re.fullmatch(r"[+-]?\d+(\.\d*)?", cell), f"{where}: formula cell {cell!r}"
            checked += 1
    return checked


def _hostile_cells(rows: list[list[str]]) -> list[str]:
    return [c for row in rows for c in row if "+SUM(1)" in c or "HYPERLINK" in c]


@pytest.mark.parametrize(("what", "case_id"), JOBS)
def test_export_csv_cells_are_inert(exports, what, case_id):
    rows = list(csv.reader(io.StringIO(exports[(what, "csv")])))  # type: ignore[arg-type]
    assert _inert(rows, f"{what} csv")
    with zipfile.ZipFile(io.BytesIO(exports[(what, "archimate-csv")])) as archive:  # type: ignore[arg-type]
        archi = [list(csv.reader(io.StringIO(archive.read(n).decode("utf-8"))))
                 for n in archive.namelist()]
    assert sum(_inert(t, f"{what} archimate-csv") for t in archi)
    hostile_cells = _hostile_cells([r for t in archi for r in t])
    assert any(c.startswith(("'+SUM", "'=HYPERLINK")) for c in hostile_cells), hostile_cells


def test_query_csv_cells_are_inert(hostile, tmp_path):
    query = tmp_path / "labels.rq"
    query.write_text("# Every preferred label.\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
                     "SELECT ?label WHERE { ?s skos:prefLabel ?label }\n")
    text = run_query(hostile, query).to_csv()
    rows = list(csv.reader(io.StringIO(text)))
    assert _inert(rows, "query csv") > 100
    hostile_cells = _hostile_cells(rows)
    assert sorted(c[:5] for c in hostile_cells) == ["'+SUM", "'=HYP"], hostile_cells
    assert not FORBIDDEN.search(text)


def test_raci_csv_and_markdown_are_inert(hostile):
    matrix = raci(hostile, "HX-001")
    assert any("<script>" in c for c in matrix.columns)
    rows = list(csv.reader(io.StringIO(to_csv(matrix))))
    assert _inert(rows, "raci csv")
    assert any(c.startswith("'@SUM(1)") for c in rows[0])
    md = to_markdown(matrix)
    assert "<script" not in md and "&lt;script&gt;" in md and not FORBIDDEN.search(md)


def test_monitor_markdown_holds_no_raw_html_or_link_from_the_data(hostile):
    md = render_markdown(hostile)
    assert "measure" in md and "&lt;script&gt;alert(3)" in md
    for raw in ("<script", "<img", "<iframe"):
        assert raw not in md, raw
    assert not re.search(r"(?<!\\)\]\(javascript:", md), "a link from the data"
    assert not FORBIDDEN.search(md)


def test_escape_functions_hold_their_rules():
    assert escape.csv_cell("=1+1") == "'=1+1" and escape.csv_cell("\r=1") == "'\r=1"
    assert escape.csv_cell("-3") == "-3" and escape.csv_cell("-3+2") == "'-3+2"
    assert escape.text("a\ud800b\U0001fffe") == "a\ufffdb\ufffd"
    assert escape.link_target("https://x.org") and not escape.link_target("\tjavascript:x")
    escape.check_xml("<a>" + escape.xml_text("\x01\x0b\ufffe") + "</a>")
    with pytest.raises(ValueError):
        escape.check_xml("<a>\x01</a>")


# ----------------------------------------------------------------------------- reproducible

_HASHES = r"""
import hashlib, json, sys
from chaingraph import load
from chaingraph.export import views
from chaingraph.export.content import render
from chaingraph.export.formats import FORMATS
graph = load([sys.argv[1]], check=False)
out = {}
for what, case in (("case", "FX-003"), ("timeline", "FX-003"), ("collaboration", None),
                   ("chain", None)):
    view = views.build(graph, what, case_id=case, today=__import__("datetime").date(2024, 1, 1))
    for fmt in FORMATS:
        content = render(graph, view, fmt)
        data = content.encode("utf-8") if isinstance(content, str) else content
        out[f"{what} {fmt}"] = hashlib.sha256(data).hexdigest()
print(json.dumps(out))
"""


def test_the_same_export_gives_the_same_bytes_in_another_process(tmp_path):
    from chaingraph.resources import CASES_DIR

    source = str(Path(CASES_DIR) / "FX-003.ttl")
    runs = []
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", _HASHES, source], env=env,
                              capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        runs.append(json.loads(done.stdout))
    assert len(runs[0]) == 4 * len(FORMATS)
    differ = sorted(k for k in runs[0] if runs[0][k] != runs[1][k])
    assert not differ, differ


def test_every_page_prints_data_without_control_characters_or_foreign_links():
    from chaingraph.templates import environment

    page = environment().from_string('<a href="{{ u|link }}">{{ t }}</a>{{ d|tojson }}')
    for target in ("javascript:alert(1)", " JAVASCRIPT:x", "data:text/html,x", "vbscript:x",
                   "file:///etc/passwd"):
        html = page.render(u=target, t="x\x01\x85<b>", d={"k": "\ufffe\x9f"})
        assert 'href=""' in html and not FORBIDDEN.search(html) and "<b>" not in html
    assert 'href="https://example.org/a"' in page.render(u="https://example.org/a", t="", d={})
