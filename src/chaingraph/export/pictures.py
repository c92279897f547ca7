"""The web pages' pictures in the exports: the lane timeline and the collaboration circle.

``chaingraph export timeline`` and ``chaingraph export collaboration`` in SVG, PNG and HTML
draw the same picture as the case page and the collaboration page of ``chaingraph serve``
(:mod:`chaingraph.pictures`); the other views stay graphs drawn by Graphviz. A standalone
SVG carries the pictures' rules in its own ``<style>``; a PNG is that SVG drawn by CairoSVG,
1920 pixels wide on white, with no date in it. Every text comes from the catalogue (legend,
lane names) or the data (escaped by the drawing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import networkx as nx
from markupsafe import Markup
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from chaingraph.catalogue import text
from chaingraph.errors import MissingTool
from chaingraph.export.views import Item
from chaingraph.namespace import CG

PICTURED = ("timeline", "collaboration")
"""The views with a picture of their own; the others are drawn by Graphviz."""

PNG_WIDTH = 1920
"""The width of an exported PNG, in pixels: readable on a 1920x1080 screen."""

OVERVIEW_ROWS = 40
"""The rows of the cases' lane at most, in the timeline of a whole-chain view."""


def lane_names(lang: str) -> dict[str, str]:
    """The names of the lanes that are not a phase or an organisation, as the case page's."""
    return {"case": text("web.lane.case", lang), "instruments": text("web.lane.instruments", lang),
            "events": text("web.lane.events", lang), "phase": text("export.phase", lang)}


def legend(items: Sequence[Item], lang: str) -> list[tuple[str, str]]:
    """The legend of a timeline: a text for each kind of item it shows, in a fixed order.

    Example:
        >>> day = dt.date(2021, 3, 1)
        >>> legend([Item("g", "gap", "gap", day, day, "phase: risk")], "nl")
        [('gap', 'geen eigenaar (gat)')]
    """
    from chaingraph.pictures.timeline import LEGEND_KINDS

    kinds = {item.kind for item in items}
    return [(kind, text("export.case-period" if kind == "case" else f"export.legend.{kind}",
                        lang)) for kind in LEGEND_KINDS if kind in kinds]


def organisation_names(graph: Graph, lang: str) -> dict[str, str]:
    """Every organisation's node id with the short name the pictures show."""
    from chaingraph.casegraph import node_id
    from chaingraph.labels import short_name

    return {node_id(o): short_name(graph, o, lang)
            for o in graph.subjects(RDF.type, CG.Organisation) if isinstance(o, URIRef)}


def phase_names(graph: Graph, lang: str) -> dict[str, str]:
    """Each phase's label with the short name its lane shows ("risk"), in the phases' order,
    as the case page names them."""
    from chaingraph.labels import label, local_name
    from chaingraph.responsibility import phase_name

    phases = {p for p in graph.subjects(RDF.type, CG.Phase) if isinstance(p, URIRef)}
    phases |= {p for p in graph.objects(None, CG.appliesPhase) if isinstance(p, URIRef)}

    def order(phase: URIRef) -> tuple[int, str]:
        value = graph.value(phase, CG.order)
        try:
            return int(str(value)) if value is not None else 99, str(phase)
        except ValueError:
            return 99, str(phase)

    out = {}
    for phase in sorted(phases, key=order):
        notation = graph.value(phase, SKOS.notation)
        name = label(graph, phase, lang)
        out[name] = phase_name(str(notation) if notation else local_name(phase), name, lang)
    return out


def timeline(items: Sequence[Item], *, lang: str, title: str, today: dt.date | None = None,
             organisations: Mapping[str, str] | None = None,
             phases: Mapping[str, str] | None = None, standalone: bool = False,
             nodes: bool = False, most_rows: int | None = None) -> Markup:
    """Draw ``items`` as the case page's lane timeline, with its legend.

    ``standalone``: with a heading (a file of its own); ``organisations``: node id with
    name (by default none: events then go to the events lane).
    """
    from chaingraph.pictures.timeline import svg

    return svg(items, organisations=organisations or {}, names=lane_names(lang),
               today=today or dt.date.today(), title=title, phases=phases,
               heading=standalone, legend=legend(items, lang), nodes=nodes, most_rows=most_rows)


def collaboration(view: nx.Graph, *, standalone: bool = False, nodes: bool = False) -> Markup:
    """Draw a collaboration view (:func:`chaingraph.export.views.collaboration`) as the
    collaboration page does; ``standalone``: with a heading and a legend."""
    from chaingraph.pictures.collaboration import svg

    lang = view.graph.get("lang", "en")
    notes = ([text("pages.export.dot", lang), text("pages.export.thick", lang)]
             if standalone else [])
    return svg(view, title=str(view.graph.get("title", "")), heading=standalone, legend=notes,
               nodes=nodes)


def standalone_svg(graph: Graph, view: nx.Graph, *, today: dt.date | None = None) -> str:
    """Return the picture of a :data:`PICTURED` view as an SVG file (its rules inside)."""
    from chaingraph import pictures
    from chaingraph.export import views

    what = view.graph["what"]
    lang = view.graph.get("lang", "en")
    if what == "collaboration":
        return pictures.standalone(collaboration(view, standalone=True, nodes=True))  # no link
    items = views.timeline_items(graph, str(view.graph.get("case", "")), lang=lang, today=today)
    drawn = timeline(items, lang=lang, title=str(view.graph.get("title", "")), today=today,
                     organisations=organisation_names(graph, lang),
                     phases=phase_names(graph, lang), standalone=True)
    return pictures.standalone(drawn)


def png(svg: str) -> bytes:
    """Draw an SVG file as PNG with CairoSVG: :data:`PNG_WIDTH` pixels wide, on white.

    The same SVG gives the same bytes: Cairo writes no time or software name in the file.

    Raises:
        MissingTool: CairoSVG or the Cairo library is not installed.
    """
    try:
        import cairosvg
    except (ImportError, OSError):  # OSError: cairocffi finds no libcairo
        raise MissingTool(key="no_cairo") from None
    drawn = cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=PNG_WIDTH,
                             background_color="white", unsafe=False)
    if not isinstance(drawn, bytes):  # never: without write_to, CairoSVG returns the bytes
        raise MissingTool(key="no_cairo")
    return drawn


__all__ = ["OVERVIEW_ROWS", "PICTURED", "PNG_WIDTH", "collaboration", "lane_names", "legend",
           "organisation_names", "phase_names", "png", "standalone_svg", "timeline"]
