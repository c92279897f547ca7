"""The monitor regenerated from the graph: section 2 (figures) and section 4 (measures).

``chaingraph monitor`` writes, as Markdown or as one self-contained HTML page, the
figures table of section 2 rebuilt from the ``qb:Observation``s and the tables of
section 4 (4.1 … 4.6, in the monitor's order) with each measure's status, owners,
state of affairs, attention points and dates. Where the data is an interpretation of
the monitor rather than its literal text (``cg:interpretation``), that is shown as a
numbered note, so a reader can hold the output beside the original and see what was
read into it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from chaingraph.catalogue import text, texts
from chaingraph.escape import markdown
from chaingraph.labels import DEFAULT, LANGUAGES, label, local_name
from chaingraph.namespace import CG, MON, QB

FORMATS = ("markdown", "html")
OWNER_SEPARATOR = "; "  # organisation labels may hold commas ("Police, Rotterdam unit")

# The areas of the figures table, in the monitor's column order (used when the data
# gives no cg:order for them).
AREA_ORDER = (MON["area-rr-zhz"], MON["area-rr"], MON["area-rotterdam"])

_TITLES = (SKOS.prefLabel, RDFS.label, DCTERMS.title)
_NOTES = (SKOS.definition, DCTERMS.description, SKOS.note, SKOS.scopeNote, RDFS.comment)


@dataclass
class Item:
    """One row of a section 4 table: an improvement measure or a related development."""

    iri: str
    notation: str
    title: str
    status: str = ""
    owners: list[str] = field(default_factory=list)
    status_text: list[str] = field(default_factory=list)
    attention_points: list[str] = field(default_factory=list)
    dates: list[tuple[str, str]] = field(default_factory=list)  # (what, when)
    notes: list[str] = field(default_factory=list)


@dataclass
class Section:
    """A subsection of section 4 (4.1 … 4.6) with its items in the monitor's order."""

    iri: str
    notation: str
    title: str
    phases: list[str] = field(default_factory=list)
    description: str = ""
    items: list[Item] = field(default_factory=list)


@dataclass
class Column:
    """One column of the figures table: a year and an area."""

    year: str
    area: str  # IRI
    year_label: str
    area_label: str


@dataclass
class Row:
    """One row of the figures table: an indicator and its values by column index."""

    indicator: str
    label: str
    values: dict[int, int] = field(default_factory=dict)
    cell_notes: dict[int, list[int]] = field(default_factory=dict)  # column -> note numbers
    notes: list[int] = field(default_factory=list)  # notes on the indicator itself


@dataclass
class FiguresTable:
    """Section 2 rebuilt from the observations."""

    title: str
    columns: list[Column] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # numbered interpretation notes (1-based)
    remarks: list[str] = field(default_factory=list)  # the monitor's own comments on the figures


# --- reading the graph ------------------------------------------------------------


def _texts(graph: Graph, node, props: Iterable[URIRef], lang: str) -> list[str]:
    """All values of ``props`` in ``lang``; else in English; else untagged; else any."""
    values = [v for p in props for v in graph.objects(node, p) if isinstance(v, Literal)]
    for choice in (lang, DEFAULT, *LANGUAGES):
        chosen = [str(v) for v in values if v.language == choice]
        if chosen:
            return sorted(set(chosen), key=chosen.index)
    chosen = [str(v) for v in values if v.language is None]
    return sorted(set(chosen), key=chosen.index)


def _title(graph: Graph, node, lang: str) -> str:
    found = _texts(graph, node, _TITLES, lang)
    return found[0] if found else local_name(node)


def _notation_key(text: str) -> tuple:
    """'4.3-10' sorts after '4.3-2': compare the numbers in it."""
    return tuple(int(n) for n in re.findall(r"\d+", text))


def _order_key(graph: Graph, node) -> tuple:
    order = graph.value(node, CG.order)
    notation = graph.value(node, SKOS.notation)
    return (
        int(order) if order is not None else 10**6,
        _notation_key(str(notation)) if notation is not None else (),
        _notation_key(local_name(node)),
        str(node),
    )



def _integer(node: Node | None) -> int:
    """The number an integer literal of the monitor holds (cg:order, cg:value)."""
    return int(cast(Literal, node))


def _when(value) -> str:
    return str(value)


def sections(graph: Graph, *, lang: str = DEFAULT) -> list[Section]:
    """Return the subsections of section 4 with their measures, in the monitor's order.

    A measure belongs to the subsection named by its ``dcterms:source``; subsections
    are the ``cg:SourceSection``s that are part of ``mon:section-4``.

    Example:
        >>> from chaingraph import load
        >>> [s.notation for s in sections(load())]
        ['4.1', '4.2', '4.3', '4.4', '4.5', '4.6']
    """
    parts = set(graph.objects(MON["section-4"], DCTERMS.hasPart))
    parts |= set(graph.subjects(DCTERMS.isPartOf, MON["section-4"]))
    result = []
    for part in sorted(
        parts, key=lambda p: _notation_key(str(graph.value(p, SKOS.notation) or local_name(p)))
    ):
        members = [
            m
            for m in graph.subjects(DCTERMS.source, part)
            if (m, RDF.type, CG.ImprovementMeasure) in graph
            or (m, RDF.type, CG.RelatedDevelopment) in graph
        ]
        items = [_item(graph, m, lang) for m in sorted(members, key=lambda m: _order_key(graph, m))]
        phases: list[str] = []
        for m in members:
            for phase in graph.objects(m, CG.phase):
                name = label(graph, phase, lang)
                if name not in phases:
                    phases.append(name)
        description = _texts(graph, part, (DCTERMS.description,), lang)
        result.append(
            Section(
                iri=str(part),
                notation=str(
                    graph.value(part, SKOS.notation) or local_name(part).removeprefix("section-")
                ),
                title=_title(graph, part, lang),
                phases=phases,
                description=description[0] if description else "",
                items=items,
            )
        )
    return result


def _item(graph: Graph, node, lang: str) -> Item:
    notation = graph.value(node, SKOS.notation)
    dates = [
        (
            label(graph, prop, lang),
            ", ".join(_when(v) for v in sorted(graph.objects(node, prop), key=str)),
        )
        for prop in (CG.date, CG.plannedDate, CG.startDate, CG.endDate)
        if (node, prop, None) in graph
    ]
    return Item(
        iri=str(node),
        notation=str(notation) if notation is not None else local_name(node).split("-", 1)[-1],
        title=_title(graph, node, lang),
        status=", ".join(label(graph, s, lang)
                         for s in sorted(graph.objects(node, CG.status), key=str)),
        owners=sorted(label(graph, o, lang) for o in graph.objects(node, CG.owner)),
        status_text=_texts(graph, node, (CG.statusText,), lang),
        attention_points=_texts(graph, node, (CG.attentionPoint,), lang),
        dates=dates,
        notes=_texts(graph, node, (CG.interpretation,), lang),
    )


def figures(graph: Graph, *, lang: str = DEFAULT) -> FiguresTable:
    """Return the figures table of section 2 rebuilt from the ``qb:Observation``s.

    Rows are the indicators in ``cg:order``; columns are every year times every area
    (an empty cell where there is no observation); interpretations become numbered notes.

    Example:
        >>> from chaingraph import load
        >>> table = figures(load())
        >>> [c.year for c in table.columns][:3]
        ['2018', '2018', '2018']
    """
    observations = set(graph.subjects(RDF.type, QB.Observation))
    years = sorted(
        {
            str(graph.value(o, CG.year))[:4]
            for o in observations
            if graph.value(o, CG.year) is not None
        }
    )
    areas = set(graph.subjects(RDF.type, CG.Area)) | {
        a for o in observations for a in graph.objects(o, CG.area)
    }
    areas_sorted = sorted(
        areas,
        key=lambda a: (
            _integer(graph.value(a, CG.order))
            if graph.value(a, CG.order) is not None
            else (AREA_ORDER.index(a) if a in AREA_ORDER else len(AREA_ORDER)),
            str(a),
        ),
    )
    period: dict[str, list[str]] = {}
    for o in observations:
        year = str(graph.value(o, CG.year))[:4]
        for note in _texts(graph, o, (CG.periodNote,), lang):
            period.setdefault(year, [])
            if note not in period[year]:
                period[year].append(note)
    columns = [
        Column(
            year=y,
            area=str(a),
            year_label=y + (f" ({'; '.join(period[y])})" if y in period else ""),
            area_label=_area_label(graph, a, lang),
        )
        for y in years
        for a in areas_sorted
    ]
    index = {(c.year, c.area): i for i, c in enumerate(columns)}

    notes: list[str] = []

    def note_number(text: str) -> int:
        if text not in notes:
            notes.append(text)
        return notes.index(text) + 1

    indicators = set(graph.subjects(RDF.type, CG.Indicator)) | {
        i for o in observations for i in graph.objects(o, CG.indicator)
    }
    rows = []
    for indicator in sorted(indicators, key=lambda i: _order_key(graph, i)):
        row = Row(indicator=str(indicator), label=_title(graph, indicator, lang))
        row.notes = [note_number(t) for t in _texts(graph, indicator, (CG.interpretation,), lang)]
        cells = {}
        for o in graph.subjects(CG.indicator, indicator):
            key = (str(graph.value(o, CG.year))[:4], str(graph.value(o, CG.area)))
            if o in observations and key in index and graph.value(o, CG.value) is not None:
                cells[index[key]] = o
        for column in sorted(cells):  # notes numbered left to right
            o = cells[column]
            row.values[column] = _integer(graph.value(o, CG.value))
            numbers = [note_number(t) for t in _texts(graph, o, (CG.interpretation,), lang)]
            if numbers:
                row.cell_notes[column] = numbers
        rows.append(row)

    dataset = MON["figures"]
    remarks = []
    for node in (dataset, MON["section-2"]):
        remarks += [t for t in _texts(graph, node, _NOTES, lang) if t not in remarks]
    for note in _texts(graph, dataset, (CG.interpretation,), lang):
        note_number(note)
    return FiguresTable(
        title=_title(graph, MON["section-2"], lang),
        columns=columns,
        rows=rows,
        notes=notes,
        remarks=remarks,
    )


def _area_label(graph: Graph, area, lang: str) -> str:
    """The short column name: the notation ('RR+ZHZ'), as the monitor's table has it."""
    notation = graph.value(area, SKOS.notation)
    if notation is not None:
        return str(notation)
    short = _texts(graph, area, (SKOS.altLabel,), lang)
    return sorted(short, key=len)[0] if short else label(graph, area, lang)


def format_number(value: int, lang: str = DEFAULT) -> str:
    """Format a count the way the language writes it.

    Example:
        >>> format_number(14710, "nl"), format_number(14710, "en")
        ('14.710', '14,710')
    """
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "nl" else text


# --- words -------------------------------------------------------------------------


def _words(lang: str) -> dict[str, str]:
    return texts("monitor", lang)


# --- Markdown ----------------------------------------------------------------------


def _md_cell(text: str) -> str:
    """Data as Markdown text: one line, no HTML, link or table cell of its own (escape.markdown)."""
    return markdown(text)


def render_markdown(graph: Graph, *, lang: str = DEFAULT) -> str:
    """Render sections 2 and 4 of the monitor as Markdown (GitHub flavour, with footnotes).

    Example:
        >>> from chaingraph import load
        >>> text = render_markdown(load(), lang="nl")
        >>> "## 4.3 Risico-inschatting en slachtoffervriendelijkheid" in text
        True
    """
    w = _words(lang)
    out = [f"# {w['title']}", "", w["intro"], ""]

    table = figures(graph, lang=lang)
    out += [f"## {_md_cell(table.title)}", ""]
    if table.rows:
        header = [w["indicator"]] + [f"{c.year_label} {c.area_label}" for c in table.columns]
        out.append("| " + " | ".join(_md_cell(h) for h in header) + " |")
        out.append("|---" + "|---:" * len(table.columns) + "|")
        for row in table.rows:
            name = _md_cell(row.label) + "".join(f" [^f{n}]" for n in row.notes)
            cells = []
            for i in range(len(table.columns)):
                cell = format_number(row.values[i], lang) if i in row.values else ""
                cell += "".join(f" [^f{n}]" for n in row.cell_notes.get(i, []))
                cells.append(cell)
            out.append("| " + " | ".join([name] + cells) + " |")
        out.append("")
    else:
        out += [f"*{w['empty']}*", ""]
    if table.remarks:
        out += [f"**{w['remarks']}**", ""] + [f"- {_md_cell(r)}" for r in table.remarks] + [""]
    out += [f"[^f{n}]: {_md_cell(text)}" for n, text in enumerate(table.notes, 1)]
    if table.notes:
        out.append("")

    section4 = _title(graph, MON["section-4"], lang)
    out += [f"## {_md_cell(section4)}", ""]
    for section in sections(graph, lang=lang):
        title = _strip_number(section.title, section.notation)
        out += [f"### {_md_cell(section.notation)} {_md_cell(title)}", ""]
        if section.phases:
            count = w["items"].format(n=len(section.items))
            phases = ", ".join(map(_md_cell, section.phases))
            out += [f"*{w['phase']}: {phases}* — {count}", ""]
        if section.description:
            out += [_md_cell(section.description), ""]
        for item in section.items:
            out += [f"#### {_md_cell(item.notation)} {_md_cell(item.title)}", ""]
            out.append(f"- **{w['status']}:** {_md_cell(item.status) or w['none']}")
            owners = OWNER_SEPARATOR.join(map(_md_cell, item.owners))
            out.append(f"- **{w['owners']}:** {owners or w['none']}")
            for what, when in item.dates:
                out.append(f"- **{_md_cell(what[:1].upper() + what[1:])}:** {_md_cell(when)}")
            out.append("")
            for paragraph in item.status_text:
                out += [_md_cell(paragraph), ""]
            for point in item.attention_points:
                out += [f"> **{w['attention']}:** {_md_cell(point)}", ""]
            if item.notes:
                mark = re.sub(r"[^\w.-]", "-", item.notation)  # a footnote label of its own
                marks = [f"[^{mark}-{n}]" for n in range(1, len(item.notes) + 1)]
                out += [f"{w['notes']}: " + " ".join(marks), ""]
                out += [f"{m}: {_md_cell(t)}" for m, t in zip(marks, item.notes, strict=True)] + [
                    ""
                ]
    return "\n".join(out).rstrip() + "\n"


def _strip_number(title: str, notation: str) -> str:
    """'4.3 Risk assessment' -> 'Risk assessment' (the labels carry the number)."""
    return title[len(notation) :].strip() if title.startswith(notation) else title


# --- HTML --------------------------------------------------------------------------


def render_html(graph: Graph, *, lang: str = DEFAULT) -> str:
    """Render sections 2 and 4 of the monitor as one self-contained, printable HTML page.

    The page (the template ``monitor.html``) has its CSS inline and links to no external
    resource; it is also well-formed XML.

    Example:
        >>> from chaingraph import load
        >>> page = render_html(load())
        >>> page.startswith("<!DOCTYPE html>") and "http://" not in page.split("<body>")[1]
        True
    """
    from chaingraph.templates import render  # Jinja2 loads only when a page is written

    w = _words(lang)
    table = figures(graph, lang=lang)
    years: list[tuple[str, int]] = []  # (year, how many area columns it spans)
    for c in table.columns:
        if years and years[-1][0] == c.year_label:
            years[-1] = (c.year_label, years[-1][1] + 1)
        else:
            years.append((c.year_label, 1))
    rows = [
        (row, [format_number(row.values[i], lang) if i in row.values else ""
               for i in range(len(table.columns))])
        for row in table.rows
    ]
    parts = [
        (section, _strip_number(section.title, section.notation),
         text("monitor.items", lang, n=len(section.items)),
         [(item, _meta(item, w), _paragraphs(item)) for item in section.items])
        for section in sections(graph, lang=lang)
    ]
    return render("monitor.html", lang=lang, title=w["title"], w=w, table=table, years=years,
                  rows=rows, section4=_title(graph, MON["section-4"], lang), sections=parts)


def _meta(item: Item, w: dict[str, str]) -> list[tuple[str, str]]:
    """The item's status, owners and dates, as (term, value) pairs."""
    meta = [
        (w["status"], item.status or w["none"]),
        (w["owners"], OWNER_SEPARATOR.join(item.owners) or w["none"]),
    ]
    return meta + [(what[:1].upper() + what[1:], when) for what, when in item.dates]


def _paragraphs(item: Item) -> list[str]:
    """The state of affairs, one string per paragraph (blank lines separate them)."""
    return [p.strip() for status in item.status_text for p in re.split(r"\n\s*\n", status)
            if p.strip()]
