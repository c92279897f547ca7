"""Targets: the focus nodes of a shape as a SPARQL pattern binding ``?this``.

SHACL 2.1.3 (Targets): node targets (``sh:targetNode``), class-based targets
(``sh:targetClass``, with the instances of subclasses), implicit class targets (a shape that
is also an ``rdfs:Class``), ``sh:targetSubjectsOf`` and ``sh:targetObjectsOf``; a shape with
several targets has the union of their focus nodes.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from chaingraph.shacl2sparql.refusal import UnsupportedShape
from chaingraph.shacl2sparql.shapes import CompiledShapes
from chaingraph.shacl2sparql.value_type import isa

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def target_pattern(graph: Graph, shape: Node, compiled: CompiledShapes) -> str | None:
    """A pattern binding ?this to each focus node of ``shape`` (None when it has no targets)."""
    alternatives: list[str] = []
    classes = list(graph.objects(shape, SH.targetClass))
    if (shape, RDF.type, RDFS.Class) in graph or (shape, RDF.type, OWL.Class) in graph:
        classes.append(shape)
    for cls in classes:
        alternatives.append(isa("?this", "?_class", cls, compiled))
    nodes = list(graph.objects(shape, SH.targetNode))
    for node in nodes:
        if isinstance(node, BNode):
            raise UnsupportedShape(shape, "blank_node", key="sh:targetNode")
        if isinstance(node, Literal):
            compiled.literals.add(node)
    if nodes:
        alternatives.append("VALUES ?this { " + " ".join(n.n3() for n in nodes) + " }")
    for prop in graph.objects(shape, SH.targetSubjectsOf):
        alternatives.append(f"?this {prop.n3()} [] .")
    for prop in graph.objects(shape, SH.targetObjectsOf):
        alternatives.append(f"[] {prop.n3()} ?this .")
    if not alternatives:
        return None
    if len(alternatives) == 1:
        return alternatives[0]
    return "SELECT DISTINCT ?this WHERE { " + " UNION ".join(
        "{ " + a + " }" for a in alternatives) + " }"


def focus(target: str) -> str:
    """The target as a group pattern (subselect when it is a union)."""
    return "{ " + target + " }" if target.startswith("SELECT") else target


def values_target(target: str, path: str) -> str:
    """The focus nodes of a property shape inside a property shape: the values of the outer
    shape's path at its own focus nodes."""
    return (f"SELECT DISTINCT ?this WHERE {{ {{ SELECT (?this AS ?_of) WHERE "
            f"{{ {focus(target)} }} }} ?_of {path} ?this }}")
