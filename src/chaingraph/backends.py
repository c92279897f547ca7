"""Where the graph lives: rdflib in memory, Oxigraph (in memory or on disk), or a SPARQL server.

Every backend gives an :class:`rdflib.Graph`; only its store differs, so code written
against ``graph.query(...)``, ``graph.objects(...)`` and friends runs on all three:

- ``memory`` (the default): :func:`chaingraph.graph.load`, an rdflib in-memory graph.
  Best for the bundled data and small files; pyshacl wants it.
- ``oxigraph``: a pyoxigraph store behind oxrdflib's rdflib store. In memory
  (``--backend oxigraph``, loaded from files) or persistent on disk (``--store DIR``,
  made once with ``chaingraph load``), so a region loads once and is queried many times.
  :func:`native_store` hands the pyoxigraph ``Store`` to the fast paths.
- ``endpoint``: any SPARQL 1.1 query endpoint (``--endpoint URL``: Fuseki, GraphDB,
  Virtuoso, QLever, an Oxigraph server) through rdflib's ``SPARQLStore``. A server that
  is down or answers garbage, a query it refuses (with its HTTP status and the first line
  of its own reason) and an answer it cut off (Virtuoso's ``ResultSetMaxRows``) raise
  :class:`BackendError` (one sentence, in English or Dutch, exit code 2). For Virtuoso,
  put the data in a named graph and name it in the URL: ``…/sparql?default-graph-uri=G``.

``chaingraph load PATH... --store DIR`` bulk-loads Turtle into a persistent store
atomically: it loads into a temporary sibling folder (a copy of the existing store,
made with RocksDB hard links) and swaps it in on success, so an interrupted load
leaves the store as it was. Each case is kept in a named graph of its own as well as in
the default graph that every query reads, and a case loaded again replaces the one there
(:mod:`chaingraph.storewrite`, :func:`write_cases`); every change is recorded
(:mod:`chaingraph.history`); writers take a lock. The swapped-in store carries a fresh
index of which organisations take part in which case (:mod:`chaingraph.memberships`);
``chaingraph load --store DIR --reindex`` rebuilds it after other tools wrote to the store.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from rdflib import Graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from chaingraph import catalogue
from chaingraph.errors import (
    BackendError,
    BadParameter,
    ChaingraphError,
    MissingPath,
    SourceError,
)

if TYPE_CHECKING:
    import pyoxigraph
    from rdflib.term import Node

BACKENDS = ("memory", "oxigraph", "endpoint")

_T = TypeVar("_T")

_OX_FORMATS = {".ttl": "TURTLE", ".nt": "N_TRIPLES", ".nq": "N_QUADS", ".trig": "TRIG",
               ".rdf": "RDF_XML", ".owl": "RDF_XML", ".jsonld": "JSON_LD", ".n3": "N3"}


@dataclass
class LoadReport:
    """What a load read and wrote: files, triples in the store afterwards (a load) or
    written (:func:`write_cases`), statements skipped, cases written and replaced."""

    files: int = 0
    triples: int = 0
    memberships: int = 0
    skipped: int = 0
    skipped_at: list[str] = field(default_factory=list)
    cases: int = 0                                        # cases written
    replaced: list[str] = field(default_factory=list)     # ids of the cases replaced
    activity: str | None = None                           # the history's PROV activity


# --- opening a graph -----------------------------------------------------------------


def oxigraph_graph(store: pyoxigraph.Store) -> Graph:
    """Wrap a pyoxigraph ``Store`` as an rdflib ``Graph`` over its default graph.

    Example:
        >>> import pyoxigraph
        >>> g = oxigraph_graph(pyoxigraph.Store())
        >>> native_store(g) is not None
        True
    """
    from oxrdflib import OxigraphStore

    from chaingraph.namespace import PREFIXES

    class Store(OxigraphStore):
        """oxrdflib's store, with a query that is not SPARQL said as one sentence."""

        def query(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().query(*args, **kwargs)
            except SyntaxError as exc:  # "error at 2:16: expected ..." -> where, not what
                where = re.search(r"(\d+):(\d+)", str(exc))
                line, column = where.groups() if where else ("?", "?")
                raise BadParameter(key="not_sparql_text", line=line, column=column) from None

    graph = Graph(store=Store(store=store), identifier=DATASET_DEFAULT_GRAPH_ID)
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def native_store(graph: Graph) -> pyoxigraph.Store | None:
    """Return the pyoxigraph ``Store`` behind ``graph``, or None for other backends.

    Example:
        >>> native_store(Graph()) is None
        True
    """
    inner = getattr(graph.store, "_inner", None)
    import pyoxigraph

    return inner if isinstance(inner, pyoxigraph.Store) else None


def tsv_rows(text: bytes) -> Iterator[list[str]]:
    """The rows of a SPARQL TSV result (pyoxigraph's ``serialize``), each as N-Triples texts.

    Example:
        >>> list(tsv_rows(b'?a\\t?b\\n<urn:x>\\t"y"\\n'))
        [['<urn:x>', '"y"']]
    """
    for line in text.decode("utf-8").split("\n")[1:]:
        if line:
            yield line.split("\t")


def select_rows(store: pyoxigraph.Store, query: str) -> Iterator[list[str]]:
    """Run a SELECT on a pyoxigraph store and yield its rows as N-Triples texts.

    The rows come as the store's own TSV text: at a region's scale, turning hundreds of
    thousands of rows into rdflib terms one by one costs more than the query.
    """
    import pyoxigraph

    solutions = cast(pyoxigraph.QuerySolutions, store.query(query))  # a SELECT query's result
    text = solutions.serialize(format=pyoxigraph.QueryResultsFormat.TSV)
    return tsv_rows(text)  # type: ignore[arg-type]  # bytes: no output given, the stub says | None


def has_cases(graph: Graph) -> bool:
    """Whether ``graph`` holds at least one ``cg:Case`` (one ASK, on any backend).

    Example:
        >>> has_cases(Graph())
        False
    """
    from chaingraph.queryfiles import internal

    return bool(graph.query(internal("any-case").text).askAnswer)


def backend_of(graph: Graph) -> str:
    """Name the backend of ``graph``: ``memory``, ``oxigraph`` or ``endpoint``.

    Example:
        >>> backend_of(Graph())
        'memory'
    """
    if native_store(graph) is not None:
        return "oxigraph"
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    return "endpoint" if isinstance(graph.store, SPARQLStore) else "memory"


def open_oxigraph(paths: Sequence[str | Path] = (), *, base: bool = True,
                  progress: bool = True) -> Graph:
    """Load the ontology, monitor and ``paths`` (default: the bundled cases) into Oxigraph (RAM).

    Example:
        >>> g = open_oxigraph(progress=False)
        >>> ask = "ASK { ?c a <https://w3id.org/chaingraph/ontology#Organisation> }"
        >>> bool(g.query(ask).askAnswer)
        True
    """
    import pyoxigraph

    from chaingraph.graph import sources

    store = pyoxigraph.Store()
    files = sources(paths, base=base)
    load_files(store, files, progress=progress)
    _unique_case_ids(store, files)
    return oxigraph_graph(store)


def _unique_case_ids(store: pyoxigraph.Store, files: Sequence[Path]) -> None:
    """Refuse two case nodes with one case id (from two files, say), naming both files."""
    from chaingraph.queryfiles import internal
    from chaingraph.readable import duplicate_case

    rows = cast("pyoxigraph.QuerySolutions", store.query(internal("duplicate-case-ids").text))
    for row in rows:
        raise duplicate_case(row["id"].value, files)


def open_store(directory: str | Path, *, read_only: bool = False) -> Graph:
    """Open a persistent Oxigraph store made by ``chaingraph load``.

    Raises:
        MissingPath: there is no store at ``directory``.
        BadParameter: ``directory`` is empty, or a folder that is not a store.
        BackendError: the store is in use by another process or damaged.
    """
    if not str(directory).strip():
        raise BadParameter(key="empty_option", option="--store")
    folder = Path(directory)
    if folder.is_dir() and not (folder / "CURRENT").is_file():  # RocksDB's mark of a store
        raise BadParameter(key="not_a_store", path=folder)
    return _unchecked(oxigraph_graph(_open_native(directory, read_only=read_only)), str(directory))


# The graphs whose values no file check saw (a store, an endpoint), by their rdflib store
# (a Graph is hashed by its identifier, which every backend's default graph shares).
_UNCHECKED: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def _unchecked(graph: Graph, source: str) -> Graph:
    _UNCHECKED[graph.store] = source
    return graph


def unchecked_source(graph: Graph) -> str | None:
    """The store directory or endpoint URL of ``graph`` when its values were not checked on
    the way in (another tool may have written them); None for data read from files.

    Example:
        >>> unchecked_source(Graph()) is None
        True
    """
    return _UNCHECKED.get(graph.store)


def _open_native(directory: str | Path, *, read_only: bool) -> pyoxigraph.Store:
    import pyoxigraph

    directory = Path(directory)
    if not directory.is_dir():
        raise MissingPath(directory)
    try:
        return (pyoxigraph.Store.read_only(str(directory)) if read_only
                else pyoxigraph.Store(str(directory)))
    except (OSError, RuntimeError) as exc:  # RocksDB says "Corruption" for a store being rewritten
        raise BackendError(key="store_locked", path=directory, why=_first_line(exc)) from None


# How long a SPARQL endpoint may take to accept a connection and, then, between two parts of
# its answer (seconds); ``--timeout`` or the environment variable CHAINGRAPH_TIMEOUT change it.
DEFAULT_TIMEOUT = 60.0


def open_endpoint(url: str, *, timeout: float = DEFAULT_TIMEOUT, check: bool = True,
                  lang: str = "en") -> Graph:
    """Return a graph that sends its queries to the SPARQL 1.1 endpoint at ``url``.

    The endpoint is asked ``ASK {}`` first, so a server that is down or does not speak
    SPARQL is reported at once. A query the server refuses later raises a
    :class:`BackendError` with the HTTP status and the first line of the server's own
    reason (in ``lang``, ``en`` or ``nl``). Every request waits at most ``timeout``
    seconds to connect and, after that, at most ``timeout`` seconds for each part of the
    answer; a server that takes longer is a :class:`BackendError` that says so.

    Raises:
        BadParameter: ``url`` is not an http(s) URL.
        BackendError: the endpoint is down, too slow or answers something that is not SPARQL.
    """
    from urllib.parse import urlparse

    try:
        parsed = urlparse(url)
        _ = parsed.port  # a port that is no number, or out of range, raises here
    except ValueError:
        raise BadParameter(catalogue.text("backends.endpoint.not_http", lang, url=url)) from None
    if parsed.scheme not in ("http", "https") or not parsed.hostname or any(
            c.isspace() for c in url):
        raise BadParameter(catalogue.text("backends.endpoint.not_http", lang, url=url))
    if check:
        problem = diagnose_endpoint(url, timeout=timeout, lang=lang)
        if problem:
            raise BackendError(catalogue.text("backends.endpoint.at", lang, url=url,
                                              problem=problem))
    graph = Graph(store=_endpoint_store(url, timeout=timeout, lang=lang),
                  identifier=DATASET_DEFAULT_GRAPH_ID)
    from chaingraph.namespace import PREFIXES

    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return _unchecked(graph, url)


def timed_out(seconds: float, lang: str = "en") -> str:
    """The part of a sentence that says an endpoint did not answer within ``seconds``.

    Example:
        >>> timed_out(2.5)
        'did not answer within 2.5 s (wait longer with --timeout SECONDS or CHAINGRAPH_TIMEOUT)'
    """
    return catalogue.text("reliability.timeout", lang, seconds=f"{seconds:g}")


def diagnose_endpoint(url: str, *, timeout: float = DEFAULT_TIMEOUT,
                      lang: str = "en") -> str | None:
    """Ask ``url`` a trivial SPARQL query; return what is wrong in a few words, or None.

    Example:
        >>> diagnose_endpoint("http://127.0.0.1:9/sparql", timeout=2)
        'does not answer (Connection refused)'
    """
    import json
    from urllib.error import HTTPError, URLError
    from urllib.parse import urlencode
    from urllib.request import Request, urlopen

    request = Request(url, data=urlencode({"query": "ASK {}"}).encode(),
                      headers={"Accept": "application/sparql-results+json",
                               "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urlopen(request, timeout=timeout) as response:
            body = response.read(1 << 16)
    except HTTPError as exc:
        return catalogue.text("backends.endpoint.http", lang, code=exc.code, reason=exc.reason)
    except URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            return timed_out(timeout, lang)
        text = getattr(reason, "strerror", None) or str(reason)
        return catalogue.text("backends.endpoint.down", lang, why=text)
    except TimeoutError:
        return timed_out(timeout, lang)
    except OSError as exc:
        why = _first_line(exc) or catalogue.text("backends.endpoint.timed_out", lang)
        return catalogue.text("backends.endpoint.down", lang, why=why)
    except ValueError as exc:  # http.client.InvalidURL: a URL urlopen cannot use
        return catalogue.text("backends.endpoint.down", lang, why=_first_line(exc))
    try:
        answer = json.loads(body)
    except ValueError:
        return catalogue.text("backends.endpoint.garbage", lang)
    if not isinstance(answer, dict) or not isinstance(answer.get("boolean"), bool):
        return catalogue.text("backends.endpoint.garbage", lang)
    return None


def refusal(url: str, code: int, reason: str, body: bytes, lang: str = "en") -> BackendError:
    """The error for a query the server at ``url`` refused: its HTTP status and its own reason.

    The reason is the first line of the answer's text (Virtuoso, Oxigraph, Fuseki and
    GraphDB put the cause there), without markup, in one sentence.

    Example:
        >>> error = refusal("http://x/sparql", 500, "SPARQL Request Failed",
        ...                 b"Virtuoso 37000 Error SP030: syntax error\\n\\nSPARQL query:\\n...")
        >>> str(error).split(" rejected ")[1]
        'a query with HTTP 500 SPARQL Request Failed: Virtuoso 37000 Error SP030: syntax error'
    """

    text = re.sub(r"<[^>]*>", " ", body.decode("utf-8", errors="replace"))
    first = next((" ".join(line.split()) for line in text.splitlines() if line.strip()), "")
    if len(first) > 300:
        first = first[:299] + "…"
    why = f": {first}" if first and first.lower() != str(reason).lower() else ""
    refused = catalogue.text("backends.endpoint.refused", lang, code=code, reason=reason or "",
                             why=why)
    problem = " ".join(refused.split())
    return BackendError(catalogue.text("backends.endpoint.at", lang, url=url,
                                       problem=problem))


class _Counted(io.RawIOBase):
    """A response read through, counting its lines for a progress bar; what its read raised
    is kept in ``error`` (the parser that reads it raises its own error instead)."""

    def __init__(self, response: Any, lines: Callable[[int], None] | None) -> None:
        super().__init__()
        self.response, self.lines, self.count = response, lines, 0
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self.response.read(len(buffer))
        except BaseException as exc:
            self.error = exc
            raise
        buffer[:len(data)] = data
        self.count += data.count(b"\n")
        if self.lines is not None and data:
            self.lines(self.count)
        return len(data)


def load_answer(graph: Graph, query: str, into: pyoxigraph.Store,
                lines: Callable[[int], None] | None = None, size: int | None = None) -> None:
    """Load the answer to the CONSTRUCT ``query`` of the endpoint behind ``graph``
    (:func:`open_endpoint`) into the default graph of ``into`` (an empty store), as the
    server wrote it; ``size``: the number of triples the answer must hold.

    Raises:
        BackendError: the server refused the query, answered too slowly, not with RDF, or
            with fewer triples than ``size``.
    """
    graph.store.load_answer(query, into, lines, size)  # type: ignore[attr-defined]  # an endpoint's


def _endpoint_store(url: str, *, timeout: float, lang: str = "en") -> Any:
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    class EndpointStore(SPARQLStore):
        """rdflib's SPARQLStore with every failure turned into one clear BackendError."""

        def _slow(self) -> BackendError:
            return BackendError(catalogue.text("backends.endpoint.at", lang, url=url,
                                               problem=timed_out(timeout, lang)))

        def _fail(self) -> BackendError:
            problem = diagnose_endpoint(url, timeout=timeout, lang=lang)
            if problem is None:
                problem = catalogue.text("backends.endpoint.failed", lang)
            return BackendError(catalogue.text("backends.endpoint.at", lang, url=url,
                                               problem=problem))

        def _answer(self, query: str, accept: str, default_graph: str | None = None) -> Any:
            """The server's open answer to ``query`` (its status checked, not yet read)."""
            # rdflib's connector answers an HTTP error with a tuple and drops the server's
            # reason; this sends the same form POST and keeps it.
            from urllib.error import HTTPError, URLError
            from urllib.parse import urlencode
            from urllib.request import Request, urlopen

            from rdflib.term import BNode

            self._queries += 1
            params = {"query": query}
            if default_graph is not None and not isinstance(default_graph, BNode):
                params["default-graph-uri"] = default_graph
            # the store is made with its endpoint: query_endpoint is never None here
            endpoint: str = self.query_endpoint  # type: ignore[assignment]  # see above
            request = Request(endpoint, data=urlencode(params).encode(),
                              headers={"Accept": accept,
                                       "Content-Type": "application/x-www-form-urlencoded"})
            try:
                response = urlopen(request, timeout=timeout)
            except HTTPError as exc:
                try:
                    body = exc.read(1 << 16)
                except OSError:
                    body = b""
                raise refusal(url, exc.code, exc.reason, body, lang) from None
            except (TimeoutError, URLError) as exc:
                if isinstance(exc, TimeoutError) or isinstance(exc.reason, TimeoutError):
                    raise self._slow() from None
                raise
            # Virtuoso stops at its ResultSetMaxRows (10,000 in Debian's virtuoso.ini)
            # and says so only in this header: a silently shortened answer is a wrong one.
            cut = response.headers.get("X-SPARQL-MaxRows")
            if cut:
                response.close()
                problem = catalogue.text("backends.endpoint.cut", lang, rows=cut)
                raise BackendError(catalogue.text("backends.endpoint.at", lang, url=url,
                                                  problem=problem))
            return response

        def _query(self, query: str, default_graph: str | None = None,
                   named_graph: str | None = None) -> Any:
            from rdflib.query import Result

            with self._answer(query, self.response_mime_types(), default_graph) as response:
                kind = (response.headers.get("Content-Type") or "").split(";")[0].strip()
                try:
                    body = response.read()
                except TimeoutError:
                    raise self._slow() from None
                return Result.parse(io.BytesIO(body), content_type=kind)

        def load_answer(self, query: str, into: pyoxigraph.Store,
                        lines: Callable[[int], None] | None = None,
                        size: int | None = None) -> None:
            """Load the answer to the CONSTRUCT ``query`` into ``into``'s default graph as
            the server wrote it (N-Triples or Turtle, read as it arrives, in one answer so
            that its blank nodes keep their names); ``lines`` is told how many lines have
            come so far. An answer that is no RDF is a BackendError, as for a query, and so
            is one of fewer triples than ``size`` (a server may cut an answer short without a
            word: Virtuoso's ResultSetMaxRows)."""
            import pyoxigraph

            formats = {"application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
                       "text/plain": pyoxigraph.RdfFormat.N_TRIPLES,
                       "text/turtle": pyoxigraph.RdfFormat.TURTLE}
            accept = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.8"
            with self._answer(query, accept) as response:
                kind = (response.headers.get("Content-Type") or "").split(";")[0].strip()
                if kind not in formats:
                    raise self._fail()
                reader = _Counted(response, lines)
                try:
                    into.load(input=io.BufferedReader(reader, 1 << 20), format=formats[kind])
                except SyntaxError:
                    raise self._fail() from None
                except Exception:  # the answer broke off, or read too slowly
                    if isinstance(reader.error, TimeoutError):
                        raise self._slow() from None
                    raise self._fail() from None
            # Fewer triples than the server holds, unless its lines say that Oxigraph took
            # two spellings of one value (01 and 1) for one triple.
            got = len(into)
            if size is not None and got < size and reader.count < size:
                problem = catalogue.text("backends.endpoint.short", lang, got=f"{got:,}",
                                         size=f"{size:,}")
                raise BackendError(catalogue.text("backends.endpoint.at", lang, url=url,
                                                  problem=problem))

        def query(self, *args: Any, **kwargs: Any) -> Any:
            try:
                result = super().query(*args, **kwargs)
                if result.type == "SELECT":  # parse now, so garbage fails here, not later
                    result.bindings = list(result.bindings)
                return result
            except ChaingraphError:
                raise
            except Exception:  # urllib, json, xml and rdflib parse errors alike
                raise self._fail() from None

        def triples(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return iter(list(super().triples(*args, **kwargs)))
            except ChaingraphError:
                raise
            except Exception:
                raise self._fail() from None

    return EndpointStore(query_endpoint=url, returnFormat="json", method="POST_FORM",
                         context_aware=False)


# --- opening the graph a command asks for ---------------------------------------------


# From this much data on (about 4,000 generated cases), ``--backend auto`` loads files into
# Oxigraph rather than rdflib (which needs about a minute and a GiB per 10,000 cases, and
# whose SPARQL engine makes ``who`` grow with the data), and ``audit --engine auto`` audits
# them with the compiled shapes, case by case.
LARGE = 32 << 20


def files_size(paths: Sequence[str | Path]) -> int:
    """The bytes of the data files ``paths`` name (folders walked), without the bundled base."""
    from chaingraph.graph import sources

    return sum(p.stat().st_size for p in sources(paths, base=False) if p.is_file())


def open_graph(*, paths: Sequence[str | Path] = (), store: str | Path | None = None,
               endpoint: str | None = None, backend: str = "auto", lang: str = "en",
               timeout: float = DEFAULT_TIMEOUT,
               note: Callable[[str], None] | None = None) -> Graph:
    """Return the graph of data files ``paths``, of a persistent ``store`` or of an ``endpoint``.

    With ``backend="auto"`` (the default), files go into rdflib in memory, or into an
    in-memory Oxigraph store when they hold more than :data:`LARGE` bytes (``note`` is told so,
    in ``lang``). ``"memory"`` and ``"oxigraph"`` choose one of the two. ``timeout`` is the
    seconds an endpoint may take (:func:`open_endpoint`).

    Example:
        >>> len(open_graph(backend="memory")) > 0  # the bundled ontology and example cases
        True

    Raises:
        BadParameter: files given together with a store or an endpoint.
        MissingPath: a file, folder or store that is not there.
        BackendError: a store in use or damaged, an endpoint that does not answer.
    """
    paths = list(paths)
    if (endpoint is not None or store is not None) and paths:
        where = "--endpoint" if endpoint is not None else "--store"
        raise BadParameter(key="files_or_store", where=where)
    if endpoint is not None:  # an empty one is refused, not taken for "none"
        return open_endpoint(endpoint, lang=lang, timeout=timeout)
    if store is not None:
        return open_store(store, read_only=True)
    if backend == "auto" and paths and (size := files_size(paths)) > LARGE:
        if note is not None:
            note(catalogue.text("backends.large", lang, mib=size >> 20))
        backend = "oxigraph"
    if backend == "oxigraph":
        return open_oxigraph(paths)
    from chaingraph.graph import load

    return load(paths)


# --- loading files into Oxigraph ---------------------------------------------------------


class _CountingReader(io.RawIOBase):
    """A binary file that reports how far it has been read and checks its bytes on the way.

    What :class:`chaingraph.readable.TextCheck` finds wrong (not UTF-8, a NUL byte, another
    syntax than the name says) ends the file early and is kept in ``error``, for the caller
    to raise instead of whatever the parser makes of the shortened input.
    """

    def __init__(self, path: Path, progress: Any) -> None:
        from chaingraph.readable import TextCheck

        self.handle = open(path, "rb")  # noqa: SIM115 - closed in close()
        self.progress = progress
        # A UTF-8 byte order mark (Windows editors write one) is skipped: Oxigraph refuses it.
        bom = self.handle.read(3) == b"\xef\xbb\xbf"
        self.handle.seek(3 if bom else 0)
        self.read_bytes = 3 if bom else 0
        self.check = TextCheck(path, start=self.read_bytes)
        self.check.first = True  # the file's opening is checked all the same
        self.error: SourceError | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.error is not None:
            return 0
        n = self.handle.readinto(buffer) or 0
        try:
            if n:
                self.check.feed(memoryview(buffer)[:n])
            else:
                self.check.close()
        except SourceError as exc:
            self.error = exc
            return 0
        self.read_bytes += n
        if self.progress is not None:
            self.progress.update(self.read_bytes >> 20)
        return n

    def close(self) -> None:
        self.handle.close()
        super().close()


def ox_format(path: Path) -> Any:
    """Return pyoxigraph's ``RdfFormat`` for a file name."""
    import pyoxigraph

    return getattr(pyoxigraph.RdfFormat, _OX_FORMATS.get(path.suffix.lower(), "TURTLE"))


def load_files(store: pyoxigraph.Store, files: Iterable[str | Path], *, bulk: bool = False,
               skip_bad_lines: bool = False, progress: bool = True, cases: bool = False,
               by: str | None = None, check: Callable[[], None] | None = None) -> LoadReport:
    """Parse RDF files into a pyoxigraph store with pyoxigraph's own parsers.

    Args:
        store: the target (in memory, or on disk with ``bulk=True``).
        files: the files, in order.
        bulk: use ``bulk_load`` (on-disk stores: fast, not transactional).
        skip_bad_lines: skip the statements that do not parse, and count them, instead
            of stopping at the first one.
        progress: show a progress bar on a terminal.

    A case-membership index the files brought with them is dropped: the data it was
    built from may not be what is in the store now (:mod:`chaingraph.memberships`).

    Raises:
        SourceError: a file does not parse (names the file and line), unless skipping.
    """
    from chaingraph import memberships, readable
    from chaingraph.progress import Progress

    if cases:  # a store of chaingraph load: each case in a graph of its own, replaced whole
        return _load_cases(store, files, skip_bad_lines=skip_bad_lines, progress=progress,
                           by=by, check=check)
    report = LoadReport()
    paths = [Path(raw) for raw in files]
    for path in paths:
        readable.check_structure(path)
        size = max(path.stat().st_size >> 20, 1)
        fmt = ox_format(path)
        with Progress("load", name=path.name, total=size if size > 4 else None, unit="MiB",
                      enabled=None if progress else False) as bar:
            reader = _CountingReader(path, bar if size > 4 else None)
            try:
                loader = store.bulk_load if bulk else store.load
                loader(input=io.BufferedReader(reader, 1 << 20), format=fmt)
            except SyntaxError as exc:
                if reader.error is not None:
                    raise reader.error from None
                if not skip_bad_lines:
                    raise _source_error(path, exc) from None
                # store.load is atomic per call (nothing of this file went in); bulk_load
                # may have kept a prefix of it, and adding those triples again is harmless.
                _load_statements(store, path, report)
            except MemoryError:  # Oxigraph's bound on one token: "Reached the buffer maximal size"
                raise SourceError(path, problem="too_long", mib=readable.MAX_VALUE >> 20,
                                  limit=readable.MAX_VALUE >> 20) from None
            except OSError as exc:
                if reader.error is not None:
                    raise reader.error from None
                raise SourceError(path, problem="unreadable", why=_first_line(exc)) from None
            finally:
                reader.close()
            if reader.error is not None:
                raise reader.error
        report.files += 1
    for bad in readable.ill_typed_native(store, readable.bundled_ranges()):
        raise readable.value_error(bad, paths)
    _check_terms(store, paths)
    memberships.drop(store)
    return report


def _check_terms(store: pyoxigraph.Store, paths: Sequence[Path]) -> None:
    """Refuse files that use a ``cg:`` term the ontology does not declare, as reading them
    with rdflib does (:func:`chaingraph.graph.check_terms`); the error names the first file
    whose text holds the term's name."""
    from chaingraph import readable
    from chaingraph.graph import declared_names, unknown_term

    declared = declared_names()
    term = readable.undeclared_native(store, declared)
    if term is None:
        return
    from chaingraph.graph import monitor_files, ontology_files

    bundled = {path.resolve() for path in ontology_files() + monitor_files()}
    written = re.compile(rf"(?:cg:|ontology#){re.escape(term.rsplit('#', 1)[-1])}(?![\w.-])")
    data = [path for path in paths if path.resolve() not in bundled] or list(paths)
    holder = next((path for path in data
                   if written.search(path.read_text(encoding="utf-8", errors="replace"))),
                  data[0])
    raise unknown_term(holder, term, declared)


def _load_cases(store: pyoxigraph.Store, files: Iterable[str | Path], *, skip_bad_lines: bool,
                progress: bool, by: str | None,
                check: Callable[[], None] | None) -> LoadReport:
    """:func:`load_files` for a store's cases (:func:`chaingraph.storewrite.load_into`)."""
    from chaingraph import memberships, readable, storewrite

    paths = [Path(raw) for raw in files]
    report = LoadReport()
    written = storewrite.load_into(store, paths, skip_bad_lines=skip_bad_lines,
                                   progress=progress, check=check or (lambda: None), by=by,
                                   report=report)
    report.cases = len(written.cases)
    report.replaced = written.replaced
    report.activity = written.activity
    for bad in readable.ill_typed_native(store, readable.bundled_ranges()):
        raise readable.value_error(bad, paths)
    memberships.drop(store)
    return report


def _source_error(path: Path, exc: SyntaxError) -> SourceError:
    return parse_error(path, str(exc.args[0]) if exc.args else str(exc), exc.lineno)


def parse_error(path: str | Path, message: str, line: int | None) -> SourceError:
    """Word an Oxigraph parser message as a :class:`SourceError` naming the file and line."""
    # "Parser error at line 3 between columns 1 and 4: No scheme ..." -> the reason alone
    if ": " in message and message.startswith("Parser error"):
        message = message.split(": ", 1)[1]
    # Two mistakes a person can correct, said in their words (and language) rather than the parser's
    bad_char = re.match(r"Invalid IRI code point (.+)$", message)
    if bad_char:
        return SourceError(path, line=line, problem="bad_iri_char", char=bad_char.group(1))
    if re.search(r"escape sequence '\\[uU]0*[dD][89a-fA-F]", message):
        return SourceError(path, line=line, problem="surrogate")
    return SourceError(path, line=line, problem="malformed", format="RDF", why=message)


def _statements(text: str) -> Iterator[tuple[int, str, str | None]]:
    """Split Turtle or N-Triples into (first line, text, prefix name if a directive) statements.

    A statement ends at a line ending in '.' outside a long (triple-quoted) string, the
    way generated and hand-written data are laid out. A broken statement that does not
    end its line with '.' runs into the next one; both are then skipped together.
    """
    buffer: list[str] = []
    first = 1
    in_long = False
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        stripped = _TRAILING_COMMENT.sub("", line.strip())
        if not buffer:
            if not stripped or stripped.startswith("#"):
                continue
            first = number
            directive = _DIRECTIVE.match(stripped)
            if directive and not stripped.startswith("@"):  # SPARQL-style PREFIX, no dot
                yield first, line, directive.group(1) or ""
                continue
        buffer.append(line)
        if line.count('"""') % 2 or line.count("'''") % 2:
            in_long = not in_long
        if not in_long and stripped.endswith("."):
            chunk = "".join(buffer)
            directive = _DIRECTIVE.match(chunk.strip())
            yield first, chunk, (directive.group(1) or "") if directive else None
            buffer = []
    if buffer:
        yield first, "".join(buffer), None


_DIRECTIVE = re.compile(r"(?i)@?(?:prefix\s+([^\s:]*):|base\s)")
_TRAILING_COMMENT = re.compile(r"\s#[^\"'<>]*$")


def _load_statements(store: pyoxigraph.Store, path: Path, report: LoadReport) -> None:
    """Load ``path`` statement by statement, skipping (and counting) those that do not parse."""
    import pyoxigraph

    fmt = ox_format(path)
    if fmt not in (pyoxigraph.RdfFormat.TURTLE, pyoxigraph.RdfFormat.N_TRIPLES):
        raise SourceError(path, problem="skip_bad_lines")
    text = path.read_text(encoding="utf-8", errors="replace")
    header: dict[str, str] = {}  # prefix name -> its latest directive
    batch: list[Any] = []
    for line, chunk, directive in _statements(text):
        try:
            triples = list(pyoxigraph.parse("".join(header.values()) + chunk, format=fmt))
        except SyntaxError:
            report.skipped += 1
            if len(report.skipped_at) < 10:
                report.skipped_at.append(f"{path}, line {line}")
            continue
        if directive is not None:
            header[directive] = chunk
            continue
        batch.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in triples)
        if len(batch) > 100_000:
            store.extend(batch)
            batch = []
    if batch:
        store.extend(batch)


def load_store(paths: Sequence[str | Path], directory: str | Path, *, base: bool = True,
               replace: bool = False, skip_bad_lines: bool = False, progress: bool = True,
               by: str | None = None, note: Callable[[str], None] | None = None,
               lang: str = "en") -> LoadReport:
    """Bulk-load files into the persistent Oxigraph store at ``directory``, atomically.

    Each case goes into the default graph (what every query reads) and into a named
    graph of its own; a case already in the store (same IRI or ``cg:caseId``, from an
    earlier load) is replaced whole, never merged (:mod:`chaingraph.storewrite`), and the
    change is recorded (:mod:`chaingraph.history`). A case id in two files of one load is
    refused, as the audit of the same files refuses it.

    The load goes into a temporary sibling folder (a copy of the existing store unless
    ``replace``, made with RocksDB hard links) that is swapped in only when everything
    has loaded and the case memberships are indexed again (:mod:`chaingraph.memberships`);
    an error, Ctrl-C or SIGTERM leaves ``directory`` exactly as it was. Writers take the
    store's lock: a second one waits (``note`` is told so) and gives up after a while.

    Args:
        paths: data files and folders (default: the bundled cases).
        directory: the store; created when missing.
        base: also load the bundled ontology and monitor data.
        replace: start from an empty store instead of adding to the existing one.
        skip_bad_lines: skip and count statements that do not parse.
        progress: show a progress bar on a terminal.
        by: the pseudonym of who loads, for the history.
        note: told (in ``lang``) when the load waits for another writer or cleans up.

    Raises:
        StoreBusy: another writer kept the store too long.
        Interrupted: Ctrl-C or SIGTERM (a ``KeyboardInterrupt``); the store is as it was.
    """

    from chaingraph import storewrite
    from chaingraph.graph import sources

    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise BadParameter(key="not_a_store", path=directory)
    by = storewrite.check_by(by)
    with storewrite.writing(directory, note=note, lang=lang) as check:
        if directory.is_dir() and any(directory.iterdir()) and not _is_store(directory):
            raise BadParameter(key="not_a_store", path=directory)
        adding = directory.is_dir() and not replace and any(directory.iterdir())
        # The ontology and monitor go in once: loading them again would duplicate their
        # blank nodes.
        files = sources(paths, base=base and not adding)

        def load(store: pyoxigraph.Store) -> LoadReport:
            report = load_files(store, files, bulk=True, skip_bad_lines=skip_bad_lines,
                                progress=progress, cases=True, by=by, check=check)
            check()
            report.memberships = _index(store, progress)
            store.flush()
            report.triples = _count(store)
            check()
            if report.cases * 4 >= _count(store, _CASES):
                _compact(store, progress)
                check()
            return report

        return _rewrite(directory, copy=adding, write=load, check=check)


def _rewrite(directory: Path, *, copy: bool, write: Callable[[pyoxigraph.Store], _T],
             check: Callable[[], None]) -> _T:
    """Run ``write`` on a copy of the store (or an empty one) and swap it in on success.

    The copy is a sibling folder made with RocksDB hard links (instant); an error or an
    interrupt removes it and leaves ``directory`` as it was. Readers of the store never
    see a store being written (Oxigraph: reading a store another process writes to is
    undefined), only the old one or the new one.
    """
    import pyoxigraph

    work = directory.with_name(f".{directory.name}.loading-{os.getpid()}")
    old = directory.with_name(f".{directory.name}.old-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    store = None
    try:
        if copy:
            try:
                existing = pyoxigraph.Store.read_only(str(directory))
                existing.backup(str(work))
                del existing
            except OSError as exc:
                raise BackendError(key="store_copy", path=directory,
                                   why=_first_line(exc)) from None
        check()
        store = pyoxigraph.Store(str(work))
        result = write(store)
        store.flush()
        del store
        store = None
    except BaseException as exc:
        # The traceback's frames still hold the store open; drop them before removing it.
        store = None  # noqa: F841 -- drops the last reference, so gc.collect() closes it
        exc.__traceback__ = None
        import gc

        gc.collect()
        shutil.rmtree(work, ignore_errors=True)
        raise exc from None
    _swap(work, directory, old)
    return result


def _is_store(directory: Path) -> bool:
    """Whether ``directory`` holds a RocksDB store (Oxigraph's), not some other folder."""
    return (directory / "CURRENT").is_file() or (directory / "IDENTITY").is_file()


def write_cases(directory: str | Path, graph: Graph, *, by: str | None = None,
                activity: str = "load", progress: bool = False,
                note: Callable[[str], None] | None = None, lang: str = "en") -> LoadReport:
    """Write the cases in ``graph`` into the store at ``directory``, in one transaction.

    Every case in ``graph`` (a ``cg:Case`` node, what is ``cg:inCase`` it, the blank nodes
    they name) replaces the case with that IRI or ``cg:caseId`` in the store as a whole;
    every other case stays as it was. What is not of a case (persons, say) is added to
    the shared data. The change is recorded in the store's history (:mod:`chaingraph.history`)
    as a PROV activity of kind ``activity`` by the pseudonymous user ``by``, the replaced
    versions kept; the membership index is brought up to date in the same transaction.
    A new store gets the bundled ontology and monitor data first. The write takes the
    store's lock (a second writer waits; ``note`` is told so, in ``lang``) and goes into an
    instant copy of the store that is swapped in when done, so a reader never sees a
    store being written and an error or interrupt leaves the store as it was.

    Returns a :class:`LoadReport`: ``cases`` written, ``replaced`` (the ids that were
    there), ``triples`` written, ``activity`` (the IRI of the history record).

    Example:
        >>> import tempfile, pathlib
        >>> from chaingraph.graph import case_files, load
        >>> store = pathlib.Path(tempfile.mkdtemp()) / "store"
        >>> case = load(case_files()[:1], base=False)
        >>> write_cases(store, case, by="P-TEST1").cases
        1
        >>> write_cases(store, case, activity="update").replaced
        ['FX-001']

    Raises:
        BadParameter: ``graph`` holds no case, or ``by`` is not a pseudonym.
        StoreBusy: another writer kept the store too long.
        BackendError: the store is open for writing elsewhere (an Oxigraph server).
        Interrupted: Ctrl-C or SIGTERM came before the transaction; nothing was written.
    """
    from chaingraph import storewrite

    directory = Path(directory)
    by = storewrite.check_by(by)
    data = graph.serialize(format="nt", encoding="utf-8")
    with storewrite.writing(directory, note=note, lang=lang) as check:
        if directory.is_dir() and any(directory.iterdir()) and not _is_store(directory):
            raise BadParameter(key="not_a_store", path=directory)
        fresh = not directory.is_dir() or not any(directory.iterdir())

        def write(store: pyoxigraph.Store) -> storewrite.Written:
            if fresh:
                from chaingraph.graph import monitor_files, ontology_files

                storewrite.load_into(store, [*ontology_files(), *monitor_files()],
                                     skip_bad_lines=False, progress=progress, check=check)
            return storewrite.write_in_place(store, data, by=by, kind=activity, check=check)

        written = _rewrite(directory, copy=not fresh, write=write, check=check)
    return LoadReport(files=0, triples=written.triples, cases=len(written.cases),
                      replaced=written.replaced, activity=written.activity)


def _index(store: pyoxigraph.Store, progress: bool) -> int:
    from chaingraph import memberships
    from chaingraph.progress import Progress

    with Progress("index", enabled=None if progress else False) as bar:
        bar.update(0)
        bar.update(memberships.build(store))
    return bar.count


def _unique_in_store(store: pyoxigraph.Store, source: str) -> None:
    """Refuse two case nodes with one case id in a store (another tool wrote one), naming both."""
    import pyoxigraph
    from rdflib.util import from_n3

    from chaingraph.namespace import CG
    from chaingraph.queryfiles import internal
    from chaingraph.readable import unique_case_ids

    case_id = pyoxigraph.NamedNode(str(CG.caseId))
    for row in cast("pyoxigraph.QuerySolutions", store.query(internal("duplicate-case-ids").text)):
        twice = row["id"]
        holders = store.quads_for_pattern(None, case_id, twice, pyoxigraph.DefaultGraph())
        unique_case_ids(((cast("Node", from_n3(str(q.subject))), twice.value) for q in holders),
                        source)


def reindex_store(directory: str | Path, *, progress: bool = True,
                  note: Callable[[str], None] | None = None, lang: str = "en") -> int:
    """Rebuild the case-membership index of the store at ``directory``, in one transaction.

    For a store that another tool wrote to since its last ``chaingraph load``. Its values
    and terms are checked first, as ``load`` checks files (another tool may have written an
    impossible date, or ``cg:enddate``): a bad one is refused and the index left as it was.
    Returns the number of memberships indexed.

    Raises:
        MissingPath: there is no store at ``directory``.
        SourceError: a value of another kind than its property takes (names the node).
        UnknownTerm: a ``cg:`` term the ontology does not declare.
        BackendError: the store is in use by another process or damaged.
    """
    from chaingraph import readable, storewrite

    if not Path(directory).is_dir():
        raise MissingPath(directory)
    with storewrite.writing(directory, note=note, lang=lang):
        store = _open_native(directory, read_only=False)
        for bad in readable.ill_typed_native(store, readable.bundled_ranges()):
            raise readable.value_error(bad, [], source=str(directory))
        from chaingraph.graph import declared_names, unknown_term

        term = readable.undeclared_native(store, declared_names())
        if term is not None:
            raise unknown_term(str(directory), term, declared_names())
        _unique_in_store(store, str(directory))
        count = _index(store, progress)
        # another tool may have written nodes that cg:inCase does not name: recorded afresh
        # (every triple read twice: minutes at 100,000 cases, so a bar says what runs)
        from chaingraph.progress import Progress

        with Progress("members", total=1, enabled=None if progress else False) as bar:
            store.update(f"DROP SILENT GRAPH <{storewrite.MEMBERS}>")
            storewrite.record_members(store)
            storewrite.stamp_recorded(store)
            bar.advance()
        store.flush()
        del store
    return count


def _swap(work: Path, directory: Path, old: Path) -> None:
    """Move ``work`` onto ``directory`` with interrupts held back for the two renames."""
    blocked = hasattr(signal, "pthread_sigmask")
    if blocked:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        if directory.exists():
            os.replace(directory, old)
        os.replace(work, directory)
    finally:
        if blocked:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    shutil.rmtree(old, ignore_errors=True)


_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
_CASES = ("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class . VALUES ?class { "
          "<https://w3id.org/chaingraph/ontology#Case> "
          "<https://w3id.org/chaingraph/ontology#HighRiskCase> } }")


def _count(store: pyoxigraph.Store, query: str = _TRIPLES) -> int:
    result = cast("pyoxigraph.QuerySolutions", store.query(query))
    return int(next(iter(result))[0].value)


def _compact(store: pyoxigraph.Store, progress: bool) -> None:
    """Compact a store after a load that brought in a large part of it (a quarter or more of
    its cases: every first load).

    A bulk load writes its sorted files side by side, overlapping; every read then looks
    in each. Compacted, the 100,000-case store of the benchmark took 5.6 GB instead of 9.3
    and gave a chunk of cases about a quarter faster from memory, two to three times as
    fast from disk: ``audit --store`` and the web app's first start read every case
    (``audit --store``, compaction alone: 288 s against 323-363 s). Compacting costs about
    an eighth of the load (80 s of 645 s at 100,000 cases); a small load into a large store
    is left as it is, its few files costing reads little.
    """
    from chaingraph.progress import Progress

    with Progress("compact", enabled=None if progress else False) as bar:
        bar.update(0)
        store.optimize()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]
