"""No personal data in the room: what an export may show, and the check that it does not.

Exports for learning sessions show victims, suspects and professionals only as their
role ("case director (police)"). Three rules carry that:

1. The views never read a person: no node, label or attribute comes from ``cg:holder``,
   ``cg:victim``, ``cg:suspect`` or ``cg:pseudonym`` (except in the internal mode below).
2. Node ids and IRIs in an export are derived from public names (the monitor's
   organisations and roles, the ontology's phases); the IRI of a node inside a case
   file (``…/case/FX-001/ra-1``) or of a person (``prs:…``) is never written.
3. Before anything is written, :func:`check_export` reads the finished export for every
   person identifier that could have entered it, and refuses the export if one is there.

The check (strict and fast):

- **What it looks for.** The persons the export could have drawn from (:func:`scope`: the
  triples of the nodes it shows, of the cases it shows, and of the nodes in the data they
  point at, so one case's persons, never a scan of the whole store): each person's IRI,
  its local name and *every* text literal on it (the pseudonym, a ``foaf:name``,
  anything). And, against the whole store by index look-up (:func:`lookup`), every word
  of the export's text that is a person's ``cg:pseudonym`` or names a ``prs:`` person.
- **Where it looks.** In the view's own text before rendering (every label, name and
  attribute; the timeline; the RDF subgraph) and in the rendered output after undoing
  the format's escaping (:func:`readable`: ``&#45;`` and ``&amp;`` in XML and HTML,
  ``\\u0026`` in JSON, ``\\"`` in DOT and Turtle, ``#quot;`` in Mermaid, ``""`` in CSV),
  whitespace folded.
- **Short identifiers** (under 3 characters, which would match anywhere in a number or
  a word) are looked for in the view's text as whole words only (no letter or digit on
  either side); longer ones as text anywhere, in the view and in the output.

The case number (``FX-001``) is kept: it is the chain's own pseudonymous number for
the case, not derived from a person, and the session needs to know which case it is
looking at.

The internal mode (``--pseudonymise KEYFILE``) adds keyed pseudonyms (HMAC-SHA256 of
the source pseudonym under a secret key) for professionals, victim and suspect, so the
people who hold the key can tell persons apart; without the key they cannot be linked
back to the source pseudonyms. It is off by default and not for learning sessions.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.query import ResultRow
from rdflib.term import Node

from chaingraph.errors import BadParameter, PersonalDataLeak
from chaingraph.labels import local_name
from chaingraph.namespace import CG, MON, PRS
from chaingraph.queryfiles import internal

if TYPE_CHECKING:
    import networkx as nx

# Only IRIs in these namespaces appear in exports; everything else is renamed or dropped.
PUBLIC_NAMESPACES = (str(CG._NS), str(MON))

# Triples with these predicates name persons; subgraph exports drop them.
PERSON_PREDICATES = frozenset({CG.holder, CG.victim, CG.suspect, CG.pseudonym})


def is_public(iri: URIRef | str) -> bool:
    """Return whether an IRI may appear in an export (an ontology or monitor term).

    Example:
        >>> is_public("https://w3id.org/chaingraph/monitor/org-om")
        True
        >>> is_public("https://w3id.org/chaingraph/case/FX-001/ra-1")
        False
    """
    return str(iri).startswith(PUBLIC_NAMESPACES)


def _person_rows(graph: Graph) -> list[tuple[URIRef, str | None]]:
    if type(graph.store).__module__.startswith("rdflib.plugins.stores.memory"):
        # a scope (or files in memory): walked, faster than rdflib's SPARQL
        found: set[Node] = {o for p in (CG.holder, CG.victim, CG.suspect)
                            for o in graph.objects(None, p)}
        found |= {s for kind in (CG.Person, CG.Professional)
                  for s in graph.subjects(RDF.type, kind)}
        found |= set(graph.subjects(CG.pseudonym, None))
        found |= {t for triple in graph for t in (triple[0], triple[2])
                  if isinstance(t, URIRef) and str(t).startswith(str(PRS))}
        rows: list[tuple[URIRef, str | None]] = []
        for person in sorted(p for p in found if isinstance(p, URIRef)):
            pseudonyms: list[str | None] = [str(v) for v in graph.objects(person, CG.pseudonym)]
            pseudonyms = pseudonyms or [None]
            rows += [(person, v) for v in pseudonyms]
        return rows
    return _query_person_rows(graph)


def _query_person_rows(graph: Graph) -> list[tuple[URIRef, str | None]]:
    rows = cast(Iterable[ResultRow], graph.query(internal("persons").text))  # a SELECT
    # the query selects persons, which are IRIs, with their pseudonyms
    return [(cast(URIRef, row[0]), None if row[1] is None else str(row[1])) for row in rows]


def persons(graph: Graph) -> set[URIRef]:
    """Return every node that is a person: typed ``cg:Person``/``cg:Professional``, in the
    ``prs:`` namespace, or the object of ``cg:holder``/``cg:victim``/``cg:suspect``."""
    return {person for person, _ in _person_rows(graph) if isinstance(person, URIRef)}


def is_person(graph: Graph, node: Node) -> bool:
    """Return whether ``node`` is a person (see :func:`persons`), by a few index look-ups.

    Example:
        >>> from chaingraph import load
        >>> is_person(load(), PRS["P-V706U"]), is_person(load(), MON["org-om"])
        (True, False)
    """
    if isinstance(node, Literal) or is_public(str(node)):
        return False
    if str(node).startswith(str(PRS)):
        return True
    if (node, CG.pseudonym, None) in graph:
        return True
    if any((node, RDF.type, kind) in graph for kind in (CG.Person, CG.Professional)):
        return True
    return any((None, p, node) in graph for p in (CG.holder, CG.victim, CG.suspect))


_TEXT_TYPES = (None, XSD.string, RDF.langString)


def identifiers(graph: Graph) -> set[str]:
    """Return every string that would identify a person in ``graph``: each person's IRI, its
    local name and every text literal on it (pseudonym, name, ...), of any length.

    ``graph`` is best the :func:`scope` of an export (a few hundred triples); on a whole
    store this reads every statement.

    Example:
        >>> from chaingraph import load
        >>> tokens = identifiers(load())
        >>> "P-V706U" in tokens and str(PRS["P-V706U"]) in tokens
        True
    """
    tokens: set[str] = set()
    for person, pseudonym in _person_rows(graph):
        if pseudonym is not None:
            tokens.add(pseudonym)
        if isinstance(person, URIRef):
            tokens.add(str(person))
            tokens.add(local_name(person))
        for value in graph.objects(person, None):
            if isinstance(value, Literal) and value.datatype in _TEXT_TYPES:
                tokens.add(str(value))
    return {t for t in (_fold(t) for t in tokens) if t}


_NOTHING = URIRef("urn:chaingraph:nothing")
"""Fills a VALUES block that would be empty (rdflib cannot evaluate ``VALUES ?x { }``)."""


def scope(graph: Graph, view: nx.Graph, *, cases: Sequence[URIRef] = ()) -> Graph:
    """Return the triples an export of ``view`` could take a person from.

    Those of the nodes the view shows (their public IRIs), of ``cases`` (the case, what is
    ``cg:inCase`` it, their instruments) and of every node in the data they point at (a
    holder, a victim, a suspect), never of an ontology or monitor term: index look-ups
    from the export's own nodes, whatever the size of the store.
    """
    from chaingraph.sparql import fill_values

    nodes = sorted({URIRef(d["iri"]) for _, d in view.nodes(data=True) if d.get("iri")})
    if _local(graph):
        return _walk(graph, nodes, cases)
    text = fill_values(internal("privacy-scope"), "node", nodes or [_NOTHING])
    text = fill_values(text, "case", cases or [_NOTHING])
    out = Graph()
    for row in cast(Iterable[ResultRow], graph.query(text)):  # a SELECT: rows
        out.add((cast(URIRef, row[0]), cast(URIRef, row[1]), row[2]))
    return out


def _local(graph: Graph) -> bool:
    """Whether pattern look-ups on ``graph`` are cheap (rdflib in memory, Oxigraph): then the
    privacy check walks the graph itself; a remote endpoint gets one query instead."""
    from chaingraph.backends import native_store

    store = type(graph.store).__module__
    return store.startswith("rdflib.plugins.stores.memory") or native_store(graph) is not None


def _walk(graph: Graph, nodes: Iterable[URIRef], cases: Iterable[URIRef]) -> Graph:
    """:func:`scope` by index look-ups, what ``privacy-scope.rq`` asks a remote endpoint."""
    todo = set(nodes)
    for case in cases:
        members = {case, *graph.subjects(CG.inCase, case)}
        members |= {i for m in list(members) for i in graph.objects(m, CG.instrument)}
        todo |= {cast(URIRef, m) for m in members if not isinstance(m, Literal)}
    out = Graph()
    seen: set[Node] = set()
    for node in todo:
        for p, o in graph.predicate_objects(node):
            out.add((node, p, o))
            if o in seen or isinstance(o, Literal) or is_public(str(o)):
                continue
            seen.add(o)
            for q, v in graph.predicate_objects(o):
                out.add((o, q, v))
    return out


_WORD = re.compile(r"[^\s<>\"'`()\[\]{},;|=]+")
_IRI_SAFE = re.compile(r"[\w.~-]+")


def lookup(graph: Graph, texts: Iterable[str]) -> set[str]:
    """Return the words of ``texts`` that name a person anywhere in ``graph``: a person's
    ``cg:pseudonym``, a ``prs:`` local name or IRI; index look-ups, one query.

    Example:
        >>> from chaingraph import load
        >>> sorted(lookup(load(), ["held by P-V706U,", "case director (police)"]))
        ['P-V706U']
    """
    from chaingraph.sparql import fill_values

    words: set[str] = set()
    for text in texts:
        for word in _WORD.findall(text):
            words |= {word, word.strip(".:!?"), *_IRI_SAFE.findall(word)}
    words.discard("")
    found = {w for w in words if w.startswith(str(PRS))}
    if not words:
        return found
    if _local(graph):
        return found | {w for w in words if (None, CG.pseudonym, Literal(w)) in graph
                        or (None, CG.pseudonym, Literal(w, datatype=XSD.string)) in graph
                        or (_IRI_SAFE.fullmatch(w) and ((PRS[w], None, None) in graph
                                                        or (None, None, PRS[w]) in graph))}
    literals = [Literal(w) for w in sorted(words)]
    literals += [Literal(w, datatype=XSD.string) for w in sorted(words)]
    iris = [PRS[w] for w in sorted(words) if _IRI_SAFE.fullmatch(w)]
    query = fill_values(fill_values(internal("privacy-lookup"), "text", literals), "iri",
                        iris or [_NOTHING])
    for row in cast(Iterable[ResultRow], graph.query(query)):  # a SELECT: rows
        value = str(row[0])
        found.add(value[len(str(PRS)):] if value.startswith(str(PRS)) else value)
    return found


def _fold(text: str) -> str:
    """Whitespace folded to single spaces (a label wrapped over lines is the same text)."""
    return " ".join(text.split())


_BACKSLASH = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.S)
_SIMPLE = {"n": " ", "t": " ", "r": " ", "l": " ", "b": "", "f": ""}


def _unbackslash(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            try:
                return chr(int(code[1:], 16))
            except ValueError:
                return code
        return _SIMPLE.get(code, code)

    return _BACKSLASH.sub(one, text)


_MERMAID = re.compile(r"#(\d+|[a-zA-Z]+);")


def _unmermaid(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        return html.unescape(f"&#{code};" if code.isdigit() else f"&{code};")

    return _MERMAID.sub(one, text)


_READERS: dict[str, tuple[Callable[[str], str], ...]] = {
    "graphml": (html.unescape,), "gexf": (html.unescape,), "archimate": (html.unescape,),
    "svg": (html.unescape,), "html": (html.unescape, _unbackslash),
    "node-link": (_unbackslash,), "cytoscape": (_unbackslash,), "jsonld": (_unbackslash,),
    "turtle": (_unbackslash,), "dot": (_unbackslash,), "png": (_unbackslash,),
    "mermaid": (_unmermaid,), "csv": (lambda t: t.replace('""', '"'),),
    "archimate-csv": (lambda t: t.replace('""', '"'),),
}


def readable(content: str, fmt: str) -> str:
    """Return ``content`` (an export in ``fmt``) as the text a reader sees: the format's
    escaping undone, whitespace folded.

    Example:
        >>> readable("team of P&#45;V706U &amp; Q&quot;R", "svg")
        'team of P-V706U & Q"R'
        >>> readable('{"label": "Q\\u0026R \\"x\\""}', "node-link")
        '{"label": "Q&R "x""}'
    """
    for step in _READERS.get(fmt, ()):
        content = step(content)
    return _fold(content)


def _leaks(texts: Iterable[str], tokens: Iterable[str], *, whole_words_only: bool) -> bool:
    short = sorted(t for t in tokens if len(t) < 3)
    long = [t for t in tokens if len(t) >= 3]
    pattern = (re.compile("|".join(rf"(?<!\w){re.escape(t)}(?!\w)" for t in short))
               if short and whole_words_only else None)
    for text in texts:
        if any(t in text for t in long):
            return True
        if pattern is not None and pattern.search(text):
            return True
    return False


def view_texts(view: nx.Graph) -> list[str]:
    """Return every text of a view before rendering: ids, labels, names, every attribute."""
    found = [str(v) for v in view.graph.values()]
    for node, data in view.nodes(data=True):
        found.append(str(node))
        found += [str(v) for v in data.values()]
    for _, _, data in view.edges(data=True):
        found += [str(v) for v in data.values()]
    return [_fold(t) for t in found if t]


def check(content: str | bytes, tokens: Iterable[str], *, view: str | None = None,
          fmt: str | None = None) -> None:
    """Raise :class:`PersonalDataLeak` if ``content`` contains any of ``tokens``: as it is,
    or after undoing the escaping of ``fmt`` (:func:`readable`).

    Example:
        >>> check("case director (police)", {"P-7K3M9"})
        >>> check("held by P&#45;7K3M9", {"P-7K3M9"}, fmt="svg")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        chaingraph.errors.PersonalDataLeak: the export contains a person identifier ...
    """
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    folded = {_fold(t) for t in tokens} - {""}
    texts = [text, _fold(text)] + ([readable(text, fmt)] if fmt else [])
    if _leaks(texts, folded, whole_words_only=False):
        raise PersonalDataLeak(view, fmt)


def check_export(graph: Graph, view: nx.Graph, parts: Sequence[str | bytes], *, fmt: str,
                 texts: Iterable[str] = (), cases: Sequence[URIRef] = (),
                 tokens: Iterable[str] | None = None) -> None:
    """Refuse (:class:`PersonalDataLeak`) an export of ``view`` in ``fmt`` that names a person.

    ``parts`` are the rendered output (the members of a zip, the DOT a picture came from);
    ``texts`` any other text that went into it besides the view (a timeline, the RDF
    subgraph); ``cases`` the cases it shows; ``tokens`` more identifiers to look for (the
    whole store's, :func:`identifiers`, when the caller has them).
    """
    what = view.graph.get("what")
    found = identifiers(scope(graph, view, cases=cases))
    if tokens is not None:
        found |= {_fold(t) for t in tokens} - {""}
    before = view_texts(view) + [_fold(t) for t in texts]
    if _leaks(before, found, whole_words_only=True) or lookup(graph, before):
        raise PersonalDataLeak(what, fmt)
    for part in parts:
        check(part, found, view=what, fmt=fmt)


def keyed(key: bytes) -> Callable[[str], str]:
    """Return a function that maps a pseudonym to a keyed pseudonym (internal use only).

    Example:
        >>> f = keyed(b"secret")
        >>> f("P-7K3M9") == f("P-7K3M9") != keyed(b"other")("P-7K3M9")
        True
        >>> f("P-7K3M9").startswith("K-")
        True
    """
    if not key:
        raise BadParameter(key="key_empty")

    def pseudonym(value: str) -> str:
        return "K-" + hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:12]

    return pseudonym


def read_key(path: str | Path) -> bytes:
    """Read a pseudonymisation key from a file (kept off the command line and shell history)."""
    try:
        key = Path(path).read_bytes().strip()
    except OSError as exc:
        raise BadParameter(key="key_unreadable", path=path, why=exc.strerror) from None
    if len(key) < 16:
        raise BadParameter(key="key_short", path=path)
    return key
