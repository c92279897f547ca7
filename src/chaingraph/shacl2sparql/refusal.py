"""Refusing a shape: what the compiler cannot compile, and shapes SHACL does not allow.

SHACL 3.4.2 (Handling of ill-formed shapes graphs) and Appendix B (Summary of SHACL syntax
rules): a processor must refuse a shapes graph that breaks the syntax rules, such as two
values of ``sh:maxCount`` or an ``sh:nodeKind`` that is not one of the six node kinds
(:class:`IllFormedShape`). Besides, the compiler refuses what it cannot turn into SPARQL
exactly (:class:`UnsupportedShape`), so adding a shape never silently drops a rule. Both
name the shape and the construct.
"""

from __future__ import annotations

from typing import cast

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from chaingraph.errors import ChaingraphError

SH_NS = str(SH)


class UnsupportedShape(ChaingraphError, ValueError):
    """A shape uses a SHACL construct the compiler cannot turn into SPARQL."""

    def __init__(self, shape: Node, construct: str) -> None:
        self.shape = shape
        self.construct = construct
        super().__init__(key="unsupported_shape", shape=name(shape), construct=construct)


class IllFormedShape(UnsupportedShape):
    """A shape breaks a rule of SHACL itself (a processor must refuse it): names the shape and
    what is wrong."""

    def __init__(self, shape: Node, construct: str) -> None:
        self.shape = shape
        self.construct = construct
        super(UnsupportedShape, self).__init__(key="ill_formed_shape", shape=name(shape),
                                               construct=construct)


# Where a constraint the compiler only knows on a targeted shape is refused.
NESTED = "inside sh:node, sh:not, sh:or, sh:and, sh:property or a qualified value shape"


def name(node: Node) -> str:
    """How a refusal names a shape: the local name of its IRI, or the blank node."""
    if isinstance(node, URIRef):
        text = str(node)
        return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if "#" in text or "/" in text else text
    return f"[anonymous {node.n3()}]"


def short(node: Node) -> str:
    """How a refusal names a construct: ``sh:``, ``xsd:`` or ``rdf:`` and the local name."""
    text = str(node)
    for prefix, namespace in (("sh:", SH_NS), ("xsd:", str(XSD)), ("rdf:", str(RDF))):
        if text.startswith(namespace):
            return prefix + text[len(namespace):]
    return node.n3()


def items(graph: Graph, node: Node) -> list[Node]:
    """The members of an RDF list, as rdflib reads it."""
    return list(Collection(graph, node))


def members(graph: Graph, node: Node, shape: Node, key: Node) -> list[Node]:
    """The members of the SHACL list ``node`` (the value of ``key``), refused when it is not one."""
    found: list[Node] = []
    seen: set[Node] = set()
    while node != RDF.nil:
        first = list(graph.objects(node, RDF.first))
        rest = list(graph.objects(node, RDF.rest))
        if isinstance(node, Literal) or node in seen or len(first) != 1 or len(rest) != 1:
            raise IllFormedShape(shape, f"{short(key)} with a value that is not a well-formed "
                                        "list")
        seen.add(node)
        found.append(first[0])
        node = rest[0]
    return found


# --- what a shapes graph may say (SHACL's syntax rules) ---------------------------------------

_COUNTS = {SH.minCount, SH.maxCount, SH.minLength, SH.maxLength, SH.qualifiedMinCount,
           SH.qualifiedMaxCount}
_BOOLEANS = {SH.closed, SH.uniqueLang, SH.deactivated, SH.qualifiedValueShapesDisjoint}
_LISTS = {SH["in"], SH.languageIn, SH["and"], SH["or"], SH.xone, SH.ignoredProperties}
_IRIS = {SH["class"], SH.datatype, SH.nodeKind, SH.equals, SH.disjoint, SH.lessThan,
         SH.lessThanOrEquals, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf}
_LITERALS = {SH.pattern, SH.flags, SH.minInclusive, SH.minExclusive, SH.maxInclusive,
             SH.maxExclusive}
_SHAPES = {SH.node, SH["not"], SH.property, SH.qualifiedValueShape, SH.sparql}
# Keys a shape may have once at most.
_SINGLE = _COUNTS | _BOOLEANS | {SH.datatype, SH.nodeKind, SH["in"], SH.languageIn, SH.path,
                                 SH.minInclusive, SH.minExclusive, SH.maxInclusive,
                                 SH.maxExclusive}
_NODE_KINDS = {SH.IRI, SH.BlankNode, SH.Literal, SH.BlankNodeOrIRI, SH.BlankNodeOrLiteral,
              SH.IRIOrLiteral}


def check_shape(graph: Graph, shape: Node) -> None:
    """Refuse a shape whose SHACL keys have values SHACL does not allow (IllFormedShape)."""
    counted: dict[Node, int] = {}
    for key, value in graph.predicate_objects(shape):
        if str(key).startswith(SH_NS):
            counted[key] = counted.get(key, 0) + 1
            _well_formed(graph, shape, key, value)
    for key, n in counted.items():
        if n > 1 and key in _SINGLE:
            raise IllFormedShape(shape, f"{n} values of {short(key)}")


def _well_formed(graph: Graph, shape: Node, key: Node, value: Node) -> None:
    """Refuse the value of one SHACL key when SHACL does not allow it."""
    wrong = None
    if key in _COUNTS:
        if not (isinstance(value, Literal) and value.datatype == XSD.integer
                and isinstance(value.value, int) and value.value >= 0):
            wrong = "a non-negative xsd:integer"
    elif key in _BOOLEANS:
        if not (isinstance(value, Literal) and value.datatype == XSD.boolean
                and isinstance(value.value, bool)):
            wrong = "true or false"
    elif key in _LISTS:
        found = members(graph, value, shape, key)
        if key == SH.languageIn and not all(isinstance(m, Literal) for m in found):
            wrong = "a list of language tags"
    elif key in _IRIS:
        if not isinstance(value, URIRef):
            wrong = "an IRI"
        elif key == SH.nodeKind and value not in _NODE_KINDS:
            wrong = "one of the six node kinds"
    elif key in _LITERALS:
        if not isinstance(value, Literal) or key in (SH.pattern, SH.flags) and (
                value.language or value.datatype not in (None, XSD.string)):
            wrong = "a string" if key in (SH.pattern, SH.flags) else "a literal"
    elif key in _SHAPES:
        if isinstance(value, Literal):
            wrong = "a shape (an IRI or a blank node)"
    if wrong:
        raise IllFormedShape(shape, f"{short(key)} {value.n3()} (not {wrong})")


def is_true(value: Node) -> bool:
    """Whether a boolean key's value is true."""
    return isinstance(value, Literal) and value.value is True


def integer(value: Node) -> int:
    """The number of a count key (:func:`check_shape` has refused all but an xsd:integer)."""
    return int(cast(Literal, value))
