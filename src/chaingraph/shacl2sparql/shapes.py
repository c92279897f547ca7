"""What the compiler makes of a shape: its constraints as checks, with severity and message.

SHACL 2.1 (Shapes): 2.1.1 (Constraints, parameters and constraint components) says a
constraint is a constraint component with values for its parameters (a :class:`Constraint`
while it is compiled); each becomes a :class:`Check`, a SPARQL ``SELECT`` whose rows are
violations. 2.1.4 (Declaring the severity), 2.1.5 (Declaring messages) and 2.1.6
(Deactivating a shape) are read here; 3.5 (Value nodes) is :class:`ValueNodes`.

The module of each section of SHACL 4 gives the compilers of its constraint components as
a :class:`Section`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

if TYPE_CHECKING:
    from chaingraph.shacl2sparql.sparql_components import Component

# Keys of a shape that are not constraints (or are handled with another key).
NOT_CONSTRAINTS = {
    RDF.type, RDFS.label, RDFS.comment, SH.name, SH.description, SH.message, SH.severity,
    SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.path,
    SH.property, SH.sparql, SH.deactivated, SH.order, SH.group, SH.defaultValue,
    SH.flags, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint,
    SH.ignoredProperties, SH.select, SH.prefixes, SH.declare,
}

# Keys that say nothing about conformance (inside sh:node, sh:not, qualified shapes).
ANNOTATIONS = {SH.name, SH.description, SH.message, SH.severity, SH.order, SH.group,
               SH.defaultValue, SH.deactivated}


@dataclass
class Check:
    """One compiled constraint: a SPARQL SELECT whose rows are violations.

    The rows are ``?this`` (the focus node), then ``?value`` when ``has_value``; with
    ``focus_value`` the value node is the focus node itself (a node shape's constraint);
    ``path_column`` is the column that names each row's result path (``sh:closed``, a
    SPARQL ``?path``). ``reads`` says what of a literal's form the check depends on, and
    ``construct`` names the construct that reads it (a SHACL key such as ``sh:pattern`` or a
    component's IRI, the same in every language, which a refusal puts into its phrase).
    """

    shape: Node
    component: URIRef
    severity: URIRef
    query: str
    path: str | None = None
    message: str | None = None
    has_value: bool = False
    focus_value: bool = False
    path_column: int | None = None
    reads: frozenset[str] = frozenset()
    construct: str = ""


@dataclass
class CompiledShapes:
    """The checks compiled from a shapes graph, with the classes whose subclasses they need.

    ``literals`` are the literal focus nodes the shapes name (``sh:targetNode``), whose form
    Oxigraph may change as it does the data's. ``zero_length``: the ``sh:targetNode`` focus
    nodes of each shape with a path that may have length zero, which must be in the data
    (Oxigraph gives a node no path of length zero unless the data holds it).
    """

    checks: list[Check] = field(default_factory=list)
    classes: set[URIRef] = field(default_factory=set)
    literals: set[Literal] = field(default_factory=set)
    zero_length: dict[Node, list[Node]] = field(default_factory=dict)
    components: dict[Node, Component] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Query:
    """A compiled constraint before it becomes a :class:`Check` (see there for the fields)."""

    component: URIRef
    query: str
    has_value: bool
    focus_value: bool = False
    path_column: int | None = None
    construct: str = ""  # the construct a refusal names, when not the constraint's key


@dataclass(frozen=True)
class ValueNodes:
    """The value nodes of a shape at its focus nodes (SHACL 3.5): the values of ``path`` for a
    property shape (``?value``), the focus node itself for a node shape (``?this``).

    ``focus`` is the group pattern that binds ``?this`` to each focus node.
    """

    focus: str
    path: str | None = None

    @property
    def var(self) -> str:
        """The variable of a value node."""
        return "?value" if self.path else "?this"

    def select(self, condition: str) -> str:
        """The focus nodes (and value nodes) for which ``condition`` holds.

        A target ``sh:targetSubjectsOf p`` (``?this p [] .``) is left out where the query
        itself starts with a triple ``?this p ?x``: every row it gives then has the focus
        node, and the target's join only repeated each row once per value of ``p`` (the
        rows are the same set; ``cgsh:PeriodInOrder`` takes half the time without it).
        """
        focus = self.focus
        values = f"?this {self.path} ?value ." if self.path else ""
        implied = focus.startswith("?this ") and focus.endswith(" [] .") and any(
            text.startswith(f"{focus[:-len('[] .')]}?") for text in (values, condition.lstrip()))
        values = values if implied else f"{focus} {values}".rstrip()
        return f"SELECT ?this {'?value ' if self.path else ''}WHERE {{ {values} {condition} }}"

    def each(self, component: URIRef, condition: str) -> Query:
        """A test of each value node: ?value on a property shape, the focus on a node shape."""
        return Query(component, self.select(condition), bool(self.path), not self.path)


class Names:
    """Fresh variable names for the patterns of one shape."""

    def __init__(self) -> None:
        self.n = 0
        self.nested = 0  # shapes written out inside this one (shape_based.conforms)

    def fresh(self, stem: str = "v") -> str:
        """A variable not used before in the shape's queries."""
        self.n += 1
        return f"?_{stem}{self.n}"


@dataclass(frozen=True)
class Constraint:
    """One constraint being compiled: ``key value`` of ``shape`` (SHACL 2.1.1), with what
    compiling it needs.

    ``owner`` is the shape a refusal names (the targeted shape being compiled, which may
    reach ``shape`` through ``sh:node`` and the like); ``conforms(other, var)`` is the boolean
    expression that ``var`` conforms to the shape ``other`` (SHACL 4.7), for the constraints
    that name other shapes.
    """

    graph: Graph
    key: Node
    value: Node
    shape: Node
    owner: Node
    names: Names
    compiled: CompiledShapes
    conforms: Callable[[Node, str], str]


# How a section of SHACL compiles its constraints: as a check of their own (the queries of a
# targeted shape's constraint), as a test of one value node (a boolean expression, inside
# sh:node, sh:not ...), and as a test of the values of a path (inside a property shape;
# None when it tests nothing).
CheckCompiler = Callable[[Constraint, ValueNodes], Query | Sequence[Query] | None]
TestCompiler = Callable[[Constraint, str], str]
PathTestCompiler = Callable[[Constraint, str, str, str], str | None]


def severity(graph: Graph, shape: Node) -> URIRef:
    """The ``sh:severity`` of a shape, ``sh:Violation`` when it has none."""
    found = graph.value(shape, SH.severity)
    return found if isinstance(found, URIRef) else SH.Violation


def message(graph: Graph, shape: Node) -> str | None:
    """The ``sh:message`` of a shape: the English one, else one without a language tag."""
    messages = {m.language: str(m) for m in graph.objects(shape, SH.message)
                if isinstance(m, Literal)}
    return messages.get("en") or messages.get(None) or next(iter(messages.values()), None)


def deactivated(graph: Graph, shape: Node) -> bool:
    """Whether a shape is ``sh:deactivated true``."""
    value = graph.value(shape, SH.deactivated)
    return isinstance(value, Literal) and value.toPython() is True


@dataclass(frozen=True)
class Section:
    """How a section of SHACL 4 compiles its constraint components, by key.

    ``checks``: the check of a targeted shape's constraint; ``tests``: a boolean expression
    testing one value node (inside ``sh:node``, ``sh:not`` ...); ``path_tests``: a boolean
    expression testing the values of a path inside a property shape, where that is not "no
    value fails the test".
    """

    checks: dict[Node, CheckCompiler] = field(default_factory=dict)
    tests: dict[Node, TestCompiler] = field(default_factory=dict)
    path_tests: dict[Node, PathTestCompiler] = field(default_factory=dict)
