"""``/sparql``: the SPARQL 1.1 protocol, read-only, on the data a user may see.

A query never runs on the whole data, only on the cases the user may see; other cases are
not in what it reads, so no query, however written, can count or name them.

- On a persistent store (``--store``), where each case is a named graph of its own, the
  query runs in the store itself with those graphs as its default graph and as its only
  named graphs (:func:`answer_store`): nothing is copied, whatever the store's size. The
  shared data (ontology, monitor, persons' own statements) is in no case graph, so it is
  not in such a query's data.
- On data files (held in memory) the query runs on a graph made of the shared data and
  the user's cases, each as :func:`chaingraph.audit.partition` cuts it out
  (:class:`Datasets`).

For the ``chain`` role the data is the shared data (ontology, monitor) without any person.
Every query runs in a child process that is stopped after :data:`TIME_LIMIT` seconds
(:func:`limited`), so a query that would run for hours costs the server that long only.

Only queries run (SELECT, ASK, CONSTRUCT, DESCRIBE; an update does not parse), and
nothing that would make the server fetch: a ``SERVICE`` pattern or a ``FROM`` clause is
refused, so a query never reads from or calls another machine.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from rdflib import RDF, Graph
from rdflib.plugins.sparql.parser import parseQuery

from chaingraph.errors import BadParameter
from chaingraph.namespace import CG

TIME_LIMIT = 20.0
"""Seconds a query may run before it is stopped."""
MAX_QUERY = 100_000
"""The longest query text taken, in characters."""
_REFUSED = {"ServiceGraphPattern": "SERVICE", "DatasetClause": "FROM"}


def check(query: str) -> str:
    """Parse ``query`` and return its form (``SelectQuery``, ``AskQuery`` ...).

    Raises:
        BadParameter: an update, a query that does not parse, or one with ``SERVICE`` or
            ``FROM`` (which would make the server fetch).

    Example:
        >>> check("SELECT * WHERE { ?s ?p ?o }")
        'SelectQuery'
        >>> check("SELECT * WHERE { SERVICE <http://elsewhere.example/> { ?s ?p ?o } }")
        Traceback (most recent call last):
        chaingraph.errors.BadParameter: a query on this server may not use SERVICE
    """
    if len(query) > MAX_QUERY:
        raise BadParameter(key="sparql_long", n=MAX_QUERY)
    try:
        parsed = parseQuery(query)
    except Exception as exc:  # pyparsing's ParseException and rdflib's own errors
        raise BadParameter(key="sparql_unreadable", why=str(exc).splitlines()[0][:200]) from None
    form = parsed[1]
    for name in _names(form):
        if name in _REFUSED:
            raise BadParameter(key="sparql_refused", what=_REFUSED[name])
    return str(form.name)


def _names(node: Any) -> Iterable[str]:
    """The names of every parsed part of a query (rdflib's CompValue trees), depth first."""
    todo = [node]
    while todo:
        current = todo.pop()
        name = getattr(current, "name", None)
        if isinstance(name, str):
            yield name
        if isinstance(current, dict):
            todo.extend(current.values())
        elif isinstance(current, (list, tuple)):
            todo.extend(current)
        elif hasattr(current, "asList") and not isinstance(current, str):
            todo.extend(list(current))


class Datasets:
    """The graph each set of visible cases queries, made on first use, the last few kept."""

    def __init__(self, graph: Graph, *, keep: int = 8) -> None:
        from chaingraph.audit import partition

        self.shared, parts = partition(graph)
        self.cases = {p.case_id: p.graph for p in parts}
        self.keep = keep
        self._made: OrderedDict[tuple[bool, frozenset[str]], Graph] = OrderedDict()
        self._lock = threading.Lock()

    def graph(self, cases: Iterable[str], *, persons: bool = True) -> Graph:
        """The shared data and ``cases``; without ``persons``, no triple about a person."""
        key = (persons, frozenset(cases))
        with self._lock:
            if key in self._made:
                self._made.move_to_end(key)
                return self._made[key]
        made = Graph()
        for prefix, namespace in self.shared.namespaces():
            made.bind(prefix, namespace)
        people = set() if persons else (set(self.shared.subjects(RDF.type, CG.Person))
                                        | set(self.shared.subjects(RDF.type, CG.Professional)))
        for triple in self.shared:
            if triple[0] not in people and triple[2] not in people:
                made.add(triple)
        for case in sorted(key[1]):
            for triple in self.cases.get(case, Graph()):
                made.add(triple)
        with self._lock:
            self._made[key] = made
            while len(self._made) > self.keep:
                self._made.popitem(last=False)
        return made


def answer(graph: Graph, query: str, *, accept: str = "") -> tuple[bytes, str]:
    """Run ``query`` (checked with :func:`check`) on ``graph``; return the body and its type.

    SELECT and ASK give SPARQL JSON results (CSV when ``accept`` asks for ``text/csv``);
    CONSTRUCT and DESCRIBE give Turtle.
    """
    form = check(query)
    result = graph.query(query)
    if form in ("ConstructQuery", "DescribeQuery"):
        assert result.graph is not None
        return result.graph.serialize(format="turtle").encode("utf-8"), "text/turtle"
    if "text/csv" in accept and form == "SelectQuery":
        return result.serialize(format="csv") or b"", "text/csv; charset=utf-8"
    return result.serialize(format="json") or b"", "application/sparql-results+json"


class TooSlow(Exception):
    """A query ran longer than it may and was stopped."""


class Failed(Exception):
    """A query that parsed could not be answered (the engine's first line of why)."""


def limited(run: Callable[[], tuple[bytes, str]], *,
            seconds: float = TIME_LIMIT) -> tuple[bytes, str]:
    """Return ``run()``, run in a child process (forked: it shares the parent's data as it
    is) that is killed after ``seconds``.

    Raises:
        TooSlow: ``run`` took longer; the child is gone.
        Failed: ``run`` raised; the first line of why.

    Example:
        >>> limited(lambda: (b"42", "text/plain"))
        (b'42', 'text/plain')
        >>> import time
        >>> limited(lambda: (time.sleep(5), b"")[1:] + ("",), seconds=0.2)
        Traceback (most recent call last):
        chaingraph.web.sparql.TooSlow
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def child() -> None:
        try:
            outcome: tuple[str, Any] = ("ok", run())
        except Exception as exc:  # whatever the engine raises, the parent says it in a sentence
            outcome = ("failed", (str(exc).strip().splitlines() or [type(exc).__name__])[0])
        sender.send(outcome)

    process = context.Process(target=child, daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise TooSlow
        kind, value = receiver.recv()
    except EOFError:  # the child died without a word (out of memory, say)
        kind, value = "failed", "the query process ended"
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    if kind != "ok":
        raise Failed(str(value)[:200])
    body, media_type = value
    return body, media_type


def answer_store(store: str | Path, query: str, *, graphs: list[str],
                 accept: str = "") -> tuple[bytes, str]:
    """Run ``query`` (checked with :func:`check`) in the store at ``store`` on the named
    graphs ``graphs`` only (its default graph and its named graphs); body and its type."""
    import pyoxigraph as ox

    form = check(query)
    native = ox.Store.read_only(str(store))
    default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
        ox.NamedNode(g) for g in graphs]
    named: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(g) for g in graphs]
    result = native.query(query, default_graph=default, named_graphs=named)
    if isinstance(result, ox.QueryTriples):
        return result.serialize(format=ox.RdfFormat.TURTLE) or b"", "text/turtle"
    if "text/csv" in accept and form == "SelectQuery":
        return (result.serialize(format=ox.QueryResultsFormat.CSV) or b"",
                "text/csv; charset=utf-8")
    return (result.serialize(format=ox.QueryResultsFormat.JSON) or b"",
            "application/sparql-results+json")


_SHARED: Graph | None = None


def shared_data() -> Graph:
    """The bundled ontology and monitor, read once: what the ``chain`` role queries on a store."""
    global _SHARED
    if _SHARED is None:
        from chaingraph.graph import load, monitor_files, ontology_files

        _SHARED = load([*ontology_files(), *monitor_files()], base=False)
    return _SHARED
