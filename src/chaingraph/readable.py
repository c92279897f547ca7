"""Whether a source file can be read: what a person must correct, said before a parser chokes.

Every way of reading data (rdflib in memory, Oxigraph in memory or on disk, the file audit)
passes its files through these checks, so that a file that is not what its name says is one
sentence that names the file (and the line, where there is one) and says what to do, the
same sentence whichever backend reads it:

- the bytes: UTF-8 text without NUL bytes (not UTF-16, not binary), in the syntax its name
  says (not JSON behind a ``.ttl`` name); :class:`TextCheck` checks them as they stream by.
- JSON-LD: no ``@context`` that is a URL (chaingraph never fetches one).
- RDF/XML: no external entities and no entities built from entities (a "billion laughs"
  file), and no more entity text than the file itself holds.
- the values: no literal or IRI over :data:`MAX_VALUE` (Oxigraph's own limit), no half of a
  UTF-16 surrogate pair, no IRI with a space; and the datatype the ontology's ``rdfs:range``
  gives each property (a date where a date is expected, an IRI where a resource is).

Example:
    >>> import tempfile, pathlib
    >>> bad = pathlib.Path(tempfile.mkdtemp()) / "latin1.ttl"
    >>> _ = bad.write_bytes(b"# caf\\xe9\\n")
    >>> try:
    ...     check_file(bad)
    ... except SourceError as error:
    ...     print(error.text("en").split(": ", 1)[1])
    is not UTF-8 text (byte 5); save it as UTF-8
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import json
import logging
import re
import warnings
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from chaingraph.errors import SourceError

_CG_NS = "https://w3id.org/chaingraph/ontology#"  # the ontology's namespace, as text

# One literal or IRI at most this long: Oxigraph's parsers stop at 16 MiB ("Reached the buffer
# maximal size"), so rdflib is held to the same bound and both refuse the same files.
MAX_VALUE = 16 << 20

# What a file's name says it holds: the suffix (in any case) and the syntax.
KINDS = {".ttl": "turtle", ".nt": "nt", ".n3": "n3", ".trig": "trig", ".nq": "nq",
         ".jsonld": "json-ld", ".rdf": "xml", ".owl": "xml"}
NAMES = {"turtle": "Turtle", "nt": "N-Triples", "n3": "N3", "trig": "TriG", "nq": "N-Quads",
         "json-ld": "JSON-LD", "xml": "RDF/XML"}
_SUFFIX = {"json-ld": ".jsonld", "xml": ".rdf", "turtle": ".ttl"}
_TEXT_LIKE = ("turtle", "nt", "n3", "trig", "nq")

_CHUNK = 1 << 20


def kind_of(path: str | Path) -> str:
    """The syntax a file's name says it holds (Turtle for an unknown suffix).

    Example:
        >>> kind_of("cases.TTL"), kind_of("a.jsonld"), kind_of("x.owl")
        ('turtle', 'json-ld', 'xml')
    """
    return KINDS.get(Path(path).suffix.lower(), "turtle")


def _error(path: str | Path, problem: str, line: int | None = None, *, node: str | None = None,
           **details: Any) -> SourceError:
    return SourceError(path, line=line, problem=problem, node=node, **details)


class TextCheck:
    """Check a file's bytes as they stream by: UTF-8 text, no NUL byte, the syntax its name says.

    Feed it the bytes in order (``feed``), then ``close``; either raises :class:`SourceError`.
    ``start`` and ``line`` say where the first byte fed sits in the file (for a part of one).

    Example:
        >>> check = TextCheck("a.ttl")
        >>> check.feed("@prefix : <urn:x#> .\\n: a :B .\\n".encode())
        >>> check.close()
    """

    def __init__(self, path: str | Path, kind: str | None = None, *, start: int = 0,
                 line: int = 1) -> None:
        self.path = path
        self.kind = kind_of(path) if kind is None else kind
        self.position = start
        self.line = line
        self.first = start == 0
        self.decoder = codecs.getincrementaldecoder("utf-8")()

    def feed(self, chunk: bytes | memoryview) -> None:
        data = bytes(chunk)
        if not data:
            return
        if self.first:
            self.first = False
            self._opening(data)
        nul = data.find(b"\0")
        if nul >= 0:
            raise self._at("nul_byte", data, nul)
        pending = len(self.decoder.getstate()[0])
        try:
            self.decoder.decode(data)
        except UnicodeDecodeError as exc:
            offset = max(exc.start - pending, 0)
            raise self._at("not_utf8", data, offset) from None
        self.line += data.count(b"\n")
        self.position += len(data)

    def close(self) -> None:
        pending = len(self.decoder.getstate()[0])
        if pending:
            raise _error(self.path, "not_utf8", self.line, byte=self.position - pending)

    def _at(self, problem: str, data: bytes, offset: int) -> SourceError:
        line = self.line + data.count(b"\n", 0, offset)
        return _error(self.path, problem, line, byte=self.position + offset)

    def _opening(self, data: bytes) -> None:
        """The file's first bytes: UTF-16, binary data, or another syntax than its name says."""
        head = data[:8192]
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
                len(head) >= 4 and head.count(b"\0") * 3 >= len(head)
                and (head[1::2].count(b"\0") * 4 >= len(head) * 3 // 2
                     or head[0::2].count(b"\0") * 4 >= len(head) * 3 // 2)):
            raise _error(self.path, "utf16")
        controls = sum(head.count(bytes([b])) for b in range(32) if b not in (9, 10, 12, 13))
        controls += head.count(b"\x7f")
        if controls >= 4 and controls * 50 > len(head):
            raise _error(self.path, "binary")
        found = _sniff(head)
        if found is None or found == self.kind:
            return
        if self.kind in _TEXT_LIKE and found == "turtle":
            return
        if self.kind in ("trig", "n3") and found == "json-ld":  # { … } is a graph there
            return
        raise _error(self.path, "wrong_format", found=NAMES[found], expected=NAMES[self.kind],
                     suffix=Path(self.path).suffix or "''", better=_SUFFIX[found])


def _sniff(head: bytes) -> str | None:
    """What syntax a file's first bytes look like: JSON, XML or Turtle; None when unclear."""
    text = head.lstrip(codecs.BOM_UTF8).lstrip()
    if text.startswith(b"{") or re.match(rb"\[\s*\{", text):
        return "json-ld"
    if text.startswith((b"<?xml", b"<!DOCTYPE", b"<rdf:RDF", b"<!--")):
        return "xml"
    if re.match(rb"(?i)(@prefix|@base|prefix\s|base\s|#)", text):
        return "turtle"
    return None


def regular_file(path: str | Path) -> Path:
    """Return ``path`` if it is a regular file (or a link to one); else say what it is.

    Raises:
        MissingPath: nothing is there.
        SourceError: a symbolic link to nothing, or a device, pipe or socket (which a
            parser would wait on for ever).
    """
    import os

    from chaingraph.errors import MissingPath

    path = Path(path)
    if path.is_symlink() and not path.exists():
        raise _error(path, "dangling_link", target=os.readlink(path))
    if not path.exists():
        raise MissingPath(path)
    if not path.is_file():
        raise _error(path, "not_a_file")
    return path


def check_structure(path: str | Path) -> Path:
    """What can be known of a file before its bytes stream by: a regular file; for JSON-LD no
    remote context, for RDF/XML no entity that expands without bound. Returns the path."""
    path = regular_file(path)
    if kind_of(path) == "json-ld":
        check_bytes(path, "json-ld")  # whole JSON documents are read at once anyway
        check_json_ld(path)
    elif kind_of(path) == "xml":
        check_entities(path)
    return path


def duplicate_case(case_id: str, files: Sequence[str | Path]) -> SourceError:
    """The sentence for a case id two case nodes carry, naming the (first two) files with it."""
    needle = json.dumps(case_id, ensure_ascii=False)
    holders = []
    for path in files:
        try:
            if needle in Path(path).read_text(encoding="utf-8", errors="replace"):
                holders.append(path)
        except OSError:
            continue
    first, second = (holders * 2)[:2] if holders else ("<data>", "<data>")
    return _error(second, "duplicate_case", case=case_id, other=first)


def duplicate_case_node(case_id: str, nodes: Sequence[Node], source: str) -> SourceError:
    """The sentence for a case id two case nodes of a store or endpoint carry (another tool
    wrote one of them), naming the source and both nodes: the cases are never merged."""
    first, second = sorted(nodes, key=str)[:2]
    return _error(source, "duplicate_case_node", node=node_name(second), case=case_id,
                  other=node_name(first))


def unique_case_ids(cases: Iterable[tuple[Node, str]], source: str) -> None:
    """Refuse (case node, case id) pairs in which two nodes share an id.

    Raises:
        SourceError: :func:`duplicate_case_node` for the first such id.
    """
    nodes: dict[str, list[Node]] = {}
    for node, ident in cases:
        nodes.setdefault(ident, []).append(node)
    for ident, found in nodes.items():
        if len(set(found)) > 1:
            raise duplicate_case_node(ident, sorted(set(found), key=str), source)


def check_part(path: str | Path, data: bytes, start: int) -> None:
    """Check the bytes of a file from byte ``start`` on (a part cut at a line start).

    Raises:
        SourceError: as :class:`TextCheck`, with the line counted in the whole file.
    """
    check = TextCheck(path, start=start)
    try:
        check.feed(data)
        check.close()
    except SourceError as error:
        if not start or error.line is None:
            raise
        with open(path, "rb") as handle:
            line = error.line + handle.read(start).count(b"\n")
        raise SourceError(error.path, line=line, problem=error.problem, **error.details) from None


def without_bom(data: bytes) -> bytes:
    """``data`` without a leading UTF-8 byte order mark (which Oxigraph's parsers refuse).

    Example:
        >>> without_bom(b"\\xef\\xbb\\xbf@prefix")
        b'@prefix'
    """
    return data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data


def read_text(path: str | Path) -> str:
    """The text of a UTF-8 file (a byte order mark dropped) that no RDF parser reads: a case
    form, a spreadsheet. Missing, unreadable or not UTF-8 is one sentence (the last with the
    line and byte), as for data files.

    Example:
        >>> import tempfile
        >>> bad = Path(tempfile.mkdtemp()) / "form.yaml"
        >>> _ = bad.write_bytes("case:\\n  id: café\\n".encode("latin-1"))
        >>> try:
        ...     read_text(bad)
        ... except SourceError as error:
        ...     print(error.line, error.text("en").split(": ", 1)[1])
        2 is not UTF-8 text (byte 15); save it as UTF-8
    """
    from chaingraph.errors import MissingPath

    if not Path(path).is_file():
        raise MissingPath(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise _error(path, "unreadable", why=exc.strerror or exc.__class__.__name__) from None
    try:
        return without_bom(data).decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start + (len(data) - len(without_bom(data)))
        raise _error(path, "not_utf8", data.count(b"\n", 0, start) + 1, byte=start) from None


def check_bytes(path: str | Path, kind: str | None = None) -> None:
    """Read ``path`` once through a :class:`TextCheck`."""
    check = TextCheck(path, kind)
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            check.feed(chunk)
    check.close()


def check_file(path: str | Path) -> None:
    """Check a source file before a parser reads it; raise :class:`SourceError` if it cannot be.

    Raises:
        SourceError: the file is not UTF-8 text, holds a NUL byte, is in another syntax
            than its name says, is JSON-LD with a remote context, or RDF/XML whose entities
            would expand without bound.
    """
    path = Path(path)
    kind = kind_of(path)
    check_bytes(path, kind)
    if kind == "json-ld":
        check_json_ld(path)
    elif kind == "xml":
        check_entities(path)
    elif kind in ("turtle", "n3", "trig"):
        check_lists(path)


# The longest RDF collection ``( a b c … )`` rdflib is given: its Turtle parser takes about
# 0.2 ms an item and far more memory, so 300,000 items ran for minutes. Oxigraph reads long
# lists in linear time and is not held to this bound.
MAX_LIST = 10_000
_NOT_CODE = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                       r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"\s]*>|#[^\n]*')


def check_lists(path: str | Path) -> None:
    """Refuse Turtle with a collection of more than :data:`MAX_LIST` items (for rdflib)."""
    text = Path(path).read_text(encoding="utf-8")
    if text.count("(") == 0:
        return
    code = _NOT_CODE.sub(lambda m: "\n" * m.group(0).count("\n") or " ", text)
    for match in re.finditer(r"\(([^()]*)", code):
        if len(match.group(1).split()) > MAX_LIST:
            raise _error(path, "long_list", code.count("\n", 0, match.start()) + 1,
                         most=MAX_LIST)


def check_json_ld(path: str | Path) -> None:
    """Refuse a JSON-LD file whose ``@context`` (or ``@import``) is a URL: it is never fetched."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except json.JSONDecodeError as exc:
        raise _error(path, "malformed", exc.lineno, format="JSON-LD", why=exc.msg) from None
    except UnicodeDecodeError as exc:
        raise _error(path, "not_utf8", byte=exc.start) from None
    except RecursionError:
        raise _error(path, "malformed", format="JSON-LD", why="nested too deep") from None
    remote = _remote_context(document)
    if remote is not None:
        raise _error(path, "remote_context", context=remote)


def _remote_context(node: Any) -> str | None:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for key, value in item.items():
                if key in ("@context", "@import"):
                    found = _context_url(value)
                    if found is not None:
                        return found
                stack.append(value)
    return None


def _context_url(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        for item in value:
            found = _context_url(item)
            if found is not None:
                return found
    if isinstance(value, dict) and isinstance(value.get("@import"), str):
        return str(value["@import"])
    return None


_ENTITY = re.compile(rb"<!ENTITY\s+(%\s+)?([^\s%\"'>]+)\s+(?:(SYSTEM|PUBLIC)\b[^>]*|"
                     rb"\"([^\"]*)\"|'([^']*)')\s*>")


def check_entities(path: str | Path) -> None:
    """Refuse RDF/XML whose entities are external, built from entities, or expand too far.

    Plain entities (``<!ENTITY xsd "http://www.w3.org/2001/XMLSchema#">``, as Protégé writes
    them) are fine; what they expand to counts against :data:`MAX_VALUE` or the file's size.
    """
    data = Path(path).read_bytes()
    if b"<!ENTITY" not in data:
        return
    sizes: dict[bytes, int] = {}
    for match in _ENTITY.finditer(data):
        parameter, name, external = match.group(1), match.group(2), match.group(3)
        value = match.group(4) if match.group(4) is not None else match.group(5) or b""
        line = data.count(b"\n", 0, match.start()) + 1
        shown = name.decode("utf-8", "replace")
        if external is not None:
            raise _error(path, "entity_external", line, name=shown)
        if parameter or re.search(rb"&(?!#)|%", value):
            raise _error(path, "entity_nested", line, name=shown)
        sizes[name] = len(value)
    if data.count(b"<!ENTITY") != len(sizes):
        raise _error(path, "entity_nested", None, name="?")
    grown = sum(data.count(b"&" + name + b";") * size for name, size in sizes.items())
    if grown > max(MAX_VALUE, len(data)):
        raise _error(path, "entity_size", mib=max(grown >> 20, 1))


# --- the values -------------------------------------------------------------------------

_BAD_IRI = re.compile(r"[\x00-\x20<>\"{}|^`\\]")
_SURROGATE = re.compile("[\ud800-\udfff]")
IRI_EXPECTED = OWL.Thing  # the "datatype" of a property whose range is a class: a resource
_CHECKED = (XSD.date, XSD.boolean, XSD.integer, XSD.gYear)


@dataclass(frozen=True)
class BadValue:
    """A value of the wrong kind: ``value`` of ``predicate`` where ``expected`` belongs."""

    subject: Node
    predicate: URIRef
    value: Node
    expected: URIRef


@functools.cache
def bundled_ranges() -> dict[URIRef, URIRef]:
    """:func:`expected_types` of the bundled ontology, read once."""
    from chaingraph.graph import ontology_files

    ontology = Graph()
    for path in ontology_files():
        ontology.parse(path, format="turtle")
    return expected_types(ontology)


def expected_types(ontology: Graph) -> dict[URIRef, URIRef]:
    """What each ``cg:`` property takes, from its ``rdfs:range``: a checked datatype, or a resource.

    Object properties map to :data:`IRI_EXPECTED`; datatype properties whose range is
    ``xsd:date``, ``xsd:boolean``, ``xsd:integer`` or ``xsd:gYear`` to that datatype. Texts
    (``xsd:string``, ``rdf:langString``) are not checked.

    Example:
        >>> from chaingraph.namespace import CG
        >>> ranges = bundled_ranges()
        >>> ranges[CG.startDate] == XSD.date, ranges[CG.riskLevel] == IRI_EXPECTED
        (True, True)
    """
    from chaingraph.namespace import CG

    ns = str(CG._NS)
    found: dict[URIRef, URIRef] = {}
    for prop, kind in ontology.subject_objects(RDFS.range):
        if not isinstance(prop, URIRef) or not str(prop).startswith(ns):
            continue
        if kind in _CHECKED:
            found[prop] = URIRef(str(kind))
        elif (prop, RDF.type, OWL.ObjectProperty) in ontology:
            found[prop] = IRI_EXPECTED
    return dict(sorted(found.items()))


def ill_typed(graph: Graph, expected: dict[URIRef, URIRef]) -> Iterator[BadValue]:
    """Yield the values in ``graph`` of another kind than their property takes.

    A date, boolean, number or year must be a literal of that datatype with a valid value
    ("2021-02-30"^^xsd:date is not one; neither is "2021-06-20" without its datatype); a
    date is a day, YYYY-MM-DD, without a time zone ("2021-06-30Z" compares with no plain
    date in Oxigraph, and rdflib drops the zone: the engines would differ); a property
    whose range is a class takes an IRI or blank node, not a text. The graph must keep the
    lexical forms as written (:func:`as_written`).
    """
    for prop, want in expected.items():
        for subject, value in graph.subject_objects(prop):
            if want == IRI_EXPECTED:
                bad = isinstance(value, Literal)
            else:
                bad = (not isinstance(value, Literal) or value.datatype != want
                       or bool(value.ill_typed) or (want == XSD.date and len(value) != 10))
            if bad:
                yield BadValue(subject, prop, value, want)


def ill_typed_native(store: Any, expected: dict[URIRef, URIRef], *,
                     union: bool = False) -> Iterator[BadValue]:
    """:func:`ill_typed` on a pyoxigraph ``Store``: the queries ``queries/internal/ill-typed.rq``
    (the datatypes) and ``ill-typed-resource.rq`` (the properties that take resources).

    ``union``: look in every named graph too (the file audit's chunk stores).
    """
    from chaingraph.queryfiles import internal
    from chaingraph.sparql import with_rows

    kwargs = {"use_default_graph_as_union": True} if union else {}
    resources = [row for row in expected.items() if row[1] == IRI_EXPECTED]
    datatypes = [row for row in expected.items() if row[1] != IRI_EXPECTED]
    rows: list[Any] = []
    for name, part in (("ill-typed-resource", resources), ("ill-typed", datatypes)):
        if part and not rows:
            rows = list(store.query(with_rows(internal(name), ["p", "want"], part), **kwargs))
    with quiet_parsers():  # rdflib logs a traceback for an ill-typed literal it makes
        found = [BadValue(_term(row["s"]), URIRef(row["p"].value), _term(row["o"]),
                          URIRef(row["want"].value)) for row in rows]
    yield from found


def undeclared_native(store: Any, declared: frozenset[str], *, union: bool = False,
                      objects: Iterable[str] | None = None,
                      subjects: Iterable[str] | None = None) -> str | None:
    """The first ``cg:`` IRI a pyoxigraph ``Store`` uses that is not in ``declared`` (None if
    none): the queries ``queries/internal/cg-terms.rq`` (predicates), ``cg-subjects.rq`` and
    ``cg-objects.rq``, a pass over the store each.

    ``union``: look in every named graph too (the file audit's chunk stores). ``objects``,
    ``subjects``: the ``cg:`` IRIs in that position, where the caller has them already (a file
    chunk's person links list every IRI object, its layout every such subject): then those
    passes are not made.
    """
    import pyoxigraph

    from chaingraph.queryfiles import internal

    kwargs = {"use_default_graph_as_union": True} if union else {}
    namespace = _CG_NS
    used: set[str] = set()
    for name, given in (("cg-objects", objects), ("cg-subjects", subjects), ("cg-terms", None)):
        if given is not None:
            used.update(given)
            continue
        for row in store.query(internal(name).text, **kwargs):
            used.update(term.value for term in row if isinstance(term, pyoxigraph.NamedNode))
    return min((term for term in used if term.startswith(namespace) and term not in declared),
               default=None)


def _term(term: Any) -> Node:
    import pyoxigraph

    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    from rdflib import BNode

    return BNode(str(term.value))


def check_values(graph: Graph, path: str | Path, *,
                 expected: dict[URIRef, URIRef] | None = None,
                 text: str | None = None) -> None:
    """Refuse a parsed file whose values chaingraph cannot hold or whose datatypes are wrong.

    Raises:
        SourceError: a value longer than :data:`MAX_VALUE`, half a surrogate pair, an IRI
            with a space (or another character IRIs cannot hold), or :func:`ill_typed` value.
    """
    for triple in graph:
        for term in triple:
            if not isinstance(term, Literal | URIRef):
                continue
            raw = str(term)
            if len(raw) > MAX_VALUE:
                raise _error(path, "too_long", None, mib=len(raw) >> 20, limit=MAX_VALUE >> 20)
            if _SURROGATE.search(raw):
                raise _error(path, "surrogate", _line(path, text, ["\\u", "\\U"]))
            if isinstance(term, URIRef) and _BAD_IRI.search(raw):
                bad = _BAD_IRI.search(raw)
                char = repr(bad.group(0)) if bad else "?"
                raise _error(path, "bad_iri", _line(path, text, [raw[:40]]), iri=_short(raw),
                             char=char)
    if expected:
        for bad_value in ill_typed(graph, expected):
            raise value_error(bad_value, [path], texts={str(path): text} if text else None)


def value_error(bad: BadValue, files: Sequence[str | Path],
                texts: dict[str, str] | None = None, *, source: str | None = None) -> SourceError:
    """The sentence for an ill-typed value, naming the file and line it is on (searched for),
    or, in a ``source`` without lines (a store, an endpoint), the node it is on."""
    shown = _shown(bad.value)
    node = None
    where: str | Path
    if source is not None:
        where, line, node = source, None, node_name(bad.subject)
    else:
        where, line = _locate(bad, files, texts or {})
    predicate = _qname(bad.predicate)
    if bad.expected == IRI_EXPECTED:
        return _error(where, "ill_typed_iri", line, predicate=predicate, value=_short(shown),
                      node=node)
    kind = {XSD.date: "date", XSD.boolean: "boolean", XSD.integer: "integer",
            XSD.gYear: "year"}[bad.expected]
    example = {XSD.date: '"2021-06-20"^^xsd:date', XSD.boolean: "true",
               XSD.integer: "3", XSD.gYear: '"2021"^^xsd:gYear'}[bad.expected]
    if kind == "date" and _is_date(str(bad.value)[:10]):  # without its datatype, or a zone
        example = f'"{str(bad.value)[:10]}"^^xsd:date'
    return _error(where, f"ill_typed_{kind}", line, predicate=predicate, value=_short(shown),
                  example=example, node=node)


def node_name(node: Node) -> str:
    """A node of a store in a sentence: its path under ``…/case/`` (``FX-011/own-risk-1``),
    else its IRI or blank node label.

    Example:
        >>> node_name(URIRef("https://w3id.org/chaingraph/case/FX-011/own-risk-1"))
        'FX-011/own-risk-1'
    """
    text = str(node)
    if isinstance(node, URIRef):
        return text.split("/case/", 1)[1] if "/case/" in text else f"<{text}>"
    return f"_:{text}"


def check_case(graph: Graph, case: URIRef) -> None:
    """Refuse a case of a store or endpoint with a value of another kind than its property
    takes, or whose id another case node carries too, as a file with it is refused when
    read (:func:`check_values`, :func:`duplicate_case`).

    Data that ``chaingraph load`` wrote was checked on the way in; another tool may have
    written since (a SPARQL UPDATE, an Oxigraph server), and an impossible date then
    reaches every reader. So each case is checked when a command looks it up (its own
    values and those of every node ``cg:inCase`` it: ``queries/internal/case-values.rq``).
    Graphs read from files (checked when read) are left alone.

    Raises:
        SourceError: names the store or endpoint and the node, in one sentence.
    """
    from chaingraph.backends import unchecked_source

    source = unchecked_source(graph)
    if source is None or str(case) in _CASES_CHECKED.setdefault(graph.store, set()):
        return  # read from files, or looked up before in this graph (chain does, twice)
    from chaingraph.namespace import CG

    ident = graph.value(case, CG.caseId)
    if ident is not None:
        unique_case_ids(((node, str(ident)) for node in graph.subjects(CG.caseId, ident)),
                        source)
    from chaingraph.queryfiles import internal
    from chaingraph.sparql import execute

    part = Graph()
    # rdflib logs a traceback for each ill-typed literal it makes; the values as written
    with quiet_parsers(), as_written():
        for row in execute(graph, internal("case-values"), {"case": case}):
            part.add((row[0], row[1], row[2]))
    check_graph(part, source)
    _CASES_CHECKED[graph.store].add(str(case))


# The cases of each store or endpoint graph (by its rdflib store) that check_case found sound.
_CASES_CHECKED: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def check_source(graph: Graph, *, progress: bool = True) -> None:
    """:func:`check_case` for every case of a store or endpoint at once, for a command that
    reads them all (a named query without a case, the collaboration of every case): refuse
    a value of another kind than its property takes, a ``cg:`` term the ontology does not
    declare, or a case id that two case nodes carry, as reading files with them is refused.

    Without it such a value passes silently: a SPARQL comparison with "2021-06-31"^^xsd:date
    is an error, so an ownership with that end date counts as running (an overlap that is
    not there). A store is checked by Oxigraph itself (the queries of :func:`ill_typed_native`
    and :func:`undeclared_native`); an endpoint runs the same queries and each value it gives
    is checked here as a file's value is (:func:`check_graph`). Each query reads the whole
    data (about 10 s at 10,000 cases in a store): a bar on a terminal shows the steps
    (``progress``). Once per graph; graphs read from files (checked when read) are left alone.

    Raises:
        SourceError: names the store or endpoint and the node, in one sentence.
        UnknownTerm: the first undeclared term, with the nearest declared ones.
    """
    from chaingraph.backends import native_store, unchecked_source

    source = unchecked_source(graph)
    if source is None or graph.store in _SOURCES_CHECKED:
        return
    from chaingraph.graph import declared_names, unknown_term
    from chaingraph.namespace import CG
    from chaingraph.progress import Progress
    from chaingraph.queryfiles import internal
    from chaingraph.sparql import execute, with_rows

    declared = declared_names()
    store = native_store(graph)
    ranges = bundled_ranges().items()
    steps = [("ill-typed-resource", [r for r in ranges if r[1] == IRI_EXPECTED]),
             ("ill-typed", [r for r in ranges if r[1] != IRI_EXPECTED])]
    with Progress("values", total=6, enabled=None if progress else False) as bar:
        if store is not None:
            for bad in ill_typed_native(store, dict(ranges)):
                raise value_error(bad, [], source=source)
            bar.advance(2)
        else:
            part = Graph()
            with quiet_parsers(), as_written():
                for name, rows in steps:
                    for row in execute(graph, with_rows(internal(name), ["p", "want"], rows)):
                        part.add((row[0], row[1], row[2]))
                    bar.advance()
            check_graph(part, source)  # the server's rows, each checked as a file's value is
        if store is not None:
            term = undeclared_native(store, declared)
            bar.advance(3)
        else:  # the same three passes, on the endpoint
            used: set[str] = set()
            for name in ("cg-terms", "cg-subjects", "cg-objects"):
                used.update(str(t) for row in execute(graph, internal(name).text) for t in row)
                bar.advance()
            term = min((t for t in used if t.startswith(_CG_NS) and t not in declared),
                       default=None)
        if term is not None:
            raise unknown_term(source, term, declared)
        for row in execute(graph, internal("duplicate-case-ids").text):
            unique_case_ids(((node, str(row[0])) for node in graph.subjects(CG.caseId, row[0])),
                            source)
        bar.advance()
    _SOURCES_CHECKED[graph.store] = True


# The stores and endpoints (by their rdflib store) that check_source found sound.
_SOURCES_CHECKED: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


def check_case_id(graph: Graph, case_id: str) -> None:
    """:func:`check_case` for the case (if any) with id ``case_id``; an unknown id is left to
    the caller (a named query answers it with no rows on every backend)."""
    from chaingraph.backends import unchecked_source
    from chaingraph.namespace import CG

    if unchecked_source(graph) is not None:
        for node in set(graph.subjects(CG.caseId, Literal(case_id))):
            if isinstance(node, URIRef):
                check_case(graph, node)


def check_graph(graph: Graph, source: str) -> None:
    """Refuse ``graph``, read from the store or endpoint ``source``, if a value in it is of
    another kind than its property takes (:func:`ill_typed`): one sentence naming the node;
    or if it uses a ``cg:`` term the ontology does not declare, as reading a file does. Read
    the graph :func:`as_written`: rdflib would otherwise drop a date's time zone.

    Raises:
        SourceError: the first such value.
        UnknownTerm: the first undeclared term, with the nearest declared ones.
    """
    with quiet_parsers():
        for bad in ill_typed(graph, bundled_ranges()):
            raise value_error(bad, [], source=source)
    from chaingraph.graph import declared_names, unknown_term

    declared = declared_names()
    term = min((str(t) for triple in graph for t in triple
                if isinstance(t, URIRef) and t.startswith(_CG_NS) and str(t) not in declared),
               default=None)
    if term is not None:
        raise unknown_term(source, term, declared)


def _is_date(text: str) -> bool:
    from datetime import date

    try:
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text)) and bool(date.fromisoformat(text))
    except ValueError:
        return False


def _shown(value: Node) -> str:
    """A value as Turtle writes it, with ``xsd:`` for the XSD datatypes."""
    if not isinstance(value, Literal):
        return f"<{value}>"
    lexical = json.dumps(str(value), ensure_ascii=False)
    if value.language:
        return f"{lexical}@{value.language}"
    if value.datatype is None or value.datatype == XSD.string:
        return lexical
    return f"{lexical}^^{_qname(URIRef(value.datatype))}"


def _qname(iri: URIRef) -> str:
    from chaingraph.namespace import PREFIXES

    for prefix, namespace in {**PREFIXES, "xsd": XSD._NS}.items():
        if str(iri).startswith(str(namespace)):
            return f"{prefix}:{str(iri)[len(str(namespace)):]}"
    return f"<{iri}>"


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:79] + "…"


def _line(path: str | Path, text: str | None, needles: Iterable[str]) -> int | None:
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    for needle in needles:
        at = text.find(needle)
        if at >= 0:
            return text.count("\n", 0, at) + 1
    return None


def _locate(bad: BadValue, files: Sequence[str | Path],
            texts: dict[str, str]) -> tuple[str | Path, int | None]:
    """The file and line of an ill-typed value: its lexical form's line, best with its property."""
    value = str(bad.value)
    local = re.split(r"[#/]", str(bad.predicate))[-1]
    needles = [f'"{value}"', f"'{value}'", value] if isinstance(bad.value, Literal) else [value]
    fallback: tuple[str | Path, int | None] | None = None
    for path in files:
        text = texts.get(str(path))
        if text is None:
            try:
                text = Path(path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
        for needle in needles:
            start = 0
            while (at := text.find(needle, start)) >= 0:
                begin = text.rfind("\n", 0, at) + 1
                end = text.find("\n", at)
                line = text.count("\n", 0, at) + 1
                if local in text[begin:end if end >= 0 else len(text)]:
                    return path, line
                fallback = fallback or (path, line)
                start = at + 1
    if fallback is not None:
        return fallback
    return (files[0] if files else "<data>"), None


@contextlib.contextmanager
def quiet_parsers() -> Iterator[None]:
    """Hold back rdflib's own warnings while it parses (its tracebacks for ill-typed literals).

    What they say is said once, as one sentence, by :func:`check_values`.
    """
    with quiet_rdflib_log(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@contextlib.contextmanager
def as_written() -> Iterator[None]:
    """Keep each literal's lexical form as the file writes it while rdflib parses.

    rdflib otherwise rewrites a typed literal in its canonical form ("2021-06-30Z"^^xsd:date
    becomes "2021-06-30", "1"^^xsd:boolean "true"), where Oxigraph keeps what is written: the
    checks (:func:`ill_typed`) and both engines then see the same values. rdflib's switch is
    a module global: a literal another thread makes meanwhile keeps its form as written too,
    which is the same value.
    """
    import rdflib

    was = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = was


@contextlib.contextmanager
def quiet_rdflib_log() -> Iterator[None]:
    """Hold back rdflib's log (a traceback for each ill-typed literal it reads)."""
    logger = logging.getLogger("rdflib")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)
