"""The chaingraph audit at scale: the compiled shapes (:mod:`chaingraph.shacl2sparql`) run
case by case on small Oxigraph stores, on every core.

The compiler itself is :mod:`chaingraph.shacl2sparql`; its public names are re-exported here
for the callers that know them from this module.
"""

from __future__ import annotations

import contextlib
import functools
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.term import Node

from chaingraph import readable, shacl2sparql
from chaingraph.errors import SourceError, UnknownTerm
from chaingraph.names import audit_case_id
from chaingraph.namespace import CASE_CLASSES, PERSON_CLASSES, case_namespace, namespace_case
from chaingraph.queryfiles import internal
from chaingraph.shacl2sparql import (  # noqa: F401  (re-exported)
    Check,
    CompiledShapes,
    Runner,
    UnsupportedShape,
    Violation,
    combine,
    compile_case_by_case,
    compile_path,
    compile_shapes,
    instantiate,
    key,
    reference,
    to_ox,
    to_oxigraph,
)
from chaingraph.shapes import load_shapes
from chaingraph.sparql import fill_values, with_values


def _unwrapped(data: Any) -> Any:
    """A graph on Oxigraph as its pyoxigraph store, which the compiler reads directly."""
    from chaingraph.backends import native_store

    store = native_store(data) if isinstance(data, Graph) else None
    return data if store is None else store


def validate(data: Any, shapes: Graph | CompiledShapes | None = None, *,
             focus: Iterable[Node] | None = None) -> set[Violation]:
    """Audit ``data`` with the compiler (:func:`chaingraph.shacl2sparql.validate`).

    Chaingraph's defaults: the bundled shapes, and a graph on Oxigraph read in its own store.
    """
    return shacl2sparql.validate(_unwrapped(data), load_shapes() if shapes is None else shapes,
                                 focus=focus)


def runner_for(data: Any) -> Runner:
    """How to run SPARQL on ``data`` (:func:`chaingraph.shacl2sparql.runner_for`); a graph on
    Oxigraph is read in its own store."""
    return shacl2sparql.runner_for(_unwrapped(data))


def case_nodes(data: Any, case: Node) -> list[Node]:
    """The case node and every node ``cg:inCase`` it: the focus nodes to re-audit a case."""
    run = runner_for(data)
    bindings = {"case": case}  # a case is an IRI, an Identifier
    found = [row[0] for row in run(with_values(internal("case-members"), bindings))  # type: ignore[arg-type]  # see above
             if row[0] is not None]
    return [case] + [node for node in dict.fromkeys(found) if node != case]



# --- the audit date -------------------------------------------------------------------------

_XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
_CG = "https://w3id.org/chaingraph/ontology#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_AUDIT_GRAPH = "urn:chaingraph:audit"
_AUDIT_DATE = "urn:chaingraph:audit-date"


def as_of(store: Any, at: date) -> None:
    """Cut every case of ``store`` (each in a named graph of its own) to what stood on ``at``.

    The one definition every engine uses (pySHACL's cases through
    :func:`chaingraph.audit.restrict`, the compiled audit on files, stores and endpoints).
    In a graph that holds a case:

    1. what started (``cg:startDate``) or happened (``cg:date``) after ``at`` goes, with
       every triple naming it (the case node itself stays: a case that had not started is
       left out of the audit as a whole);
    2. an end date after ``at`` becomes ``at``;
    3. a running case (no ``cg:endDate``) ends on ``at``;
    4. anything else that started and has no end date (a running ownership, assignment or
       instrument) ends on ``at``, or with the case it is ``cg:inCase`` if that ended first;
       if the case had ended before it began, on its own first day (an end date before its
       start would be a finding the data does not hold).

    Four small queries (``queries/internal/as-of-*.rq``) find the rows that change; the date
    goes into the store as a value (a quad in a graph of its own, removed afterwards), never
    into query text. Graphs without a case (persons, the monitor) are left as they are.

    Example:
        >>> import pyoxigraph as ox
        >>> store = ox.Store()
        >>> cg = "https://w3id.org/chaingraph/ontology#"
        >>> unit, case = ox.NamedNode("urn:x:unit"), ox.NamedNode("urn:x:case")
        >>> store.add(ox.Quad(case, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        ...                   ox.NamedNode(f"{cg}Case"), unit))
        >>> as_of(store, date(2021, 6, 20))
        >>> end = ox.NamedNode(f"{cg}endDate")
        >>> [q.object.value for q in store.quads_for_pattern(case, end, None)]
        ['2021-06-20']
    """
    import pyoxigraph as ox

    xsd_date = ox.NamedNode(_XSD_DATE)
    end_date = ox.NamedNode(f"{_CG}endDate")
    day = ox.Literal(at.isoformat(), datatype=xsd_date)
    audit_graph = ox.NamedNode(_AUDIT_GRAPH)
    store.add(ox.Quad(ox.BlankNode(), ox.NamedNode(_AUDIT_DATE), day, audit_graph))
    try:
        cases: dict[Any, list[Any]] = {}  # graph -> [(case, end or None)]
        for row in store.query(internal("as-of-cases").text):
            cases.setdefault(row["g"], []).append((row["case"], row["end"]))
        case_nodes = {(g, case) for g, rows in cases.items() for case, _ in rows}
        # 1. later nodes and every triple naming them
        for row in list(store.query(internal("as-of-later").text)):
            g, x = row["g"], row["x"]
            if g in cases and (g, x) not in case_nodes:
                for quad in [*store.quads_for_pattern(x, None, None, g),
                             *store.quads_for_pattern(None, None, x, g)]:
                    store.remove(quad)
        # 2. ends after the audit date
        for row in list(store.query(internal("as-of-ends").text)):
            if row["g"] in cases:
                store.remove(ox.Quad(row["s"], end_date, row["end"], row["g"]))
                store.add(ox.Quad(row["s"], end_date, day, row["g"]))
        # 3. running cases; and each case's end on the audit date, for step 4
        ends: dict[tuple[Any, Any], str] = {}
        for g, rows in cases.items():
            for case, end in rows:
                if end is None:
                    store.add(ox.Quad(case, end_date, day, g))
                elif _is_date(end):
                    ends[(g, case)] = min(end.value, day.value)
        # 4. what runs ends on the audit date, or with its case if that ended first
        #    (on its own first day if the case had ended before it began: never an end
        #    before its start, which would be a finding the data does not hold)
        running: dict[tuple[Any, Any], str] = {}
        for g, s, own, start in store.query(internal("as-of-open").text):
            if g in cases and (g, s) not in case_nodes:
                until = ends.get((g, own), day.value) if own is not None else day.value
                if start.value > until and _is_date(start):
                    until = start.value
                known = running.get((g, s))
                running[(g, s)] = until if known is None or until < known else known
        literals = {day.value: day}
        for until in set(running.values()) - set(literals):
            literals[until] = ox.Literal(until, datatype=xsd_date)
        store.extend(ox.Quad(s, end_date, literals[until], g) for (g, s), until in running.items())
    finally:
        store.remove_graph(audit_graph)


def _is_date(term: Any) -> bool:
    """Whether a pyoxigraph term is a valid ``xsd:date`` (an ill-typed one counts as none)."""
    if getattr(term, "datatype", None) is None or term.datatype.value != _XSD_DATE:
        return False
    try:
        date.fromisoformat(term.value)
    except ValueError:
        return False
    return True


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while the parent merges the workers' results.

    A region's audit builds hundreds of thousands of small objects in the parent (case ids,
    violations, findings), none of them in a cycle; each full collection walked all of them
    again (at 100,000 cases, a quarter of the parent's own time). Reference counting still
    frees what is dropped; the collector runs again afterwards as usual.
    """
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# --- cases independently and in parallel --------------------------------------------------
#
# Oxigraph evaluates a rule's patterns bottom-up, so on one large store a rule that
# looks for "no other ownership of this phase" grows with the square of the number of
# cases. Cases are independent under the project's shapes (every rule
# looks at one case's nodes), so the data is audited in chunks of cases, each case in
# its own named graph of a small store, on every core: linear in the number of cases,
# small in memory.
# The tests check that the chunked audit equals the whole-store audit and pySHACL.

_CASE_PREFIX = re.compile(rb"^@prefix\s+:\s*<https://w3id\.org/chaingraph/case/[^>]*>\s*\.\s*$",
                          re.M)
_ANY_PREFIX = re.compile(rb"^@prefix\s+:\s*<[^>]*>\s*\.\s*$", re.M)
# Where the parent cuts a file into tasks: the usual spelling of such a line, found with
# mmap.find (0.5 s for 100,000 cases, where _ANY_PREFIX takes 4 s). A directive line is
# a statement boundary, so any cut there is safe; the workers split their part finer with
# _ANY_PREFIX.
_BLOCK_START = b"\n@prefix : <"


def split_cases(data: bytes) -> tuple[bytes, list[bytes], list[bytes]]:
    """Split Turtle written case by case (``@prefix : <…/case/ID/>`` blocks) into cases.

    Returns the header (prefix lines before the first block), the case blocks, and the
    other blocks (such as the persons). A file without such blocks is one unit.
    """
    starts = [m.start() for m in _ANY_PREFIX.finditer(data)]
    if len(starts) < 2 or not _CASE_PREFIX.search(data):
        return b"", [data], []
    header = data[:starts[0]]
    cases: list[bytes] = []
    others: list[bytes] = []
    for begin, end in zip(starts, starts[1:] + [len(data)], strict=True):
        block = data[begin:end]
        (cases if _CASE_PREFIX.match(block) else others).append(block)
    return header, cases, others


@dataclass
class _Work:
    """What every task of an audit needs, handed to each worker once (by :class:`_Pool`).

    ``stop``: an event of the pool's context; once one task has failed, the others return at
    once. ``big``: an in-memory source store, inherited by forked workers (a pyoxigraph
    store cannot be pickled); ``location``: the directory of a source store on disk, opened
    read-only once in each worker instead.
    """

    query: str
    links: bool
    at: date
    stop: Any = None
    big: Any = None
    location: str | None = None
    source: str | None = None  # a store or endpoint whose values no file check saw: its name
    persons_apart: bool = False  # a store's persons are read by a task of their own


_work: _Work | None = None  # this process's work: set by _start, in each worker and in the parent


def _start(work: _Work | None) -> None:
    """Take on ``work`` in this process (the pool's initializer; the parent's for serial runs)."""
    global _work
    _work = work


def _start_worker(work: _Work) -> None:
    """A worker's initializer: :func:`_start`, with the cycle collector on again (a forked
    worker inherits the parent's :func:`collector_paused`). Ctrl-C reaches every process of
    the terminal's group: a worker leaves it to the parent, which stops the workers (without
    a traceback from each)."""
    import gc
    import signal

    gc.enable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _start(work)


class _Pool:
    """Worker processes for the chunks, each started with ``work``; results in task order.

    ``concurrent.futures``, not ``multiprocessing.Pool``: the latter's worker thread in the
    parent wakes for every result waiting in the pipe and spins until it is read, which at
    100,000 cases cost the parent a third of its own time (measured). At most ``ahead``
    tasks wait per worker, so an endpoint's chunks are fetched as the workers need them
    and the progress bar moves from the first result. Leaving with an error cancels what
    has not started and tells the running tasks to stop (``work.stop``).
    """

    def __init__(self, context: Any, size: int, work: _Work, ahead: int = 4) -> None:
        from concurrent.futures import ProcessPoolExecutor

        self.work, self.ahead = work, size * ahead
        self.executor = ProcessPoolExecutor(size, mp_context=context, initializer=_start_worker,
                                            initargs=(work,))

    def imap(self, task: Callable[[Any], dict[str, Any]],
             tasks: Iterable[Any]) -> Iterator[dict[str, Any]]:
        from collections import deque

        pending: deque[Any] = deque()
        for item in tasks:
            pending.append(self.executor.submit(task, item))
            if len(pending) >= self.ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def __enter__(self) -> _Pool:
        return self

    def __exit__(self, kind: Any, *_: Any) -> None:
        if kind is not None and self.work.stop is not None:
            self.work.stop.set()
        self.executor.shutdown(wait=True, cancel_futures=kind is not None)


def _current() -> _Work:
    if _work is None:
        raise RuntimeError("no audit work in this process: _start() was not called")
    return _work


@dataclass(frozen=True)
class _Piece:
    """A byte range of a data file: whole case blocks, read and split by a worker."""

    path: str
    start: int
    end: int
    header: int  # bytes of the file's header (prefix lines) to put in front; 0 for the first piece
    turtle: bool


class _UnitError(Exception):
    """A unit did not parse in a worker: where, so the parent can name the file's line.

    A unit is the file's header (its first ``header_lines`` lines) followed by a part of
    the file that starts at byte ``start``; ``line`` is the parser's line in the unit.
    """

    def __init__(self, path: str, start: int, header_lines: int, line: int | None,
                 message: str) -> None:
        super().__init__(path, start, header_lines, line, message)
        self.path, self.start, self.header_lines = path, start, header_lines
        self.line, self.message = line, message


@dataclass
class FileAudit:
    """What :func:`scan_files` found: the violations, and where each one belongs.

    Attributes:
        violations: as :func:`validate` returns them.
        cases: the case id of every case in the files, in file order.
        focus_cases: the case ids of each focus node (the cases it was found in or, for a
            person, the cases that name the person).
        violation_cases: the case ids of each violation on a node that is no person: the
            cases whose data gave it (a node in two cases can have a finding in one only).
        focus_phase: the ``cg:phase`` of a focus node, where it has one.
        persons: the focus nodes that are persons or professionals.
        not_started: the cases that had not started on the audit date (left out).
        at: the audit date.
    """

    violations: set[Violation] = field(default_factory=set)
    cases: list[str] = field(default_factory=list)
    focus_cases: dict[Node, set[str]] = field(default_factory=dict)
    violation_cases: dict[Violation, set[str]] = field(default_factory=dict)
    focus_phase: dict[Node, Node] = field(default_factory=dict)
    persons: set[Node] = field(default_factory=set)
    not_started: set[str] = field(default_factory=set)
    at: date = field(default_factory=date.today)


def _pieces(files: Sequence[str | Path], chunk: int) -> list[list[_Piece]]:
    """Cut the files into tasks of about ``chunk`` case blocks each, without parsing them.

    A block starts at a line ``@prefix : <…>`` (how ``chaingraph generate`` and the example
    cases write a case); a file without such lines is one block. Only the positions are
    found here (``mmap.find``, in C): reading and splitting happens in the workers.
    """
    from pyoxigraph import RdfFormat

    from chaingraph.backends import ox_format

    tasks: list[list[_Piece]] = []
    current: list[_Piece] = []
    for raw in files:
        path = readable.check_structure(raw)  # a file; no remote context, no entity bomb
        size = path.stat().st_size
        turtle = ox_format(path) in (RdfFormat.TURTLE, RdfFormat.N_TRIPLES, RdfFormat.N3)
        bounds = _bounds(path, size, chunk) if turtle and size else []
        if len(bounds) < 2:
            # one block: small files share a task, up to ``chunk`` of them
            current.append(_Piece(str(path), 0, size, 0, turtle))
            if len(current) >= chunk:
                tasks.append(current)
                current = []
            continue
        # about ``chunk`` blocks a piece, each piece a task of its own (with the small files
        # before it); every piece but the first gets the file's header (what precedes its
        # first block) put in front of it
        header = bounds[0]
        edges = [0] + bounds[1:] + [size]
        for i, (begin, stop) in enumerate(zip(edges, edges[1:], strict=False)):
            piece = _Piece(str(path), begin, stop, 0 if i == 0 else header, turtle)
            tasks.append([*current, piece])
            current = []
    if current:
        tasks.append(current)
    return tasks


def _largest_first(tasks: Sequence[list[_Piece]]) -> list[int]:
    """The order tasks are handed to the workers: the largest first (by bytes), then the rest
    in file order. A file's last task also holds what follows its last case, such as the
    persons of a generated file (at 100,000 cases 11 MB, twelve times a chunk's work): run
    last, one worker audited it alone at the end while the others had nothing left to do."""
    sizes = [sum(piece.end - piece.start for piece in task) for task in tasks]
    if not sizes:
        return []
    largest = max(range(len(sizes)), key=sizes.__getitem__)
    return [largest] + [index for index in range(len(sizes)) if index != largest]


def _bounds(path: Path, size: int, chunk: int) -> list[int]:
    """Where a file written case by case is cut: its first block's start, then a block start
    about every ``chunk`` blocks ([] for a file with fewer than two blocks).

    The byte length of the first ``chunk`` blocks sets the stride; each cut is the first
    block start after a stride. Only the pages around the cuts are read, not the whole file
    (at 100,000 cases, finding every block start read 2.2 GB and took 0.5-2.5 s of the
    parent's own time).
    """
    import mmap

    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        first = 0 if mm[:len(_BLOCK_START) - 1] == _BLOCK_START[1:] else mm.find(_BLOCK_START) + 1
        if (first < 0 or (first == 0 and mm.find(_BLOCK_START) < 0)
                or mm.find(_BLOCK_START, first) < 0):
            return []
        at, seen = first, 0
        while seen < chunk and (found := mm.find(_BLOCK_START, at)) >= 0:
            at, seen = found + 1, seen + 1
        stride = max(at - first, 1)
        bounds = [first]
        while (found := mm.find(_BLOCK_START, bounds[-1] + stride - 1)) >= 0 and found + 1 < size:
            bounds.append(found + 1)
        return bounds


def _audit_chunk(task: list[_Piece]) -> dict[str, Any]:
    """Audit one task; a parse error comes back as ``{"error": _UnitError}``.

    Errors are returned, not raised: leaving the pool while it still has tasks (an
    exception out of ``imap``) can hang ``Pool.terminate``. Once a task has failed and
    every part of the files before it is audited, ``stop`` is set and the remaining tasks
    (all after it) return at once: the error said is the first in the files.
    """
    stop = _current().stop
    if stop is not None and stop.is_set():
        return {"skipped": True}
    try:
        return _audit_task(task)
    except (_UnitError, SourceError, UnknownTerm) as error:
        return {"error": error}


def _audit_task(task: list[_Piece]) -> dict[str, Any]:
    """Audit one task: its cases each in a named graph of one small store, then one query."""
    import pyoxigraph

    from chaingraph.backends import ox_format

    store = pyoxigraph.Store()
    index = 0
    files: list[str] = []  # the file of each unit
    for piece in task:
        with open(piece.path, "rb") as handle:
            header = handle.read(piece.header) if piece.header else b""
            handle.seek(piece.start)
            data = handle.read(piece.end - piece.start)
        readable.check_part(piece.path, data, piece.start)  # UTF-8, no NUL byte, the syntax
        header = readable.without_bom(header)  # Oxigraph refuses the BOM Windows editors write
        data = readable.without_bom(data) if piece.start == 0 else data
        buffer = header + data
        if piece.turtle:
            head, cases, others = split_cases(buffer)
            blocks, fmt = cases + others, pyoxigraph.RdfFormat.TURTLE
        else:
            head, blocks, fmt = b"", [data], ox_format(Path(piece.path))
        for block in blocks:
            try:
                store.load(input=head + block, format=fmt,
                           to_graph=pyoxigraph.NamedNode(f"urn:chaingraph:unit:{index}"))
            except MemoryError:  # Oxigraph's bound on one token
                raise SourceError(piece.path, problem="too_long", mib=readable.MAX_VALUE >> 20,
                                  limit=readable.MAX_VALUE >> 20) from None
            except SyntaxError as exc:
                # The unit is head + block: head is the file's header, the block a part of the
                # file (the whole buffer when it was not split, the header put in front of it).
                if head:
                    start, lead = piece.start + buffer.find(block) - len(header), head
                else:
                    start, lead = piece.start, header
                raise _UnitError(piece.path, start, lead.count(b"\n"), exc.lineno,
                                 str(exc.args[0]) if exc.args else str(exc)) from None
            index += 1
            files.append(piece.path)
    for bad in readable.ill_typed_native(store, readable.bundled_ranges(), union=True):
        raise readable.value_error(bad, [piece.path for piece in task])
    crowded = [row["_unit"] for row in store.query(internal("audit-crowded-units").text)]  # type: ignore[union-attr]  # SELECT
    for unit in crowded:
        split_unit(store, unit)
    links = _person_links(store) if _current().links else None
    layout = _layout(store, files)
    _check_terms(store, files, links, layout.pop("terms"))
    result = _audit_units(store, links)
    result["layout"] = layout
    return result


def _person_links(store: Any) -> bytes:
    """Every IRI each unit names as an object, with the unit (``audit-person-links.rq``), as
    the store's own TSV text: which cases name a person with a finding (:func:`_link_persons`).
    """
    import pyoxigraph

    return store.query(internal("audit-person-links").text).serialize(
        format=pyoxigraph.QueryResultsFormat.TSV)


def _layout(store: Any, files: Sequence[str]) -> dict[str, Any]:
    """What the parent needs to know whether the units of a chunk are the reference's cases.

    ``outside``: a node that lies outside its case's unit, as ``(file, node, case)`` (None if
    none): it says ``cg:inCase`` of a case that is not its unit's, or it belongs to no case
    (no ``cg:inCase``, an IRI outside the case's namespace, no person) though written in a
    case's unit, where the reference audits it with the shared data; ``cases``: the case IRI
    of each unit with its file (twice for a case written in two blocks); ``namespaces``: the
    namespaces (the IRI up to its last ``/``) of the subjects of the units without a case,
    and of those of a case's unit outside its namespace, each with ``(file, subject)``, for
    the parent to compare with every case's; ``terms``: the subjects of the ontology's
    namespace (for :func:`_check_terms`). ``files``: the file of each unit. See
    :func:`scan_files`.
    """
    import pyoxigraph as ox

    own: dict[str, set[str]] = {}
    for row in store.query(internal("audit-unit-cases").text):
        own.setdefault(row["_unit"].value, set()).add(row["case"].value)
    outside = None
    for row in store.query(internal("audit-unit-links").text):
        case = row["case"]
        if isinstance(case, ox.NamedNode) and case.value not in own.get(row["_unit"].value, ()):
            query = fill_values(internal("audit-unit-linked"), "_unit", [row["_unit"]])
            node = next(iter(store.query(fill_values(query, "case", [case]))))[0]
            outside = (_unit_file(row["_unit"].value, files), node.value, case.value)
            break
    namespaces: dict[str, tuple[str, str]] = {}
    terms: set[str] = set()  # subjects of the ontology's namespace: none lies under a case's

    def note(row: Any) -> None:  # a row's subject (?s) and unit (?_unit)
        subject = row["s"].value
        space = case_namespace(subject)
        if space not in namespaces:  # the unit's file only for the first (persons: 100,000)
            namespaces[space] = (_unit_file(row["_unit"].value, files), subject)
        if subject.startswith(_CG):
            terms.add(subject)

    caseless = [ox.NamedNode(g.value) for g in store.named_graphs() if g.value not in own]
    if caseless:
        for row in store.query(fill_values(internal("audit-unit-subjects"), "_unit", caseless)):
            note(row)
    for row in store.query(internal("audit-unit-strays").text):
        if row["s"] == row["case"]:  # a case IRI not ending in /case: no namespace of its
            note(row)  # own, but maybe under another case's
            continue
        if isinstance(row["s"], ox.NamedNode):
            note(row)
        # a person written in a case's block belongs to it when the case names it: one
        # written as [ … ] that nothing names is shared data for the reference
        if outside is None and row["linked"].value != "true" and (
                row["person"].value != "true" or isinstance(row["s"], ox.BlankNode)):
            outside = (_unit_file(row["_unit"].value, files), row["s"].value,
                       row["case"].value)
    return {"outside": outside, "namespaces": namespaces, "terms": terms,
            "cases": [(c, _unit_file(unit, files)) for unit, cs in own.items() for c in cs]}


def _unit_file(unit: str, files: Sequence[str]) -> str:
    """The file a unit of a file chunk (``urn:chaingraph:unit:7``, ``…:7.1``) was read from."""
    index = unit.rsplit(":", 1)[-1].split(".")[0]
    return files[int(index)] if index.isdigit() and int(index) < len(files) else files[0]


_CG_IRI = re.compile(rb"<(https://w3id\.org/chaingraph/ontology#[^>]*)>")


def _check_terms(store: Any, files: Sequence[str], links: bytes | None,
                 subjects: set[str]) -> None:
    """Refuse a chunk that uses a ``cg:`` term the ontology does not declare, naming its file,
    as the reference's reading of the files does (:func:`chaingraph.graph.check_terms`).
    ``links``: the person links (:func:`_person_links`), whose IRIs are every object;
    ``subjects``: the chunk's subjects of the ontology's namespace (:func:`_layout`)."""
    import pyoxigraph

    from chaingraph.graph import declared_names, unknown_term

    declared = declared_names()
    objects = None if links is None else {m.decode() for m in _CG_IRI.findall(links)}
    term = readable.undeclared_native(store, declared, union=True, objects=objects,
                                      subjects=subjects)
    if term is None:
        return
    query = fill_values(internal("cg-term-graph"), "t", [pyoxigraph.NamedNode(term)])
    found = [row["g"].value for row in store.query(query)]
    raise unknown_term(_unit_file(found[0] if found else "", files), term, declared)


def split_unit(store: Any, unit: Any) -> None:
    """Give each case of a unit that holds several a named graph of its own, as the reference
    partitions the data (:func:`chaingraph.audit.partition`).

    A case's graph ``<unit>.K`` holds the case, every subject ``cg:inCase`` it or under its
    IRI's namespace, the blank nodes these reach and the persons of the unit they name; the
    subjects no case claims go into one more graph, without a case (the shared data). A
    subject two cases claim is in both. The unit itself is removed.

    Example:
        >>> import pyoxigraph as ox
        >>> store, unit = ox.Store(), ox.NamedNode("urn:chaingraph:unit:0")
        >>> data = (
        ...     '@prefix cg: <https://w3id.org/chaingraph/ontology#> .\\n'
        ...     '<urn:a/case> a cg:Case . <urn:a/x> cg:note "a" .\\n'
        ...     '<urn:b/case> a cg:Case . <urn:y> cg:inCase <urn:b/case> . <urn:z> cg:note "z" .')
        >>> store.load(input=data, format=ox.RdfFormat.TURTLE, to_graph=unit)
        >>> split_unit(store, unit)
        >>> [(q.graph_name.value[-1], q.subject.value[4:]) for q in sorted(store, key=str)]
        [('0', 'a/case'), ('0', 'a/x'), ('1', 'b/case'), ('1', 'y'), ('2', 'z')]
    """
    import pyoxigraph as ox

    quads = list(store.quads_for_pattern(None, None, None, unit))
    by_subject: dict[Any, list[Any]] = {}
    for quad in quads:
        by_subject.setdefault(quad.subject, []).append(quad)
    kind, in_case = ox.NamedNode(_RDF_TYPE), ox.NamedNode(f"{_CG}inCase")
    case_classes = {ox.NamedNode(str(cls)) for cls in CASE_CLASSES}
    person_classes = {ox.NamedNode(str(cls)) for cls in PERSON_CLASSES}
    typed = [(q.subject, q.object) for q in quads if q.predicate == kind]
    cases = sorted({s for s, o in typed if o in case_classes and isinstance(s, ox.NamedNode)},
                   key=str)
    people = {s for s, o in typed if o in person_classes}
    members: dict[Any, set[Any]] = {case: {case} for case in cases}
    for quad in quads:
        if quad.predicate == in_case and quad.object in members:
            members[quad.object].add(quad.subject)
    prefixes = {case.value[:-len("case")]: case for case in cases if case.value.endswith("/case")}
    for subject in by_subject:
        if prefixes and isinstance(subject, ox.NamedNode):
            owner = prefixes.get(case_namespace(subject.value))
            if owner is not None:
                members[owner].add(subject)

    def closure(roots: set[Any]) -> set[Any]:  # the roots and the blank nodes they reach
        seen: set[Any] = set()
        todo = list(roots)
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(q.object for q in by_subject.get(node, ())
                            if isinstance(q.object, ox.BlankNode))
        return seen

    claimed: set[Any] = set()
    parts: list[Any] = []
    for index, case in enumerate(cases):
        nodes = closure(members[case])
        nodes |= closure({q.object for n in nodes for q in by_subject.get(n, ())
                          if q.object in people})
        claimed |= nodes
        graph = ox.NamedNode(f"{unit.value}.{index}")
        parts += [ox.Quad(q.subject, q.predicate, q.object, graph)
                  for node in nodes for q in by_subject.get(node, ())]
    shared = ox.NamedNode(f"{unit.value}.{len(cases)}")
    parts += [ox.Quad(q.subject, q.predicate, q.object, shared)
              for q in quads if q.subject not in claimed]
    store.remove_graph(unit)
    store.extend(parts)


def _audit_units(store: Any, links: bytes | None = None) -> dict[str, Any]:
    """Audit the units (named graphs, a case each) of a chunk store as of the audit date.

    The store is cut to the audit date first (:func:`as_of`); then one combined query finds
    the violations, and small queries what the findings need of the nodes found, which
    cases the chunk holds and whether each had started on the audit date.
    """
    import pyoxigraph

    work = _current()
    at = work.at
    # Persons are written once, outside the cases: the cases that name them (by any property,
    # as the reference partitions) tell where a finding on a person belongs. Read before the
    # cut to the audit date, as the reference takes a case's persons before cutting it: a
    # person named by an assignment that starts later is still the case's. Few findings are
    # on persons, so the links go back as the store's own TSV text, read only for those (ten
    # thousand rows a chunk otherwise). Compressed (a megabyte a chunk, a tenth of it so):
    # what crosses the pipe is read by the parent, whose own time limits the audit.
    if work.links and links is None:
        links = _person_links(store)
    packed = zlib.compress(links, 1) if work.links and links is not None else b""
    as_of(store, at)
    rows = [(int(s["_check"].value), s["this"], s["value"]) for s in store.query(work.query)
            if s["this"] is not None]
    details = _details(store, {this for _, this, _ in rows})
    # Each row is filed under the case of the unit it came from. Oxigraph leaves ?_unit
    # unbound on the combined query's rows, so a row's unit is its focus node's one unit;
    # a node in several units (of two cases, in the reference's partition too) has its units
    # audited again one at a time, each row then the case's whose data gave it.
    units_of = _units_of(details)
    again = {unit for units in units_of.values() if len(units) > 1 for unit in units}
    by_unit: list[tuple[int, Any, Any, str]] = []
    if again:
        rows = [row for row in rows if not units_of.get(str(row[1]), set()) & again]
        for unit in sorted(again):
            by_unit += [(int(s["_check"].value), s["this"], s["value"], unit)
                        for s in store.query(work.query, named_graphs=[pyoxigraph.NamedNode(unit)])
                        if s["this"] is not None]
        known = {this for this, *_ in details}
        details += _details(store, {this for _, this, _, _ in by_unit if str(this) not in known})
        units_of = _units_of(details)
    persons = {this for this, _, _, person in details if person}
    found: list[tuple[int, str, str | None, str | None]] = [
        (check, str(this), None if value is None else str(value), unit)
        for check, this, value, unit in by_unit if str(this) not in persons]
    for check, this, value in rows:
        text = str(this)
        units = units_of.get(text, ())
        found.append((check, text, None if value is None else str(value),
                      next(iter(units)) if len(units) == 1 else None))
    found_cases: dict[tuple[str, str], tuple[list[str], list[Any]]] = {}
    for s in store.query(internal("audit-unit-cases").text):
        ids, starts = found_cases.setdefault((s["_unit"].value, s["case"].value), ([], []))
        if s["id"] is not None:
            ids.append(s["id"].value)
        if s["start"] is not None:
            starts.append(s["start"])
    # named as every engine names them; started when the earliest start had come
    unit_cases = sorted(((unit, audit_case_id(case, ids),
                          not starts or any(_started(start, at) for start in starts))
                         for (unit, case), (ids, starts) in _own_cases(found_cases).items()),
                        key=_unit_order)  # in file order
    return {"rows": found, "details": details, "cases": unit_cases, "links": packed}


def _details(store: Any, found: set[Any]) -> list[tuple[str, str, str | None, bool]]:
    """What a finding needs of each focus node ``found`` (pyoxigraph terms): every unit it is
    in, its phase, whether it is a person (``audit-details.rq``, ``audit-blank-details.rq``)."""
    import pyoxigraph

    nodes = [n for n in found if isinstance(n, pyoxigraph.NamedNode)]
    queries = [fill_values(internal("audit-details"), "this", nodes)] if nodes else []
    blank = {str(n) for n in found if isinstance(n, pyoxigraph.BlankNode)}
    if blank:  # rare: what was written as [ … ]; not in a VALUES block
        queries.append(internal("audit-blank-details").text)
    return [(str(s["this"]), s["_unit"].value, None if s["_phase"] is None else str(s["_phase"]),
             s["_person"] is not None)
            for query in queries for s in store.query(query)
            if not isinstance(s["this"], pyoxigraph.BlankNode) or str(s["this"]) in blank]


def _units_of(details: Sequence[tuple[str, str, str | None, bool]]) -> dict[str, set[str]]:
    """The units each focus node of ``details`` (:func:`_details`) is in; persons left out
    (their findings go to the cases that name them)."""
    units: dict[str, set[str]] = {}
    for this, unit, _, person in details:
        if not person:
            units.setdefault(this, set()).add(unit)
    return units


def _own_cases(found: dict[tuple[str, str], Any]) -> dict[tuple[str, str], Any]:
    """Each unit's own case, where a unit holds several case nodes: a case under another's
    IRI is in that case's graph too (as the reference partitions), but the graph is the
    other's. The case a store's unit is named after (``urn:chaingraph:unit:<case>``), else
    the cases not under another case of the unit; all of them if that leaves none."""
    by_unit: dict[str, list[str]] = {}
    for unit, case in found:
        by_unit.setdefault(unit, []).append(case)
    crowded = {unit: cases for unit, cases in by_unit.items() if len(cases) > 1}
    if not crowded:  # one case a unit, as written by the forms and the generator
        return found
    drop: set[tuple[str, str]] = set()
    for unit, cases in crowded.items():
        named = [case for case in cases if unit == f"{_UNIT}:{case}"]
        outer = [case for case in cases if namespace_case(case) not in cases]
        drop.update((unit, case) for case in set(cases) - set(named or outer or cases))
    return {pair: value for pair, value in found.items() if pair not in drop}


def _started(start: Any, at: date) -> bool:
    """Whether a case with this ``cg:startDate`` (a pyoxigraph term or None) had started on ``at``.

    A start that is not an ``xsd:date`` counts as started, as in the as-of update: the
    audit then reports the bad date instead of leaving the case out.
    """
    if (start is None or getattr(start, "datatype", None) is None
            or start.datatype.value != _XSD_DATE):
        return True
    try:
        return date.fromisoformat(start.value) <= at
    except ValueError:
        return True


def _unit_order(row: tuple[str, str, bool]) -> tuple[tuple[int, ...], str]:
    """File order for the units of a file chunk (``urn:chaingraph:unit:7``, and
    ``urn:chaingraph:unit:7.1`` for the second case of a unit :func:`split_unit` split),
    else name order."""
    tail = row[0].rsplit(":", 1)[-1].split(".")
    if all(part.isdigit() for part in tail):
        return tuple(int(part) for part in tail), ""
    return (0,), row[0]


@functools.lru_cache(maxsize=1 << 16)
def _from_nt(text: str) -> Node:
    """An N-Triples term as an rdflib node (an IRI directly: most focus nodes are IRIs, and
    rdflib's parser costs ten times as much on a region's tens of thousands)."""
    if text.startswith("<") and text.endswith(">") and "\\" not in text:
        return URIRef(text[1:-1])
    from rdflib.util import from_n3

    return from_n3(text)  # type: ignore[return-value]  # N-Triples text: a term, never str/None


def _violation(check: Check, this: str, value: str | None) -> Violation:
    """A row of a combined query (focus and value as N-Triples text) as a Violation.

    As :func:`validate` reads a row: a node shape's result without a value of its own has
    the focus node as its value (SHACL's validation report), as pySHACL gives it.
    """
    focus = _from_nt(this)
    if check.has_value and value is not None:
        found: Node | None = _from_nt(value)
    else:
        found = focus if check.focus_value else None
    return Violation(focus, check.shape, check.component, check.severity, check.path, found,
                     check.message)


def _raise_source_error(error: _UnitError | SourceError | UnknownTerm) -> None:
    """Turn a worker's parse error into the file's own line (counted only now, on error)."""
    from chaingraph.backends import parse_error

    if isinstance(error, SourceError | UnknownTerm):  # said in full by the worker
        raise error
    line = error.line
    if line is not None and line > error.header_lines:
        with open(error.path, "rb") as handle:
            line += handle.read(error.start).count(b"\n") - error.header_lines
    raise parse_error(error.path, error.message, line)


def scan_files(files: Sequence[str | Path], *, shapes: Graph | CompiledShapes | None = None,
               base: bool = True, workers: int | None = None, chunk: int = 200,
               progress: bool = True, person_cases: bool = True,
               at: date | None = None) -> FileAudit:
    """Audit data files case by case, in parallel, against the (compiled) shapes.

    The ontology and monitor are audited once. The files are cut into tasks of ``chunk``
    cases at their ``@prefix :`` lines (the parent only finds the positions); ``workers``
    processes each read their part of the file, load every case into its own named graph
    of a small Oxigraph store, and run all checks as one query. Linear in the number of
    cases and small in memory: no process ever holds more than a few hundred cases.

    Args:
        files: data files (one case per file, or files written case by case such as
            those of ``chaingraph generate``; other RDF formats are one unit per file).
        shapes: the shapes (default: the bundled shapes).
        base: also load and audit the bundled ontology and monitor data.
        workers: processes (default: the number of cores).
        chunk: cases per store.
        progress: show a progress bar on a terminal.
        person_cases: find the cases that name each person (for findings on persons).
        at: the audit date (default today): each case as it stood that day (:func:`as_of`).

    Raises:
        SourceError: a file does not parse (names the file and line).
        MissingPath: a file does not exist.
    """
    import multiprocessing
    import os

    import pyoxigraph

    from chaingraph.backends import load_files
    from chaingraph.graph import monitor_files, ontology_files
    from chaingraph.progress import Progress

    compiled = compile_case_by_case(load_shapes() if shapes is None else shapes)
    base_store = pyoxigraph.Store()
    load_files(base_store, ontology_files() + monitor_files(), progress=False)
    checks = instantiate(compiled, runner_for(base_store))
    out = FileAudit(at=at or date.today())
    shared = validate(base_store, compiled) if base else set()
    out.violations |= shared
    tasks = _pieces(files, chunk)
    context = multiprocessing.get_context()  # the workers read the files themselves
    work = _Work(combine(checks, per_graph=True), person_cases, out.at, stop=context.Event())
    _start(work)
    workers = workers or os.cpu_count() or 1
    links: list[tuple[bytes, dict[str, str]]] = []
    layouts: list[dict[str, Any]] = []
    order = _largest_first(tasks)
    errors: dict[int, _UnitError | SourceError | UnknownTerm] = {}
    with Progress("audit", total=len(tasks), unit="chunks",
                  enabled=None if progress else False) as bar, contextlib.ExitStack() as stack:
        ordered = [tasks[index] for index in order]
        results: Iterable[dict[str, Any]] = map(_audit_chunk, ordered)
        if workers > 1 and len(tasks) > 1:
            pool = stack.enter_context(_Pool(context, min(workers, len(tasks)), work))
            results = pool.imap(_audit_chunk, ordered)
        ready: dict[int, dict[str, Any]] = {}
        merged = 0
        done: set[int] = set()
        for index, result in zip(order, results, strict=True):
            bar.advance()
            done.add(index)
            if "error" in result:
                errors[index] = result["error"]
                if done.issuperset(range(index)):  # no earlier part left: the first error
                    work.stop.set()
            elif not errors:
                ready[index] = result
                while merged in ready:  # merged in file order
                    result = ready.pop(merged)
                    _merge(out, result, checks, links)
                    layouts.append(result["layout"])
                    merged += 1
    if errors:  # the first in the files (the parts after it are skipped)
        _raise_source_error(errors[min(errors)])
    scattered = _scattered(layouts)
    if scattered is None and len(set(out.cases)) < len(out.cases):  # one id, two case nodes
        seen: set[str] = set()
        twice = next(c for c in out.cases if c in seen or seen.add(c))  # type: ignore[func-returns-value]  # set.add is None: the test is "seen before"
        raise readable.duplicate_case(twice, files)
    if scattered is not None:
        from chaingraph.backends import LARGE

        size = sum(Path(path).stat().st_size for path in files)
        if size > LARGE:  # read whole by rdflib: minutes and gigabytes
            where, node, case = scattered
            raise SourceError(where, problem="scattered_case", node_iri=node, case=case,
                              mib=size >> 20, limit=LARGE >> 20)
        return _partitioned(files, checks, shared, out.at, progress)
    _link_persons(out, links)
    return out


def _scattered(layouts: Sequence[dict[str, Any]]) -> tuple[str, str, str] | None:
    """A node of a case that lies outside the case's unit (:func:`_layout`), as ``(file,
    node, case)``: it says ``cg:inCase`` of a case in another unit, it belongs to no case but
    is written in a case's unit, a unit has a subject under another case's namespace (a fact
    about a case written in another block or file than the case), or a case is written in two
    units. None if there is none."""
    from collections import Counter

    prefixes = {iri[:-len("case")]: iri for layout in layouts for iri, _ in layout["cases"]
                if iri.endswith("/case")}
    units = Counter(iri for layout in layouts for iri, _ in layout["cases"])
    for layout in layouts:
        for iri, where in layout["cases"]:
            if units[iri] > 1:  # one case written in two blocks or files
                return where, iri, iri
        if layout["outside"] is not None:
            return layout["outside"]
        for namespace, (where, node) in layout["namespaces"].items():
            if namespace in prefixes:
                return where, node, prefixes[namespace]
    return None


def _partitioned(files: Sequence[str | Path], checks: Sequence[Check],
                 base: set[Violation], at: date, progress: bool = True) -> FileAudit:
    """Audit files whose cases are scattered over their units (:func:`_scattered`) as the
    reference partitions them (:func:`chaingraph.audit.partition`): read whole, each case's
    graph (and the shared rest) a unit of one store, then the same cut and query.

    Slower than the units (one process, rdflib reads the files): for data written so.
    ``base``: the findings on the ontology and monitor, audited once already.
    """
    from chaingraph.graph import load
    from chaingraph.progress import Progress

    with Progress("whole", total=2, enabled=None if progress else False) as bar:
        return _audit_partition(load(files, base=False), checks, base, at, bar=bar)


def _audit_partition(graph: Graph, checks: Sequence[Check], base: set[Violation], at: date,
                     source: str | None = None, bar: Any = None) -> FileAudit:
    """Audit ``graph`` as the reference partitions it: each case's graph (and the shared rest)
    a unit of one store, then the same cut and query. ``source``: the store it was read from,
    whose values are checked as the reference checks them (:func:`readable.check_graph`).
    ``bar``: a progress bar of two steps, advanced once the graph is read and partitioned.
    """
    import pyoxigraph as ox

    from chaingraph.audit import partition

    with readable.quiet_parsers(), readable.as_written():
        shared, cases = partition(graph)
    store = ox.Store()
    for index, part in enumerate([case.graph for case in cases] + [shared]):
        if source is not None:
            readable.check_graph(part, source)
        unit = ox.NamedNode(f"{_UNIT}:{index}")
        store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), unit) for s, p, o in part)
    if bar is not None:
        bar.advance()
    out = FileAudit(violations=set(base), at=at)
    links: list[tuple[bytes, dict[str, str]]] = []
    _merge(out, _audit_units(store), checks, links)
    _link_persons(out, links)
    if bar is not None:
        bar.advance()
    return out


def _merge(out: FileAudit, result: dict[str, Any], checks: Sequence[Check],
           links: list[tuple[bytes, dict[str, str]]]) -> None:
    """Add one chunk's result (see :func:`_audit_units`) to ``out``, in the parent."""
    unit_case = {unit: case for unit, case, _ in result["cases"]}
    for _, case, started in result["cases"]:
        out.cases.append(case)
        if not started:
            out.not_started.add(case)
    if result["links"]:
        links.append((result["links"], unit_case))  # a chunk's units are its own: named here
    for index, this, value, unit in result["rows"]:
        violation = _violation(checks[index], this, value)
        out.violations.add(violation)
        if unit is not None:  # a person's (None) are filed by its links
            cases = out.violation_cases.setdefault(violation, set())
            if unit in unit_case:
                cases.add(unit_case[unit])
    for this, unit, phase, person in result["details"]:
        focus = _from_nt(this)
        if unit in unit_case:
            out.focus_cases.setdefault(focus, set()).add(unit_case[unit])
        if phase is not None:
            out.focus_phase[focus] = _from_nt(phase)
        if person:
            out.persons.add(focus)


def _link_persons(out: FileAudit, links: list[tuple[bytes, dict[str, str]]]) -> None:
    """Add to ``out.focus_cases`` the cases that name each person with a finding.

    ``links``: one a chunk, the TSV results of ``audit-person-links.rq`` (every IRI a unit
    names, with the unit) compressed with zlib, and the case of each unit of that chunk;
    read only when a finding is on a person.
    """
    from chaingraph.backends import tsv_rows

    wanted = {focus.n3(): focus for focus in out.persons}
    if not wanted:
        return
    for packed, unit_case in links:
        for person, unit in tsv_rows(zlib.decompress(packed)):
            case = unit_case.get(unit[1:-1]) if person in wanted else None  # <unit>
            if case is not None:
                out.focus_cases.setdefault(wanted[person], set()).add(case)


# --- the same audit on a store, an endpoint or a graph in memory ----------------------------
#
# A store or an endpoint is audited as files are: case by case. Each chunk of cases is
# fetched with one CONSTRUCT (the case, what is cg:inCase it, the persons and blank nodes
# they name; each subject marked with its case), spread into a named graph per case of a
# small store, cut to the audit date and checked with the same combined query. Only the
# CONSTRUCT runs on the source, so the findings do not depend on its SPARQL engine. An
# endpoint that fits in memory is first copied whole (Source.copy) and then read as a store.

_UNIT = "urn:chaingraph:unit"  # marks each subject with its case (queries/internal/audit-*)
WHOLE = 1_000_000
"""The most triples a store with nodes a read by ``cg:inCase`` misses is read whole for (about
what files of :data:`chaingraph.backends.LARGE` hold): partitioned as the reference does, in
one process. An endpoint is read whole by :meth:`Source.copy`, up to :data:`COPY`."""
COPY = 5_000_000
"""The most triples of an endpoint the audit copies into memory (one answer, about 1.3 GiB
here, some 20,000 generated cases) and audits as a graph in memory is audited; a larger one
is read chunk by chunk (one query per chunk of cases, after the check of which case each
node belongs to: several times slower)."""


class Source:
    """Where cases are read from: a pyoxigraph store (in memory or at ``location`` on disk),
    or an rdflib graph on any backend (one in memory is copied into Oxigraph)."""

    def __init__(self, data: Any, location: str | Path | None = None) -> None:
        import pyoxigraph

        from chaingraph.backends import backend_of, native_store, unchecked_source

        self.location = str(location) if location is not None else None
        self.store: Any = data if isinstance(data, pyoxigraph.Store) else None
        # a store or endpoint whose values no file check saw (named in a refusal)
        self.unchecked = self.location or (None if self.store is not None
                                           else unchecked_source(data))
        self.graph: Graph | None = None
        self.forkable = False  # an in-memory store, safe to share with forked workers
        if self.store is None:
            self.store = native_store(data)
        if self.store is None:
            if backend_of(data) == "endpoint":
                self.graph = data
            else:
                self.store, self.forkable = to_oxigraph(data), True
                from chaingraph.storewrite import record_members

                record_members(self.store)  # the members cg:inCase does not name, as a load

    def cases(self) -> list[tuple[Node, str]]:
        """Every case node with its ``cg:caseId``."""
        from rdflib.util import from_n3

        from chaingraph.backends import select_rows

        if self.store is not None:
            rows = [(from_n3(iri), from_n3(ident) if ident else None)
                    for iri, ident in select_rows(self.store, internal("audit-case-list").text)]
        else:
            # no store: then there is a graph (an endpoint's), whose SELECT rows are tuples
            found = self.graph.query(internal("audit-case-list").text)  # type: ignore[union-attr]  # graph set
            rows = [(row[0], row[1]) for row in found]  # type: ignore[index]  # SELECT rows
        ids: dict[Node, list[Any]] = {}
        for node, ident in rows:
            if node is not None:  # an IRI's N-Triples text: a URIRef
                ids.setdefault(node, [])  # type: ignore[arg-type]  # see above
                if ident is not None:
                    ids[node].append(ident)  # type: ignore[index]  # see above
        return [(node, audit_case_id(node, found)) for node, found in ids.items()]

    def construct(self, query: str) -> bytes:
        """The triples of one of this module's CONSTRUCT queries, as N-Triples.

        An endpoint's answer is read as the server wrote it (N-Triples or Turtle; a date's
        time zone, which is refused, is kept) and written out as N-Triples.
        """
        import pyoxigraph

        nt = pyoxigraph.RdfFormat.N_TRIPLES
        if self.store is not None:
            return self.store.query(query).serialize(format=nt)
        from chaingraph.backends import load_answer

        answer = pyoxigraph.Store()
        load_answer(self.graph, query, answer)  # type: ignore[arg-type]  # no store: a graph
        return answer.dump(format=nt, from_graph=pyoxigraph.DefaultGraph()) or b""

    def copy(self, progress: bool = True) -> bool:
        """Read an endpoint of at most :data:`COPY` triples into a store in memory, in one
        answer, and record its members as for a graph in memory: it is then audited as one
        (the workers share the copy). Whether it was copied (not an endpoint, or too large).

        An Oxigraph server on disk gives about 120,000 triples a second in one answer; the
        same triples fetched chunk by chunk, after the check of where each node belongs
        (:meth:`misplaced`), took four times as long (10,000 generated cases)."""
        if self.graph is None or self.store is not None:
            return False
        size = self.triples()
        if size > COPY:
            return False
        import pyoxigraph

        from chaingraph.backends import load_answer
        from chaingraph.progress import Progress
        from chaingraph.storewrite import record_members

        store = pyoxigraph.Store()
        with Progress("copy", total=size, unit="triples",
                      enabled=None if progress else False) as bar:
            load_answer(self.graph, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", store,
                        bar.update, size)
        with Progress("members", total=1, enabled=None if progress else False) as bar:
            record_members(store)
            bar.advance()
        self.store, self.forkable = store, True
        return True

    def recorded(self) -> bool:
        """Whether the members a read by ``cg:inCase`` misses are recorded (:mod:`storewrite`):
        a store made by ``chaingraph load`` (:data:`storewrite.RECORDED`) or a copy made here."""
        if self.store is None:  # an endpoint
            return False
        from chaingraph.storewrite import is_recorded

        return self.forkable or is_recorded(self.store)

    def misplaced(self, progress: bool = True) -> tuple[Node, Node | None] | None:
        """The first node a read by ``cg:inCase`` would audit elsewhere than the reference
        (``audit-misplaced.rq``, ``audit-misplaced-shared.rq``), with the case whose IRI it
        lies under (None: a node of no case; the bundled ontology's and monitor's nodes are
        audited apart). Two queries over the whole source, so a bar counts them."""
        from rdflib.util import from_n3

        from chaingraph.backends import select_rows
        from chaingraph.graph import bundled_subjects
        from chaingraph.progress import Progress

        bundled = bundled_subjects()
        with Progress("placement", total=2, enabled=None if progress else False) as bar:
            for name in ("audit-misplaced", "audit-misplaced-shared"):
                text = internal(name).text
                if self.store is not None:
                    rows: Iterable[Sequence[Any]] = (
                        [from_n3(term) if term else None for term in row]
                        for row in select_rows(self.store, text))
                else:
                    rows = self.graph.query(text)  # type: ignore[union-attr, assignment]  # no store: a graph; SELECT rows
                for node, case, *_ in (list(row) + [None] for row in rows):
                    if (node != case if case is not None else str(node) not in bundled):
                        return node, case
                bar.advance()
        return None

    def triples(self) -> int:
        """How many triples the source's default graph holds."""
        from chaingraph.backends import _TRIPLES, _count

        if self.store is not None:
            return _count(self.store)
        return int(next(iter(self.graph.query(_TRIPLES)))[0])  # type: ignore[union-attr, index, arg-type]  # a SELECT row

    def whole(self) -> Graph:
        """The source store's default graph in memory, its literals as written (an endpoint is
        read whole by :meth:`copy`)."""
        import pyoxigraph

        graph = Graph()
        with readable.quiet_parsers(), readable.as_written():
            graph.parse(data=self.store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES,
                                             from_graph=pyoxigraph.DefaultGraph()), format="nt")
        return graph

    def case_triples(self, cases: Sequence[Node]) -> bytes:
        """The triples of these cases, each subject marked with its case (``urn:chaingraph:unit``).
        """
        return self.construct(fill_values(internal("audit-case-triples"), "case", cases))


def _audit_native(cases: Sequence[str] | None) -> dict[str, Any]:
    """Audit one chunk of cases of the source store: the one in memory (``big``), or the one
    at ``location`` (opened read-only once in each worker). ``None`` is the task of the
    persons: every person and professional of the store, once (:func:`scan_source`).

    Reading is what costs: an Oxigraph store on disk gives about 130,000 triples a second
    to any reader (a dump, a pattern, a query alike), so each worker reads its own chunks.
    A chunk whose cases name blank nodes (none in generated or example data) is read again
    with ``audit-case-triples.rq``, which follows them. The persons a chunk's cases name go
    into a graph of their own, as a file's persons are audited apart from its cases, and the
    links (``audit-person-links.rq``) give a finding on a person its cases; when every case
    is audited, the persons are read by their own task instead of again for each chunk
    (professionals hold roles in thousands of cases).
    """
    import pyoxigraph as ox

    work = _current()
    if work.big is None:
        work.big = ox.Store.read_only(work.location)  # type: ignore[arg-type]  # set without big
    big = work.big
    nt = ox.RdfFormat.N_TRIPLES
    small = ox.Store()
    persons_graph = ox.NamedNode(f"{_UNIT}:persons")
    if cases is None:
        small.load(input=big.query(internal("audit-all-persons").text).serialize(format=nt),
                   format=nt, to_graph=persons_graph)
        _check_values(small)
        return _audit_units(small)
    mark = "<urn:chaingraph:the-case>"
    from chaingraph.storewrite import MEMBERS

    recorded = big.contains_named_graph(ox.NamedNode(MEMBERS))  # members cg:inCase misses
    one_case = fill_values(internal("audit-one-case-members" if recorded else "audit-one-case"),
                           "case", [ox.NamedNode(mark[1:-1])])
    for iri in cases:
        case = ox.NamedNode(iri)
        small.load(input=big.query(one_case.replace(mark, str(case))).serialize(format=nt),
                   format=nt, to_graph=ox.NamedNode(f"{_UNIT}:{iri}"))
    if small.query(internal("audit-units-have-blank").text):
        values = [ox.NamedNode(iri) for iri in cases]
        return _audit_fetched(big.query(fill_values(internal("audit-case-triples"), "case", values))
                              .serialize(format=nt))
    if not work.persons_apart:
        named = [row[0] for row in small.query(internal("audit-named-in-units").text)]  # type: ignore[union-attr]  # SELECT
        if named:
            persons = fill_values(internal("audit-persons"), "s", named)
            small.load(input=big.query(persons).serialize(format=nt), format=nt,
                       to_graph=persons_graph)
    _check_values(small)
    return _audit_units(small)


def _check_values(store: Any) -> None:
    """Refuse a chunk of a store or endpoint with a value of another kind than its property
    takes or a ``cg:`` term the ontology does not declare, as a file chunk is refused
    (:func:`_audit_task`): another tool may have written it."""
    source = _current().source
    if source is not None:
        for bad in readable.ill_typed_native(store, readable.bundled_ranges(), union=True):
            raise readable.value_error(bad, [], source=source)
        from chaingraph.graph import declared_names, unknown_term

        term = readable.undeclared_native(store, declared_names(), union=True)
        if term is not None:
            raise unknown_term(source, term, declared_names())


def _audit_fetched(data: bytes) -> dict[str, Any]:
    """Audit one chunk of cases fetched with ``audit-case-triples.rq`` (in a worker): each subject
    goes into the named graph of the case it is marked with (``audit-spread.ru``)."""
    import pyoxigraph

    store = pyoxigraph.Store()
    store.load(input=data, format=pyoxigraph.RdfFormat.N_TRIPLES)
    store.update(internal("audit-spread").text)
    _check_values(store)
    return _audit_units(store)


def scan_source(data: Any, *, shapes: Graph | CompiledShapes | None = None,
                cases: Iterable[str] | None = None, workers: int | None = None,
                chunk: int = 200, progress: bool = True, at: date | None = None,
                location: str | Path | None = None) -> FileAudit:
    """Audit a store, an endpoint or a graph case by case, as :func:`scan_files` audits files.

    Each chunk of cases goes into a small store of its own, a case per named graph, and is
    audited there: the same combined query and the same cut to the audit date as for
    files, so the findings do not depend on the source's SPARQL engine. Workers read the
    chunks themselves from an in-memory store (shared by fork) or from the store at
    ``location`` (each opens it read-only). An endpoint of at most :data:`COPY` triples is
    copied into memory first (:meth:`Source.copy`) and audited as such a store; a larger one
    is read by the parent, a chunk at a time (one query), while the workers audit the chunks
    already fetched. The ontology and
    monitor are audited once from the bundled files, as for files. The persons of a store
    are audited once, by a task of their own, when every case is; otherwise those the cases
    name are read with each chunk, and those that nothing names go with the shared data.

    Args:
        data: a pyoxigraph Store, or an rdflib Graph (in memory, on Oxigraph, or an endpoint).
        cases: only these case ids (default every case).
        at: the audit date (default today).
        location: the directory of ``data`` when it is a store on disk (``chaingraph load``):
            the workers then read it in parallel. Without it, a store not made here is read
            by one process.

    Raises:
        UnknownCase: a case of ``cases`` is not in the source (lists those that are).
    """
    import multiprocessing
    import os

    import pyoxigraph

    from chaingraph.backends import load_files
    from chaingraph.errors import UnknownCase
    from chaingraph.graph import monitor_files, ontology_files
    from chaingraph.progress import Progress

    compiled = compile_case_by_case(load_shapes() if shapes is None else shapes)
    source = Source(data, location)
    source.copy(progress)  # an endpoint that fits in memory: audited as a graph in memory
    base_store = pyoxigraph.Store()
    load_files(base_store, ontology_files() + monitor_files(), progress=False)
    # Every case of a store: every person is audited by a task of its own (_audit_native),
    # those that nothing names too. Otherwise these go with the shared data (4 s to find at
    # 100,000 cases).
    apart = cases is None and source.store is not None
    lone = b"" if apart else source.construct(internal("audit-lone-persons").text)
    if lone:
        base_store.load(input=lone, format=pyoxigraph.RdfFormat.N_TRIPLES)
    checks = instantiate(compiled, runner_for(base_store))
    out = FileAudit(at=at or date.today())
    out.violations |= validate(base_store, compiled)
    listed = source.cases()
    readable.unique_case_ids(listed, source.unchecked or "<data>")  # never two cases merged
    if cases is not None:
        known = {ident for _, ident in listed}
        for ident in cases:
            if ident not in known:
                raise UnknownCase(ident, sorted(known))
        wanted = set(cases)
        listed = [row for row in listed if row[1] in wanted]
    nodes = sorted({str(node) for node, _ in listed})
    chunks = [nodes[i:i + chunk] for i in range(0, len(nodes), chunk)]
    work = _Work(combine(checks, per_graph=True), True, out.at,
                 big=source.store if source.location is None else None, location=source.location,
                 source=source.unchecked, persons_apart=apart)
    _start(work)
    if not source.recorded():  # an endpoint, or a store another tool made
        misplaced = source.misplaced(progress)
        if misplaced is not None:  # read whole and partitioned, as the reference does
            try:
                size = source.triples()
                # an endpoint here is one too large to copy (Source.copy), the way it is read whole
                if source.store is None or size > WHOLE:
                    node, case = misplaced
                    raise SourceError(source.unchecked or "<data>", problem="misplaced_node",
                                      node=str(node), case=str(case or "-"), triples=size,
                                      limit=WHOLE if source.store is not None else COPY)
                with Progress("whole", total=2, enabled=None if progress else False) as bar:
                    return _audit_partition(source.whole(), checks, out.violations, out.at,
                                            source.unchecked, bar)
            finally:
                _start(None)
    workers = workers or os.cpu_count() or 1
    if source.store is not None and not (source.forkable or source.location):
        workers = 1  # a store on disk whose directory is unknown: not shared across a fork
    task: Callable[[Any], dict[str, Any]] = _audit_native
    tasks: Iterable[Any] = chunks
    sizes = [len(part) for part in chunks]
    if source.store is None:  # an endpoint: fetched here, audited by the workers
        task = _audit_fetched
        tasks = (source.case_triples([URIRef(c) for c in part]) for part in chunks)
    elif work.persons_apart:  # every case: the persons once, in a task of their own
        tasks, sizes = [None, *chunks], [0, *sizes]
    links: list[tuple[bytes, dict[str, str]]] = []
    try:
        with Progress("audit", total=len(nodes), unit="cases",
                      enabled=None if progress else False) as bar, contextlib.ExitStack() as stack:
            results: Iterable[dict[str, Any]] = map(task, tasks)
            if workers > 1 and len(chunks) > 1:
                context = multiprocessing.get_context(_start_method(work))
                pool = stack.enter_context(_Pool(context, min(workers, len(chunks)), work))
                results = pool.imap(task, tasks)
            for size, result in zip(sizes, results, strict=False):
                _merge(out, result, checks, links)
                bar.advance(size)
    finally:
        _start(None)  # drop the source store
    # A case with no triples of its own beyond its id (none in a well-formed source) still counts.
    seen = set(out.cases)
    out.cases.extend(ident for _, ident in listed if ident not in seen)
    _link_persons(out, links)
    return out


def _start_method(work: _Work) -> str | None:
    """How the workers of a store's or endpoint's audit start (None: the platform's default).

    An in-memory source store cannot be pickled: the workers inherit it by fork. Otherwise
    they are spawned when this process runs other threads (the web app makes the new day's
    audit in a thread beside the server's): a forked worker would inherit the locks those
    threads hold at that moment, the store's own among them, and could wait on one forever.
    """
    import threading

    if work.big is not None:
        return "fork"
    return "spawn" if threading.active_count() > 1 else None


def scan_violations(files: Sequence[str | Path], *, shapes: Graph | CompiledShapes | None = None,
                    base: bool = True, workers: int | None = None, chunk: int = 200,
                    progress: bool = True) -> set[Violation]:
    """The violations of :func:`scan_files` alone.

    For an audit report from files, see :func:`chaingraph.audit.audit_files`.
    """
    return scan_files(files, shapes=shapes, base=base, workers=workers, chunk=chunk,
                      progress=progress, person_cases=False).violations


def case_subgraph(store: Any, case: Node) -> Any:
    """Copy the triples of one case (its node and every node ``cg:inCase`` it) into a new store.

    Only the default graph's: a named graph (a store's index) is not data to audit.
    """
    import pyoxigraph

    small = pyoxigraph.Store()
    quads = []
    default = pyoxigraph.DefaultGraph()
    for node in case_nodes(store, case):
        quads += store.quads_for_pattern(to_ox(node), None, None, default)
    small.extend(quads)
    return small


def audit_case(store: Any, case: Node, checks: Sequence[Check],
               query: str | None = None) -> set[Violation]:
    """Re-audit one case of a large store: its triples into a small store, one combined query.

    ``checks`` come from :func:`instantiate` (closures filled in once); ``query`` is
    ``combine(checks)``, passed in to skip rebuilding it on every call.
    """
    small = case_subgraph(store, case)
    found: set[Violation] = set()
    for solution in small.query(query or combine(checks)):
        check, this, value = solution[0], solution[1], solution[2]
        if this is not None:
            found.add(_violation(checks[int(check.value)], str(this),
                                 None if value is None else str(value)))
    return found
