"""Other constraints: ``sh:closed`` (with ``sh:ignoredProperties``), ``sh:hasValue`` and
``sh:in``.

SHACL 4.8 (Other constraint components). ``sh:hasValue`` and ``sh:in`` compare value nodes
as terms (``sameTerm``) with constants of the shapes graph, which must mean the same term to
Oxigraph (:func:`chaingraph.shacl2sparql.terms.constant`). A closed shape allows the IRI
paths of its property shapes and the ignored properties; each other property of a focus
node is a violation whose result path is that property.
"""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from chaingraph.shacl2sparql.refusal import UnsupportedShape, is_true, members, term
from chaingraph.shacl2sparql.shapes import Constraint, Names, Query, Section, ValueNodes
from chaingraph.shacl2sparql.terms import constant

# --- sh:closed -------------------------------------------------------------------------------


def allowed_properties(graph: Graph, shape: Node) -> list[Node]:
    """The properties a closed shape allows: the IRI paths of its property shapes and
    ``sh:ignoredProperties``."""
    allowed = [p for p in (graph.value(prop, SH.path) for prop in graph.objects(shape, SH.property))
               if isinstance(p, URIRef)]
    ignored = graph.value(shape, SH.ignoredProperties)
    return allowed + (members(graph, ignored, shape, SH.ignoredProperties)
                      if ignored is not None else [])


def _allowed_test(graph: Graph, shape: Node, p: str) -> str:
    """A boolean expression: the property ``p`` is one the closed ``shape`` allows."""
    return " || ".join(f"sameTerm({p}, {a.n3()})" for a in allowed_properties(graph, shape)) \
        or "false"


def closed_check(c: Constraint, nodes: ValueNodes) -> Query | None:
    """``sh:closed``: each property of a focus node the shape does not allow, with its value
    (None for ``sh:closed false``)."""
    if nodes.path:
        raise UnsupportedShape(c.owner, term(SH.closed))
    if not is_true(c.value):
        return None
    return Query(SH.ClosedConstraintComponent,
                 f"SELECT ?this ?value ?_p WHERE {{ {nodes.focus} ?this ?_p ?value . "
                 f"FILTER(!({_allowed_test(c.graph, c.shape, '?_p')})) }}", True, path_column=2)


def closed_ok(graph: Graph, shape: Node, var: str, names: Names) -> str:
    """A boolean expression: every property of ``var`` is allowed by the closed ``shape``."""
    p, o = names.fresh("p"), names.fresh()
    return f"NOT EXISTS {{ {var} {p} {o} . FILTER(!({_allowed_test(graph, shape, p)})) }}"


# --- sh:hasValue -----------------------------------------------------------------------------


def has_value_check(c: Constraint, nodes: ValueNodes) -> Query:
    """``sh:hasValue``: the focus nodes without the value among their value nodes."""
    value = c.value
    constant(c.owner, SH.hasValue, value)
    if nodes.path:
        return Query(SH.HasValueConstraintComponent,
                     f"SELECT ?this WHERE {{ {nodes.focus} OPTIONAL {{ ?this {nodes.path} ?_h . "
                     f"FILTER(sameTerm(?_h, {value.n3()})) }} FILTER(!BOUND(?_h)) }}", False)
    return Query(SH.HasValueConstraintComponent,
                 nodes.select(f"FILTER(!sameTerm(?this, {value.n3()}))"), False)


def has_value_test(c: Constraint, var: str) -> str:
    """A boolean expression: ``var`` is the value."""
    constant(c.owner, SH.hasValue, c.value)
    return f"sameTerm({var}, {c.value.n3()})"


def has_value_pattern(value: Node, var: str, path: str, owner: Node) -> str:
    """A triple pattern: ``var`` has ``value`` among the values of ``path``."""
    constant(owner, SH.hasValue, value)
    return f"{var} {path} {value.n3()}"


def has_value_path_test(c: Constraint, var: str, path: str, v: str) -> str:
    """A boolean expression: ``var`` has the value among the values of ``path``."""
    return f"EXISTS {{ {has_value_pattern(c.value, var, path, c.owner)} }}"


# --- sh:in -----------------------------------------------------------------------------------


def in_check(c: Constraint, nodes: ValueNodes) -> Query:
    """``sh:in``: the value nodes that are none of the members of the list."""
    return nodes.each(SH.InConstraintComponent, f"FILTER(!{in_test(c, nodes.var)})")


def in_test(c: Constraint, var: str) -> str:
    """A boolean expression: ``var`` is one of the members of the list."""
    found = members(c.graph, c.value, c.owner, SH["in"])
    for member in found:
        constant(c.owner, SH["in"], member)
    tests = " || ".join(f"sameTerm({var}, {o.n3()})" for o in found)
    return f"({tests or 'false'})"


SECTION = Section(
    checks={SH.closed: closed_check, SH.hasValue: has_value_check, SH["in"]: in_check},
    tests={SH.hasValue: has_value_test, SH["in"]: in_test},
    path_tests={SH.hasValue: has_value_path_test})
