"""Value type constraints: ``sh:class``, ``sh:datatype`` and ``sh:nodeKind``.

SHACL 4.1 (Value type constraint components). ``sh:class`` counts the instances of
subclasses (SHACL 1.5, "SHACL instance": ``rdf:type/rdfs:subClassOf*``): the compiled
query carries a mark for each class that :func:`fill_classes` replaces by the class and its
subclasses in the data at run time. ``sh:datatype`` also finds ill-typed literals, where a
cast to the datatype tells them (:func:`datatype_cast`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from rdflib import URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from chaingraph.shacl2sparql.refusal import Construct, IllFormedShape, UnsupportedShape, short
from chaingraph.shacl2sparql.shapes import CompiledShapes, Constraint, Query, Section, ValueNodes

if TYPE_CHECKING:
    from chaingraph.shacl2sparql.validation import Runner

# --- sh:class --------------------------------------------------------------------------------

# Subclass closures are filled in per data store at run time.
_MARK = "##SUBCLASSES:{}##"
# "var is an instance of cls or of a subclass" (var a ?t . VALUES ?t { closure }), where
# ?t is read nowhere else: a class without subclasses in the data becomes the single
# pattern var a cls, which Oxigraph evaluates in a third of the time of a one-row VALUES.
_ISA = re.compile(r"##ISA:(\S+?):(\S+?):(<[^>\s]*>)##")


def isa(var: str, t: str, cls: Node, compiled: CompiledShapes) -> str:
    """A pattern matching when ``var`` is an instance of ``cls`` or a subclass; ``t`` is free."""
    compiled.classes.add(cls)  # type: ignore[arg-type]  # an IRI: check_shape checked sh:class
    return f"##ISA:{var}:{t}:{cls.n3()}##"


def class_check(c: Constraint, nodes: ValueNodes) -> Query:
    """``sh:class``: the value nodes that are not instances of the class (or a subclass)."""
    c.compiled.classes.add(c.value)  # type: ignore[arg-type]  # an IRI: check_shape checked it
    return nodes.each(SH.ClassConstraintComponent,
                      f"OPTIONAL {{ {nodes.var} a ?_t . VALUES ?_t {{ {_MARK.format(c.value.n3())} "
                      "} } FILTER(!BOUND(?_t))")


def class_test(c: Constraint, var: str) -> str:
    """A boolean expression: ``var`` is an instance of the class (or a subclass)."""
    return f"EXISTS {{ {isa(var, c.names.fresh('t'), c.value, c.compiled)} }}"


def subclass_values(run: Runner, classes: Iterable[URIRef]) -> dict[str, str]:
    """Each class's mark and the class with its subclasses in the data, as SPARQL terms."""
    closures: dict[str, str] = {}
    for cls in classes:
        query = ("SELECT DISTINCT ?c WHERE { ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* "
                 f"{cls.n3()} }}")
        found = {row[0] for row in run(query) if row[0] is not None} | {cls}
        closures[_MARK.format(cls.n3())] = " ".join(sorted(c.n3() for c in found))
    return closures


def fill_classes(query: str, closures: dict[str, str]) -> str:
    """Put the subclasses of every class (:func:`subclass_values`) into ``query``."""
    def fill(match: re.Match[str]) -> str:
        var, t, cls = match.groups()
        values = closures[_MARK.format(cls)]
        if " " not in values:
            return f"{var} a {values} ."
        return f"{var} a {t} . VALUES {t} {{ {values} }}"

    query = _ISA.sub(fill, query)
    for mark, values in closures.items():
        query = query.replace(mark, values)
    return query


def without_subclasses(query: str) -> str:
    """``query`` with every class mark replaced by the class itself (to see that it parses)."""
    query = _ISA.sub(lambda m: f"{m.group(1)} a {m.group(3)} .", query)
    return re.sub(r"##SUBCLASSES:(<[^>\s]*>)##", r"\1", query)


# --- sh:datatype -----------------------------------------------------------------------------

# Datatypes whose ill-typed literals a cast to the datatype finds (the cast fails).
CASTS = {XSD.boolean, XSD.integer, XSD.decimal, XSD.float, XSD.double, XSD.dateTime, XSD.date,
         XSD.time, XSD.duration, XSD.dayTimeDuration, XSD.yearMonthDuration}
# Datatypes every lexical form of which is well-formed (any string: RDF 1.1, XSD 1.1).
_ANY_FORM = {XSD.string, XSD.anyURI, RDF.langString, RDF.HTML}
# Integer datatypes Oxigraph keeps as xsd:integer.
_INTEGERS = {XSD.byte, XSD.short, XSD.int, XSD.long, XSD.unsignedByte, XSD.unsignedShort,
             XSD.unsignedInt, XSD.unsignedLong, XSD.positiveInteger, XSD.negativeInteger,
             XSD.nonPositiveInteger, XSD.nonNegativeInteger}


def datatype_cast(datatype: Node, shape: Node) -> str | None:
    """The cast that fails on the ill-typed literals of ``datatype`` (None when it has none:
    a string, or a datatype outside XSD and RDF, of which every literal is well-formed).

    Raises:
        UnsupportedShape: a datatype whose ill-typed literals no SPARQL test finds, or that
            Oxigraph does not keep (the integer subtypes become xsd:integer).
    """
    if datatype in CASTS:
        return datatype.n3()
    if datatype in _ANY_FORM or not str(datatype).startswith((str(XSD), str(RDF))):
        return None
    if datatype in _INTEGERS:
        raise UnsupportedShape(shape, "datatype_kept_as_integer", datatype=short(datatype))
    raise UnsupportedShape(shape, "datatype_untestable", datatype=short(datatype))


def datatype_check(c: Constraint, nodes: ValueNodes) -> Query:
    """``sh:datatype``: the value nodes that are not well-formed literals of the datatype."""
    v, datatype = nodes.var, c.value
    cast = datatype_cast(datatype, c.owner)
    ill_typed = f" || !COALESCE(isLiteral({cast}({v})), false)" if cast else ""
    return nodes.each(SH.DatatypeConstraintComponent,
                      f"FILTER(!isLiteral({v}) || datatype({v}) != {datatype.n3()}{ill_typed})")


def datatype_test(c: Constraint, var: str) -> str:
    """A boolean expression, never an error: ``var`` is a well-formed literal of the datatype."""
    datatype = c.value
    cast = datatype_cast(datatype, c.owner)
    if cast is None:
        return f"(isLiteral({var}) && datatype({var}) = {datatype.n3()})"
    return (f"(isLiteral({var}) && datatype({var}) = {datatype.n3()} && "
            f"COALESCE(isLiteral({cast}({var})), false))")


# --- sh:nodeKind -----------------------------------------------------------------------------


def node_kind_check(c: Constraint, nodes: ValueNodes) -> Query:
    """``sh:nodeKind``: the value nodes not of that kind."""
    return nodes.each(SH.NodeKindConstraintComponent, f"FILTER(!{node_kind_test(c, nodes.var)})")


def node_kind_test(c: Constraint, var: str) -> str:
    """A boolean expression: ``var`` is a node of the node kind."""
    tests: dict[Node, str] = {
        SH.IRI: f"isIRI({var})", SH.BlankNode: f"isBlank({var})", SH.Literal: f"isLiteral({var})",
        SH.BlankNodeOrIRI: f"(isBlank({var}) || isIRI({var}))",
        SH.BlankNodeOrLiteral: f"(isBlank({var}) || isLiteral({var}))",
        SH.IRIOrLiteral: f"(isIRI({var}) || isLiteral({var}))",
    }
    if c.value not in tests:
        raise IllFormedShape(c.owner, "wrong_value", key="sh:nodeKind", value=c.value.n3(),
                             wrong=Construct("wrong.node_kind"))
    return tests[c.value]


SECTION = Section(
    checks={SH["class"]: class_check, SH.datatype: datatype_check, SH.nodeKind: node_kind_check},
    tests={SH["class"]: class_test, SH.datatype: datatype_test, SH.nodeKind: node_kind_test})
