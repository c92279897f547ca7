"""The collaboration between organisations, drawn as SVG: one drawing for the web page and
the exports (``chaingraph export collaboration --format svg|png|html|archimate``).

Organisations sit on a circle in the order of their names, each a dot sized by the cases it
takes part in (against the most); their names stand outside the circle, pointing away from
it, so no line crosses a name. The circle grows until no two names overlap (their widths
estimated from their letters); with many organisations the names stand along the radius
instead. The picture is cut to what it draws, so it fills the screen. A line
between two organisations is as thick as what they share (cases, agreements, meetings);
the numbers are in a table beside the picture, not on the lines. A selected
organisation's lines are drawn strong and the others faint.

The input is a networkx graph: nodes with ``label`` (the name drawn), ``name`` (the
tooltip) and ``cases``; edges with ``weight``. Drawn with the classes of ``pictures.css``
(:mod:`chaingraph.pictures`), no ``style`` attribute and no script; every text escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import combinations

import networkx as nx
from markupsafe import Markup

from chaingraph.pictures.timeline import escape

WIDTH, HEIGHT = 1000, 640
RADIUS = 230
# The width of a character of a name at 15 px bold, at least that of DejaVu Sans Bold (the
# widest of the usual fonts; system-ui on most Linux desktops).
NAME_CHAR = {"narrow": 5.8, "space": 5.2, "wide": 15.8, "upper": 12.0, "lower": 10.2}
NARROW, WIDE = frozenset("ijlft.,:;'!|()[]-"), frozenset("mwMW")
NAME_HEIGHT = 19
MARGIN = 14
HEAD = 40  # the heading of a standalone picture
NOTE = 28  # a line of its legend

Box = tuple[float, float, float, float]  # left, top, right, bottom


def _order(view: nx.Graph) -> list[str]:
    return sorted(view.nodes, key=lambda n: (str(view.nodes[n].get("label", n)).casefold(), n))


def _dot(view: nx.Graph, node: str) -> float:
    """The radius of an organisation's dot: 7 to 20, by its cases against the most."""
    most = max((d.get("cases", 0) or 0 for _, d in view.nodes(data=True)), default=0) or 1
    return 7 + 13 * math.sqrt(max(view.nodes[node].get("cases", 0) or 0, 0) / most)


def _label(view: nx.Graph, node: str, x: float, y: float, angle: float,
           radial: bool = False) -> tuple[float, float, str, Box, float | None]:
    """Where a name stands: its anchor point, ``text-anchor``, the box it takes and, for a
    name along the radius (``radial``), the degrees it is turned by."""
    r = _dot(view, node)
    cos, sin = math.cos(angle), math.sin(angle)
    wide = width(str(view.nodes[node].get("label", node)))
    if radial:  # along the radius, outwards, read from left to right on either side
        px, py = x + (r + 6) * cos, y + (r + 6) * sin
        turn = math.degrees(angle) + (0 if cos >= 0 else 180)
        corners = [(px + a * cos - b * sin, py + a * sin + b * cos)
                   for a in (0, wide) for b in (-NAME_HEIGHT / 2, NAME_HEIGHT / 2)]
        box = (min(c[0] for c in corners), min(c[1] for c in corners),
               max(c[0] for c in corners), max(c[1] for c in corners))
        return px, py, "start" if cos >= 0 else "end", box, turn
    anchor = "start" if cos > 0.2 else "end" if cos < -0.2 else "middle"
    lx, ly = x + (r + 8) * cos, y + (r + 8) * sin + (5 if abs(sin) < 0.9 else 14 * sin)
    left = lx if anchor == "start" else lx - wide if anchor == "end" else lx - wide / 2
    return lx, ly, anchor, (left, ly - NAME_HEIGHT + 4, left + wide, ly + 4), None


def width(name: str) -> float:
    """The width of a name as drawn, about (capitals and digits are wider).

    Example:
        >>> width("VTRR") > width("vtrr") > width("v t")
        True
    """
    return sum(NAME_CHAR["space"] if c.isspace() else NAME_CHAR["narrow"] if c in NARROW
               else NAME_CHAR["wide"] if c in WIDE
               else NAME_CHAR["upper"] if c.isupper() or c.isdigit()
               else NAME_CHAR["lower"] for c in name)


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _circle(view: nx.Graph, nodes: list[str],
            radius: float) -> dict[str, tuple[float, float, float]]:
    out = {}
    for i, node in enumerate(nodes):
        angle = 2 * math.pi * i / max(len(nodes), 1) - math.pi / 2
        out[node] = (WIDTH / 2 + radius * math.cos(angle), HEIGHT / 2 + radius * math.sin(angle),
                     angle)
    return out


def layout(view: nx.Graph) -> tuple[dict[str, tuple[float, float, float]], bool]:
    """Each organisation's (x, y, angle) on the circle, in the order of their labels, and
    whether the names stand along the radius.

    The names stand level while a circle up to twice :data:`RADIUS` keeps them apart (it
    grows until no two overlap); beyond that (many organisations) they stand along the
    radius, and the circle is just large enough that two neighbours' names never touch.
    """
    nodes = _order(view)
    radius = float(RADIUS)
    while radius <= 2 * RADIUS:
        where = _circle(view, nodes, radius)
        boxes = [_label(view, n, *where[n])[3] for n in nodes]
        if not any(_overlap(a, b) for a, b in combinations(boxes, 2)):
            return where, False
        radius *= 1.1
    # neighbours' names, NAME_HEIGHT tall, start at the dots' edge: their chord keeps them apart
    least = (NAME_HEIGHT + 2) / (2 * math.sin(math.pi / max(len(nodes), 2))) - 6
    return _circle(view, nodes, max(float(RADIUS), least)), True


def positions(view: nx.Graph) -> dict[str, tuple[float, float, float]]:
    """Each organisation's (x, y, angle) on the circle (:func:`layout`).

    Example:
        >>> view = nx.Graph()
        >>> view.add_node("a", label="A"); view.add_node("b", label="B")
        >>> {n: (round(x), round(y)) for n, (x, y, _) in positions(view).items()}
        {'a': (500, 90), 'b': (500, 550)}
    """
    return layout(view)[0]


def name_boxes(view: nx.Graph, where: dict[str, tuple[float, float, float]],
               radial: bool = False) -> dict[str, Box]:
    """The box (left, top, right, bottom) each organisation's name takes, about."""
    return {n: _label(view, n, *where[n], radial)[3] for n in where}


def frame(view: nx.Graph, where: dict[str, tuple[float, float, float]],
          radial: bool = False) -> Box:
    """The part of the plane the picture draws on: every dot and every name, and a margin."""
    boxes = list(name_boxes(view, where, radial).values())
    boxes += [(x - _dot(view, n), y - _dot(view, n), x + _dot(view, n), y + _dot(view, n))
              for n, (x, y, _) in where.items()]
    if not boxes:
        return (0, 0, WIDTH, HEIGHT)
    return (min(b[0] for b in boxes) - MARGIN, min(b[1] for b in boxes) - MARGIN,
            max(b[2] for b in boxes) + MARGIN, max(b[3] for b in boxes) + MARGIN)


def key(org: str) -> str:
    """An organisation's name in the page's address: its IRI's tail without ``org-``."""
    return org.rsplit("/", 1)[-1].rsplit("#", 1)[-1].removeprefix("org-")


def svg(view: nx.Graph, *, selected: str | None = None, title: str = "",
        link: dict[str, str] | None = None, heading: bool = False, legend: Sequence[str] = (),
        nodes: bool = False) -> Markup:
    """Draw ``view`` as an SVG element (see the module doc).

    Each organisation links to the collaboration page with ``link`` (the page's other
    query parameters) and the organisation (:func:`key`). With ``nodes``, the picture has
    no link: each organisation is a group with its node id as ``data-node`` (the export
    page's script). ``heading``: ``title`` shown above the circle too, and the picture fills
    the window that shows it; ``legend``: lines of text below it (a picture
    with no page around it).

    Example:
        >>> view = nx.Graph()
        >>> view.add_edge("a", "b", weight=2); view.nodes["a"]["label"] = "<A>"
        >>> picture = svg(view, nodes=True)
        >>> 'data-node="a"' in picture, "&lt;A&gt;" in picture, "<a " in picture
        (True, True, False)
    """
    from urllib.parse import urlencode

    where, radial = layout(view)
    left, top, right, bottom = frame(view, where, radial)
    most = max((d.get("weight", 1) for _, _, d in view.edges(data=True)), default=1) or 1
    lines = []
    for u, v, data in sorted(view.edges(data=True),
                             key=lambda e: (e[2].get("weight", 1), str(e[0]), str(e[1]))):
        (x1, y1, _), (x2, y2, _) = where[u], where[v]
        state = "on" if selected in (u, v) else "off" if selected else ""
        width = 1 + 7 * data.get("weight", 1) / most
        lines.append(f'<line class="co-line {state}" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" '
                     f'y2="{y2:.1f}" stroke-width="{width:.1f}"><title>'
                     f'{escape(view.nodes[u].get("label", u))} – '
                     f'{escape(view.nodes[v].get("label", v))}: {data.get("weight", 1)}'
                     f"</title></line>")
    dots = []
    for node, (x, y, angle) in where.items():
        data = view.nodes[node]
        r = _dot(view, node)
        lx, ly, anchor, _, turn = _label(view, node, x, y, angle, radial)
        turned = (f' dy="5" transform="rotate({turn:.1f} {lx:.1f} {ly:.1f})"'
                  if turn is not None else "")
        state = " on" if node == selected else ""
        name = escape(data.get("label", node))
        drawn = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"/>'
                 f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}"{turned}>{name}</text>'
                 f"<title>{escape(data.get('name', data.get('label', node)))}</title>")
        if nodes:
            dots.append(f'<g class="co-org{state}" data-node="{escape(node)}">{drawn}</g>')
            continue
        target = "/collaboration?" + urlencode({**(link or {}), "organisation": key(node)})
        dots.append(f'<a href="{escape(target)}" class="co-org{state}" aria-label="{name}">'
                    f"{drawn}</a>")
    extra = []
    if heading:
        top -= HEAD
        extra.append(f'<text class="co-heading" x="{left + MARGIN:.1f}" y="{top + 26:.1f}">'
                     f"{escape(title)}</text>")
    for text in legend:
        extra.append(f'<text class="co-key" x="{left + MARGIN:.1f}" y="{bottom + 16:.1f}">'
                     f"{escape(text)}</text>")
        bottom += NOTE
    size = ' height="100%"' if heading else ""  # a file of its own fills the window
    # escaped above: every name comes through escape (markupsafe, forbidden characters replaced)
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" class="collaboration" role="img" '
                  f'viewBox="{left:.1f} {top:.1f} {right - left:.1f} {bottom - top:.1f}" '
                  f'width="100%"{size} preserveAspectRatio="xMidYMid meet"><title>{escape(title)}'
                  "</title>" + "".join(extra) + "".join(lines) + "".join(dots) + "</svg>")


__all__ = ["HEIGHT", "RADIUS", "WIDTH", "frame", "key", "layout", "name_boxes", "positions", "svg",
           "width"]
