"""RDF terms as Oxigraph keeps them: the data graph's literals and the shapes' constants.

SHACL 3.2 (Data graph): the data graph is an RDF graph, and several constraints read its
literals' exact form (``sh:datatype``, ``sh:pattern``, the lengths, ``sh:in`` and
``sh:hasValue`` as terms, SPARQL). Oxigraph keeps literals in a canonical form
("4.0"^^xsd:decimal as "4", "5"^^xsd:int as "5"^^xsd:integer): a check that reads what
Oxigraph changed is refused on such data (:class:`Forms`), a constant Oxigraph would read
as another term is refused in the shapes (:func:`constant`), and literal results are given
back in the data's own form.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast, overload

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH, XSD
from rdflib.term import Node

from chaingraph.shacl2sparql.refusal import SH_NS, Construct, UnsupportedShape, items, short
from chaingraph.shacl2sparql.shapes import Check
from chaingraph.shacl2sparql.value_type import CASTS

# What of a literal a check reads besides its value: its datatype, its lexical form, or its
# identity as a term (sameTerm against a constant). Oxigraph changes some of each.
EVERYTHING = frozenset({"datatype", "lexical", "identity"})


def to_ox(term: Node) -> Any:
    """An rdflib term (IRI, blank node or literal) as a pyoxigraph term.

    Example:
        >>> to_ox(Literal("5", datatype=XSD.integer))
        <Literal value=5 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>
    """
    import pyoxigraph

    if isinstance(term, Literal):
        datatype = pyoxigraph.NamedNode(term.datatype) if term.datatype else None
        return pyoxigraph.Literal(str(term), language=term.language, datatype=datatype)
    if isinstance(term, BNode):
        return pyoxigraph.BlankNode(str(term))
    return pyoxigraph.NamedNode(str(term))


def from_ox(term: Any) -> Node:
    """An Oxigraph term as an rdflib term; a literal as Oxigraph has it (rdflib would rewrite
    an ill-typed "none"^^xsd:boolean as "false")."""
    import pyoxigraph

    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return Literal(term.value, lang=term.language, normalize=False)
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    return URIRef(term.value)


def to_oxigraph(graph: Graph) -> Any:
    """Copy an rdflib graph into a new in-memory pyoxigraph store."""
    return copy_graph(graph)[0]


def copy_graph(graph: Graph) -> tuple[Any, set[Literal]]:
    """Copy an rdflib graph into a new in-memory pyoxigraph store; also its literals."""
    import pyoxigraph

    store = pyoxigraph.Store()
    literals: set[Literal] = set()
    quads = []
    for s, p, o in graph:
        if isinstance(o, Literal):
            literals.add(o)
        quads.append(pyoxigraph.Quad(to_ox(s), to_ox(p), to_ox(o)))
    store.extend(quads)
    return store, literals


def _exact(literal: Literal) -> tuple[str, Node | None, str | None]:
    """A literal as a term, plain strings and xsd:string being one (RDF 1.1)."""
    return (str(literal), literal.datatype or (None if literal.language else XSD.string),
            literal.language)


def _rdf11(literal: Literal) -> tuple[str, Node | None, str | None]:
    """A literal as a term, language tags compared without case (RDF 1.1)."""
    text, datatype, language = _exact(literal)
    return text, datatype, language.lower() if language else None


def _stored_forms(literals: Iterable[Literal]) -> dict[Literal, Literal]:
    """How Oxigraph keeps each literal: in canonical form when it knows the datatype ("4.0"
    ^^xsd:decimal as "4", "5"^^xsd:int as "5"^^xsd:integer), as written otherwise."""
    import pyoxigraph

    listed = list(literals)
    store = pyoxigraph.Store()
    predicate = pyoxigraph.NamedNode("urn:x-shacl2sparql:form")
    store.extend([pyoxigraph.Quad(pyoxigraph.NamedNode(f"urn:x-shacl2sparql:{i}"), predicate,
                                  to_ox(item)) for i, item in enumerate(listed)])
    forms: dict[Literal, Literal] = {}
    for quad in store:
        # a literal goes into the store, so a literal comes out
        item = listed[int(quad.subject.value.rsplit(":", 1)[1])]
        forms[item] = cast(Literal, from_ox(quad.object))
    return forms


@functools.lru_cache(maxsize=4096)
def _stored_form(literal: Literal) -> Literal:
    return _stored_forms([literal])[literal]


def constant(shape: Node, key: Node, value: Node) -> None:
    """Refuse a constant the compiled query cannot compare as a term: a blank node (not a
    constant in SPARQL) or a literal that Oxigraph reads as another term ("4.0"^^xsd:decimal
    as "4", so that it would be sameTerm to the data's "4")."""
    if isinstance(value, BNode):
        raise UnsupportedShape(shape, "blank_node", key=short(key))
    if isinstance(value, Literal):
        stored = _stored_form(value)
        if _rdf11(stored) != _rdf11(value):
            raise UnsupportedShape(shape, "constant_read_as", key=short(key), value=value.n3(),
                                   stored=stored.n3())


_STRINGS_READ: dict[Node, str] = {SH.pattern: "lexical", SH.minLength: "lexical",
                                  SH.maxLength: "lexical", SH.datatype: "datatype"}


def reads(graph: Graph, key: Node, value: Node,
          seen: frozenset[Node] = frozenset()) -> frozenset[str]:
    """What of a literal's form the constraint ``key value`` reads (see :data:`EVERYTHING`)."""
    if key in _STRINGS_READ:
        return frozenset({_STRINGS_READ[key]})
    if key in (SH["in"], SH.hasValue):
        constants = items(graph, value) if key == SH["in"] else [value]
        literal = any(isinstance(c, Literal) for c in constants)
        return frozenset({"identity"}) if literal else frozenset()
    if key in (SH.sparql,):
        return EVERYTHING
    if key in (SH.node, SH["not"], SH.property, SH.qualifiedValueShape):
        shapes = [value]
    elif key in (SH["and"], SH["or"], SH.xone):
        shapes = items(graph, value)
    else:
        return frozenset()
    found: set[str] = set()
    for shape in shapes:
        if shape not in seen:
            for inner, inner_value in graph.predicate_objects(shape):
                if str(inner).startswith(SH_NS):
                    found |= reads(graph, inner, inner_value, seen | {shape})
    return frozenset(found)


@dataclass
class Forms:
    """The literals Oxigraph keeps in another form than the data's (canonical numbers and
    booleans, xsd:integer for its subtypes, lower-case language tags).

    ``back`` maps a kept form to the data's own; ``changed`` describes an example for each
    thing of a literal that changed ("datatype", "lexical", and "identity" for any change);
    ``merged`` describes two different literals of the data kept as one.
    """

    back: dict[Literal, Literal] = field(default_factory=dict)
    changed: dict[str, Construct] = field(default_factory=dict)
    merged: Construct | None = None
    typed_strings: set[Literal] = field(default_factory=set)

    @classmethod
    def build(cls, store: Any, literals: set[Literal], named: set[Literal]) -> Forms:
        """Compare the data's literals (and the ``named`` literal focus nodes) with ``store``."""
        forms = cls(typed_strings={lit for lit in literals if lit.datatype == XSD.string})
        forms._rewritten_by_rdflib(literals | named)
        kept: set[tuple[str, Node | None, str | None]] = set()
        if store is not None and literals:
            query = "SELECT DISTINCT ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o)) }"
            # the query keeps literals only
            kept = {_exact(cast(Literal, from_ox(solution[0]))) for solution in store.query(query)}
        suspects = {lit for lit in literals if _exact(lit) not in kept} | named
        if not suspects:
            return forms
        data = {_rdf11(lit) for lit in literals}
        for original, stored in sorted(_stored_forms(suspects).items(), key=lambda f: f[0].n3()):
            if _exact(stored) == _exact(original):
                continue
            other = forms.back.setdefault(stored, original)
            if _rdf11(stored) == _rdf11(original):
                continue  # only the case of the language tag
            described = Construct("literal_kept", literal=original.n3(), stored=stored.n3())
            if _rdf11(other) != _rdf11(original) or _rdf11(stored) in data:
                first = other if other != original else stored
                forms.merged = Construct("literals_merged", first=first.n3(),
                                         second=original.n3(), stored=stored.n3())
            forms.changed.setdefault("identity", described)
            if stored.datatype != original.datatype:
                forms.changed.setdefault("datatype", described)
            if str(stored) != str(original):
                forms.changed.setdefault("lexical", described)
        return forms

    def _rewritten_by_rdflib(self, literals: set[Literal]) -> None:
        """Note an ill-typed literal whose form rdflib has already rewritten into a well-formed
        one ("none"^^xsd:boolean read as "false"): ``sh:datatype`` cannot tell it."""
        import pyoxigraph

        odd = [lit for lit in literals if getattr(lit, "ill_typed",
                                                  None) and lit.datatype in CASTS]
        for lit in sorted(odd, key=lambda lit: lit.n3()):
            # odd keeps the literals whose datatype is one of CASTS, never None
            cast = f"{lit.datatype.n3()}({lit.n3()})"  # type: ignore[union-attr]  # not None
            if pyoxigraph.Store().query(f"ASK {{ FILTER(COALESCE(isLiteral({cast}), false)) }}"):
                self.changed.setdefault("datatype", Construct("ill_typed_rewritten",
                                                              literal=lit.n3()))

    @overload
    def restore(self, node: Node) -> Node: ...
    @overload
    def restore(self, node: None) -> None: ...

    def restore(self, node: Node | None) -> Node | None:
        """A node of a result in the data's own form (a string as rdflib reads "text", unless
        the data writes it "text"^^xsd:string: the same term in RDF 1.1)."""
        if not isinstance(node, Literal):
            return node
        if node in self.back:
            return self.back[node]
        if node.datatype == XSD.string and node not in self.typed_strings:
            return Literal(str(node))
        return node

    def refuse(self, check: Check) -> None:
        """Refuse a check whose answer depends on a form of the literals that Oxigraph changed."""
        if self.merged is not None:  # counts and comparisons of every check see one term
            raise UnsupportedShape(check.shape, "on_data", what=check.construct,
                                   data=self.merged)
        for kind in sorted(check.reads):
            if kind in self.changed:
                raise UnsupportedShape(check.shape, "on_data", what=check.construct,
                                       data=self.changed[kind])
