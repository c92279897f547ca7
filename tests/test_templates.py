"""Every HTML page comes from a Jinja2 template; data from the graph never becomes markup.

Each page is rendered from data whose labels, messages and notations hold
``<script>alert(1)</script>``, ``javascript:`` and quotes: they must arrive as text, no
attribute may run code or leave the page, and nothing may be fetched from the internet.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

import networkx as nx
import pytest
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDF, SKOS

from chaingraph import templates
from chaingraph.errors import ChaingraphError
from chaingraph.export.html import render_html as export_page
from chaingraph.export.views import Item
from chaingraph.findings import AuditReport, Finding
from chaingraph.monitor import render_html as monitor_page
from chaingraph.namespace import CG, MON, QB

FOLDER = Path(templates.__file__).parent
EVIL = "<script>alert(1)</script>"
JS = "javascript:alert(1)"
QUOTES = "\"'><b onmouseover=alert(1)>"
LINKS = ("href", "src", "srcset", "action", "formaction", "data", "xlink:href", "poster")


# ------------------------------------------------------------------ the pages, from evil data

def audit_page(lang: str) -> str:
    finding = Finding(
        case=f"FX-1 {EVIL}", rule=f"rule{QUOTES}", shape="s", severity="violation",
        focus=f"https://w3id.org/chaingraph/case/FX-1#{EVIL}", message=EVIL, action=JS,
        phase="p", phase_label=EVIL, measure_notation=QUOTES, measure_label=JS)
    report = AuditReport([finding], [f"FX-1 {EVIL}"], dt.date(2021, 1, 1), lang=lang)
    return report.render_html()


def _monitor_graph() -> Graph:
    g = Graph()
    g.add((MON["section-2"], SKOS.prefLabel, Literal(f"2 Figures {EVIL}", lang="en")))
    g.add((MON["figures"], DCTERMS.description, Literal(JS, lang="en")))
    indicator, observation = MON["indicator-evil"], MON["observation-evil"]
    g.add((indicator, RDF.type, CG.Indicator))
    g.add((indicator, SKOS.prefLabel, Literal(EVIL, lang="en")))
    g.add((observation, RDF.type, QB.Observation))
    g.add((observation, CG.indicator, indicator))
    g.add((observation, CG.year, Literal("2019")))
    g.add((observation, CG.area, MON["area-rr"]))
    g.add((MON["area-rr"], SKOS.notation, Literal(QUOTES)))
    g.add((observation, CG.value, Literal(3)))
    g.add((observation, CG.interpretation, Literal(EVIL, lang="en")))
    g.add((MON["section-4"], SKOS.prefLabel, Literal(f"4 Measures {EVIL}", lang="en")))
    part = MON["section-4.1"]
    g.add((MON["section-4"], DCTERMS.hasPart, part))
    g.add((part, SKOS.notation, Literal("4.1")))
    g.add((part, SKOS.prefLabel, Literal(f"4.1 {EVIL}", lang="en")))
    g.add((part, DCTERMS.description, Literal(JS, lang="en")))
    measure, owner, phase = MON["measure-evil"], MON["org-evil"], MON["phase-evil"]
    g.add((measure, RDF.type, CG.ImprovementMeasure))
    g.add((measure, DCTERMS.source, part))
    g.add((measure, SKOS.notation, Literal(f"4.1-1{QUOTES}")))
    g.add((measure, SKOS.prefLabel, Literal(EVIL, lang="en")))
    g.add((measure, CG.statusText, Literal(f"{EVIL}\n\n{JS}", lang="en")))
    g.add((measure, CG.attentionPoint, Literal(EVIL, lang="en")))
    g.add((measure, CG.interpretation, Literal(JS, lang="en")))
    g.add((measure, CG.owner, owner))
    g.add((owner, SKOS.prefLabel, Literal(EVIL, lang="en")))
    g.add((measure, CG.phase, phase))
    g.add((phase, SKOS.prefLabel, Literal(EVIL, lang="en")))
    return g


def monitor(lang: str) -> str:
    return monitor_page(_monitor_graph(), lang=lang)


def _view(what: str, lang: str) -> nx.DiGraph:
    view = nx.DiGraph(what=what, title=f"{what} {EVIL}", lang=lang)
    view.add_node("org-evil", label=EVIL, name=JS, kind="organisation")
    view.add_node("role-evil", label=QUOTES, name=EVIL, kind="role", group="org-evil")
    view.add_edge("org-evil", "role-evil", label=f"</script><!--<script>{EVIL}", kind="handover",
                  periods=JS)
    return view


def _items() -> list[Item]:
    return [Item("i1", "event", EVIL, dt.date(2021, 1, 4), dt.date(2021, 1, 4), QUOTES),
            Item("i2", "ownership", JS, dt.date(2021, 1, 1), None, EVIL),
            Item("i3", "gap", QUOTES, dt.date(2021, 2, 1), dt.date(2021, 3, 1), JS)]


def export_case(lang: str) -> str:
    return export_page(_view("case", lang), _items())


def export_timeline(lang: str) -> str:
    return export_page(_view("timeline", lang), _items())


def export_collaboration(lang: str) -> str:
    return export_page(_view("collaboration", lang))


PAGES = {
    "audit.html": audit_page,
    "monitor.html": monitor,
    "export.html": export_case,
}
RENDERERS = [audit_page, monitor, export_case, export_timeline, export_collaboration]


class _Page(HTMLParser):
    """What a browser would make of a page: its elements, attributes, texts and scripts."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.texts: list[str] = []
        self.scripts: list[tuple[dict, str]] = []
        self._open: dict | None = None
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(name, value or "") for name, value in attrs]
        if tag == "script":
            self._open = dict(attrs)

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self.scripts.append((self._open, data))
        else:
            self.texts.append(data)


# ------------------------------------------------------------------ tests


def test_the_lists_are_not_empty():
    assert len(RENDERERS) >= 5
    assert sorted(p.name for p in FOLDER.glob("*.html")) == sorted([*PAGES, "base.html"])


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_page_renders_from_its_template(name, monkeypatch):
    env = templates.environment()
    used: list[str] = []
    get_template = env.get_template

    def spy(template, *args, **kwargs):
        used.append(str(template))
        return get_template(template, *args, **kwargs)

    monkeypatch.setattr(env, "get_template", spy)
    page = PAGES[name]("en")
    assert name in used, used
    assert page.startswith("<!DOCTYPE html>\n") and page.endswith("</html>\n")
    assert "@media print" in page


@pytest.mark.parametrize("name", sorted(p.name for p in FOLDER.glob("*.html")))
def test_templates_extend_the_layout_and_never_switch_escaping_off(name):
    source = (FOLDER / name).read_text(encoding="utf-8")
    if name != "base.html":
        assert '{% extends "base.html" %}' in source, name
    assert not re.search(r"\|\s*safe\b|autoescape\s+false|Markup", source), name
    env = templates.environment()
    assert env.autoescape is True and env.undefined.__name__ == "StrictUndefined"


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize("page_of", RENDERERS, ids=lambda f: f.__name__)
def test_data_from_the_graph_stays_text(page_of, lang):
    page = page_of(lang)
    seen = _Page(page)
    assert f'<html lang="{lang}">' in page
    # Markup in the data arrives escaped and is shown as text.
    assert EVIL not in page and "<b onmouseover" not in page
    assert any(EVIL in text for text in seen.texts), page_of.__name__
    # No attribute runs code: no event handlers, no javascript: anywhere an attribute links.
    assert not [n for n, _ in seen.attrs if n.startswith("on")], seen.attrs
    assert "b" not in seen.tags
    # The only scripts are the export's own: the graph as JSON (data, not code) and its script.
    scripts = [attrs.get("type") for attrs, _ in seen.scripts]
    assert seen.tags.count("script") == (2 if page_of.__name__.startswith("export") else 0)
    for attrs, content in seen.scripts:
        if attrs.get("type") == "application/json":
            data = json.loads(content)
            assert EVIL in {n["label"] for n in data["nodes"]} | {n["name"] for n in data["nodes"]}
            assert not re.search(r"(?i)</script|<!--|<script", content), content
    assert scripts in ([], ["application/json", None])


@pytest.mark.parametrize("page_of", RENDERERS, ids=lambda f: f.__name__)
def test_pages_link_to_nothing_outside_themselves(page_of):
    page = page_of("en")
    seen = _Page(page)
    links = [(n, v) for n, v in seen.attrs if n in LINKS]
    assert all(v.startswith("#") for _, v in links), links  # only anchors within the page
    assert not re.search(r"(?i)@import|url\(\s*['\"]?\s*(?!#)", page)
    assert not {"link", "img", "iframe", "object", "embed", "base", "form"} & set(seen.tags)


def test_the_monitor_page_is_well_formed_xml():
    page = monitor("en")
    root = ET.fromstring(page.split("\n", 1)[1])
    assert root.tag == "html" and root.get("lang") == "en"
    article = next(root.iter("article"))
    assert article.get("id") == f"item-4.1-1{QUOTES}"  # quotes in a notation stay in the attribute


def test_graphviz_svg_passes_drawings_and_refuses_active_content():
    drawing = ('<?xml version="1.0"?>\n<!-- Generated by graphviz -->\n'
               '<svg xmlns="http://www.w3.org/2000/svg"><g class="node"><title>a</title>'
               '<a xlink:title="javascript:x"><text>&lt;b&gt;</text></a>'
               '<polygon fill="url(#l_0)" points="0,0"/></g></svg>')
    assert str(templates.graphviz_svg(drawing)).startswith("<svg")
    for active in ('<svg><script>alert(1)</script></svg>', '<svg onload="alert(1)"></svg>',
                   '<svg><a href="javascript:alert(1)"><text>x</text></a></svg>',
                   '<svg><image xlink:href="https://example.org/x.png"/></svg>',
                   '<svg><rect style="fill:url(https://example.org/x)"/></svg>',
                   '<svg><foreignObject><div>x</div></foreignObject></svg>'):
        with pytest.raises(ChaingraphError, match="Graphviz"):
            templates.graphviz_svg(active)
    with pytest.raises(ChaingraphError, match="Graphviz tekende"):
        templates.graphviz_svg('<svg><script>alert(1)</script></svg>', lang="nl")


def test_a_missing_value_is_an_error_not_an_empty_string():
    import jinja2

    with pytest.raises(jinja2.UndefinedError):
        templates.render("base.html", lang="en")
