"""Cardinality constraints: ``sh:minCount`` and ``sh:maxCount``.

SHACL 4.2 (Cardinality constraint components): the number of value nodes of a property
shape, counted as distinct terms (a grouped ``COUNT(DISTINCT ?value)``; ``sh:minCount 1``
as a missing ``OPTIONAL`` match, which needs no grouping). Inside ``sh:node``, ``sh:not``
and the other shape-based constraints, only the counts 0 and 1 are compiled (as
``EXISTS``); larger counts there are refused.
"""

from __future__ import annotations

from rdflib.namespace import SH
from rdflib.term import Node

from chaingraph.shacl2sparql.refusal import UnsupportedShape, integer, term
from chaingraph.shacl2sparql.shapes import Constraint, Query, Section, ValueNodes


def count_fails(key: Node, var: str, n: int) -> str:
    """An aggregate test: the distinct values of ``var`` are fewer than ``n`` (``sh:minCount``)
    or more (``sh:maxCount``)."""
    return f"COUNT(DISTINCT {var}) {'<' if key == SH.minCount else '>'} {n}"


def _path(c: Constraint, nodes: ValueNodes) -> str:
    """The path of a property shape; a count on a node shape is refused."""
    if not nodes.path:
        raise UnsupportedShape(c.owner, term(c.key))
    return nodes.path


def min_count_check(c: Constraint, nodes: ValueNodes) -> Query | None:
    """``sh:minCount n`` on a property shape: the focus nodes with fewer values (None for 0)."""
    path, n = _path(c, nodes), integer(c.value)
    if n == 0:
        return None
    values = f"OPTIONAL {{ ?this {path} ?value }}"
    if n == 1:
        query = f"SELECT ?this WHERE {{ {nodes.focus} {values} FILTER(!BOUND(?value)) }}"
    else:
        query = (f"SELECT ?this WHERE {{ {nodes.focus} {values} }} GROUP BY ?this "
                 f"HAVING ({count_fails(SH.minCount, '?value', n)})")
    return Query(SH.MinCountConstraintComponent, query, False)


def max_count_check(c: Constraint, nodes: ValueNodes) -> Query:
    """``sh:maxCount n`` on a property shape: the focus nodes with more values."""
    path = _path(c, nodes)
    return Query(SH.MaxCountConstraintComponent,
                 f"SELECT ?this WHERE {{ {nodes.focus} ?this {path} ?value }} "
                 f"GROUP BY ?this HAVING ({count_fails(SH.maxCount, '?value', integer(c.value))})",
                 False)


def min_count_path_test(c: Constraint, var: str, path: str, v: str) -> str | None:
    """A boolean expression: ``var`` has at least n values of ``path`` (None for 0)."""
    n = integer(c.value)
    if n > 1:
        raise UnsupportedShape(c.owner, "nested_count_above_1", key="sh:minCount")
    return f"EXISTS {{ {var} {path} {v} }}" if n == 1 else None


def max_count_path_test(c: Constraint, var: str, path: str, v: str) -> str:
    """A boolean expression: ``var`` has at most n values of ``path``."""
    n = integer(c.value)
    if n == 0:
        return f"NOT EXISTS {{ {var} {path} {v} }}"
    if n == 1:
        w = c.names.fresh()
        return (f"NOT EXISTS {{ {var} {path} {v} . {var} {path} {w} . "
                f"FILTER(!sameTerm({v}, {w})) }}")
    raise UnsupportedShape(c.owner, "nested_count_above_1", key="sh:maxCount")


SECTION = Section(
    checks={SH.minCount: min_count_check, SH.maxCount: max_count_check},
    path_tests={SH.minCount: min_count_path_test, SH.maxCount: max_count_path_test})
