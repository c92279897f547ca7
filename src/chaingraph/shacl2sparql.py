"""SHACL compiled to SPARQL: the shapes graph as SELECT queries whose rows are violations.

The shapes in ``shapes/`` stay the single source of truth; this module reads them and
compiles each constraint of the SHACL Core subset they use (and their ``sh:sparql``
constraints, taken as written) into one SPARQL ``SELECT`` that returns the focus nodes
(and values) violating it. Run over a whole pyoxigraph store, the queries find what
pySHACL finds on an rdflib graph, many times faster; restricted with a ``VALUES``
clause to the nodes of one case, they re-audit that case in milliseconds, flat in the
number of cases. pySHACL stays the reference: the tests assert identical findings.

A construct the compiler does not know (``sh:closed``, ``sh:xone``, a complex
qualified shape ...) raises :class:`UnsupportedShape`, naming the shape and the
construct, so adding a shape never silently drops a rule.

Supported: targets ``sh:targetClass`` (with subclasses), ``sh:targetNode``,
``sh:targetSubjectsOf``, ``sh:targetObjectsOf``, implicit class targets; paths (IRIs,
inverse, sequence, alternative, zero-or-more, one-or-more, zero-or-one);
``sh:minCount``, ``sh:maxCount``, ``sh:class``, ``sh:datatype``, ``sh:nodeKind``,
``sh:hasValue``, ``sh:in``, ``sh:pattern`` (+ ``sh:flags``), ``sh:minLength``,
``sh:maxLength``, ``sh:minInclusive``/``Exclusive``, ``sh:maxInclusive``/``Exclusive``,
``sh:lessThan``, ``sh:lessThanOrEquals``, ``sh:equals``, ``sh:disjoint``, ``sh:node``,
``sh:not`` and ``sh:qualifiedValueShape`` over simple shapes (class, hasValue, in,
datatype, nodeKind and property shapes made of those, minCount and hasValue; a
qualified shape made only of "there is" constraints is written as one join),
``sh:sparql`` with ``sh:select`` and ``sh:prefixes``; ``sh:severity``, ``sh:message``,
``sh:deactivated``. ``sh:node`` on the focus node with a shape of record fields (property
shapes with min/max counts, hasValue, nodeKind, datatype, in) is one grouped query.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from chaingraph.errors import ChaingraphError

SH_NS = str(SH)

# Keys of a shape that are not constraints (or are handled with another key).
_NOT_CONSTRAINTS = {
    RDF.type, RDFS.label, RDFS.comment, SH.name, SH.description, SH.message, SH.severity,
    SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.path,
    SH.property, SH.sparql, SH.deactivated, SH.order, SH.group, SH.defaultValue,
    SH.flags, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint,
    SH.ignoredProperties,
}

# Keys that say nothing about conformance (inside sh:node, sh:not, qualified shapes).
_ANNOTATIONS = {SH.name, SH.description, SH.message, SH.severity, SH.order, SH.group,
                SH.defaultValue}


class UnsupportedShape(ChaingraphError, ValueError):
    """A shape uses a SHACL construct the compiler cannot turn into SPARQL."""

    def __init__(self, shape: Node, construct: str) -> None:
        self.shape = shape
        self.construct = construct
        super().__init__(f"shape {_name(shape)} uses {construct}, which the compiled audit cannot "
                         "compile; use the reference audit (--engine shacl, pySHACL) for these shapes")


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


@dataclass
class Check:
    """One compiled constraint: a SPARQL SELECT whose rows are violations."""

    shape: Node
    component: URIRef
    severity: URIRef
    query: str
    path: str | None = None
    message: str | None = None
    has_value: bool = False


@dataclass
class CompiledShapes:
    """The checks compiled from a shapes graph, with the classes whose subclasses they need."""

    checks: list[Check] = field(default_factory=list)
    classes: set[URIRef] = field(default_factory=set)


def _name(node: Node) -> str:
    if isinstance(node, URIRef):
        text = str(node)
        return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if "#" in text or "/" in text else text
    return f"[anonymous {node.n3()}]"


def _list(graph: Graph, node: Node) -> list[Node]:
    return list(Collection(graph, node))


# --- paths ---------------------------------------------------------------------------


def compile_path(graph: Graph, path: Node, shape: Node) -> str:
    """Turn a SHACL path into a SPARQL property path.

    Example:
        >>> g = Graph().parse(data='''@prefix sh: <http://www.w3.org/ns/shacl#> .
        ... <s> sh:path [ sh:inversePath <http://x/p> ] .''', format="turtle", publicID="http://x/")
        >>> compile_path(g, g.value(URIRef("http://x/s"), SH.path), URIRef("http://x/s"))
        '(^<http://x/p>)'
    """
    if isinstance(path, URIRef):
        return path.n3()
    if (path, RDF.first, None) in graph:
        return "(" + "/".join(compile_path(graph, p, shape) for p in _list(graph, path)) + ")"
    for key, fmt in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                     (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
        inner = graph.value(path, key)
        if inner is not None:
            return "(" + fmt.format(compile_path(graph, inner, shape)) + ")"
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(compile_path(graph, p, shape) for p in _list(graph, alternatives)) + ")"
    raise UnsupportedShape(shape, "a path form it does not know")


# --- conformance patterns for sh:qualifiedValueShape, sh:not, sh:node -----------------


class _Names:
    def __init__(self) -> None:
        self.n = 0

    def fresh(self, stem: str = "v") -> str:
        self.n += 1
        return f"?_{stem}{self.n}"


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def _constraints(graph: Graph, shape: Node) -> Iterator[tuple[Node, Node]]:
    """The keys of a shape that decide whether a node conforms to it (inside ``sh:node``,
    ``sh:not``, ``sh:or``, ``sh:and`` or a qualified shape): its ``sh:`` keys without
    annotations, ``sh:path`` and targets."""
    for key, value in graph.predicate_objects(shape):
        if str(key).startswith(SH_NS) and key not in _ANNOTATIONS and key != SH.path \
                and key not in _TARGETS:
            yield key, value


def _conforms(graph: Graph, shape: Node, var: str, names: _Names, compiled: CompiledShapes,
              owner: Node) -> str:
    """A SPARQL boolean expression that is true exactly when ``var`` conforms to ``shape``.

    Used for ``sh:node``, ``sh:not``, ``sh:or``, ``sh:and`` and qualified value shapes.
    """
    tests: list[str] = []
    if (shape, SH.path, None) in graph:
        return _conforms_property(graph, shape, var, names, compiled, owner)
    for key, value in _constraints(graph, shape):
        if key == SH.property:
            tests.append(_conforms_property(graph, value, var, names, compiled, owner))
        else:
            tests.append(_value_ok(graph, key, value, var, names, compiled, owner))
    return "(" + " && ".join(tests) + ")" if tests else "true"


def _value_ok(graph: Graph, key: Node, value: Node, var: str, names: _Names,
              compiled: CompiledShapes, owner: Node) -> str:
    """A boolean expression: the single node ``var`` satisfies the constraint ``key value``."""
    if key == SH["class"]:
        return f"EXISTS {{ {_isa(var, names.fresh('t'), value, compiled)} }}"
    if key == SH.hasValue:
        return f"sameTerm({var}, {value.n3()})"
    if key == SH["in"]:
        options = " || ".join(f"sameTerm({var}, {v.n3()})" for v in _list(graph, value))
        return f"({options or 'false'})"
    if key == SH.datatype:
        return f"(isLiteral({var}) && datatype({var}) = {value.n3()})"
    if key == SH.nodeKind:
        return _node_kind_test(value, var, owner)
    if key == SH.pattern:
        return f"(!isBlank({var}) && REGEX(STR({var}), {Literal(str(value)).n3()}))"
    if key in (SH.minLength, SH.maxLength):
        op = ">=" if key == SH.minLength else "<="
        return f"(!isBlank({var}) && STRLEN(STR({var})) {op} {int(value)})"
    ranges = {SH.minInclusive: ">=", SH.minExclusive: ">", SH.maxInclusive: "<=",
              SH.maxExclusive: "<"}
    if key in ranges:
        return f"COALESCE({var} {ranges[key]} {value.n3()}, false)"
    if key == SH.node:
        return _conforms(graph, value, var, names, compiled, owner)
    if key == SH["not"]:
        return "!" + _conforms(graph, value, var, names, compiled, owner)
    if key == SH["or"]:
        parts = [_conforms(graph, v, var, names, compiled, owner) for v in _list(graph, value)]
        return "(" + (" || ".join(parts) or "false") + ")"
    if key == SH["and"]:
        parts = [_conforms(graph, v, var, names, compiled, owner) for v in _list(graph, value)]
        return "(" + (" && ".join(parts) or "true") + ")"
    raise UnsupportedShape(owner, f"{_short(key)} inside sh:node, sh:not, sh:or, sh:and or a "
                                  "qualified value shape")


def _pattern(graph: Graph, shape: Node, var: str, names: _Names, compiled: CompiledShapes,
             owner: Node) -> str | None:
    """Triple patterns that match exactly when ``var`` conforms to ``shape``, or None.

    Only for shapes made of "there is" constraints: ``sh:class``, ``sh:node`` and
    ``sh:property`` of such shapes, and property shapes with ``sh:hasValue`` or
    ``sh:minCount 1``. Written as one join instead of an ``EXISTS`` per constraint, a
    qualified value shape is five to ten times faster on Oxigraph, with the same answer.
    """
    parts: list[str] = []
    if (shape, SH.path, None) in graph:
        path = compile_path(graph, graph.value(shape, SH.path), owner)
        for key, value in _constraints(graph, shape):
            if key == SH.hasValue:
                parts.append(f"{var} {path} {value.n3()} .")
            elif key == SH.minCount and int(value) == 1:
                parts.append(f"{var} {path} {names.fresh()} .")
            else:
                return None
        return " ".join(parts)
    for key, value in _constraints(graph, shape):
        if key == SH["class"]:
            parts.append(_isa(var, names.fresh("t"), value, compiled))
        elif key in (SH.property, SH.node):
            inner = _pattern(graph, value, var, names, compiled, owner)
            if inner is None:
                return None
            parts.append(inner)
        else:
            return None
    return " ".join(parts)


def _qualified(graph: Graph, shape: Node, this: str, path: str, q: str, names: _Names,
               compiled: CompiledShapes, owner: Node) -> str:
    """The pattern of a value ``q`` of ``this`` along ``path`` that conforms to ``shape``."""
    pattern = _pattern(graph, shape, q, names, compiled, owner)
    if pattern is not None:
        return f"{this} {path} {q} . {pattern}"
    return f"{this} {path} {q} . FILTER({_conforms(graph, shape, q, names, compiled, owner)})"


def _conforms_property(graph: Graph, shape: Node, var: str, names: _Names,
                       compiled: CompiledShapes, owner: Node) -> str:
    """A boolean expression: ``var`` conforms to the property shape ``shape``."""
    path = compile_path(graph, graph.value(shape, SH.path), owner)
    keys = dict(graph.predicate_objects(shape))
    tests: list[str] = []
    for key, value in _constraints(graph, shape):
        if key in (SH.qualifiedMinCount, SH.qualifiedMaxCount):
            continue  # read with sh:qualifiedValueShape
        v = names.fresh()
        if key == SH.minCount:
            if int(value) > 1:
                raise UnsupportedShape(owner, "sh:minCount above 1 in a nested property shape")
            if int(value) == 1:
                tests.append(f"EXISTS {{ {var} {path} {v} }}")
        elif key == SH.maxCount:
            if int(value) == 0:
                tests.append(f"NOT EXISTS {{ {var} {path} {v} }}")
            elif int(value) == 1:
                w = names.fresh()
                tests.append(f"NOT EXISTS {{ {var} {path} {v} . {var} {path} {w} . "
                             f"FILTER(!sameTerm({v}, {w})) }}")
            else:
                raise UnsupportedShape(owner, "sh:maxCount above 1 in a nested property shape")
        elif key == SH.hasValue:
            tests.append(f"EXISTS {{ {var} {path} {value.n3()} }}")
        elif key == SH.qualifiedValueShape:
            low, high = keys.get(SH.qualifiedMinCount), keys.get(SH.qualifiedMaxCount)
            if high is not None and int(high) != 0 or low is not None and int(low) > 1:
                raise UnsupportedShape(owner, "qualified counts other than min 1 / max 0 when nested")
            found = _qualified(graph, value, var, path, v, names, compiled, owner)
            if low is not None and int(low) == 1:
                tests.append(f"EXISTS {{ {found} }}")
            if high is not None:
                tests.append(f"NOT EXISTS {{ {found} }}")
        else:
            ok = _value_ok(graph, key, value, v, names, compiled, owner)
            tests.append(f"NOT EXISTS {{ {var} {path} {v} . FILTER(!{ok}) }}")
    return "(" + " && ".join(tests) + ")" if tests else "true"


# What a counted sh:node check (_counted) tests of each value; each test is an error-free
# expression, so a sum over the values never fails.
_COUNTED_TESTS = (SH.nodeKind, SH.datatype, SH["in"])


def _counted(graph: Graph, shape: Node, focus: str, names: _Names, compiled: CompiledShapes,
             owner: Node) -> str | None:
    """``sh:node shape`` on the focus node as one grouped query, or None.

    For a node shape made only of property shapes with ``sh:minCount``, ``sh:maxCount``,
    ``sh:hasValue``, ``sh:nodeKind``, ``sh:datatype`` and ``sh:in`` (a record's fields):
    an ``OPTIONAL`` per property, the counts and the values tested in ``HAVING``. The
    boolean form makes up to three ``EXISTS`` per property and focus node; this is 2.5x
    faster on Oxigraph (phase ownerships: 19 ms -> 8 ms per 200 cases), with the same
    answer.
    """
    if (shape, SH.path, None) in graph:
        return None
    optionals: list[str] = []
    failing: list[str] = []
    for key, prop in _constraints(graph, shape):
        path_node = graph.value(prop, SH.path)
        if key != SH.property or path_node is None:
            return None
        a = names.fresh("a")
        optionals.append(f"OPTIONAL {{ ?this {compile_path(graph, path_node, owner)} {a} }}")
        for test, value in _constraints(graph, prop):
            if test == SH.minCount:
                failing.append(f"COUNT(DISTINCT {a}) < {int(value)}")
            elif test == SH.maxCount:
                failing.append(f"COUNT(DISTINCT {a}) > {int(value)}")
            elif test == SH.hasValue:
                failing.append(f"SUM(IF(BOUND({a}) && sameTerm({a}, {value.n3()}), 1, 0)) = 0")
            elif test in _COUNTED_TESTS:
                ok = _value_ok(graph, test, value, a, names, compiled, owner)
                failing.append(f"SUM(IF(BOUND({a}) && !{ok}, 1, 0)) > 0")
            else:
                return None
    if not optionals:
        return None
    return (f"SELECT ?this WHERE {{ {focus} {' '.join(optionals)} }} GROUP BY ?this "
            f"HAVING ({' || '.join(failing) or 'false'})")


def _short(node: Node) -> str:
    text = str(node)
    return "sh:" + text[len(SH_NS):] if text.startswith(SH_NS) else node.n3()


def _node_kind_test(kind: Node, var: str, shape: Node) -> str:
    tests = {
        SH.IRI: f"isIRI({var})", SH.BlankNode: f"isBlank({var})", SH.Literal: f"isLiteral({var})",
        SH.BlankNodeOrIRI: f"(isBlank({var}) || isIRI({var}))",
        SH.BlankNodeOrLiteral: f"(isBlank({var}) || isLiteral({var}))",
        SH.IRIOrLiteral: f"(isIRI({var}) || isLiteral({var}))",
    }
    if kind not in tests:
        raise UnsupportedShape(shape, f"sh:nodeKind {kind.n3()}")
    return tests[kind]


# Subclass closures are filled in per data store at run time.
_MARK = "##SUBCLASSES:{}##"
# "var is an instance of cls or of a subclass" (var a ?t . VALUES ?t { closure }), where
# ?t is read nowhere else: a class without subclasses in the data becomes the single
# pattern var a cls, which Oxigraph evaluates in a third of the time of a one-row VALUES.
_ISA = re.compile(r"##ISA:(\S+?):(\S+?):(<[^>\s]*>)##")


def _subclasses_marker(cls: Node) -> str:
    return _MARK.format(cls.n3())


def _isa(var: str, t: str, cls: Node, compiled: CompiledShapes) -> str:
    """A pattern matching when ``var`` is an instance of ``cls`` (with subclasses); ``t`` is free."""
    compiled.classes.add(cls)  # type: ignore[arg-type]
    return f"##ISA:{var}:{t}:{cls.n3()}##"


def _fill_isa(query: str, closures: dict[str, str]) -> str:
    def fill(match: re.Match[str]) -> str:
        var, t, cls = match.groups()
        values = closures[_MARK.format(cls)]
        if " " not in values:
            return f"{var} a {values} ."
        return f"{var} a {t} . VALUES {t} {{ {values} }}"

    return _ISA.sub(fill, query)


# --- targets ------------------------------------------------------------------------------


def _target_pattern(graph: Graph, shape: Node, compiled: CompiledShapes) -> str | None:
    """A pattern binding ?this to each focus node of ``shape`` (None when it has no targets)."""
    alternatives: list[str] = []
    classes = list(graph.objects(shape, SH.targetClass))
    if (shape, RDF.type, RDFS.Class) in graph or (shape, RDF.type, URIRef(
            "http://www.w3.org/2002/07/owl#Class")) in graph:
        classes.append(shape)
    for cls in classes:
        alternatives.append(_isa("?this", "?_class", cls, compiled))
    nodes = list(graph.objects(shape, SH.targetNode))
    if nodes:
        alternatives.append("VALUES ?this { " + " ".join(n.n3() for n in nodes) + " }")
    for prop in graph.objects(shape, SH.targetSubjectsOf):
        alternatives.append(f"?this {prop.n3()} [] .")
    for prop in graph.objects(shape, SH.targetObjectsOf):
        alternatives.append(f"[] {prop.n3()} ?this .")
    if not alternatives:
        return None
    if len(alternatives) == 1:
        return alternatives[0]
    return "SELECT DISTINCT ?this WHERE { " + " UNION ".join(
        "{ " + a + " }" for a in alternatives) + " }"


def _focus(target: str) -> str:
    """The target as a group pattern (subselect when it is a union)."""
    return "{ " + target + " }" if target.startswith("SELECT") else target


# --- compiling shapes ------------------------------------------------------------------------


def _severity(graph: Graph, shape: Node, parent: Node | None = None) -> URIRef:
    found = graph.value(shape, SH.severity)
    return found if isinstance(found, URIRef) else SH.Violation


def _message(graph: Graph, shape: Node) -> str | None:
    messages = {m.language: str(m) for m in graph.objects(shape, SH.message) if isinstance(m, Literal)}
    return messages.get("en") or messages.get(None) or next(iter(messages.values()), None)


def _deactivated(graph: Graph, shape: Node) -> bool:
    value = graph.value(shape, SH.deactivated)
    return bool(value is not None and value.toPython() is True)


def compile_shapes(shapes: Graph) -> CompiledShapes:
    """Compile every targeted node shape of ``shapes`` (and its property shapes) to SPARQL checks.

    Raises:
        UnsupportedShape: a shape uses a construct the compiler does not know.
    """
    compiled = CompiledShapes()
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    for key in _TARGETS:
        node_shapes |= set(shapes.subjects(key, None))
    for shape in sorted(node_shapes, key=str):
        if _deactivated(shapes, shape):
            continue
        target = _target_pattern(shapes, shape, compiled)
        if target is None:
            continue  # only used through sh:node / sh:qualifiedValueShape
        if (shape, SH.path, None) in shapes:  # a property shape with its own targets
            _compile_property_shape(shapes, shape, target, compiled)
        else:
            _compile_node_shape(shapes, shape, target, compiled)
    return compiled


def _compile_node_shape(graph: Graph, shape: Node, target: str, compiled: CompiledShapes) -> None:
    severity = _severity(graph, shape)
    message = _message(graph, shape)
    names = _Names()
    for key, value in graph.predicate_objects(shape):
        if key in _NOT_CONSTRAINTS or not str(key).startswith(SH_NS):
            continue
        check = _value_constraint(graph, shape, key, value, target, "?this", None, names, compiled)
        if not check[1]:
            continue
        compiled.checks.append(Check(shape, check[0], severity, check[1], None, message, check[2]))
    for prop in graph.objects(shape, SH.property):
        if not _deactivated(graph, prop):
            _compile_property_shape(graph, prop, target, compiled)
    for sparql in graph.objects(shape, SH.sparql):
        if not _deactivated(graph, sparql):
            compiled.checks.append(_compile_sparql(graph, shape, sparql, target, severity, message))


def _compile_property_shape(graph: Graph, shape: Node, target: str, compiled: CompiledShapes) -> None:
    path_node = graph.value(shape, SH.path)
    if path_node is None:
        raise UnsupportedShape(shape, "a property shape without sh:path")
    path = compile_path(graph, path_node, shape)
    severity = _severity(graph, shape)
    message = _message(graph, shape)
    names = _Names()
    focus = _focus(target)

    def add(component: URIRef, query: str, has_value: bool) -> None:
        compiled.checks.append(Check(shape, component, severity, query, path, message, has_value))

    keys = dict(graph.predicate_objects(shape))
    for key, value in graph.predicate_objects(shape):
        if key in _NOT_CONSTRAINTS or not str(key).startswith(SH_NS):
            continue
        if key == SH.minCount:
            n = int(value)
            if n == 0:
                continue
            if n == 1:
                add(SH.MinCountConstraintComponent,
                    f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?value }} "
                    "FILTER(!BOUND(?value)) }", False)
            else:
                add(SH.MinCountConstraintComponent,
                    f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?value }} }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {n})", False)
        elif key == SH.maxCount:
            add(SH.MaxCountConstraintComponent,
                f"SELECT ?this WHERE {{ {focus} ?this {path} ?value }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {int(value)})", False)
        elif key == SH.qualifiedValueShape:
            if SH.qualifiedValueShapesDisjoint in keys and keys[SH.qualifiedValueShapesDisjoint].toPython():
                raise UnsupportedShape(shape, "sh:qualifiedValueShapesDisjoint")
            found = _qualified(graph, value, "?this", path, "?q", names, compiled, shape)
            low, high = keys.get(SH.qualifiedMinCount), keys.get(SH.qualifiedMaxCount)
            count = (f"SELECT ?this (COUNT(DISTINCT ?q) AS ?n) WHERE {{ {focus} "
                     f"OPTIONAL {{ {found} }} }} GROUP BY ?this")
            if low is not None and int(low) == 1:
                add(SH.QualifiedMinCountConstraintComponent,
                    f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ {found} }} FILTER(!BOUND(?q)) }}",
                    False)
            elif low is not None and int(low) > 0:
                add(SH.QualifiedMinCountConstraintComponent,
                    f"SELECT ?this WHERE {{ {{ {count} }} FILTER(?n < {int(low)}) }}", False)
            if high is not None:
                add(SH.QualifiedMaxCountConstraintComponent,
                    f"SELECT ?this WHERE {{ {{ {count} }} FILTER(?n > {int(high)}) }}", False)
        else:
            component, query, has_value = _value_constraint(graph, shape, key, value, target,
                                                            "?value", path, names, compiled)
            add(component, query, has_value)
    for sparql in graph.objects(shape, SH.sparql):
        raise UnsupportedShape(shape, "sh:sparql on a property shape")


def _value_constraint(graph: Graph, shape: Node, key: Node, value: Node, target: str, var: str,
                      path: str | None, names: _Names,
                      compiled: CompiledShapes) -> tuple[URIRef, str, bool]:
    """Compile a constraint that tests each value node (``?this`` itself on a node shape)."""
    focus = _focus(target)
    values = f"{focus} ?this {path} ?value ." if path else focus
    v = var

    def select(condition: str) -> str:
        return f"SELECT ?this {'?value ' if path else ''}WHERE {{ {values} {condition} }}"

    if key == SH["class"]:
        compiled.classes.add(value)  # type: ignore[arg-type]
        return (SH.ClassConstraintComponent,
                select(f"OPTIONAL {{ {v} a ?_t . VALUES ?_t {{ {_subclasses_marker(value)} }} }} "
                       "FILTER(!BOUND(?_t))"), bool(path))
    if key == SH.datatype:
        return (SH.DatatypeConstraintComponent,
                select(f"FILTER(!isLiteral({v}) || datatype({v}) != {value.n3()})"), bool(path))
    if key == SH.nodeKind:
        return (SH.NodeKindConstraintComponent,
                select(f"FILTER(!{_node_kind_test(value, v, shape)})"), bool(path))
    if key == SH.hasValue:
        if path:
            return (SH.HasValueConstraintComponent,
                    f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?_h . "
                    f"FILTER(sameTerm(?_h, {value.n3()})) }} FILTER(!BOUND(?_h)) }}", False)
        return (SH.HasValueConstraintComponent,
                select(f"FILTER(!sameTerm(?this, {value.n3()}))"), False)
    if key == SH["in"]:
        options = " || ".join(f"sameTerm({v}, {o.n3()})" for o in _list(graph, value))
        return SH.InConstraintComponent, select(f"FILTER(!({options or 'false'}))"), bool(path)
    if key == SH.pattern:
        flags = graph.value(shape, SH.flags)
        extra = f", {Literal(str(flags)).n3()}" if flags is not None else ""
        return (SH.PatternConstraintComponent,
                select(f"FILTER(isBlank({v}) || !REGEX(STR({v}), {Literal(str(value)).n3()}{extra}))"),
                bool(path))
    if key in (SH.minLength, SH.maxLength):
        op = "<" if key == SH.minLength else ">"
        component = SH.MinLengthConstraintComponent if key == SH.minLength else SH.MaxLengthConstraintComponent
        return component, select(f"FILTER(isBlank({v}) || STRLEN(STR({v})) {op} {int(value)})"), bool(path)
    ranges = {SH.minInclusive: (">=", SH.MinInclusiveConstraintComponent),
              SH.minExclusive: (">", SH.MinExclusiveConstraintComponent),
              SH.maxInclusive: ("<=", SH.MaxInclusiveConstraintComponent),
              SH.maxExclusive: ("<", SH.MaxExclusiveConstraintComponent)}
    if key in ranges:
        op, component = ranges[key]
        return component, select(f"FILTER(!COALESCE({v} {op} {value.n3()}, false))"), bool(path)
    pairs = {SH.lessThan: ("<", SH.LessThanConstraintComponent),
             SH.lessThanOrEquals: ("<=", SH.LessThanOrEqualsConstraintComponent)}
    if key in pairs and path:
        op, component = pairs[key]
        return (component, select(f"?this {value.n3()} ?_other . "
                                  f"FILTER(!COALESCE(?value {op} ?_other, false))"), True)
    if key == SH.equals and path:
        return (SH.EqualsConstraintComponent,
                f"SELECT ?this ?value WHERE {{ {focus} {{ ?this {path} ?value . FILTER NOT EXISTS "
                f"{{ ?this {value.n3()} ?value }} }} UNION {{ ?this {value.n3()} ?value . "
                f"FILTER NOT EXISTS {{ ?this {path} ?value }} }} }}", True)
    if key == SH.disjoint and path:
        return (SH.DisjointConstraintComponent,
                select(f"?this {value.n3()} ?value ."), True)
    if key == SH.node and not path:
        counted = _counted(graph, value, focus, names, compiled, shape)
        if counted is not None:
            return SH.NodeConstraintComponent, counted, False
    logical = {SH["not"]: SH.NotConstraintComponent, SH.node: SH.NodeConstraintComponent,
               SH["or"]: SH.OrConstraintComponent, SH["and"]: SH.AndConstraintComponent}
    if key in logical:
        ok = _value_ok(graph, key, value, v, names, compiled, shape)
        return logical[key], select(f"FILTER(!{ok})"), bool(path)
    if key == SH.closed and not path:
        if not value.toPython():
            return SH.ClosedConstraintComponent, "", False
        allowed = [p for p in graph.objects(shape, SH.property)]
        allowed_paths = [graph.value(p, SH.path) for p in allowed]
        if not all(isinstance(p, URIRef) for p in allowed_paths):
            raise UnsupportedShape(shape, "sh:closed with a property shape whose path is not an IRI")
        ignored = graph.value(shape, SH.ignoredProperties)
        allowed_paths += _list(graph, ignored) if ignored is not None else []
        test = " || ".join(f"sameTerm(?_p, {p.n3()})" for p in allowed_paths) or "false"
        return (SH.ClosedConstraintComponent,
                f"SELECT ?this ?value WHERE {{ {focus} ?this ?_p ?value . FILTER(!({test})) }}",
                True)
    raise UnsupportedShape(shape, _short(key))


_PREFIX_DECL = re.compile(r"(?is)^\s*((?:(?:PREFIX\s+\S*:\s*<[^>]*>|BASE\s+<[^>]*>)\s*)*)")


def _compile_sparql(graph: Graph, shape: Node, constraint: Node, target: str, severity: URIRef,
                    message: str | None) -> Check:
    select = graph.value(constraint, SH.select)
    if select is None:
        raise UnsupportedShape(shape, "an sh:sparql constraint without sh:select")
    prefixes = []
    for declared in graph.objects(constraint, SH.prefixes):
        for decl in graph.objects(declared, SH.declare):
            prefix, namespace = graph.value(decl, SH.prefix), graph.value(decl, SH.namespace)
            prefixes.append(f"PREFIX {prefix}: <{namespace}>")
    text = str(select)
    if re.search(r"\$(PATH|shapesGraph|currentShape)\b", text):
        raise UnsupportedShape(shape, "$PATH, $shapesGraph or $currentShape in sh:select")
    text = text.replace("$this", "?this")
    head = _PREFIX_DECL.match(text)
    declared_text, body = (head.group(1), text[head.end():]) if head else ("", text)
    # Project ?this (the focus), and join the target at the start of the WHERE group:
    # with ?this bound there, this is SHACL-SPARQL's pre-binding of $this.
    match = re.match(r"(?is)\s*SELECT\s+(DISTINCT\s+|REDUCED\s+)?(.*?)\bWHERE\s*\{", body)
    if not match:
        raise UnsupportedShape(shape, "an sh:select that is not 'SELECT ... WHERE {'")
    projection = match.group(2).strip()
    if projection != "*" and not re.search(r"\?this\b", projection):
        projection = "?this " + projection
    has_value = projection == "*" or bool(re.search(r"\?value\b", projection))
    if has_value and projection != "*" and "(" not in projection:
        # validate() reads the focus from column 0 and sh:value from column 1.
        names = re.findall(r"\?\w+", projection)
        projection = " ".join(["?this", "?value"] + [n for n in names if n not in ("?this", "?value")])
    close = _matching_brace(body, match.end() - 1)
    group = _distribute_union(_focus(target) + " " + body[match.end():close])
    rewritten = (f"SELECT {match.group(1) or ''}{projection} WHERE {{ {group} }}"
                 + body[close + 1:])
    query = "\n".join(prefixes) + "\n" + declared_text + rewritten
    message_text = graph.value(constraint, SH.message)
    return Check(shape, SH.SPARQLConstraintComponent, severity, query, None,
                 str(message_text) if message_text is not None else message, has_value)


_IRI = re.compile(r"<[^\s<>\"{}|^`\\]*>")


def _tokens(text: str) -> Iterator[tuple[int, str]]:
    """Yield (position, character) of the braces of ``text`` outside strings, IRIs and comments."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            i = text.find("\n", i)
            i = n if i < 0 else i
            continue
        if c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            end = i + len(quote)
            while end < n and not text.startswith(quote, end):
                end += 2 if text[end] == "\\" else 1
            i = end + len(quote)
            continue
        if c == "<":
            iri = _IRI.match(text, i)
            if iri:
                i = iri.end()
                continue
        if c in "{}":
            yield i, c
        i += 1


def _matching_brace(text: str, start: int) -> int:
    """The position of the brace closing the one at ``start``."""
    depth = 0
    for i, c in _tokens(text[start:]):
        depth += 1 if c == "{" else -1
        if depth == 0:
            return start + i
    raise ValueError("unbalanced braces in sh:select")


def _distribute_union(group: str) -> str:
    """Rewrite ``A {B} UNION {C} D`` as ``{A B D} UNION {A C D}`` (inlining B and C).

    SHACL-SPARQL pre-binds ``$this`` and pySHACL (rdflib) evaluates a union with the
    bindings of the patterns before it; Oxigraph evaluates each branch on its own first,
    which turns a branch that mentions the case of ``$this`` into a product over all
    cases. Putting the surrounding patterns into every branch gives each branch its
    bindings, as rdflib does; the equality tests against pySHACL check the result.
    """
    top: list[tuple[int, int]] = []  # top-level {...} spans
    depth = 0
    opened = 0
    for i, c in _tokens(group):
        if c == "{":
            if depth == 0:
                opened = i
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                top.append((opened, i))
    chain: list[tuple[int, int]] = []
    for first, second in zip(top, top[1:]):
        between = group[first[1] + 1:second[0]]
        if re.fullmatch(r"\s*UNION\s*", between, re.I):
            if not chain:
                chain.append(first)
            if chain[-1] != first:
                return group  # more than one union chain: leave the query as written
            chain.append(second)
    if not chain:
        return group
    before = group[:chain[0][0]]
    after = group[chain[-1][1] + 1:]
    if re.search(r"(?i)\b(OPTIONAL|MINUS|GRAPH|SERVICE)\s*$", before):
        return group  # the chain is the argument of another operator
    branches = [group[a + 1:b] for a, b in chain]
    return " UNION ".join("{ " + before + " " + b + " " + after + " }" for b in branches)


# --- running -------------------------------------------------------------------------------


Runner = Callable[[str], Iterable[Sequence[Node | None]]]


def _ox_runner(store: Any) -> Runner:
    from oxrdflib._converter import from_ox

    def run(query: str) -> Iterator[tuple[Node | None, ...]]:
        for solution in store.query(query):
            yield tuple(None if value is None else from_ox(value) for value in solution)

    return run


def _graph_runner(graph: Graph) -> Runner:
    def run(query: str) -> Iterator[tuple[Node | None, ...]]:
        result = graph.query(query)
        for row in result:
            yield tuple(row)

    return run


def runner_for(data: Any) -> Runner:
    """Pick how to run SPARQL on ``data``: a pyoxigraph Store, or any rdflib Graph backend.

    An rdflib in-memory graph is copied into a pyoxigraph store first (rdflib's engine
    is both slow and wrong on some of the query forms the compiler emits).
    """
    import pyoxigraph

    from chaingraph.backends import native_store

    if isinstance(data, pyoxigraph.Store):
        return _ox_runner(data)
    store = native_store(data)
    if store is not None:
        return _ox_runner(store)
    from chaingraph.backends import backend_of

    if backend_of(data) == "endpoint":
        return _graph_runner(data)
    return _ox_runner(to_oxigraph(data))


def to_oxigraph(graph: Graph) -> Any:
    """Copy an rdflib graph into a new in-memory pyoxigraph store."""
    import pyoxigraph
    from oxrdflib._converter import to_ox

    store = pyoxigraph.Store()
    store.extend([pyoxigraph.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph])
    return store


def _subclass_values(run: Runner, classes: Iterable[URIRef]) -> dict[str, str]:
    closures: dict[str, str] = {}
    for cls in classes:
        query = ("SELECT DISTINCT ?c WHERE { ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* "
                 f"{cls.n3()} }}")
        found = {row[0] for row in run(query) if row[0] is not None} | {cls}
        closures[_MARK.format(cls.n3())] = " ".join(sorted(c.n3() for c in found))
    return closures


def instantiate(compiled: CompiledShapes, run: Runner, *,
                focus: Iterable[Node] | None = None) -> list[Check]:
    """Fill in the subclass closures from the data and, with ``focus``, restrict every check.

    ``focus`` restricts the checks to those focus nodes (a ``VALUES`` clause in front of
    each query), which is how one case is re-audited.
    """
    closures = _subclass_values(run, compiled.classes)
    restrict = ""
    if focus is not None:
        restrict = "VALUES ?this { " + " ".join(n.n3() for n in focus) + " } "
    checks = []
    for check in compiled.checks:
        query = _fill_isa(check.query, closures)
        for mark, values in closures.items():
            query = query.replace(mark, values)
        if restrict:
            query = _restrict(query, restrict)
        checks.append(Check(check.shape, check.component, check.severity, query, check.path,
                            check.message, check.has_value))
    return checks


def _restrict(query: str, values: str) -> str:
    """Put ``values`` first in the outermost WHERE group of ``query``."""
    match = re.search(r"(?is)\bWHERE\s*\{", query)
    assert match, query
    return query[:match.end()] + " " + values + query[match.end():]


def validate(data: Any, shapes: Graph | CompiledShapes | None = None, *,
             focus: Iterable[Node] | None = None) -> set[Violation]:
    """Audit ``data`` (a pyoxigraph Store or an rdflib Graph on any backend) against ``shapes``.

    Args:
        data: the data, with the ontology (class hierarchy) and monitor in it.
        shapes: the shapes graph, or shapes already compiled; default the bundled shapes.
        focus: only check these focus nodes (e.g. the nodes of one case).

    Returns:
        The violations, as pySHACL reports them (focus node, source shape, component,
        severity, path, value).
    """
    if shapes is None:
        from chaingraph.shapes import load_shapes

        shapes = load_shapes()
    compiled = shapes if isinstance(shapes, CompiledShapes) else compile_shapes(shapes)
    run = runner_for(data)
    found: set[Violation] = set()
    for check in instantiate(compiled, run, focus=focus):
        for row in run(check.query):
            this = row[0]
            if this is None:
                continue
            value = row[1] if check.has_value and len(row) > 1 else None
            found.add(Violation(this, check.shape, check.component, check.severity, check.path,
                                value, check.message))
    return found


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
        found.add(Violation(
            report.value(result, SH.focusNode), shape, report.value(result, SH.sourceConstraintComponent),
            report.value(result, SH.resultSeverity),
            compile_path(shapes, shapes.value(shape, SH.path), shape) if path is not None else None,
            report.value(result, SH.value), None))
    return found


def key(violation: Violation) -> tuple[Node, Node, URIRef, URIRef]:
    """What two audits must agree on: focus node, shape, component and severity."""
    return (violation.focus, violation.shape, violation.component, violation.severity)


def combine(checks: Sequence[Check], *, per_graph: bool = False) -> str:
    """Write all checks as one SELECT (?_check ?this ?value), a union of subselects.

    One query per chunk instead of one per check: parsing and planning the query cost
    more than evaluating it on a few cases. With ``per_graph`` the checks run inside
    ``GRAPH ?_unit``: each case in its own named graph, so a rule's patterns (and its
    ``NOT EXISTS``) only look at the nodes of one case.
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
