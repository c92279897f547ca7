"""Property pair constraints: ``sh:equals``, ``sh:disjoint``, ``sh:lessThan`` and
``sh:lessThanOrEquals``.

SHACL 4.5 (Property pair constraint components): the value nodes compared with the values
of another property of the focus node. On a node shape the value node is the focus node
itself; ``sh:lessThan`` and ``sh:lessThanOrEquals`` there are refused.
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from chaingraph.shacl2sparql.refusal import UnsupportedShape, term
from chaingraph.shacl2sparql.shapes import Constraint, Query, Section, ValueNodes

_LESS: dict[Node, tuple[str, URIRef]] = {
    SH.lessThan: ("<", SH.LessThanConstraintComponent),
    SH.lessThanOrEquals: ("<=", SH.LessThanOrEqualsConstraintComponent)}


def pair_check(c: Constraint, nodes: ValueNodes) -> Query:
    """The value nodes that break the constraint: each with the value it is compared with."""
    key, focus, path, p = c.key, nodes.focus, nodes.path, c.value.n3()
    if key in _LESS and path:
        op, component = _LESS[key]
        return Query(component, nodes.select(f"?this {p} ?_other . "
                                             f"FILTER(!COALESCE(?value {op} ?_other, false))"),
                     True)
    if key == SH.equals and path:
        return Query(SH.EqualsConstraintComponent,
                     f"SELECT ?this ?value WHERE {{ {focus} {{ ?this {path} ?value . "
                     f"FILTER NOT EXISTS {{ ?this {p} ?value }} }} "
                     f"UNION {{ ?this {p} ?value . "
                     f"FILTER NOT EXISTS {{ ?this {path} ?value }} }} }}", True)
    if key == SH.equals:
        # The value node is the focus node: every other value of the property, and the focus
        # node itself when it is not a value; each branch binds ?this itself.
        return Query(SH.EqualsConstraintComponent,
                     f"SELECT ?this ?value WHERE {{ {{ {focus} ?this {p} ?value . "
                     f"FILTER(!sameTerm(?value, ?this)) }} UNION {{ {focus} FILTER NOT EXISTS "
                     f"{{ ?this {p} ?this }} BIND(?this AS ?value) }} }}", True)
    if key == SH.disjoint and path:
        return Query(SH.DisjointConstraintComponent, nodes.select(f"?this {p} ?value ."), True)
    if key == SH.disjoint:
        return Query(SH.DisjointConstraintComponent, nodes.select(f"?this {p} ?this ."), False,
                     True)
    raise UnsupportedShape(c.owner, term(key))


def pair_test(c: Constraint, var: str) -> str:
    """A boolean expression: the single node ``var`` satisfies ``sh:equals`` or
    ``sh:disjoint`` (as a node shape's focus node)."""
    p = c.value.n3()
    if c.key == SH.equals:
        w = c.names.fresh()
        return (f"(EXISTS {{ {var} {p} {var} }} && NOT EXISTS {{ {var} {p} "
                f"{w} . FILTER(!sameTerm({w}, {var})) }})")
    return f"NOT EXISTS {{ {var} {p} {var} }}"


def pair_path_test(c: Constraint, var: str, path: str, v: str) -> str:
    """A boolean expression: the values ``v`` of ``path`` at ``var`` satisfy the constraint."""
    key, p = c.key, c.value.n3()
    if key == SH.equals:
        return (f"NOT EXISTS {{ {var} {path} {v} . FILTER NOT EXISTS "
                f"{{ {var} {p} {v} }} }} && NOT EXISTS {{ {var} {p} "
                f"{v} . FILTER NOT EXISTS {{ {var} {path} {v} }} }}")
    if key == SH.disjoint:
        return f"NOT EXISTS {{ {var} {path} {v} . {var} {p} {v} }}"
    op = _LESS[key][0]
    w = c.names.fresh()
    return (f"NOT EXISTS {{ {var} {path} {v} . {var} {p} {w} . "
            f"FILTER(!COALESCE({v} {op} {w}, false)) }}")


_KEYS = (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals)
SECTION = Section(checks=dict.fromkeys(_KEYS, pair_check),
                  tests={SH.equals: pair_test, SH.disjoint: pair_test},
                  path_tests=dict.fromkeys(_KEYS, pair_path_test))
