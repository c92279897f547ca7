"""SPARQL-based constraint components: new constraint kinds declared in the shapes graph.

SHACL 6 (SPARQL-based constraint components): an ``sh:ConstraintComponent`` with its
parameters (6.2.1, ``sh:parameter`` with ``sh:path`` and ``sh:optional``) and validators
(6.2.3): ``sh:nodeValidator`` and ``sh:propertyValidator`` (an ``sh:select``, or an
``sh:ask``), ``sh:validator`` (an ``sh:ask`` for either kind of shape). A shape that has a
value for each mandatory parameter uses the component (6.3); the parameters' values take
the place of their variables. Components used inside a shape-based or logical constraint
are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from chaingraph.shacl2sparql.prebinding import Block, check_prebound, matching_brace, top_block
from chaingraph.shacl2sparql.refusal import SH_NS, IllFormedShape, UnsupportedShape, is_true, short
from chaingraph.shacl2sparql.shapes import Check, CompiledShapes
from chaingraph.shacl2sparql.sparql_constraints import (
    parse_check,
    select_check,
    split_prologue,
    written,
)
from chaingraph.shacl2sparql.targets import focus
from chaingraph.shacl2sparql.terms import EVERYTHING, constant


@dataclass(frozen=True)
class Component:
    """A SPARQL-based constraint component: its parameters (path, optional) and validators."""

    node: Node
    parameters: tuple[tuple[URIRef, bool], ...]
    validator: Node | None
    node_validator: Node | None
    property_validator: Node | None


def components(graph: Graph) -> dict[Node, Component]:
    """The SPARQL-based constraint components of a shapes graph (instances of
    ``sh:ConstraintComponent`` or of its subclasses), outside SHACL's own namespace."""
    kinds: set[Node] = {SH.ConstraintComponent}
    kinds |= {k for k in graph.transitive_subjects(RDFS.subClassOf, SH.ConstraintComponent)
              if k is not None}
    found: dict[Node, Component] = {}
    for kind in kinds:
        for node in graph.subjects(RDF.type, kind):
            if str(node).startswith(SH_NS) or node in found:
                continue
            parameters = []
            for parameter in graph.objects(node, SH.parameter):
                path = graph.value(parameter, SH.path)
                if not isinstance(path, URIRef):
                    raise IllFormedShape(node, "parameter_path")
                optional = graph.value(parameter, SH.optional)
                parameters.append((path, optional is not None and is_true(optional)))
            found[node] = Component(node, tuple(sorted(parameters)),
                                    graph.value(node, SH.validator),
                                    graph.value(node, SH.nodeValidator),
                                    graph.value(node, SH.propertyValidator))
    return found


def active_components(graph: Graph, shape: Node, compiled: CompiledShapes
                      ) -> list[tuple[Component, dict[str, Node]]]:
    """The components a shape uses (a value for each mandatory parameter), with the values of
    their parameters by name (the local name of the parameter's path)."""
    active = []
    for component in compiled.components.values():
        mandatory = {p for p, optional in component.parameters if not optional}
        present = {p for p, _ in component.parameters if (shape, p, None) in graph}
        if not present or not mandatory <= present:
            continue
        values: dict[str, Node] = {}
        for parameter, _ in component.parameters:
            found = list(graph.objects(shape, parameter))
            if len(found) > 1:
                raise UnsupportedShape(shape, "parameter_values", n=len(found),
                                       parameter=short(parameter),
                                       component=short(component.node))
            if found:
                constant(shape, parameter, found[0])
                values[_local(parameter)] = found[0]
        active.append((component, values))
    return sorted(active, key=lambda item: str(item[0].node))


def _local(iri: Node) -> str:
    return re.split(r"[#/:]", str(iri))[-1]


def compile_component(graph: Graph, shape: Node, component: Component,
                      bindings: dict[str, Node], target: str, path: str | None,
                      severity: URIRef, message: str | None) -> Check:
    """A SPARQL-based constraint component used by ``shape``: its validator for the kind of
    shape, with the parameters' values in place of their variables."""
    validator = (component.property_validator if path else component.node_validator) \
        or component.validator
    if validator is None:
        raise UnsupportedShape(shape, "no_property_validator" if path else "no_node_validator",
                               component=short(component.node))
    values = {name: value.n3() for name, value in bindings.items()}
    own = graph.value(validator, SH.message)
    message = str(own) if own is not None else message
    ask, select = graph.value(validator, SH.ask), graph.value(validator, SH.select)
    if (ask is None) == (select is None):
        raise IllFormedShape(component.node, "validator_query")
    if select is not None:
        if validator == component.validator:
            raise IllFormedShape(component.node, "validator_select")
        # a component is named by an IRI: rdflib types it Node
        return select_check(graph, shape, validator, str(select), target, path, values,
                            component.node, severity, message)  # type: ignore[arg-type]  # IRI
    return _ask_check(graph, shape, validator, str(ask), target, path, values,
                      component.node, severity, message)  # type: ignore[arg-type]  # IRI, as above


def _ask_check(graph: Graph, shape: Node, source: Node, text: str, target: str,
               path: str | None, parameters: dict[str, str], component: URIRef,
               severity: URIRef, message: str | None) -> Check:
    """An ASK validator as a check: a row for each value node for which the ASK is false.

    ``$this`` and ``$value`` are pre-bound: the ASK pattern runs inside ``FILTER NOT EXISTS``,
    which gives it the row's ``?this`` and ``?value`` in every group, as the substitution does.
    """
    prefixes, filled = written(graph, source, shape, text, path, parameters, "sh:ask")
    declared_text, body = split_prologue(filled.replace("$value", "?value"))
    match = re.match(r"(?is)\s*ASK\s*(WHERE\s*)?\{", body)
    if not match:
        raise UnsupportedShape(shape, "query_form", key="sh:ask", form="ASK {")
    try:
        close = matching_brace(body, match.end() - 1)
    except ValueError:
        raise IllFormedShape(shape, "unbalanced_braces", key="sh:ask") from None
    if body[close + 1:].strip():
        raise UnsupportedShape(shape, "ask_modifiers")
    inner = body[match.end():close]
    check_prebound(inner, shape, ["this", "value"])
    top = top_block(inner, shape)

    def subqueries(block: Block) -> None:
        for child in block.blocks:
            if child.kind == "subquery" and not {"?this", "?value"} <= set(child.projection):
                raise IllFormedShape(shape, "subquery_this_value")
            subqueries(child)

    subqueries(top)
    values = f"{focus(target)} ?this {path} ?value ." if path else \
        f"{focus(target)} BIND(?this AS ?value)"
    query = ("\n".join(prefixes) + "\n" + declared_text
             + f"SELECT ?this ?value WHERE {{ {values} FILTER NOT EXISTS {{ {inner} }} }}")
    parse_check(query, "\n".join(prefixes) + "\n" + text, shape)
    return Check(shape, component, severity, query, path, message, True, reads=EVERYTHING,
                 construct=short(component))
