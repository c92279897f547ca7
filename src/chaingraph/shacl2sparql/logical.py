"""Logical constraints: ``sh:not``, ``sh:and`` and ``sh:or``.

SHACL 4.6 (Logical constraint components): a value node conforms, or not, to each shape of
the list, which :mod:`chaingraph.shacl2sparql.shape_based` writes as one boolean expression
per shape (:attr:`Constraint.conforms`); these combine them. ``sh:xone`` is refused.
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from chaingraph.shacl2sparql.refusal import members
from chaingraph.shacl2sparql.shapes import Constraint, Query, Section, ValueNodes

_COMPONENTS: dict[Node, URIRef] = {
    SH["not"]: SH.NotConstraintComponent, SH["or"]: SH.OrConstraintComponent,
    SH["and"]: SH.AndConstraintComponent}


def logical_test(c: Constraint, var: str) -> str:
    """A boolean expression: ``var`` satisfies ``sh:not``, ``sh:or`` or ``sh:and``."""
    if c.key == SH["not"]:
        return "!" + c.conforms(c.value, var)
    parts = [c.conforms(shape, var) for shape in members(c.graph, c.value, c.owner, c.key)]
    if c.key == SH["or"]:
        return "(" + (" || ".join(parts) or "false") + ")"
    return "(" + (" && ".join(parts) or "true") + ")"


def logical_check(c: Constraint, nodes: ValueNodes) -> Query:
    """The value nodes that do not satisfy ``sh:not``, ``sh:or`` or ``sh:and``."""
    return nodes.each(_COMPONENTS[c.key], f"FILTER(!{logical_test(c, nodes.var)})")


SECTION = Section(checks=dict.fromkeys(_COMPONENTS, logical_check),
                  tests=dict.fromkeys(_COMPONENTS, logical_test))
