"""SHACL property paths as SPARQL property paths.

SHACL 2.3.1 (SHACL property paths): an IRI, a sequence (an RDF list), ``sh:alternativePath``,
``sh:inversePath``, ``sh:zeroOrMorePath``, ``sh:oneOrMorePath`` and ``sh:zeroOrOnePath``,
each of which SPARQL 1.1 writes as a property path of its own.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from chaingraph.shacl2sparql.refusal import IllFormedShape, UnsupportedShape, items

_UNARY = ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"), (SH.oneOrMorePath, "{}+"),
          (SH.zeroOrOnePath, "{}?"))


def compile_path(graph: Graph, path: Node | None, shape: Node) -> str:
    """Turn a SHACL path into a SPARQL property path.

    Example:
        >>> g = Graph().parse(data='''@prefix sh: <http://www.w3.org/ns/shacl#> .
        ... <s> sh:path [ sh:inversePath <http://x/p> ] .''', format="turtle", publicID="http://x/")
        >>> compile_path(g, g.value(URIRef("http://x/s"), SH.path), URIRef("http://x/s"))
        '(^<http://x/p>)'
    """
    if path is None or isinstance(path, Literal):
        raise IllFormedShape(shape, "not_a_path")
    if isinstance(path, URIRef):
        return path.n3()
    if (path, RDF.first, None) in graph:
        return "(" + "/".join(compile_path(graph, p, shape) for p in items(graph, path)) + ")"
    for key, fmt in _UNARY:
        inner = graph.value(path, key)
        if inner is not None:
            return "(" + fmt.format(compile_path(graph, inner, shape)) + ")"
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        choices = (compile_path(graph, p, shape) for p in items(graph, alternatives))
        return "(" + "|".join(choices) + ")"
    raise UnsupportedShape(shape, "path_form")
