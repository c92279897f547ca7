"""One self-contained HTML page: the picture, a legend, the timeline and plain sentences.

Everything is inside the file: the picture is the web page's (the lane timeline, the
collaboration circle: :mod:`chaingraph.pictures`) or, for the other views, the SVG Graphviz
draws; the timeline is the case page's lane picture; the style (the pictures' rules among
it) and the small script (click a box to see what it is connected to; type to find a
name) are inline, fonts are the reader's own. Nothing is fetched from the internet, so the page
works offline and on a laptop in a meeting room. The page is the template
``chaingraph/templates/export.html``; its texts are the ``pages.export`` keys of the
message catalogue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import networkx as nx
from markupsafe import Markup

from chaingraph.catalogue import texts
from chaingraph.export.formats import KIND_STYLES, colour, render_svg
from chaingraph.export.views import CASE_VIEWS, Item
from chaingraph.pictures import style as pictures_style
from chaingraph.templates import graphviz_svg, render


def page_texts(lang: str) -> dict[str, str]:
    """Return the export page's texts in ``lang``, by name (``picture``, ``intro.case`` ...).

    Example:
        >>> page_texts("nl")["picture"]
        'Plaat'
    """
    prefix = "export."
    return {key[len(prefix):]: value for key, value in texts("pages", lang).items()
            if key.startswith(prefix)}


def _edge_text(data: dict) -> str:
    text = str(data.get("label", "") or "")
    when = data.get("periods") or data.get("dates") or ""
    return f"{text} {when}".strip()


def _legend(view: nx.Graph, t: dict[str, str],
            lang: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The legend: (fill colour, text) per organisation and kind of node, then the lines.

    The pictures of a timeline or collaboration view draw in their own colours (the
    timeline with its own legend): their organisations come without a colour ("", what
    their short name stands for), and no kind of node.
    """
    from chaingraph.export.pictures import PICTURED

    what = view.graph.get("what")
    items = []
    kinds = sorted({d.get("kind", "") for _, d in view.nodes(data=True)} - {"organisation", "role"})
    if what in PICTURED:
        kinds = []
    for node, data in sorted(view.nodes(data=True), key=lambda x: str(x[1].get("label", ""))):
        if data.get("kind") == "organisation":
            name = data.get("name", "")
            text = str(data.get("label", node))
            if name and name != data.get("label"):
                text += f": {name}"
            items.append(("" if what in PICTURED else colour(view, node) or "#fff", text))
    if any(d.get("kind") == "role" for _, d in view.nodes(data=True)):
        style = KIND_STYLES["role"]
        items.append(("#ffffff", style.nl if lang == "nl" else style.en))
    for kind in kinds:
        kind_style = KIND_STYLES.get(kind)
        if kind_style is not None:
            items.append((kind_style.fill or "#fff",
                          kind_style.nl if lang == "nl" else kind_style.en))
    lines = ([t["dot"], t["thick"]] if what == "collaboration"
             else [t["dashed"], t["red"]] if what in ("case", "chain") else [t["gap"]])
    return items, lines


def _dates(items: Sequence[Item], t: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """The table of dates under the timeline: start, end, what, lane."""
    return [(item.start.isoformat(), _until(item, t), item.label, item.lane) for item in items]


def _until(item: Item, t: dict[str, str]) -> str:
    """The end of a period ("running" while it runs); nothing for an event of one day."""
    if item.end == item.start:
        return ""
    return item.end.isoformat() if item.end else t["running"]


def render_html(view: nx.Graph, items: Sequence[Item] = (), *, today: dt.date | None = None,
                organisations: Mapping[str, str] | None = None,
                phases: Mapping[str, str] | None = None) -> str:
    """Return one self-contained HTML page: the view's picture, a legend, ``items`` as the timeline.

    The picture of a timeline or collaboration view is the web page's
    (:mod:`chaingraph.export.pictures`), the others Graphviz's; ``items`` are drawn as the
    case page's lane timeline (``organisations``: node id with name, default the view's
    organisations; ``phases``: a phase's label with its short name; ``today``: the end of
    what still runs). The page is the template ``export.html``; the graph goes into it as
    JSON data for the page's script (click a box, find a name).
    """
    from chaingraph.export import pictures

    lang = view.graph.get("lang", "en")
    t = page_texts(lang)
    what = view.graph.get("what", "collaboration")
    title = str(view.graph.get("title", what))
    legend, lines = _legend(view, t, lang)
    data = {
        "nodes": [{"id": n, "label": str(d.get("label", n)), "name": str(d.get("name", "")),
                   "kind": d.get("kind", "")} for n, d in view.nodes(data=True)],
        "edges": [{"source": u, "target": v, "text": _edge_text(d)}
                  for u, v, d in view.edges(data=True)],
    }
    connections = [
        (str(view.nodes[u].get("label", u)), str(view.nodes[v].get("label", v)), _edge_text(d))
        for u, v, d in view.edges(data=True) if d.get("kind") not in ("then", "by", "held-at")
    ]
    if organisations is None:
        organisations = {str(n): str(d.get("label", n)) for n, d in view.nodes(data=True)
                         if d.get("kind") == "organisation"}
    drawn = None
    if items:
        drawn = pictures.timeline(items, lang=lang, title=title, today=today,
                                  organisations=organisations, phases=phases,
                                  nodes=what == "timeline",
                                  most_rows=None if what in CASE_VIEWS else pictures.OVERVIEW_ROWS)
    if what == "collaboration":
        picture = pictures.collaboration(view, nodes=True)
    elif what == "timeline" and drawn is not None:
        picture, drawn = drawn, None  # the picture is the timeline: not twice
    else:
        picture = graphviz_svg(render_svg(view), lang=lang)
    return render("export.html", lang=lang, t=t, title=title,
                  internal=bool(view.graph.get("internal")), intro=t.get(f"intro.{what}", ""),
                  picture=picture, legend=legend, lines=lines, timeline=drawn,
                  dates=_dates(items, t), connections=connections, data=data,
                  picture_style=Markup(pictures_style()))  # our rules: no text from the data
