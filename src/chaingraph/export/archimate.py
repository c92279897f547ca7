"""A view as an ArchiMate model: the Open Exchange Format 3.1 and Archi's CSV import.

Mapping (ArchiMate 3.1 element types): organisation → BusinessActor, role →
BusinessRole, chain and case → BusinessCollaboration, agreement → Contract, phase →
BusinessProcess, instrument → BusinessObject, improvement measure, phase-ownership period,
ownership gap and overlap → WorkPackage, dated event → BusinessEvent. Relationships: a role held
at an organisation → Assignment (actor → role); a role owning a phase → Assignment (role
→ process); an organisation owning a measure → Assignment (actor → work package); a chain's
partners, a case's roles and an organisation's parts → Aggregation; the order of timeline
items → Triggering; everything else (escalation lines, handovers, parties to an
agreement, shared cases) → Association, named. Identifiers are ``id-`` + the node id,
valid ``xs:ID`` values. The model holds one diagram, so it opens in Archi with a picture:
the collaboration view laid out as the collaboration page's circle, the others by Graphviz
(a grid when Graphviz is missing).
"""

from __future__ import annotations

import csv
import io
import math
import re
import shlex
import shutil
import subprocess
import zipfile
from itertools import combinations
from xml.etree import ElementTree as ET

import networkx as nx

from chaingraph import escape
from chaingraph.export.formats import colour, render_dot

NS = "http://www.opengroup.org/xsd/archimate/3.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMA_LOCATION = f"{NS} http://www.opengroup.org/xsd/archimate/3.1/archimate3_Diagram.xsd"

ELEMENT_TYPES = {
    "organisation": "BusinessActor", "role": "BusinessRole", "case": "BusinessCollaboration",
    "chain": "BusinessCollaboration", "agreement": "Contract", "phase": "BusinessProcess",
    "instrument": "BusinessObject", "measure": "WorkPackage", "ownership": "WorkPackage",
    "gap": "WorkPackage", "overlap": "WorkPackage",
    "event": "BusinessEvent", "handover": "BusinessEvent", "escalation": "BusinessEvent",
}

# edge kind -> (relationship type, reversed?)
RELATIONSHIPS = {
    "held-at": ("Assignment", True),
    "owns": ("Assignment", False),
    "owner": ("Assignment", True),
    "partner": ("Aggregation", False),
    "role-assignment": ("Aggregation", True),
    "part-of": ("Aggregation", True),
    "then": ("Triggering", False),
}

PROPERTIES = ("start_date", "end_date", "periods", "dates", "status", "weight", "cases",
              "agreements", "meetings", "case_ids", "iri", "holders", "victim", "suspect")

NO_PERSONAL_DATA = ("Exported by chaingraph for a learning session: no personal data; "
                    "persons appear only as their role.")


def _documentation(view: nx.Graph) -> str:
    """What the model is: for a learning session, or (the internal mode) its mark."""
    return str(view.graph.get("internal") or NO_PERSONAL_DATA)


def identifier(node: str, prefix: str = "id-") -> str:
    """Return a valid ``xs:ID`` for a node id.

    Example:
        >>> identifier("development-4.6-1"), identifier("role x/y")
        ('id-development-4.6-1', 'id-role_x_y')
    """
    return prefix + re.sub(r"[^A-Za-z0-9._-]", "_", node)


def element_type(view: nx.Graph, node: str) -> str:
    """Return the ArchiMate element type of a node."""
    kind = view.nodes[node].get("kind", "")
    if kind == "case" and view.graph.get("what") == "timeline":
        return "WorkPackage"
    return ELEMENT_TYPES.get(kind, "BusinessObject")


def relationships(view: nx.Graph) -> list[tuple[str, str, str, str, dict]]:
    """Return (identifier, type, source, target, data) for each edge, in ArchiMate's direction."""
    found = []
    for n, (u, v, data) in enumerate(view.edges(data=True), 1):
        kind = data.get("kind", "")
        rel, flip = RELATIONSHIPS.get(kind, ("Association", False))
        source, target = (v, u) if flip else (u, v)
        ends = {element_type(view, u), element_type(view, v)}
        if rel == "Triggering" and ends - {"BusinessEvent", "WorkPackage"}:
            rel = "Association"
        if rel == "Triggering" and element_type(view, u) != element_type(view, v):
            rel = "Association"
        if rel == "Aggregation" and element_type(view, source) not in (
                "BusinessCollaboration", "BusinessActor") :
            rel = "Association"
        found.append((identifier(str(n), "id-rel-"), rel, source, target, data))
    return found


def _name(data: dict) -> str:
    text = str(data.get("label", ""))
    when = data.get("periods") or data.get("dates") or ""
    return f"{text} {when}".strip()


BOX_WIDTH, BOX_HEIGHT = 120, 55
"""The size of an organisation's box in the diagram of the collaboration view."""


def circle_layout(view: nx.Graph) -> dict[str, tuple[int, int, int, int]]:
    """Return x, y, width, height of each organisation of a collaboration view: the circle of
    the collaboration page (:func:`chaingraph.pictures.collaboration.positions`), scaled
    just enough that no two boxes overlap and moved to the diagram's top left corner.

    Example:
        >>> view = nx.Graph()
        >>> view.add_node("a", label="A"); view.add_node("b", label="B")
        >>> circle_layout(view)
        {'a': (20, 20, 120, 55), 'b': (20, 480, 120, 55)}
    """
    from chaingraph.pictures.collaboration import positions

    where = {n: (x, y) for n, (x, y, _) in positions(view).items()}
    scale = 1.0
    for (ax, ay), (bx, by) in combinations(where.values(), 2):
        dx, dy = abs(ax - bx), abs(ay - by)
        need = min((BOX_WIDTH + 20) / dx if dx else math.inf,
                   (BOX_HEIGHT + 20) / dy if dy else math.inf)
        scale = max(scale, need)
    left = min((x for x, _ in where.values()), default=0.0)
    top = min((y for _, y in where.values()), default=0.0)
    return {n: (round((x - left) * scale) + 20, round((y - top) * scale) + 20, BOX_WIDTH,
                BOX_HEIGHT) for n, (x, y) in where.items()}


def layout(view: nx.Graph) -> dict[str, tuple[int, int, int, int]]:
    """Return x, y, width, height (pixels) of each node, from Graphviz (``dot -Tplain``) or grid;
    a collaboration view's from the collaboration page's circle (:func:`circle_layout`)."""
    if view.graph.get("what") == "collaboration":
        return circle_layout(view)
    program = shutil.which("dot")
    boxes: dict[str, tuple[int, int, int, int]] = {}
    if program is not None:
        source = render_dot(view).replace('layout="circo"', 'layout="neato"')
        done = subprocess.run([program, "-Tplain"], input=source.encode("utf-8"),
                              capture_output=True, timeout=120, check=False)
        if done.returncode == 0:
            height = 0.0
            for line in done.stdout.decode("utf-8").splitlines():
                try:
                    parts = shlex.split(line)
                except ValueError:  # a label shlex cannot read: the grid below takes over
                    continue
                if parts and parts[0] == "graph":
                    height = float(parts[3])
                elif parts and parts[0] == "node":
                    name, x, y, w, h = parts[1], *map(float, parts[2:6])
                    width, tall = max(int(w * 80), 120), max(int(h * 72), 55)
                    boxes[name] = (int(x * 80 - width / 2) + 20,
                                   int((height - y) * 72 - tall / 2) + 20, width, tall)
    if len(boxes) != view.number_of_nodes():
        boxes = {}
        for i, node in enumerate(view.nodes):
            boxes[node] = (20 + (i % 6) * 180, 20 + (i // 6) * 90, 150, 60)
    return {n: (max(x, 0), max(y, 0), w, h) for n, (x, y, w, h) in boxes.items()}


def render_archimate(view: nx.Graph) -> str:
    """Return the view as an ArchiMate 3.1 Open Exchange Format model with one diagram.

    Example:
        >>> import networkx as nx
        >>> g = nx.DiGraph(what="chain", title="t", lang="en")
        >>> g.add_node("org-om", label="OM", kind="organisation")
        >>> g.add_node("role-ovj", label="public prosecutor", kind="role", group="org-om")
        >>> g.add_edge("role-ovj", "org-om", kind="held-at", label="held at")
        >>> 'xsi:type="Assignment" source="id-org-om" target="id-role-ovj"' in render_archimate(g)
        True
    """
    view = escape.clean_view(view, escape.xml_text)
    ET.register_namespace("", NS)
    ET.register_namespace("xsi", XSI)
    lang = view.graph.get("lang", "en")

    def q(tag: str) -> str:
        return f"{{{NS}}}{tag}"

    def named(parent: ET.Element, tag: str, text: str) -> ET.Element:
        child = ET.SubElement(parent, q(tag))
        child.set(XML_LANG, lang)
        child.text = text
        return child

    what = view.graph.get("what", "view")
    model = ET.Element(q("model"), {"identifier": identifier(f"model-{what}"),
                                    f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION})
    named(model, "name", f"chaingraph: {view.graph.get('title', what)}")
    named(model, "documentation", _documentation(view))
    used = [p for p in PROPERTIES if any(p in d for _, d in view.nodes(data=True))
            or any(p in d for _, _, d in view.edges(data=True))]

    def properties(parent: ET.Element, data: dict) -> None:
        present = [p for p in used if data.get(p) not in (None, "")]
        if not present:
            return
        holder = ET.SubElement(parent, q("properties"))
        for key in present:
            prop = ET.SubElement(holder, q("property"),
                                 {"propertyDefinitionRef": identifier(key, "pd-")})
            named(prop, "value", str(data[key]))

    elements = ET.SubElement(model, q("elements"))
    for node, data in view.nodes(data=True):
        element = ET.SubElement(elements, q("element"),
                                {"identifier": identifier(node),
                                 f"{{{XSI}}}type": element_type(view, node)})
        named(element, "name", str(data.get("label", node)))
        if data.get("name") and data.get("name") != data.get("label"):
            named(element, "documentation", str(data["name"]))
        properties(element, data)
    rels = relationships(view)
    if rels:
        holder = ET.SubElement(model, q("relationships"))
        for rid, rel, source, target, data in rels:
            element = ET.SubElement(holder, q("relationship"), {
                "identifier": rid, f"{{{XSI}}}type": rel, "source": identifier(source),
                "target": identifier(target)})
            if _name(data):
                named(element, "name", _name(data))
            properties(element, data)
    if used:
        defs = ET.SubElement(model, q("propertyDefinitions"))
        for key in used:
            definition = ET.SubElement(defs, q("propertyDefinition"), {
                "identifier": identifier(key, "pd-"),
                "type": "number" if key in ("weight", "cases", "agreements", "meetings")
                else "string"})
            named(definition, "name", key)
    views = ET.SubElement(ET.SubElement(model, q("views")), q("diagrams"))
    diagram = ET.SubElement(views, q("view"), {"identifier": identifier(f"view-{what}"),
                                               f"{{{XSI}}}type": "Diagram"})
    named(diagram, "name", str(view.graph.get("title", what)))
    boxes = layout(view)
    for node in view.nodes:
        x, y, w, h = boxes[node]
        box = ET.SubElement(diagram, q("node"), {"identifier": identifier(node, "id-v-"),
                                                 "elementRef": identifier(node),
                                                 f"{{{XSI}}}type": "Element", "x": str(x),
                                                 "y": str(y),
                                                 "w": str(w), "h": str(h)})
        fill = colour(view, node)
        if fill:
            style = ET.SubElement(box, q("style"))
            ET.SubElement(style, q("fillColor"), {"r": str(int(fill[1:3], 16)),
                                                  "g": str(int(fill[3:5], 16)),
                                                   "b": str(int(fill[5:7], 16))})
    for rid, _, source, target, _ in rels:
        ET.SubElement(diagram, q("connection"), {"identifier": rid.replace("id-rel-", "id-c-"),
                                                 "relationshipRef": rid,
                                                 f"{{{XSI}}}type": "Relationship",
                                                 "source": identifier(source, "id-v-"),
                                                 "target": identifier(target, "id-v-")})
    ET.indent(model)
    declaration = '<?xml version="1.0" encoding="UTF-8"?>\n'
    return declaration + ET.tostring(model, encoding="unicode") + "\n"


def render_archi_csv(view: nx.Graph) -> bytes:
    """Return a zip of the three files Archi's CSV import reads (File > Import > CSV Data):
    ``elements.csv``, ``relations.csv`` and ``properties.csv``."""
    def table(rows: list[list[str]]) -> str:
        out = io.StringIO()
        csv.writer(out, quoting=csv.QUOTE_ALL,
                   lineterminator="\r\n").writerows(map(escape.csv_row, rows))
        return out.getvalue()

    view = escape.clean_view(view)
    what = view.graph.get("what", "view")
    elements = [["ID", "Type", "Name", "Documentation", "Specialization"],
                [identifier(f"model-{what}"), "ArchimateModel",
                 f"chaingraph: {view.graph.get('title', what)}", _documentation(view), ""]]
    props = [["ID", "Key", "Value"]]
    for node, data in view.nodes(data=True):
        elements.append([identifier(node), element_type(view, node), str(data.get("label", node)),
                         str(data.get("name", "")), ""])
        props += [[identifier(node), key,
                   str(data[key])] for key in PROPERTIES if data.get(key) not in (None, "")]
    relations = [["ID", "Type", "Name", "Documentation", "Source", "Target", "Specialization"]]
    for rid, rel, source, target, data in relationships(view):
        relations.append([rid, f"{rel}Relationship", _name(data), "", identifier(source),
                          identifier(target), ""])
        props += [[rid, key, str(data[key])] for key in PROPERTIES
                  if data.get(key) not in (None, "")]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in (("elements.csv", elements), ("relations.csv", relations),
                           ("properties.csv", props)):
            info = zipfile.ZipInfo(name, date_time=(2020, 10, 14, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, table(rows).encode("utf-8"))
    return buffer.getvalue()
