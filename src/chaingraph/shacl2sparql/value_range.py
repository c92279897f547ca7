"""Value range constraints: ``sh:minInclusive``, ``sh:minExclusive``, ``sh:maxInclusive`` and
``sh:maxExclusive``.

SHACL 4.3 (Value range constraint components): a value node violates the constraint when
the comparison is false or cannot be made (an IRI, a literal of another type), which SPARQL
writes as ``COALESCE(comparison, false)``.
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from chaingraph.shacl2sparql.shapes import Constraint, Query, Section, ValueNodes

_RANGES: dict[Node, tuple[str, URIRef]] = {
    SH.minInclusive: (">=", SH.MinInclusiveConstraintComponent),
    SH.minExclusive: (">", SH.MinExclusiveConstraintComponent),
    SH.maxInclusive: ("<=", SH.MaxInclusiveConstraintComponent),
    SH.maxExclusive: ("<", SH.MaxExclusiveConstraintComponent)}


def range_test(c: Constraint, var: str) -> str:
    """A boolean expression, never an error: ``var`` is in the range."""
    return f"COALESCE({var} {_RANGES[c.key][0]} {c.value.n3()}, false)"


def range_check(c: Constraint, nodes: ValueNodes) -> Query:
    """The value nodes outside the range."""
    return nodes.each(_RANGES[c.key][1], f"FILTER(!{range_test(c, nodes.var)})")


SECTION = Section(checks=dict.fromkeys(_RANGES, range_check),
                  tests=dict.fromkeys(_RANGES, range_test))
