"""Compiling a shapes graph: every targeted node shape and property shape, constraint by
constraint.

SHACL 2.2 (Node shapes) and SHACL 2.3 (Property shapes): a shape with a target is compiled with
its constraints, its property shapes (whose focus nodes are its value nodes), its
``sh:sparql`` constraints and the SPARQL-based constraint components it uses; a shape
without a target is only read where another shape names it (``sh:node``, ``sh:not``, a
qualified value shape ...). Each constraint goes to the module of its section of the
specification (4.1 to 4.8).
"""

from __future__ import annotations

from rdflib import BNode, Graph
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from chaingraph.shacl2sparql import shape_based
from chaingraph.shacl2sparql.paths import compile_path
from chaingraph.shacl2sparql.refusal import (
    SH_NS,
    UnsupportedShape,
    check_not_recursive,
    check_shape,
    short,
    term,
    zero_length_paths,
    zero_length_refusal,
)
from chaingraph.shacl2sparql.shapes import (
    NOT_CONSTRAINTS,
    Check,
    CompiledShapes,
    Names,
    Query,
    ValueNodes,
    deactivated,
    message,
    severity,
)
from chaingraph.shacl2sparql.sparql_components import (
    active_components,
    compile_component,
    components,
)
from chaingraph.shacl2sparql.sparql_constraints import compile_sparql
from chaingraph.shacl2sparql.targets import TARGETS, focus, target_pattern, values_target
from chaingraph.shacl2sparql.terms import reads


def compile_shapes(shapes: Graph) -> CompiledShapes:
    """Compile every targeted node shape of ``shapes`` (and its property shapes) to SPARQL checks.

    Raises:
        UnsupportedShape: a shape uses a construct the compiler does not know.
        IllFormedShape: a shape breaks SHACL's own rules.
    """
    shapes = in_order(shapes)
    compiled = CompiledShapes()
    compiled.components = components(shapes)
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    for key in TARGETS:
        node_shapes |= set(shapes.subjects(key, None))
    # a class that is also a shape has an implicit class target, however it is typed
    node_shapes |= {cls for kind in (RDFS.Class, OWL.Class)
                    for cls in shapes.subjects(RDF.type, kind)
                    if any(str(key).startswith(SH_NS) for key in shapes.predicates(cls))}
    for shape in sorted(node_shapes, key=str):
        if deactivated(shapes, shape):
            continue
        target = target_pattern(shapes, shape, compiled)
        if target is None:
            continue  # only used through sh:node / sh:qualifiedValueShape
        check_not_recursive(shapes, shape)
        nodes = [n for n in shapes.objects(shape, SH.targetNode) if not isinstance(n, BNode)]
        if nodes and zero_length_paths(shapes, shape):
            compiled.zero_length[shape] = nodes  # must be in the data (validate checks)
        if (shape, SH.path, None) in shapes:  # a property shape with its own targets
            _compile_property_shape(shapes, shape, target, compiled)
        else:
            check_shape(shapes, shape)
            _compile_shape(shapes, shape, target, None, compiled)
    return compiled


def in_order(graph: Graph) -> Graph:
    """A copy of ``graph`` whose triples come in an order that does not depend on the process.

    rdflib hands a parsed graph's triples back in an order that follows Python's string
    hashing, which differs from process to process: without this, the same shapes compiled
    to queries with their patterns in another order each run (the same answers, but not the
    same text, nor always the same speed). Blank nodes are ordered by what they hold, their
    random labels left out. The terms themselves are kept, so a compiled check still names
    the shape node of ``graph``.

    Example:
        >>> from rdflib import URIRef
        >>> g = Graph().parse(data="<urn:s> <urn:d> 1 ; <urn:c> 2 ; <urn:b> 3 ; <urn:a> [] .",
        ...                   format="ttl")
        >>> [str(p) for p, _ in in_order(g).predicate_objects(URIRef("urn:s"))]
        ['urn:a', 'urn:b', 'urn:c', 'urn:d']
    """
    def key(node: Node, depth: int = 0) -> str:
        if not isinstance(node, BNode):
            return node.n3()
        if depth > 3:
            return "[]"
        inner = sorted(f"{p.n3()} {key(o, depth + 1)}" for p, o in graph.predicate_objects(node))
        return "[" + " ; ".join(inner) + "]"

    ordered = Graph()
    for prefix, namespace in graph.namespaces():
        ordered.bind(prefix, namespace, override=False)
    keyed = {node: key(node) for node in set(graph.subjects()) | set(graph.objects())}
    for triple in sorted(graph, key=lambda t: (keyed[t[0]], t[1].n3(), keyed[t[2]])):
        ordered.add(triple)
    return ordered


def compile_case_by_case(shapes: Graph | CompiledShapes) -> CompiledShapes:
    """:func:`compile_shapes` for an audit that runs the checks on each part of the data apart
    (a case in a named graph of its own): a shape whose ``sh:targetNode`` needs a path of
    length zero is refused, as a part may not hold the node (:attr:`CompiledShapes.zero_length`).
    """
    compiled = shapes if isinstance(shapes, CompiledShapes) else compile_shapes(shapes)
    for shape in compiled.zero_length:
        raise UnsupportedShape(shape, zero_length_refusal(None))
    return compiled


def _compile_property_shape(graph: Graph, shape: Node, target: str,
                            compiled: CompiledShapes) -> None:
    path_node = graph.value(shape, SH.path)
    if path_node is None:
        raise UnsupportedShape(shape, "no_path")
    check_shape(graph, shape)
    _compile_shape(graph, shape, target, compile_path(graph, path_node, shape), compiled)


def _compile_shape(graph: Graph, shape: Node, target: str, path: str | None,
                   compiled: CompiledShapes) -> None:
    """Compile a node shape (``path`` None) or a property shape, after :func:`check_shape`."""
    level, text = severity(graph, shape), message(graph, shape)
    names = Names()
    nodes = ValueNodes(focus(target), path)
    for key, value in graph.predicate_objects(shape):
        if key in NOT_CONSTRAINTS or not str(key).startswith(SH_NS):
            continue
        for done in _queries(graph, shape, key, value, nodes, names, compiled):
            compiled.checks.append(Check(shape, done.component, level, done.query, path, text,
                                         done.has_value, done.focus_value, done.path_column,
                                         reads(graph, key, value), done.construct or short(key)))
    inner = values_target(target, path) if path else target
    for prop in graph.objects(shape, SH.property):
        if not deactivated(graph, prop):
            _compile_property_shape(graph, prop, inner, compiled)
    for sparql in graph.objects(shape, SH.sparql):
        if not deactivated(graph, sparql):
            compiled.checks.append(compile_sparql(graph, shape, sparql, target, level, text,
                                                  path))
    for component, bindings in active_components(graph, shape, compiled):
        compiled.checks.append(compile_component(graph, shape, component, bindings, target, path,
                                                 level, text))


def _queries(graph: Graph, shape: Node, key: Node, value: Node, nodes: ValueNodes, names: Names,
             compiled: CompiledShapes) -> list[Query]:
    """The queries of the constraint ``key value`` of ``shape``, from its section of SHACL."""
    check = _CHECKS.get(key)
    if check is None:
        raise UnsupportedShape(shape, term(key))
    found = check(shape_based.constraint(graph, key, value, shape, names, compiled, shape), nodes)
    if found is None:
        return []
    return [found] if isinstance(found, Query) else list(found)


# The check of every constraint a targeted shape may have, by section of SHACL.
_CHECKS = {key: check for section in shape_based.SECTIONS for key, check in section.checks.items()}
