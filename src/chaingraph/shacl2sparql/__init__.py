"""SHACL compiled to SPARQL: the shapes graph as SELECT queries whose rows are violations.

The shapes graph stays the single source of truth; the compiler reads it and compiles each
constraint of the SHACL Core subset below (and ``sh:sparql`` constraints and SPARQL-based
constraint components, taken as written) into one SPARQL ``SELECT`` that returns the focus
nodes (and values) violating it. Run over a whole pyoxigraph store, the queries find what
pySHACL finds on an rdflib graph, many times faster; restricted with a ``VALUES`` clause to
a few focus nodes, they re-check those in milliseconds, flat in the size of the data.
pySHACL stays the reference: tests assert identical findings, and the W3C SHACL test suite
(core and SPARQL) runs on the compiler. The package knows no vocabulary but SHACL's, RDF's
and XSD's, and uses only the public API of rdflib, pyoxigraph and pySHACL.

The compiler is correct or refuses: a construct it cannot compile exactly (``sh:xone``,
``sh:uniqueLang``, a complex qualified shape ...) raises :class:`UnsupportedShape`, naming
the shape and the construct, so adding a shape never silently drops a rule; shapes that
break SHACL's own rules (``MINUS`` in an ``sh:select``, a subquery that does not return
``$this``, a count that is not an integer ...) raise :class:`IllFormedShape`. Oxigraph
keeps literals in a canonical form ("4.0"^^xsd:decimal as "4", "5"^^xsd:int as
"5"^^xsd:integer); a check that reads a literal's exact form (``sh:datatype``,
``sh:pattern``, the lengths, ``sh:in``, SPARQL) is refused on data whose literals Oxigraph
would change, and literal results are given back in the data's own form.

The modules follow the SHACL specification (https://www.w3.org/TR/shacl/):

- ``shapes`` (2.1): a compiled constraint, severity, messages, deactivation;
  ``targets`` (2.1.3); ``compiler`` (2.2 node shapes, 2.3 property shapes);
  ``paths`` (2.3.1);
- ``terms`` (3.2, the data graph's literals as Oxigraph keeps them); ``refusal`` (3.4.2 and
  Appendix B, ill-formed and unsupported shapes); ``validation`` (3.4); ``report`` (3.6);
- ``value_type`` (4.1), ``cardinality`` (4.2), ``value_range`` (4.3), ``string_based``
  (4.4), ``property_pair`` (4.5), ``logical`` (4.6), ``shape_based`` (4.7), ``other``
  (4.8);
- ``sparql_constraints`` (5), ``sparql_components`` (6), ``prebinding`` (Appendix A).

Supported: targets ``sh:targetClass`` (with subclasses), ``sh:targetNode``,
``sh:targetSubjectsOf``, ``sh:targetObjectsOf``, implicit class targets; paths (IRIs,
inverse, sequence, alternative, zero-or-more, one-or-more, zero-or-one);
``sh:minCount``, ``sh:maxCount``, ``sh:class``, ``sh:datatype`` (ill-typed literals
violate it), ``sh:nodeKind``, ``sh:hasValue``, ``sh:in``, ``sh:languageIn``, ``sh:pattern``
(+ ``sh:flags``), ``sh:minLength``, ``sh:maxLength``,
``sh:minInclusive``/``Exclusive``, ``sh:maxInclusive``/``Exclusive``, ``sh:lessThan``,
``sh:lessThanOrEquals``, ``sh:equals``, ``sh:disjoint``, ``sh:closed`` (with the result
path), ``sh:property`` (also inside property shapes), ``sh:node``, ``sh:not``, ``sh:and``,
``sh:or`` and ``sh:qualifiedValueShape`` (also with ``sh:qualifiedValueShapesDisjoint``)
over simple shapes (class, hasValue, in, datatype, nodeKind and property shapes made of
those, minCount and hasValue; a qualified shape made only of "there is" constraints is
written as one join), ``sh:sparql`` with ``sh:select`` (``$this`` pre-bound in every
group and subquery, ``$PATH`` on property shapes, ``?path`` as the result path) and
``sh:prefixes`` (with ``owl:imports``), SPARQL-based constraint components (parameters,
ASK and SELECT validators); ``sh:severity``, ``sh:message``, ``sh:deactivated``.
``sh:node`` on the focus node with a shape of record fields (property shapes with
min/max counts, hasValue, nodeKind, datatype, in) is one grouped query.

Example:
    >>> from rdflib import Graph
    >>> shapes = Graph().parse(format="turtle", data='''
    ...     @prefix sh: <http://www.w3.org/ns/shacl#> .
    ...     <urn:x:Named> sh:targetSubjectsOf <urn:x:p> ;
    ...         sh:property [ sh:path <urn:x:name> ; sh:minCount 1 ] .''')
    >>> data = Graph().parse(format="turtle", data="<urn:x:a> <urn:x:p> 1 .")
    >>> [(str(v.focus), v.component.fragment) for v in validate(data, shapes)]
    [('urn:x:a', 'MinCountConstraintComponent')]
"""

from __future__ import annotations

from chaingraph.shacl2sparql.compiler import compile_case_by_case, compile_shapes
from chaingraph.shacl2sparql.paths import compile_path
from chaingraph.shacl2sparql.refusal import Construct, IllFormedShape, UnsupportedShape
from chaingraph.shacl2sparql.report import Violation, key, reference
from chaingraph.shacl2sparql.shapes import Check, CompiledShapes
from chaingraph.shacl2sparql.terms import to_ox, to_oxigraph
from chaingraph.shacl2sparql.validation import Runner, combine, instantiate, runner_for, validate

__all__ = [
    "Check",
    "CompiledShapes",
    "Construct",
    "IllFormedShape",
    "Runner",
    "UnsupportedShape",
    "Violation",
    "combine",
    "compile_case_by_case",
    "compile_path",
    "compile_shapes",
    "instantiate",
    "key",
    "reference",
    "runner_for",
    "to_ox",
    "to_oxigraph",
    "validate",
]
