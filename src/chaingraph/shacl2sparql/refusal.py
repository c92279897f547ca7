"""Refusing a shape: what the compiler cannot compile, and shapes SHACL does not allow.

SHACL 3.4.2 (Handling of ill-formed shapes graphs) and Appendix B (Summary of SHACL syntax
rules): a processor must refuse a shapes graph that breaks the syntax rules, such as two
values of ``sh:maxCount`` or an ``sh:nodeKind`` that is not one of the six node kinds
(:class:`IllFormedShape`). Besides, the compiler refuses what it cannot turn into SPARQL
exactly (:class:`UnsupportedShape`), so adding a shape never silently drops a rule. Both
name the shape and the construct, a phrase of ``catalogue/compiler.toml`` (:class:`Construct`)
said in the language of the error's sentence.
"""

from __future__ import annotations

from typing import Any, cast

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from chaingraph.catalogue import DEFAULT
from chaingraph.catalogue import text as catalogue_text
from chaingraph.errors import ChaingraphError

SH_NS = str(SH)


class Construct:
    """What a refusal names, in either language: a key of ``catalogue/compiler.toml`` and the
    values of its placeholders. A value that is itself a :class:`Construct` is said in the
    same language; the rest (SHACL terms, IRIs, values of the shapes) as it is.

    Example:
        >>> nested = Construct("nested", what=Construct("term", term="sh:xone"))
        >>> nested.text("nl")
        'sh:xone binnen sh:node, sh:not, sh:or, sh:and, sh:property of een qualified value shape'
    """

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key = key
        self.params = params

    def text(self, lang: str = DEFAULT) -> str:
        """The phrase in ``lang`` (``en`` or ``nl``)."""
        params = {name: value.text(lang) if isinstance(value, Construct) else value
                  for name, value in self.params.items()}
        return catalogue_text(f"compiler.{self.key}", lang, **params)

    def __repr__(self) -> str:
        return f"Construct({self.key!r}, **{self.params!r})"


def term(node: Node) -> Construct:
    """A construct that is a SHACL key and nothing more (``sh:xone``): the same in every
    language."""
    return Construct("term", term=short(node))


class UnsupportedShape(ChaingraphError, ValueError):
    """A shape uses a SHACL construct the compiler cannot turn into SPARQL.

    The construct is a :class:`Construct`, or its key in ``catalogue/compiler.toml`` with the
    values of its placeholders (``UnsupportedShape(shape, "values_of", n=2, key="sh:in")``),
    kept as ``what``. ``construct`` is its English phrase; :meth:`construct_text` says it in
    another language, as :meth:`text` does the sentence.
    """

    _sentence = "unsupported_shape"

    def __init__(self, shape: Node, construct: str | Construct, /, **params: Any) -> None:
        self.shape = shape
        self.what = construct if isinstance(construct, Construct) else Construct(construct,
                                                                                **params)
        self.construct = self.what.text("en")
        super().__init__(key=self._sentence, shape=name(shape), construct=self.construct)

    def construct_text(self, lang: str = DEFAULT) -> str:
        """The construct in ``lang`` (``en`` or ``nl``)."""
        return self.what.text(lang)

    def _params(self, lang: str) -> dict[str, Any]:
        return {"shape": name(self.shape, lang), "construct": self.construct_text(lang)}


class IllFormedShape(UnsupportedShape):
    """A shape breaks a rule of SHACL itself (a processor must refuse it): names the shape and
    what is wrong."""

    _sentence = "ill_formed_shape"


# Where a constraint the compiler only knows on a targeted shape is refused: its key, whose
# placeholder {what} is the construct so placed.
NESTED = "nested"


def name(node: Node, lang: str = DEFAULT) -> str:
    """How a refusal names a shape: the local name of its IRI, or the blank node."""
    if isinstance(node, URIRef):
        text = str(node)
        return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if "#" in text or "/" in text else text
    return catalogue_text("compiler.anonymous", lang, node=node.n3())


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
            raise IllFormedShape(shape, "not_a_list", key=short(key))
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
            raise IllFormedShape(shape, "values_of", n=n, key=short(key))


def _well_formed(graph: Graph, shape: Node, key: Node, value: Node) -> None:
    """Refuse the value of one SHACL key when SHACL does not allow it."""
    wrong = None
    if key in _COUNTS:
        if not (isinstance(value, Literal) and value.datatype == XSD.integer
                and isinstance(value.value, int) and value.value >= 0):
            wrong = "count"
    elif key in _BOOLEANS:
        if not (isinstance(value, Literal) and value.datatype == XSD.boolean
                and isinstance(value.value, bool)):
            wrong = "boolean"
    elif key in _LISTS:
        found = members(graph, value, shape, key)
        if key == SH.languageIn and not all(isinstance(m, Literal) for m in found):
            wrong = "language_tags"
    elif key in _IRIS:
        if not isinstance(value, URIRef):
            wrong = "iri"
        elif key == SH.nodeKind and value not in _NODE_KINDS:
            wrong = "node_kind"
    elif key in _LITERALS:
        if not isinstance(value, Literal) or key in (SH.pattern, SH.flags) and (
                value.language or value.datatype not in (None, XSD.string)):
            wrong = "string" if key in (SH.pattern, SH.flags) else "literal"
    elif key in _SHAPES:
        if isinstance(value, Literal):
            wrong = "shape"
    if wrong:
        raise IllFormedShape(shape, "wrong_value", key=short(key), value=value.n3(),
                             wrong=Construct(f"wrong.{wrong}"))


def is_true(value: Node) -> bool:
    """Whether a boolean key's value is true."""
    return isinstance(value, Literal) and value.value is True


def integer(value: Node) -> int:
    """The number of a count key (:func:`check_shape` has refused all but an xsd:integer)."""
    return int(cast(Literal, value))


# --- shapes that reach themselves, paths of length zero ---------------------------------------

_NESTED_SHAPES = (SH.node, SH["not"], SH.property, SH.qualifiedValueShape)
_NESTED_LISTS = (SH["and"], SH["or"], SH.xone)


def nested_shapes(graph: Graph, shape: Node) -> list[Node]:
    """The shapes ``shape`` names (``sh:node``, ``sh:not``, ``sh:property``, a qualified value
    shape, the members of ``sh:and``, ``sh:or`` and ``sh:xone``)."""
    found = [value for key in _NESTED_SHAPES for value in graph.objects(shape, key)]
    for key in _NESTED_LISTS:
        for value in graph.objects(shape, key):
            found += members(graph, value, shape, key)
    return found


def check_not_recursive(graph: Graph, shape: Node) -> None:
    """Refuse ``shape`` if it reaches itself, or a shape that reaches itself, through the shapes
    it names (SHACL leaves the validation of recursive shapes to each processor; the compiler
    would unfold them without end)."""
    done: set[Node] = set()  # shapes whose every path was followed: each once

    def walk(node: Node, path: frozenset[Node]) -> None:
        if node in done:
            return
        for inner in nested_shapes(graph, node):
            if inner in path or inner == node:
                raise UnsupportedShape(shape, "recursive")
            walk(inner, path | {node})
        done.add(node)

    walk(shape, frozenset())


def nullable(graph: Graph, path: Node | None) -> bool:
    """Whether the SHACL path ``path`` may have length zero (its value nodes include the
    focus node itself)."""
    if path is None or isinstance(path, (URIRef, Literal)):
        return False
    if (path, RDF.first, None) in graph:
        return all(nullable(graph, step) for step in items(graph, path))
    if (path, SH.zeroOrMorePath, None) in graph or (path, SH.zeroOrOnePath, None) in graph:
        return True
    for key in (SH.oneOrMorePath, SH.inversePath):
        inner = graph.value(path, key)
        if inner is not None:
            return nullable(graph, inner)
    choices = graph.value(path, SH.alternativePath)
    return choices is not None and any(nullable(graph, p) for p in items(graph, choices))


def zero_length_paths(graph: Graph, shape: Node) -> bool:
    """Whether ``shape``, or a shape it names, has a path that may have length zero."""
    seen: set[Node] = set()
    todo = [shape]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        if nullable(graph, graph.value(node, SH.path)):
            return True
        todo += nested_shapes(graph, node)
    return False


def zero_length_refusal(node: Node | None) -> Construct:
    """The construct a refusal names for a path of length zero from a focus node that is not
    in the data (``None``: a node some part of the data may not hold)."""
    if node is None:
        return Construct("zero_length", where=Construct("zero_length_case_by_case"))
    return Construct("zero_length", where=Construct("zero_length_absent", node=node.n3()))
