"""Writing a view in the formats people open: graph files, pictures, tables, RDF.

Each ``render_*`` function takes a view (a networkx graph from :mod:`views`) and returns
the file's content (``str``, or ``bytes`` for PNG and zip). :data:`FORMATS` maps a
format name to its renderer and file extension. GraphML and GEXF (Gephi, yEd) come from
networkx; DOT is written here and rendered to SVG/PNG by Graphviz's ``dot``, except for
the timeline and collaboration views, whose SVG and PNG are the web pages' pictures
(:mod:`chaingraph.export.pictures`).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx

from chaingraph import catalogue, escape
from chaingraph.errors import ChaingraphError, MissingTool

# Fill colours: one per organisation (its roles share it, lighter), one per other kind.
ORGANISATION_COLOURS = {
    "org-politie": "#9ec5fe", "org-om": "#c5b3e6", "org-vtrr": "#f7c59f", "org-zvhrr": "#a3d9a5",
    "org-reclassering": "#f3e08b", "org-rn": "#f3e08b", "org-ldh": "#f3e08b", "org-svg": "#f3e08b",
    "org-shn": "#f4a6b7", "org-gemeente": "#b8e0e8", "org-wijkteams": "#b8e0e8",
    "org-rijk": "#d9d9d9", "org-inspectie": "#d9d9d9",
}
FALLBACK_COLOURS = ("#e2c9a6", "#c9d7a6", "#a6c9d7", "#d7a6c9", "#c9a6d7", "#a6d7c9")


@dataclass(frozen=True)
class Style:
    """How a kind of node looks in DOT, Mermaid and HTML; its legend is in the catalogue."""

    shape: str
    fill: str
    mermaid: tuple[str, str]
    kind: str

    def legend(self, lang: str) -> str:
        """What this kind of node is, for the legend, in ``lang``."""
        return catalogue.text(f"export.legend.{self.kind}", lang)

    @property
    def en(self) -> str:
        return self.legend("en")

    @property
    def nl(self) -> str:
        return self.legend("nl")


KIND_STYLES = {
    "organisation": Style("box", "", ('["', '"]'), "organisation"),
    "role": Style("ellipse", "", ('(["', '"])'), "role"),
    "case": Style("doubleoctagon", "#ffffff", ('(("', '"))'), "case"),
    "phase": Style("hexagon", "#fde7c4", ('{{"', '"}}'), "phase"),
    "instrument": Style("component", "#dcdcf5", ('[["', '"]]'), "instrument"),
    "agreement": Style("note", "#fff7b3", ('[/"', '"/]'), "agreement"),
    "measure": Style("folder", "#e3f1e3", ('[("', '")]'), "measure"),
    "chain": Style("box3d", "#d8e8f8", ('[["', '"]]'), "chain"),
    "event": Style("box", "#ffffff", ('["', '"]'), "event"),
    "handover": Style("cds", "#e8d5f5", ('>"', '"]'), "handover"),
    "escalation": Style("box", "#f4b183", ('["', '"]'), "escalation"),
    "ownership": Style("box", "#e8f4e8", ('["', '"]'), "ownership"),
    "gap": Style("box", "#f8c8c8", ('["', '"]'), "gap"),
    "overlap": Style("box", "#f9e0a8", ('["', '"]'), "overlap"),
}
DEFAULT_STYLE = Style("box", "#ffffff", ('["', '"]'), "other")


def colour(view: nx.Graph, node: str) -> str:
    """Return the fill colour of a node: its organisation's for organisations and roles."""
    data = view.nodes[node]
    kind = data.get("kind", "")
    if kind in ("organisation", "role"):
        group = data.get("group") or node
        base = ORGANISATION_COLOURS.get(group)
        if base is None:
            base = FALLBACK_COLOURS[sum(map(ord, group)) % len(FALLBACK_COLOURS)]
        return base if kind == "organisation" else _lighter(base)
    return KIND_STYLES.get(kind, DEFAULT_STYLE).fill


def _lighter(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{int(c + (255 - c) * 0.55):02x}" for c in (r, g, b))


def _wrap(text: str, width: int = 26) -> list[str]:
    lines, line = [], ""
    for word in str(text).split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + ([line] if line else [])


# ----------------------------------------------------------------------------- DOT


def _dot_quote(text: object) -> str:
    value = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{value}"'


def _dot_attrs(attrs: dict[str, object]) -> str:
    pairs = (f"{k}={_dot_quote(v)}" for k, v in attrs.items() if v not in (None, ""))
    return "[" + ", ".join(pairs) + "]"


def render_dot(view: nx.Graph) -> str:
    """Return the view as Graphviz DOT (organisations as clusters with their roles).

    Example:
        >>> import networkx as nx
        >>> g = nx.Graph(what="collaboration", title="t")
        >>> g.add_node("org-om", label="OM", kind="organisation")
        >>> render_dot(g).splitlines()[0]
        'graph "collaboration" {'
    """
    view = escape.clean_view(view)  # Graphviz copies control characters into its SVG
    what = view.graph.get("what", "graph")
    directed = view.is_directed()
    arrow = "->" if directed else "--"
    lines = [f"{'digraph' if directed else 'graph'} {_dot_quote(what)} {{"]
    graph_attrs: dict[str, object] = {"label": view.graph.get("title", ""), "labelloc": "t",
                                      "fontsize": 18,
                                      "fontname": "Helvetica", "bgcolor": "white"}
    if what == "collaboration":
        graph_attrs.update(layout="circo", overlap="false", splines="true",
                           outputorder="edgesfirst", mindist="1.6")
    elif what == "timeline":
        graph_attrs.update(rankdir="TB", nodesep="0.25", ranksep="0.3")
    else:
        graph_attrs.update(rankdir="LR", nodesep="0.3", ranksep="0.6", compound="true")
    lines.append("  graph " + _dot_attrs(graph_attrs) + ";")
    lines.append('  node [fontname="Helvetica", fontsize=11, style="filled,rounded", '
                 'penwidth=1.2];')
    lines.append('  edge [fontname="Helvetica", fontsize=9, color="#555555"];')
    max_weight = max((float(d.get("weight", 1)) for _, _, d in view.edges(data=True)),
                     default=1.0) or 1.0

    def node_line(node: str, indent: str = "  ") -> str:
        data = view.nodes[node]
        style = KIND_STYLES.get(data.get("kind", ""), DEFAULT_STYLE)
        label = "\n".join(_wrap(data.get("label", node)))
        attrs: dict[str, object] = {"label": label, "shape": style.shape,
                                    "fillcolor": colour(view, node),
                                    "tooltip": data.get("name", data.get("label", node))}
        if data.get("kind") == "organisation" and what == "collaboration":
            attrs.update(fontsize=14, margin="0.2,0.1")
        if style.shape not in ("box", "ellipse"):
            attrs["style"] = "filled"
        return f"{indent}{_dot_quote(node)} {_dot_attrs(attrs)};"

    clustered: dict[str, list[str]] = {}
    if what in ("case", "chain"):
        for node, data in view.nodes(data=True):
            if data.get("kind") in ("organisation", "role") and data.get("group"):
                clustered.setdefault(data["group"], []).append(node)
    done: set[str] = set()
    for group, members in sorted(clustered.items()):
        if group not in view:
            continue
        lines.append(f"  subgraph {_dot_quote('cluster_' + group)} {{")
        lines.append('    graph [label="", style="rounded,dashed", color="#999999"];')
        for node in sorted(members):
            lines.append(node_line(node, "    "))
            done.add(node)
        lines.append("  }")
    for node in view.nodes:
        if node not in done:
            lines.append(node_line(node))
    for u, v, data in view.edges(data=True):
        kind = data.get("kind", "")
        attrs: dict[str, object] = {}
        if what == "collaboration":
            weight = float(data.get("weight", 1))
            attrs.update(label=int(weight) if weight == int(weight) else weight,
                         penwidth=round(1 + 6 * weight / max_weight, 2),
                         tooltip=data.get("label", ""),
                         color="#4a6fa5")
            attrs["len"] = round(2.6 - 1.2 * weight / max_weight, 2)
        elif kind == "then":
            attrs.update(style="dashed", color="#999999", arrowsize=0.6)
        elif kind == "by":
            attrs.update(style="dotted", color="#888888", arrowhead="none", constraint="false")
        else:
            text = data.get("label", "")
            when = data.get("periods") or data.get("dates") or ""
            attrs["label"] = "\n".join(_wrap(f"{text} {when}".strip(),
                                             22)) if (text or when) else ""
            if kind in ("escalates-to",):  # the legend says what a dashed red line is
                attrs.update(style="dashed", color="#c0504d", label="")
            elif kind in ("applies", "applied"):
                attrs.update(color="#aaaaaa", label="")
            elif kind in ("escalated", "handover"):
                attrs.update(color="#c0504d", penwidth=2, fontcolor="#c0504d")
            elif kind == "held-at":
                attrs.update(style="dotted", arrowhead="none", label="")
        lines.append(f"  {_dot_quote(u)} {arrow} {_dot_quote(v)} {_dot_attrs(attrs)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def graphviz(dot_source: str, fmt: str) -> bytes:
    """Render DOT with Graphviz's ``dot`` into ``fmt`` (svg, png).

    Raises:
        MissingTool: Graphviz is not installed.
        ChaingraphError: ``dot`` rejected the input.
    """
    program = shutil.which("dot")
    if program is None:
        raise MissingTool(key="no_dot")
    done = subprocess.run([program, f"-T{fmt}"], input=dot_source.encode("utf-8"),
                          capture_output=True,
                          timeout=120, check=False)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ChaingraphError(key="dot_failed", why=message[0] if message else done.returncode)
    return done.stdout


def render_svg(view: nx.Graph) -> str:
    """Return the view as SVG, drawn by Graphviz; its tooltips as ``<title>``, no link
    (:func:`chaingraph.escape.svg_tooltips`)."""
    return escape.svg_tooltips(graphviz(render_dot(view), "svg").decode("utf-8"))


def render_png(view: nx.Graph) -> bytes:
    """Return the view as PNG, drawn by Graphviz."""
    return graphviz(render_dot(view), "png")


# ----------------------------------------------------------------------------- graph files

_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def render_graphml(view: nx.Graph) -> str:
    """Return the view as GraphML (Gephi, yEd, networkx)."""
    view = escape.clean_view(view, escape.xml_text)
    return _XML_DECLARATION + "\n".join(nx.generate_graphml(view, prettyprint=True)) + "\n"


_GEXF_DATE = re.compile(r' lastmodifieddate="[^"]*"')


def render_gexf(view: nx.Graph) -> str:
    """Return the view as GEXF 1.2 (Gephi), its title as the graph's name.

    The day of writing networkx puts in ``<meta>`` is left out: the same view gives the
    same bytes on any day.
    """
    view = escape.clean_view(view, escape.xml_text)
    view.graph["name"] = view.graph.get("title", "")
    text = "\n".join(nx.generate_gexf(view, prettyprint=True)) + "\n"
    text = _GEXF_DATE.sub("", text, count=1)
    return text if text.startswith("<?xml") else _XML_DECLARATION + text


def render_node_link(view: nx.Graph) -> str:
    """Return the view as networkx node-link JSON (D3 and friends)."""
    view = escape.clean_view(view)
    return json.dumps(nx.node_link_data(view, edges="edges"), ensure_ascii=False, indent=2) + "\n"


def render_cytoscape(view: nx.Graph) -> str:
    """Return the view as Cytoscape.js JSON (Cytoscape: File > Import > Network from file)."""
    view = escape.clean_view(view)
    return json.dumps(nx.cytoscape_data(view), ensure_ascii=False, indent=2) + "\n"


def render_csv(view: nx.Graph) -> str:
    """Return the view's edges as a CSV edge list, with the nodes' labels and edges' attributes.

    Every cell goes through :func:`chaingraph.escape.csv_cell` (no formula from the data).
    In the internal mode a last column ``internal`` carries the view's mark on every row.
    """
    keys = {k for _, _, d in view.edges(data=True) for k in d}
    extra = sorted(keys - {"kind", "label", "weight"})
    internal = view.graph.get("internal")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    mark = ["internal"] if internal else []
    writer.writerow(escape.csv_row(["source", "target", "source_label", "target_label", "kind",
                                    "label", "weight", *extra, *mark]))
    for u, v, d in view.edges(data=True):
        writer.writerow(escape.csv_row([
            u, v, view.nodes[u].get("label", u), view.nodes[v].get("label", v),
            d.get("kind", ""), d.get("label", ""), d.get("weight", 1),
            *(d.get(k, "") for k in extra)] + ([internal] if internal else [])))
    return out.getvalue()


# ----------------------------------------------------------------------------- Mermaid


def _mermaid_id(node: str) -> str:
    return "n_" + "".join(c if c.isalnum() else "_" for c in node)


def _mermaid_text(text: object) -> str:
    return (str(text).replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
            .replace("|", "#124;").replace("\n", " "))


def render_mermaid(view: nx.Graph) -> str:
    """Return the view as a Mermaid flowchart (paste into a ```mermaid block of a Markdown report).

    Example:
        >>> import networkx as nx
        >>> g = nx.Graph(what="collaboration")
        >>> g.add_edge("org-om", "org-politie", label="2 cases")
        >>> print(render_mermaid(g).splitlines()[-1])
            n_org_om ---|"2 cases"| n_org_politie
    """
    view = escape.clean_view(view)
    what = view.graph.get("what", "")
    lines = [f"flowchart {'TB' if what == 'timeline' else 'LR'}"]
    title = view.graph.get("title")
    if title:
        lines.insert(0, f"%% {_mermaid_text(title)}")
    for node, data in view.nodes(data=True):
        style = KIND_STYLES.get(data.get("kind", ""), DEFAULT_STYLE)
        open_, close = style.mermaid
        shown = _mermaid_text(data.get("label", node))
        lines.append(f"    {_mermaid_id(node)}{open_}{shown}{close}")
    for node in view.nodes:
        fill = colour(view, node)
        if fill:
            lines.append(f"    style {_mermaid_id(node)} fill:{fill},stroke:#555")
    arrow = "-->" if view.is_directed() else "---"
    for u, v, data in view.edges(data=True):
        text = data.get("label", "")
        if what == "collaboration":
            text = data.get("label", data.get("weight", ""))
        if data.get("kind") in ("then", "escalates-to", "by"):
            arrow_here = "-.->" if view.is_directed() else "-.-"
        else:
            arrow_here = arrow
        edge = f"{arrow_here}|\"{_mermaid_text(text)}\"|" if text else arrow_here
        lines.append(f"    {_mermaid_id(u)} {edge} {_mermaid_id(v)}")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Format:
    """An export format: its renderer and the extension of its file."""

    name: str
    extension: str
    binary: bool
    help: str


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("graphml", ".graphml", False, "GraphML (Gephi, yEd, networkx)"),
    Format("gexf", ".gexf", False, "GEXF 1.2 (Gephi)"),
    Format("dot", ".dot", False, "Graphviz DOT source"),
    Format("svg", ".svg", False, "SVG picture: the web pages' timeline and collaboration "
                                 "pictures, Graphviz's graph for the other views"),
    Format("png", ".png", True, "PNG picture of the SVG (1920 px wide for the timeline and "
                                "collaboration)"),
    Format("node-link", ".json", False, "networkx node-link JSON (D3)"),
    Format("cytoscape", ".cyjs", False, "Cytoscape JSON"),
    Format("mermaid", ".mmd", False, "Mermaid flowchart for Markdown reports"),
    Format("csv", ".csv", False, "CSV edge list"),
    Format("turtle", ".ttl", False, "Turtle: the RDF subgraph, persons removed"),
    Format("jsonld", ".jsonld", False, "JSON-LD: the RDF subgraph, persons removed"),
    Format("archimate", ".xml", False, "ArchiMate 3.1 Open Exchange Format (Archi: File > Import)"),
    Format("archimate-csv", ".zip", True,
           "Archi CSV import: a zip of elements.csv, relations.csv, properties.csv"),
    Format("html", ".html", False,
           "one self-contained interactive HTML page (graph, legend, timeline)"),
)}

GRAPH_RENDERERS: dict[str, Callable[[nx.Graph], str | bytes]] = {
    "graphml": render_graphml,
    "gexf": render_gexf,
    "dot": render_dot,
    "svg": render_svg,
    "png": render_png,
    "node-link": render_node_link,
    "cytoscape": render_cytoscape,
    "mermaid": render_mermaid,
    "csv": render_csv,
}

__all__ = [
    "FORMATS",
    "Format",
    "GRAPH_RENDERERS",
    "KIND_STYLES",
    "colour",
    "graphviz",
    "render_csv",
    "render_cytoscape",
    "render_dot",
    "render_gexf",
    "render_graphml",
    "render_mermaid",
    "render_node_link",
    "render_png",
    "render_svg",
]
