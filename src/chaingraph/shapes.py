"""The rules: SHACL shapes in ``shapes/``, read as data.

A *rule* is a shape with a target. Each carries its name (``skos:notation``, as used in
``data/cases/flaws.json``), a severity, a message and a "what to do" note in English and
Dutch (``sh:message``, ``skos:scopeNote``) and the improvement measure it enforces
(``cg:enforces``). Shapes without a target are helpers that rules refer to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDFS, SH, SKOS
from rdflib.term import Node

from chaingraph import resources
from chaingraph.graph import PathLike, expand, parse_file
from chaingraph.labels import LANGUAGES, local_name
from chaingraph.namespace import CG

CGSH = Namespace("https://w3id.org/chaingraph/shapes#")

SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
"""SHACL severities and their names in findings, most severe first."""

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


@dataclass(frozen=True)
class Rule:
    """One rule: a targeted shape and what a finding of it says."""

    shape: URIRef
    name: str
    severity: str
    measure: URIRef | None = None
    labels: dict[str, str] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)
    actions: dict[str, str] = field(default_factory=dict)
    sparql: bool = False

    def text(self, kind: str, lang: str) -> str:
        """Return the ``label``, ``message`` or ``action`` in ``lang`` (or the other language)."""
        values: dict[str, str] = getattr(self, {"label": "labels", "message": "messages",
                                                "action": "actions"}[kind])
        for choice in (lang, *LANGUAGES):
            if choice in values:
                return values[choice]
        return self.name if kind == "label" else ""


def shape_files() -> list[Path]:
    """Return the bundled shapes files."""
    return resources.turtle_files(resources.SHAPES_DIR)


def load_shapes(paths: Sequence[PathLike] = ()) -> Graph:
    """Load shapes files (default: the bundled ``shapes/``) into one graph.

    Example:
        >>> shapes = load_shapes()
        >>> len(rules(shapes)) > 20
        True
    """
    graph = Graph()
    graph.bind("cgsh", CGSH)
    for path in expand(paths) if paths else shape_files():
        parse_file(path, graph)
    return graph


def _texts(graph: Graph, node: Node, prop: URIRef) -> dict[str, str]:
    return {v.language or "": str(v) for v in graph.objects(node, prop) if hasattr(v, "language")}



def _severity(node: Node | None) -> str:
    """The name of a shape's ``sh:severity`` (a violation when it has none)."""
    return SEVERITIES.get(node, "violation") if isinstance(node, URIRef) else "violation"


def rules(shapes: Graph) -> dict[URIRef, Rule]:
    """Return every rule (shape with a target) of a shapes graph, by shape IRI.

    Example:
        >>> found = rules(load_shapes())
        >>> found[CGSH.PhaseGap].name, found[CGSH.PhaseGap].severity
        ('phase-gap', 'violation')
    """
    found: dict[URIRef, Rule] = {}
    # every shape of chaingraph has an IRI (tests/test_shapes.py checks it)
    targeted = {cast(URIRef, s) for prop in _TARGETS for s in shapes.subjects(prop, None)}
    for shape in sorted(targeted, key=str):
        notation = shapes.value(shape, SKOS.notation)
        measure = shapes.value(shape, CG.enforces)
        found[shape] = Rule(
            shape=shape,
            name=str(notation) if notation is not None else local_name(shape),
            severity=_severity(shapes.value(shape, SH.severity)),
            measure=measure if isinstance(measure, URIRef) else None,
            labels=_texts(shapes, shape, RDFS.label),
            messages=_texts(shapes, shape, SH.message),
            actions=_texts(shapes, shape, SKOS.scopeNote),
            sparql=(shape, SH.sparql, None) in shapes,
        )
    return found
