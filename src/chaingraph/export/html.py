"""One self-contained HTML page: the picture, a legend, the timeline and plain sentences.

Everything is inside the file: the picture is the SVG Graphviz draws, the style and the
small script (click a box to see what it is connected to; type to find a name) are
inline, fonts are the reader's own. Nothing is fetched from the internet, so the page
works offline and on a laptop in a meeting room. The page is the template
``chaingraph/templates/export.html``; its texts are the ``pages.export`` keys of the
message catalogue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import networkx as nx

from chaingraph.catalogue import texts
from chaingraph.export.formats import KIND_STYLES, colour, render_svg
from chaingraph.export.views import Item
from chaingraph.templates import graphviz_svg, render

_COLOURS = {"case": "#d8e8f8", "instrument": KIND_STYLES["instrument"].fill, "ownership": "#a3d9a5",
            "gap": "#e06666", "overlap": "#f1a340", "event": "#ffd966", "handover": "#c9a0e8",
            "escalation": "#f4b183"}
"""The fill of a timeline mark, by the kind of its item."""


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
    """The legend: (fill colour, text) per organisation and kind of node, then the lines."""
    items = []
    kinds = sorted({d.get("kind", "") for _, d in view.nodes(data=True)} - {"organisation", "role"})
    for node, data in sorted(view.nodes(data=True), key=lambda x: str(x[1].get("label", ""))):
        if data.get("kind") == "organisation":
            name = data.get("name", "")
            text = str(data.get("label", node))
            if name and name != data.get("label"):
                text += f": {name}"
            items.append((colour(view, node) or "#fff", text))
    if any(d.get("kind") == "role" for _, d in view.nodes(data=True)):
        style = KIND_STYLES["role"]
        items.append(("#ffffff", style.nl if lang == "nl" else style.en))
    for kind in kinds:
        kind_style = KIND_STYLES.get(kind)
        if kind_style is not None:
            items.append((kind_style.fill or "#fff",
                          kind_style.nl if lang == "nl" else kind_style.en))
    what = view.graph.get("what")
    lines = ([t["thick"]] if what == "collaboration"
             else [t["dashed"], t["red"]] if what in ("case", "chain") else [t["gap"]])
    return items, lines


def _timeline(items: Sequence[Item], t: dict[str, str]) -> dict[str, list]:
    """The timeline: its lanes with their marks, the ticks of the axis and the table of dates.

    A mark is (``dot`` or ``bar``, tooltip, CSS position and fill); positions are percentages
    of the span from the first to the last date.
    """
    if not items:
        return {"lanes": [], "axis": [], "dates": []}
    first = min(i.start for i in items)
    last = max(max(i.end or i.start, i.start) for i in items)
    span = max((last - first).days, 1)

    def pos(day: dt.date) -> float:
        return round(100 * (day - first).days / span, 2)

    lanes: dict[str, list[tuple[str, str, str]]] = {}
    for item in items:
        fill = _COLOURS.get(item.kind, "#cccccc")
        until = f"..{item.end.isoformat()}" if item.end and item.end != item.start else ""
        tip = f"{item.start.isoformat()}{until} {item.label}"
        if item.end == item.start:
            mark = ("dot", tip, f"left:{pos(item.start)}%;background:{fill}")
        else:
            width = max(pos(item.end or last) - pos(item.start), 0.4)
            mark = ("bar", tip, f"left:{pos(item.start)}%;width:{width}%;background:{fill}")
        lanes.setdefault(item.lane, []).append(mark)
    ticks = sorted({first, last,
                    *(dt.date(y, 1, 1) for y in range(first.year + 1, last.year + 1))})
    if len(ticks) <= 3 and span > 60:
        ticks = sorted({first, last, *(dt.date(first.year + (first.month + k - 1) // 12,
                                               (first.month + k - 1) % 12 + 1, 1)
                                       for k in range(1, span // 30 + 1))})
        ticks = [d for d in ticks if first <= d <= last]
        ticks = ticks[:: max(1, len(ticks) // 8)] + ([last] if ticks[-1] != last else [])
    dates = [(item.start.isoformat(), _until(item, t), item.label, item.lane) for item in items]
    return {"lanes": list(lanes.items()), "axis": [(pos(d), d.isoformat()) for d in ticks],
            "dates": dates}


def _until(item: Item, t: dict[str, str]) -> str:
    """The end of a period ("running" while it runs); nothing for an event of one day."""
    if item.end == item.start:
        return ""
    return item.end.isoformat() if item.end else t["running"]


def render_html(view: nx.Graph, items: Sequence[Item] = ()) -> str:
    """Return one self-contained HTML page: the view's picture, a legend, ``items`` as the timeline.

    The page is the template ``export.html``; the graph goes into it as JSON data for the
    page's script (click a box, find a name).
    """
    lang = view.graph.get("lang", "en")
    t = page_texts(lang)
    what = view.graph.get("what", "collaboration")
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
    return render("export.html", lang=lang, t=t, title=str(view.graph.get("title", what)),
                  internal=bool(view.graph.get("internal")), intro=t.get(f"intro.{what}", ""),
                  picture=graphviz_svg(render_svg(view), lang=lang), legend=legend, lines=lines,
                  **_timeline(items, t), connections=connections, data=data)
