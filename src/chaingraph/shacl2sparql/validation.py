"""Validation: the compiled checks run on a data graph, their rows as validation results.

SHACL 3.4 (Validation): the data graph is validated against the shapes graph by running
every compiled check on it, as SPARQL on a pyoxigraph store (an rdflib graph is copied
into one first; a SPARQL endpoint's graph is queried where it is). The checks can be
restricted to a few focus nodes (a ``VALUES`` clause), and combined into one query
(:func:`combine`) to spare the parsing and planning of one query per check.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, cast

from rdflib import Graph, Literal, URIRef
from rdflib.query import ResultRow
from rdflib.term import Node

from chaingraph.shacl2sparql.compiler import compile_shapes
from chaingraph.shacl2sparql.refusal import UnsupportedShape, zero_length_refusal
from chaingraph.shacl2sparql.report import Violation
from chaingraph.shacl2sparql.shapes import Check, CompiledShapes
from chaingraph.shacl2sparql.terms import Forms, copy_graph, from_ox
from chaingraph.shacl2sparql.value_type import fill_classes, subclass_values

Runner = Callable[[str], Iterable[Sequence[Node | None]]]


def _ox_runner(store: Any) -> Runner:
    def run(query: str) -> Iterator[tuple[Node | None, ...]]:
        for solution in store.query(query):
            yield tuple(None if value is None else from_ox(value) for value in solution)

    return run


def _graph_runner(graph: Graph) -> Runner:
    def run(query: str) -> Iterator[tuple[Node | None, ...]]:
        result = graph.query(query)
        for row in result:
            yield tuple(cast(ResultRow, row))  # a SELECT query's result holds rows

    return run


def runner_for(data: Any) -> Runner:
    """Pick how to run SPARQL on ``data``: a pyoxigraph Store, or any rdflib Graph backend.

    An rdflib graph other than a SPARQL endpoint's is copied into a pyoxigraph store first (rdflib's
    engine
    is both slow and wrong on some of the query forms the compiler emits).
    """
    return _open(data)[0]


def _open(data: Any, named: set[Literal] | None = None) -> tuple[Runner, Forms]:
    """The runner for ``data`` and, with ``named`` (the literal focus nodes of the shapes),
    the literals Oxigraph keeps in another form than the data's (:class:`Forms`)."""
    import pyoxigraph

    if isinstance(data, pyoxigraph.Store):
        return _ox_runner(data), Forms.build(None, set(), named or set())
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    if isinstance(data.store, SPARQLStore):
        return _graph_runner(data), Forms()
    store, literals = copy_graph(data)
    return _ox_runner(store), Forms.build(store, literals, named or set()) \
        if named is not None else Forms()


def instantiate(compiled: CompiledShapes, run: Runner, *,
                focus: Iterable[Node] | None = None) -> list[Check]:
    """Fill in the subclass closures from the data and, with ``focus``, restrict every check.

    ``focus`` restricts the checks to those focus nodes (a ``VALUES`` clause in front of
    each query), which is how a few focus nodes are re-checked.
    """
    closures = subclass_values(run, compiled.classes)
    restrict = ""
    if focus is not None:
        restrict = "VALUES ?this { " + " ".join(n.n3() for n in focus) + " } "
    checks = []
    for check in compiled.checks:
        query = fill_classes(check.query, closures)
        if restrict:
            query = _restrict(query, restrict)
        checks.append(dataclasses.replace(check, query=query))
    return checks


def _restrict(query: str, values: str) -> str:
    """Put ``values`` first in the outermost WHERE group of ``query``."""
    match = re.search(r"(?is)\bWHERE\s*\{", query)
    assert match, query
    return query[:match.end()] + " " + values + query[match.end():]


def validate(data: Any, shapes: Graph | CompiledShapes, *,
             focus: Iterable[Node] | None = None) -> set[Violation]:
    """Audit ``data`` (a pyoxigraph Store or an rdflib Graph on any backend) against ``shapes``.

    Args:
        data: the data, with the class hierarchy (``rdfs:subClassOf``) in it.
        shapes: the shapes graph, or shapes already compiled.
        focus: only check these focus nodes (e.g. the nodes of one record).

    Returns:
        The violations, as pySHACL reports them (focus node, source shape, component,
        severity, path, value), literals in the data's own form.

    Raises:
        UnsupportedShape: a shape the compiler cannot compile, or a check that reads a form
            of the data's literals that Oxigraph does not keep (an rdflib graph's literals
            are compared with what Oxigraph keeps of them).
    """
    compiled = shapes if isinstance(shapes, CompiledShapes) else compile_shapes(shapes)
    run, forms = _open(data, compiled.literals)
    for shape, nodes in compiled.zero_length.items():
        absent = "SELECT ?n WHERE { VALUES ?n { " + " ".join(n.n3() for n in nodes) + \
            " } FILTER NOT EXISTS { { ?n ?p ?o } UNION { ?s ?q ?n } } }"
        for row in run(absent):
            raise UnsupportedShape(shape, zero_length_refusal(row[0]))
    checks = instantiate(compiled, run, focus=focus)
    for check in checks:
        forms.refuse(check)
    found: set[Violation] = set()
    for check in checks:
        for row in run(check.query):
            this = row[0]
            if this is None:
                continue
            value = row[1] if check.has_value and len(row) > 1 else None
            if value is None and check.focus_value:
                value = this
            path = check.path
            column = check.path_column
            named = row[column] if column is not None and len(row) > column else None
            if isinstance(named, URIRef):
                path = named.n3()
            found.add(Violation(forms.restore(this), check.shape,
                                check.component, check.severity, path, forms.restore(value),
                                check.message))
    return found


def combine(checks: Sequence[Check], *, per_graph: bool = False) -> str:
    """Write all checks as one SELECT (?_check ?this ?value), a union of subselects.

    One query per chunk instead of one per check: parsing and planning the query cost
    more than evaluating it on a few focus nodes. With ``per_graph`` the checks run inside
    ``GRAPH ?_unit``: each unit of the data (a record with everything it holds) in its own
    named graph, so a rule's patterns (and its ``NOT EXISTS``) only look at one unit's nodes.
    """
    prefixes: dict[str, str] = {}
    branches = []
    for index, check in enumerate(checks):
        text = check.query.strip()
        while True:
            head = re.match(r"(?is)\s*(PREFIX\s+(\S*):\s*<[^>]*>)", text)
            if not head:
                break
            prefixes[head.group(2)] = head.group(1)
            text = text[head.end():]
        branches.append(f"{{ {{ {text} }} BIND({index} AS ?_check) }}")
    body = "\nUNION\n".join(branches)
    if per_graph:
        body = "GRAPH ?_unit {\n" + body + "\n}"
    return "\n".join(prefixes.values()) + f"\nSELECT ?_check ?this ?value WHERE {{\n{body}\n}}"
