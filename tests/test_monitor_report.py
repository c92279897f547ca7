"""``chaingraph monitor``: sections 2 and 4 of the monitor rebuilt from the real data,
checked against the graph by reading the output back."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from chaingraph import MON
from chaingraph.cli import main
from chaingraph.labels import label
from chaingraph.monitor import figures, render_html, render_markdown, sections
from chaingraph.namespace import CG, QB

# The monitor of 14 October 2020 lists 4, 4, 6, 3, 6 and 4 items in sections 4.1 … 4.6.
EXPECTED_ITEMS = {"4.1": 4, "4.2": 4, "4.3": 6, "4.4": 3, "4.5": 6, "4.6": 4}
SECTIONS = sorted(EXPECTED_ITEMS)


@pytest.fixture(scope="module")
def markdown(graph: Graph) -> str:
    return render_markdown(graph, lang="en")


@pytest.fixture(scope="module")
def markdown_nl(graph: Graph) -> str:
    return render_markdown(graph, lang="nl")


@pytest.fixture(scope="module")
def page(graph: Graph) -> str:
    return render_html(graph, lang="en")


def _items_in_graph(graph: Graph, notation: str) -> list:
    section = MON[f"section-{notation}"]
    return [
        m
        for m in graph.subjects(DCTERMS.source, section)
        if (m, RDF.type, CG.ImprovementMeasure) in graph
        or (m, RDF.type, CG.RelatedDevelopment) in graph
    ]


def _headings_per_section(text: str) -> dict[str, list[str]]:
    """Section notation -> the '#### ' item headings under its '### ' heading."""
    found: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("### "):
            current = line[4:].split(" ", 1)[0]
            found[current] = []
        elif line.startswith("#### ") and current is not None:
            found[current].append(line[5:])
        elif line.startswith("## "):
            current = None
    return found


@pytest.mark.parametrize("notation", SECTIONS)
def test_section_item_counts_match_graph_and_output(graph, markdown, notation):
    in_graph = _items_in_graph(graph, notation)
    assert len(in_graph) == EXPECTED_ITEMS[notation], sorted(in_graph)
    headings = _headings_per_section(markdown)
    assert len(headings.get(notation, [])) == EXPECTED_ITEMS[notation], headings.get(notation)


def test_sections_in_the_monitors_order(markdown):
    assert SECTIONS
    assert list(_headings_per_section(markdown)) == SECTIONS


@pytest.mark.parametrize("notation", SECTIONS)
def test_items_in_order_with_status_and_owners(graph, markdown, notation):
    items = sorted(
        _items_in_graph(graph, notation), key=lambda m: int(graph.value(m, CG.order) or 0)
    )
    assert items
    headings = _headings_per_section(markdown)[notation]
    assert len(headings) == len(items)
    for item, heading in zip(items, headings, strict=True):
        title = label(graph, item, "en")
        assert heading.endswith(" " + title), (heading, title)
        block = (
            markdown.split(f"#### {heading}\n", 1)[1].split("\n#### ", 1)[0].split("\n### ", 1)[0]
        )
        status = graph.value(item, CG.status)
        if status is not None:
            assert f"**Status:** {label(graph, status, 'en')}" in block
        for owner in graph.objects(item, CG.owner):
            assert label(graph, owner, "en") in block
        for note in graph.objects(item, CG.interpretation):
            if note.language == "en":  # the Dutch notes are in the Dutch report
                assert " ".join(str(note).split()) in block


def test_every_measure_has_a_status_and_an_owner(graph):
    measures = list(graph.subjects(RDF.type, CG.ImprovementMeasure))
    assert len(measures) == sum(EXPECTED_ITEMS[s] for s in SECTIONS if s != "4.6")
    for measure in measures:
        assert graph.value(measure, CG.status) is not None, measure
        assert graph.value(measure, CG.owner) is not None, measure


# --- section 2 ----------------------------------------------------------------------


def _figures_table(text: str) -> tuple[list[str], list[list[str]]]:
    """Read the first Markdown table of section 2 back: header cells and body rows."""
    part = text.split("\n## ", 2)[1]
    lines = [line for line in part.splitlines() if line.startswith("|")]
    assert len(lines) > 2, "no table in section 2"
    split = [[cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]
    return split[0], [row for row in split[2:]]


def _number(cell: str) -> int | None:
    match = re.match(r"^([\d.,]+)", cell)
    return int(re.sub(r"[.,]", "", match.group(1))) if match else None


def _area_names(graph: Graph, area, lang: str) -> list[str]:
    names = [
        str(v)
        for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.notation)
        for v in graph.objects(area, p)
        if isinstance(v, Literal) and v.language in (lang, None)
    ]
    return sorted(names, key=len, reverse=True)


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_figures_table_reproduces_every_observation(graph, lang):
    text = render_markdown(graph, lang=lang)
    header, rows = _figures_table(text)
    observations = list(graph.subjects(RDF.type, QB.Observation))
    assert len(observations) > 30
    areas = sorted(set(graph.subjects(RDF.type, CG.Area)), key=str)
    assert len(areas) == 3

    def area_of(cell: str):
        """The area whose longest name the header cell ends with."""
        ends = [
            (len(n), str(a), a)
            for a in areas
            for n in _area_names(graph, a, lang)
            if cell.endswith(" " + n)
        ]
        return max(ends)[2] if ends else None

    def column(year: str, area) -> int:
        matches = [
            i for i, cell in enumerate(header) if cell.startswith(year) and area_of(cell) == area
        ]
        assert len(matches) == 1, (year, area, header)
        return matches[0]

    by_label = {row[0].split(" [^")[0]: row for row in rows}
    for obs in observations:
        indicator = graph.value(obs, CG.indicator)
        row = by_label[label(graph, indicator, lang)]
        cell = row[column(str(graph.value(obs, CG.year))[:4], graph.value(obs, CG.area))]
        assert _number(cell) == int(graph.value(obs, CG.value)), (obs, cell)
    filled = sum(1 for row in rows for cell in row[1:] if _number(cell) is not None)
    assert filled == len(observations), "a cell holds a value no observation gives"
    assert len(header) == 1 + 3 * 3  # indicator + (2018, 2019, 2020) x (RR+ZHZ, RR, Rotterdam)


def test_figures_rows_follow_indicator_order(graph, markdown):
    _, rows = _figures_table(markdown)
    indicators = sorted(
        graph.subjects(RDF.type, CG.Indicator), key=lambda i: int(graph.value(i, CG.order))
    )
    assert indicators
    assert [row[0].split(" [^")[0] for row in rows] == [label(graph, i, "en") for i in indicators]


def test_figures_interpretations_are_listed_below_the_table(graph, markdown):
    notes = {
        " ".join(str(n).split())
        for o in graph.subjects(RDF.type, QB.Observation)
        for n in graph.objects(o, CG.interpretation)
        if n.language == "en"
    }
    notes |= {
        " ".join(str(n).split())
        for i in graph.subjects(RDF.type, CG.Indicator)
        for n in graph.objects(i, CG.interpretation)
        if n.language == "en"
    }
    assert notes, "the figures carry no interpretation (the lost columns must be explained)"
    section2 = markdown.split("\n## ", 2)[1]
    table_end = section2.rindex("\n|")
    for note in notes:
        assert note in section2[table_end:], note
    assert len(figures(graph).notes) >= len(notes)


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_figures_comments_of_the_monitor_follow_the_table(graph, lang):
    comments = [
        str(v) for v in graph.objects(MON["figures"], SKOS.definition) if v.language == lang
    ]
    assert comments, "mon:figures carries no description of the table in " + lang
    section2 = render_markdown(graph, lang=lang).split("\n## ", 2)[1]
    assert f"- {comments[0]}" in section2[section2.rindex("\n|") :]


def test_numbers_are_written_the_languages_way(markdown, markdown_nl):
    assert "14,710" in markdown and "14.710" in markdown_nl


# --- Dutch --------------------------------------------------------------------------


def test_dutch_output_uses_dutch_labels(graph, markdown_nl):
    found = sections(graph, lang="nl")
    assert [s.notation for s in found] == SECTIONS
    for section in found:
        assert f"### {section.notation} " in markdown_nl
        dutch = [
            str(v)
            for v in graph.objects(MON[f"section-{section.notation}"], SKOS.prefLabel)
            if v.language == "nl"
        ]
        assert dutch and dutch[0].split(" ", 1)[1] in markdown_nl
        for item in section.items:
            nl_titles = [
                str(v)
                for p in (SKOS.prefLabel, RDFS.label, DCTERMS.title)
                for v in graph.objects(URIRef(item.iri), p)
                if getattr(v, "language", None) == "nl"
            ]
            assert nl_titles, item.iri
            assert f"#### {item.notation} {nl_titles[0]}" in markdown_nl
    assert "**Status:** gerealiseerd" in markdown_nl
    assert "**Eigenaren:**" in markdown_nl and "Relevante cijfers" in markdown_nl
    assert "**Owners:**" not in markdown_nl


# --- HTML ---------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.refs += [v or "" for k, v in attrs if k in ("href", "src", "srcset", "action", "data")]


def test_html_is_well_formed_and_self_contained(page, graph):
    assert page.startswith("<!DOCTYPE html>")
    root = ET.fromstring(page.split("\n", 1)[1])  # XML parser: every tag closed, entities known
    assert root.tag == "html" and root.get("lang") == "en"
    links = _Links()
    links.feed(page)
    assert "style" in links.tags and "table" in links.tags
    assert not [r for r in links.refs if re.match(r"(?i)\s*(https?:)?//", r)], links.refs
    assert "script" not in links.tags and "link" not in links.tags and "img" not in links.tags
    assert not re.search(r"(?i)@import|url\(", page)
    assert "@media print" in page
    headings = [el for el in root.iter("h4")]
    assert len(headings) >= sum(EXPECTED_ITEMS.values())


def test_html_table_has_every_observation(page, graph):
    root = ET.fromstring(page.split("\n", 1)[1])
    table = next(root.iter("table"))
    cells = [td for td in table.iter("td") if (td.text or "").strip()]
    assert len(cells) == len(list(graph.subjects(RDF.type, QB.Observation)))


# --- command line -------------------------------------------------------------------


def test_cli_writes_markdown_and_html_atomically(tmp_path, graph, capsys):
    target = tmp_path / "out" / "monitor.html"
    assert main(["monitor", "--format", "html", "--output", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == render_html(graph, lang="en")
    md = tmp_path / "monitor.md"
    md.write_text("old")
    assert main(["monitor", "--lang", "nl", "-o", str(md)]) == 0
    assert md.read_text(encoding="utf-8") == render_markdown(graph, lang="nl")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["monitor.html", "monitor.md", "out"]
    assert capsys.readouterr().out == ""


def test_cli_failed_write_leaves_the_old_file(tmp_path, monkeypatch, capsys):
    target = tmp_path / "monitor.md"
    target.write_text("old")

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("chaingraph.output.os.replace", fail)
    assert main(["monitor", "-o", str(target)]) == 2  # one sentence, not a traceback
    err = capsys.readouterr().err
    assert "disk full" in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["monitor.md"]


def test_cli_unknown_format_exits_2(capsys):
    assert main(["monitor", "--format", "pdf"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_cli_stdout(capsys, markdown):
    assert main(["monitor"]) == 0
    assert capsys.readouterr().out == markdown
