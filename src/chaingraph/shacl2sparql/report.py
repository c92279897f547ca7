"""Validation results, as pySHACL's validation report gives them.

SHACL 3.6 (Validation report): each result has a focus node (``sh:focusNode``), a result
path, a value, the source shape, the source constraint component, a severity and messages.
:func:`reference` reads pySHACL's report into the same form, so that the two audits can be
compared (:func:`key`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from chaingraph.shacl2sparql.paths import compile_path


@dataclass(frozen=True)
class Violation:
    """One validation result, as pySHACL's report has it."""

    focus: Node
    shape: Node
    component: URIRef
    severity: URIRef
    path: str | None = None
    value: Node | None = None
    message: str | None = None


def reference(data: Graph, shapes: Graph) -> set[Violation]:
    """Audit with pySHACL (the reference) and return its results as :class:`Violation`s."""
    import pyshacl

    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                    advanced=True, allow_warnings=True)
    found: set[Violation] = set()
    # Only the report's own results: pySHACL also types the sh:detail results of sh:node.
    for result in report.objects(None, SH.result):
        path = report.value(result, SH.resultPath)
        shape = report.value(result, SH.sourceShape)
        where = report if isinstance(path, URIRef) or (path, None, None) in report else shapes
        found.add(Violation(
            report.value(result, SH.focusNode), shape,
            report.value(result, SH.sourceConstraintComponent),
            report.value(result, SH.resultSeverity),
            compile_path(where, path, shape) if path is not None else None,
            report.value(result, SH.value), None))
    return found


def key(violation: Violation) -> tuple[Node, Node, URIRef, URIRef]:
    """What two audits must agree on: focus node, shape, component and severity."""
    return (violation.focus, violation.shape, violation.component, violation.severity)
