"""The collaboration graph of the cases a user may count, drawn as an inline SVG.

:func:`shared_cases` joins two organisations when both have an assignment in a case (the
relation need-to-know is made of, :mod:`chaingraph.web.cases`), so the graph never counts
a case the user may not see; :func:`chaingraph.export.views.collaboration` also counts
agreements and meetings, and takes seconds where this takes milliseconds.

Organisations sit on a circle in the order of their names, each a dot sized by the cases it
takes part in and a link that selects it; their names stand outside the circle, pointing
away from it, so no two names overlap and no line crosses a name. A line between two
organisations is as thick as what they share (cases, agreements, meetings); the numbers
are in the table beside the picture, not on the lines. A selected organisation's lines
are drawn strong and the others faint.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from itertools import combinations
from urllib.parse import urlencode

import networkx as nx
from markupsafe import Markup, escape

from chaingraph.web.cases import CaseEntry

WIDTH, HEIGHT = 1000, 640
RADIUS = 230


def shared_cases(entries: Iterable[CaseEntry], *, name: Callable[[str], str],
                 full_name: Callable[[str], str] | None = None) -> nx.Graph:
    """The organisations of ``entries`` joined by the cases they share.

    Nodes are organisation IRIs with ``label`` (``name`` of the IRI), ``name`` and
    ``cases``; edges have ``weight`` and ``cases`` (how many) and ``case_ids`` (which).

    Example:
        >>> from chaingraph.web.cases import CaseEntry
        >>> cases = [CaseEntry("A", organisations={"x", "y"}), CaseEntry("B", organisations={"x"})]
        >>> view = shared_cases(cases, name=str.upper)
        >>> view.nodes["x"]["cases"], view["x"]["y"]["case_ids"]
        (2, ['A'])
    """
    view = nx.Graph()
    for entry in entries:
        for org in entry.organisations:
            if org not in view:
                view.add_node(org, label=name(org), name=(full_name or name)(org), cases=0)
            view.nodes[org]["cases"] += 1
        for a, b in combinations(sorted(entry.organisations), 2):
            if not view.has_edge(a, b):
                view.add_edge(a, b, weight=0, cases=0, case_ids=[])
            edge = view[a][b]
            edge["weight"] += 1
            edge["cases"] += 1
            edge["case_ids"].append(entry.id)
    return view


def positions(view: nx.Graph) -> dict[str, tuple[float, float, float]]:
    """Each organisation's (x, y, angle) on the circle, in the order of their labels.

    Example:
        >>> view = nx.Graph()
        >>> view.add_node("a", label="A"); view.add_node("b", label="B")
        >>> {n: (round(x), round(y)) for n, (x, y, _) in positions(view).items()}
        {'a': (500, 90), 'b': (500, 550)}
    """
    nodes = sorted(view.nodes, key=lambda n: (str(view.nodes[n].get("label", n)).casefold(), n))
    out = {}
    for i, node in enumerate(nodes):
        angle = 2 * math.pi * i / max(len(nodes), 1) - math.pi / 2
        out[node] = (WIDTH / 2 + RADIUS * math.cos(angle), HEIGHT / 2 + RADIUS * math.sin(angle),
                     angle)
    return out


def key(org: str) -> str:
    """An organisation's name in the page's address: its IRI's tail without ``org-``."""
    return org.rsplit("/", 1)[-1].rsplit("#", 1)[-1].removeprefix("org-")


def svg(view: nx.Graph, *, selected: str | None = None, title: str = "",
        link: dict[str, str] | None = None) -> Markup:
    """Draw ``view`` (:func:`shared_cases`) as an SVG element.

    ``link``: the other query parameters of the page, kept in each organisation's link.
    """
    where = positions(view)
    most = max((d.get("weight", 1) for _, _, d in view.edges(data=True)), default=1) or 1
    lines = []
    for u, v, data in sorted(view.edges(data=True), key=lambda e: e[2].get("weight", 1)):
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
        r = 7 + 3 * math.sqrt(data.get("cases", 0))
        cos, sin = math.cos(angle), math.sin(angle)
        anchor = "start" if cos > 0.2 else "end" if cos < -0.2 else "middle"
        lx, ly = x + (r + 8) * cos, y + (r + 8) * sin + (5 if abs(sin) < 0.9 else 14 * sin)
        state = " on" if node == selected else ""
        href = "/collaboration?" + urlencode({**(link or {}), "organisation": key(node)})
        name = escape(data.get("label", node))
        dots.append(f'<a href="{escape(href)}" class="co-org{state}" aria-label="{name}">'
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"/>'
                    f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}">{name}</text>'
                    f"<title>{escape(data.get('name', name))}</title></a>")
    # escaped above: every name comes through markupsafe.escape
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" class="collaboration" role="img" '
                  f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
                  f'preserveAspectRatio="xMidYMid meet"><title>{escape(title)}</title>'
                  + "".join(lines) + "".join(dots) + "</svg>")
