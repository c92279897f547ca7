"""The chaingraph audit at scale: the compiled shapes (:mod:`chaingraph.shacl2sparql`) run
case by case on small Oxigraph stores, on every core.

The compiler itself is :mod:`chaingraph.shacl2sparql`; its public names are re-exported here
for the callers that know them from this module.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.term import Node

from chaingraph.shapes import load_shapes
from chaingraph.shacl2sparql import (  # noqa: F401  (re-exported)
    Check, CompiledShapes, Runner, UnsupportedShape, Violation, combine, compile_path, compile_shapes,
    instantiate, key, reference, runner_for, to_oxigraph, validate, _ox_runner,
)


def case_nodes(data: Any, case: Node) -> list[Node]:
    """The case node and every node ``cg:inCase`` it: the focus nodes to re-audit a case."""
    run = runner_for(data)
    query = ("SELECT DISTINCT ?x WHERE { { VALUES ?x { " + case.n3() + " } } UNION "
             "{ ?x <https://w3id.org/chaingraph/ontology#inCase> " + case.n3() + " } }")
    return [row[0] for row in run(query) if row[0] is not None]



# --- the audit date -------------------------------------------------------------------------

_XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
_AUDIT_GRAPH = "urn:chaingraph:audit"
_AUDIT_DATE = "urn:chaingraph:audit-date"


@functools.cache
def _as_of_update() -> str:
    from chaingraph import resources

    return (resources.QUERIES_DIR / "internal" / "as-of.ru").read_text(encoding="utf-8")


def as_of(store: Any, at: date) -> None:
    """Cut every case of ``store`` (each in a named graph of its own) to what stood on ``at``.

    One definition for every engine: ``queries/internal/as-of.ru``. What started or
    happened after ``at`` goes, end dates after ``at`` become ``at``, and a running case
    or assignment (no ``cg:endDate``) ends on ``at``, or with its case if that ended
    first. The date goes into the store as a value (a quad in a graph of its own, removed
    afterwards), never into the update's text.

    Example:
        >>> import pyoxigraph as ox
        >>> store = ox.Store()
        >>> cg = "https://w3id.org/chaingraph/ontology#"
        >>> unit, case = ox.NamedNode("urn:x:unit"), ox.NamedNode("urn:x:case")
        >>> store.add(ox.Quad(case, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        ...                   ox.NamedNode(f"{cg}Case"), unit))
        >>> as_of(store, date(2021, 6, 20))
        >>> [q.object.value for q in store.quads_for_pattern(case, ox.NamedNode(f"{cg}endDate"), None)]
        ['2021-06-20']
    """
    import pyoxigraph as ox

    graph = ox.NamedNode(_AUDIT_GRAPH)
    store.add(ox.Quad(ox.BlankNode(), ox.NamedNode(_AUDIT_DATE),
                      ox.Literal(at.isoformat(), datatype=ox.NamedNode(_XSD_DATE)), graph))
    try:
        store.update(_as_of_update())
    finally:
        store.remove_graph(graph)


# --- cases independently and in parallel --------------------------------------------------
#
# Oxigraph evaluates a rule's patterns bottom-up, so on one large store a rule that
# looks for "no other ownership of this phase" grows with the square of the number of
# cases. Cases are independent under the project's shapes (every rule
# looks at one case's nodes), so the data is audited in chunks of cases, each case in
# its own named graph of a small store, on every core: linear in the number of cases,
# small in memory.
# The tests check that the chunked audit equals the whole-store audit and pySHACL.

_CASE_PREFIX = re.compile(rb"^@prefix\s+:\s*<https://w3id\.org/chaingraph/case/[^>]*>\s*\.\s*$", re.M)
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
    cases, others = [], []
    for begin, end in zip(starts, starts[1:] + [len(data)]):
        block = data[begin:end]
        (cases if _CASE_PREFIX.match(block) else others).append(block)
    return header, cases, others


_WORK: dict[str, Any] = {}

# What the findings need to know of a focus node beside the violation: the unit (case)
# it is in, its phase and whether it is a person (whose value is never repeated). A query
# of its own on the nodes found: Oxigraph (0.5.13) leaves the GRAPH variable unbound on
# the rows of a FILTER (!BOUND(...)) check inside GRAPH ?_unit. The VALUES go inside the
# GRAPH block: outside it, Oxigraph reads every quad of the store first (60 ms a chunk
# of 200 cases, a fifth of the audit, against 1 ms).
_DETAILS = """SELECT DISTINCT ?this ?_unit ?_phase ?_person WHERE {{
  GRAPH ?_unit {{
    VALUES ?this {{ {nodes} }}
    ?this ?_p ?_o
    OPTIONAL {{ ?this <https://w3id.org/chaingraph/ontology#phase> ?_phase }}
    OPTIONAL {{ ?this a ?_person . VALUES ?_person {{ <https://w3id.org/chaingraph/ontology#Person>
                                                    <https://w3id.org/chaingraph/ontology#Professional> }} }}
  }}
}}"""

_UNIT_CASES = """SELECT DISTINCT ?_unit ?id ?start WHERE { GRAPH ?_unit {
  ?case a ?_class ; <https://w3id.org/chaingraph/ontology#caseId> ?id .
  VALUES ?_class { <https://w3id.org/chaingraph/ontology#Case> <https://w3id.org/chaingraph/ontology#HighRiskCase> }
  OPTIONAL { ?case <https://w3id.org/chaingraph/ontology#startDate> ?start } } }"""

_PERSON_LINKS = """PREFIX cg: <https://w3id.org/chaingraph/ontology#>
SELECT DISTINCT ?person ?id WHERE { GRAPH ?_unit { ?case cg:caseId ?id .
  { ?case cg:victim|cg:suspect ?person } UNION { ?a cg:holder ?person ; cg:inCase ?case } } }"""


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

    def __init__(self, path: str, start: int, header_lines: int, line: int | None, message: str) -> None:
        super().__init__(path, start, header_lines, line, message)
        self.path, self.start, self.header_lines = path, start, header_lines
        self.line, self.message = line, message


@dataclass
class FileAudit:
    """What :func:`scan_files` found: the violations, and where each one belongs.

    Attributes:
        violations: as :func:`validate` returns them.
        cases: the case id of every case in the files, in file order.
        focus_cases: the case ids of each focus node (the case it was found in or, for a
            person, the cases that name the person).
        focus_phase: the ``cg:phase`` of a focus node, where it has one.
        persons: the focus nodes that are persons or professionals.
        not_started: the cases that had not started on the audit date (left out).
        at: the audit date.
    """

    violations: set[Violation] = field(default_factory=set)
    cases: list[str] = field(default_factory=list)
    focus_cases: dict[Node, set[str]] = field(default_factory=dict)
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
    import mmap

    from pyoxigraph import RdfFormat

    from chaingraph.backends import ox_format
    from chaingraph.errors import MissingPath

    tasks: list[list[_Piece]] = []
    current: list[_Piece] = []
    for raw in files:
        path = Path(raw)
        if not path.is_file():
            raise MissingPath(path)
        size = path.stat().st_size
        turtle = ox_format(path) in (RdfFormat.TURTLE, RdfFormat.N_TRIPLES, RdfFormat.N3)
        starts: list[int] = []
        if turtle and size:
            with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                if mm[:len(_BLOCK_START) - 1] == _BLOCK_START[1:]:
                    starts.append(0)
                at = mm.find(_BLOCK_START)
                while at >= 0:
                    starts.append(at + 1)
                    at = mm.find(_BLOCK_START, at + 1)
        if len(starts) < 2:
            # one block: small files share a task, up to ``chunk`` of them
            current.append(_Piece(str(path), 0, size, 0, turtle))
            if len(current) >= chunk:
                tasks.append(current)
                current = []
            continue
        # ``chunk`` blocks a piece, each piece a task of its own (with the small files before it)
        bounds = [0] + starts[chunk::chunk] + [size]
        for i, (begin, stop) in enumerate(zip(bounds, bounds[1:])):
            tasks.append(current + [_Piece(str(path), begin, stop, 0 if i == 0 else starts[0], turtle)])
            current = []
    if current:
        tasks.append(current)
    return tasks


def _audit_chunk(task: list[_Piece]) -> dict[str, Any]:
    """Audit one task; a parse error comes back as ``{"error": _UnitError}``.

    Errors are returned, not raised: leaving the pool while it still has tasks (an
    exception out of ``imap``) can hang ``Pool.terminate``. Once one task has failed,
    ``_WORK["stop"]`` is set and the remaining tasks return at once.
    """
    if _WORK["stop"].is_set():
        return {"skipped": True}
    try:
        return _audit_task(task)
    except _UnitError as error:
        return {"error": error}


def _audit_task(task: list[_Piece]) -> dict[str, Any]:
    """Audit one task: its cases each in a named graph of one small store, then one query."""
    import pyoxigraph

    from chaingraph.backends import ox_format

    store = pyoxigraph.Store()
    index = 0
    for piece in task:
        with open(piece.path, "rb") as handle:
            header = handle.read(piece.header) if piece.header else b""
            handle.seek(piece.start)
            data = handle.read(piece.end - piece.start)
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
    return _audit_units(store)


def _audit_units(store: Any) -> dict[str, Any]:
    """Audit the units (named graphs, a case each) of a chunk store as of ``_WORK["at"]``.

    The store is cut to the audit date first (:func:`as_of`); then one combined query finds
    the violations, and small queries what the findings need of the nodes found, which
    cases the chunk holds and whether each had started on the audit date.
    """
    import pyoxigraph

    at = _WORK["at"]
    as_of(store, at)
    rows = []
    found = set()
    for s in store.query(_WORK["query"]):
        if s["this"] is not None:
            rows.append((int(s["_check"].value), str(s["this"]),
                         None if s["value"] is None else str(s["value"])))
            found.add(s["this"])
    nodes = " ".join(str(n) for n in found if isinstance(n, pyoxigraph.NamedNode))
    details = [(str(s["this"]), s["_unit"].value, None if s["_phase"] is None else str(s["_phase"]),
                s["_person"] is not None)
               for s in store.query(_DETAILS.format(nodes=nodes))] if nodes else []
    unit_cases = sorted(((s["_unit"].value, s["id"].value, _started(s["start"], at))
                         for s in store.query(_UNIT_CASES)), key=_unit_order)  # in file order
    # Persons are written once, outside the cases: the cases that name them tell where a
    # finding on a person belongs. Few findings are on persons, so the links go back as the
    # store's own TSV text, read only for those (thousands of rows a chunk otherwise).
    links = store.query(_PERSON_LINKS).serialize(
        format=pyoxigraph.QueryResultsFormat.TSV) if _WORK["links"] else b""
    return {"rows": rows, "details": details, "cases": unit_cases, "links": links}


def _started(start: Any, at: date) -> bool:
    """Whether a case with this ``cg:startDate`` (a pyoxigraph term or None) had started on ``at``.

    A start that is not an ``xsd:date`` counts as started, as in the as-of update: the
    audit then reports the bad date instead of leaving the case out.
    """
    if start is None or getattr(start, "datatype", None) is None or start.datatype.value != _XSD_DATE:
        return True
    try:
        return date.fromisoformat(start.value) <= at
    except ValueError:
        return True


def _unit_order(row: tuple[str, ...]) -> tuple[int, str]:
    """File order for the units of a file chunk (``urn:chaingraph:unit:7``); name order otherwise."""
    tail = row[0].rsplit(":", 1)[-1]
    return (int(tail), "") if tail.isdigit() else (0, row[0])


def _from_nt(text: str) -> Node:
    """An N-Triples term as an rdflib node (an IRI directly: most focus nodes are IRIs, and
    rdflib's parser costs ten times as much on a region's tens of thousands)."""
    if text.startswith("<") and text.endswith(">") and "\\" not in text:
        return URIRef(text[1:-1])
    from rdflib.util import from_n3

    return from_n3(text)  # type: ignore[return-value]


def _violation(check: Check, this: str, value: str | None) -> Violation:
    """A row of a combined query (focus and value as N-Triples text) as a Violation."""
    return Violation(_from_nt(this), check.shape, check.component, check.severity, check.path,
                     _from_nt(value) if check.has_value and value is not None else None,
                     check.message)


def _raise_source_error(error: _UnitError) -> None:
    """Turn a worker's parse error into the file's own line (counted only now, on error)."""
    from chaingraph.backends import parse_error

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

    compiled = shapes if isinstance(shapes, CompiledShapes) else compile_shapes(
        load_shapes() if shapes is None else shapes)
    base_store = pyoxigraph.Store()
    load_files(base_store, ontology_files() + monitor_files(), progress=False)
    checks = instantiate(compiled, _ox_runner(base_store))
    out = FileAudit(at=at or date.today())
    if base:
        out.violations |= validate(base_store, compiled)
    tasks = _pieces(files, chunk)
    context = multiprocessing.get_context("fork")
    _WORK["query"] = combine(checks, per_graph=True)
    _WORK["links"] = person_cases
    _WORK["at"] = out.at
    _WORK["stop"] = context.Event()
    workers = workers or os.cpu_count() or 1
    links: list[bytes] = []
    failed: _UnitError | None = None
    with Progress("audit", total=len(tasks), unit="chunks",
                  enabled=None if progress else False) as bar, contextlib.ExitStack() as stack:
        results: Iterable[dict[str, Any]] = map(_audit_chunk, tasks)
        if workers > 1 and len(tasks) > 1:
            pool = stack.enter_context(context.Pool(min(workers, len(tasks))))
            results = pool.imap(_audit_chunk, tasks)
        for result in results:  # merged as they come, in file order
            bar.advance()
            if "error" in result:
                _WORK["stop"].set()
                failed = failed or result["error"]
            if failed is None:
                _merge(out, result, checks, links)
    if failed is not None:
        _raise_source_error(failed)
    _link_persons(out, links)
    return out


def _merge(out: FileAudit, result: dict[str, Any], checks: Sequence[Check],
           links: list[bytes]) -> None:
    """Add one chunk's result (see :func:`_audit_units`) to ``out``, in the parent."""
    unit_case = {unit: case for unit, case, _ in result["cases"]}
    for _, case, started in result["cases"]:
        out.cases.append(case)
        if not started:
            out.not_started.add(case)
    links.append(result["links"])
    out.violations.update(_violation(checks[index], this, value)
                          for index, this, value in result["rows"])
    for this, unit, phase, person in result["details"]:
        focus = _from_nt(this)
        if unit in unit_case:
            out.focus_cases.setdefault(focus, set()).add(unit_case[unit])
        if phase is not None:
            out.focus_phase[focus] = _from_nt(phase)
        if person:
            out.persons.add(focus)


def _link_persons(out: FileAudit, links: list[bytes]) -> None:
    """Add to ``out.focus_cases`` the cases that name each person with a finding.

    ``links``: the TSV results of :data:`_PERSON_LINKS`, one a chunk (person, case id).
    """
    from chaingraph.backends import tsv_rows

    wanted = {focus.n3(): focus for focus in out.persons}
    if not wanted:
        return
    for text in links:
        for person, case in tsv_rows(text):
            if person in wanted:
                out.focus_cases.setdefault(wanted[person], set()).add(str(_from_nt(case)))


# --- the same audit on a store, an endpoint or a graph in memory ----------------------------
#
# A store or an endpoint is audited as files are: case by case. Each chunk of cases is
# fetched with one CONSTRUCT (the case, what is cg:inCase it, the persons and blank nodes
# they name; each subject marked with its case), spread into a named graph per case of a
# small store, cut to the audit date and checked with the same combined query. Only the
# CONSTRUCT runs on the source, so the findings do not depend on its SPARQL engine.

_CG = "https://w3id.org/chaingraph/ontology#"
_UNIT = "urn:chaingraph:unit"

_CASE_LIST = f"""SELECT DISTINCT ?case ?id WHERE {{
  ?case a ?class ; <{_CG}caseId> ?id . VALUES ?class {{ <{_CG}Case> <{_CG}HighRiskCase> }} }}"""

# Each branch carries the VALUES itself: Oxigraph evaluates the branches of a UNION on their
# own, and a branch without them would read every case of the store. The person classes are a
# FILTER, not a VALUES block: Oxigraph joins a VALUES at the end of a group with every person
# of the store first (3.5 s for 20 cases among 10,000, against 30 ms).
_CASE_TRIPLES = f"""PREFIX cg: <{_CG}>
CONSTRUCT {{ ?s ?p ?o . ?s <{_UNIT}> ?case }} WHERE {{
  {{ VALUES ?case {{ {{cases}} }} ?case ?p ?o . BIND (?case AS ?s) }}
  UNION {{ VALUES ?case {{ {{cases}} }} ?s cg:inCase ?case . ?s ?p ?o }}
  UNION {{ VALUES ?case {{ {{cases}} }} ?case ?q ?s . ?s a ?class .
           FILTER (?class IN (cg:Person, cg:Professional)) ?s ?p ?o }}
  UNION {{ VALUES ?case {{ {{cases}} }} ?x cg:inCase ?case ; ?q ?s . ?s a ?class .
           FILTER (?class IN (cg:Person, cg:Professional)) ?s ?p ?o }}
  UNION {{ VALUES ?case {{ {{cases}} }} ?case ?q ?s . FILTER (isBlank(?s)) ?s ?p ?o }}
  UNION {{ VALUES ?case {{ {{cases}} }} ?x cg:inCase ?case ; ?q ?s . FILTER (isBlank(?s)) ?s ?p ?o }}
}}"""

_SPREAD = f"""INSERT {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{
  ?s <{_UNIT}> ?case . ?s ?p ?o . FILTER (!sameTerm(?p, <{_UNIT}>))
  BIND (IRI(CONCAT("{_UNIT}:", STR(?case))) AS ?g) }} ;
CLEAR DEFAULT"""

# Persons that nothing names belong to the shared data, audited once. (A NOT EXISTS of one
# pattern: with two, "named by a node of a case", Oxigraph took minutes on 10,000 cases.)
_LONE_PERSONS = f"""PREFIX cg: <{_CG}>
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  ?s a ?class . FILTER (?class IN (cg:Person, cg:Professional))
  FILTER NOT EXISTS {{ ?x ?q ?s }}
  ?s ?p ?o }}"""


class Source:
    """Where cases are read from: a pyoxigraph store (in memory or at ``location`` on disk),
    or an rdflib graph on any backend (one in memory is copied into Oxigraph)."""

    def __init__(self, data: Any, location: str | Path | None = None) -> None:
        import pyoxigraph

        from chaingraph.backends import backend_of, native_store

        self.location = str(location) if location is not None else None
        self.store: Any = data if isinstance(data, pyoxigraph.Store) else None
        self.graph: Graph | None = None
        self.forkable = False  # an in-memory store, safe to share with forked workers
        if self.store is None:
            self.store = native_store(data)
        if self.store is None:
            if backend_of(data) == "endpoint":
                self.graph = data
            else:
                self.store, self.forkable = to_oxigraph(data), True

    def cases(self) -> list[tuple[Node, str]]:
        """Every case node with its ``cg:caseId``."""
        from rdflib.util import from_n3

        from chaingraph.backends import select_rows

        if self.store is not None:
            rows = [(from_n3(iri), str(from_n3(ident)))
                    for iri, ident in select_rows(self.store, _CASE_LIST)]
        else:
            rows = [(row[0], str(row[1])) for row in self.graph.query(_CASE_LIST)]  # type: ignore[union-attr, index]
        return [(node, ident) for node, ident in rows if node is not None]

    def construct(self, query: str) -> bytes:
        """The triples of one of this module's CONSTRUCT queries, as N-Triples.

        An endpoint is asked the same pattern as a SELECT (rdflib's endpoint client reads
        results, not graphs) and the rows are written back as the template's triples
        (``?s ?p ?o``, and the unit mark where ``?case`` is bound).
        """
        import pyoxigraph

        if self.store is not None:
            return self.store.query(query).serialize(format=pyoxigraph.RdfFormat.N_TRIPLES)
        select = re.sub(r"(?s)CONSTRUCT \{.*?\} WHERE", "SELECT DISTINCT * WHERE", query, count=1)
        lines = []
        for row in self.graph.query(select):  # type: ignore[union-attr]
            s, p, o = row.s, row.p, row.o  # type: ignore[union-attr]
            lines.append(f"{s.n3()} {p.n3()} {o.n3()} .")
            case = getattr(row, "case", None)
            if case is not None:
                lines.append(f"{s.n3()} <{_UNIT}> {case.n3()} .")
        return "\n".join(dict.fromkeys(lines)).encode("utf-8")

    def case_triples(self, cases: Sequence[Node]) -> bytes:
        """The triples of these cases, each subject marked with its case (``urn:chaingraph:unit``)."""
        return self.construct(_CASE_TRIPLES.replace("{cases}", " ".join(c.n3() for c in cases)))


# On a pyoxigraph store a chunk is read in two steps: the cases and their nodes (one read of
# each triple), then the persons those name, looked up by IRI. The CONSTRUCT of every branch
# at once (_CASE_TRIPLES, for endpoints) reads each case three times over: 1.2 s for 200
# cases of a store on disk, against 0.6 s in two steps.
_CASE_NODES = f"""PREFIX cg: <{_CG}>
CONSTRUCT {{ ?s ?p ?o . ?s <{_UNIT}> ?case }} WHERE {{
  {{ VALUES ?case {{ {{cases}} }} ?case ?p ?o . BIND (?case AS ?s) }}
  UNION {{ VALUES ?case {{ {{cases}} }} ?s cg:inCase ?case . ?s ?p ?o }}
}}"""
_NAMED = "SELECT DISTINCT ?o WHERE { ?s ?p ?o FILTER (isIRI(?o)) }"
_PERSONS = f"""PREFIX cg: <{_CG}>
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  VALUES ?s {{ {{nodes}} }} ?s a ?class . FILTER (?class IN (cg:Person, cg:Professional)) ?s ?p ?o }}"""
# The persons (in the default graph) into the graph of every case that names them.
_SHARE_PERSONS = """INSERT { GRAPH ?g { ?person ?p ?o } } WHERE {
  ?person ?p ?o . GRAPH ?g { ?x ?q ?person } } ;
CLEAR DEFAULT"""
_HAS_BLANK = "ASK { ?s ?p ?o FILTER (isBlank(?o)) }"


def _audit_native(cases: Sequence[str]) -> dict[str, Any]:
    """Audit one chunk of cases of ``_WORK["big"]``, or of the store at ``_WORK["location"]``
    (opened read-only once in each worker).

    Reading is what costs: an Oxigraph store on disk gives about 130,000 triples a second
    to any reader (a dump, a pattern, a query alike), so each worker reads its own chunks.
    A chunk whose cases name blank nodes (none in generated or example data) is read again
    with :data:`_CASE_TRIPLES`, which follows them.
    """
    import pyoxigraph as ox

    big = _WORK.get("big")
    if big is None:
        big = _WORK["big"] = ox.Store.read_only(_WORK["location"])
    values = " ".join(f"<{iri}>" for iri in cases)
    nt = ox.RdfFormat.N_TRIPLES
    small = ox.Store()
    small.load(input=big.query(_CASE_NODES.replace("{cases}", values)).serialize(format=nt),
               format=nt)
    if small.query(_HAS_BLANK):
        return _audit_fetched(big.query(_CASE_TRIPLES.replace("{cases}", values)).serialize(format=nt))
    named = " ".join(str(row[0]) for row in small.query(_NAMED))
    small.update(_SPREAD)
    if named:
        small.load(input=big.query(_PERSONS.replace("{nodes}", named)).serialize(format=nt),
                   format=nt)
        small.update(_SHARE_PERSONS)
    return _audit_units(small)


def _audit_fetched(data: bytes) -> dict[str, Any]:
    """Audit one chunk of cases fetched with :data:`_CASE_TRIPLES` (in a worker): each subject
    goes into the named graph of the case it is marked with (:data:`_SPREAD`)."""
    import pyoxigraph

    store = pyoxigraph.Store()
    store.load(input=data, format=pyoxigraph.RdfFormat.N_TRIPLES)
    store.update(_SPREAD)
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
    ``location`` (each opens it read-only); an endpoint is read by the parent, a chunk at a
    time (one query), while the workers audit the chunks already fetched. The ontology and
    monitor are audited once from the bundled files, as for files, with the persons that
    nothing in the source names.

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

    compiled = shapes if isinstance(shapes, CompiledShapes) else compile_shapes(
        load_shapes() if shapes is None else shapes)
    source = Source(data, location)
    base_store = pyoxigraph.Store()
    load_files(base_store, ontology_files() + monitor_files(), progress=False)
    lone = source.construct(_LONE_PERSONS)
    if lone:
        base_store.load(input=lone, format=pyoxigraph.RdfFormat.N_TRIPLES)
    checks = instantiate(compiled, _ox_runner(base_store))
    out = FileAudit(at=at or date.today())
    out.violations |= validate(base_store, compiled)
    listed = source.cases()
    if cases is not None:
        known = {ident for _, ident in listed}
        for ident in cases:
            if ident not in known:
                raise UnknownCase(ident, sorted(known))
        wanted = set(cases)
        listed = [row for row in listed if row[1] in wanted]
    nodes = sorted({str(node) for node, _ in listed})
    chunks = [nodes[i:i + chunk] for i in range(0, len(nodes), chunk)]
    _WORK.update(query=combine(checks, per_graph=True), links=True, at=out.at,
                 big=source.store if source.location is None else None, location=source.location)
    workers = workers or os.cpu_count() or 1
    if source.store is not None and not (source.forkable or source.location):
        workers = 1  # a store on disk whose directory is unknown: not shared across a fork
    work: Callable[[Any], dict[str, Any]] = _audit_native
    tasks: Iterable[Any] = chunks
    if source.store is None:  # an endpoint: fetched here, audited by the workers
        work = _audit_fetched
        tasks = (source.case_triples([URIRef(c) for c in part]) for part in chunks)
    links: list[bytes] = []
    try:
        with Progress("audit", total=len(nodes), unit="cases",
                      enabled=None if progress else False) as bar, contextlib.ExitStack() as stack:
            results: Iterable[dict[str, Any]] = map(work, tasks)
            if workers > 1 and len(chunks) > 1:
                context = multiprocessing.get_context("fork")
                pool = stack.enter_context(context.Pool(min(workers, len(chunks))))
                results = pool.imap(work, tasks)
            for part, result in zip(chunks, results):
                _merge(out, result, checks, links)
                bar.advance(len(part))
    finally:
        _WORK.pop("big", None)
    # A case with no triples of its own beyond its id (none in a well-formed source) still counts.
    seen = set(out.cases)
    out.cases.extend(ident for _, ident in listed if ident not in seen)
    _link_persons(out, links)
    return out


def audit_files(files: Sequence[str | Path], *, shapes: Graph | CompiledShapes | None = None,
                base: bool = True, workers: int | None = None, chunk: int = 200,
                progress: bool = True) -> set[Violation]:
    """The violations of :func:`scan_files` alone."""
    return scan_files(files, shapes=shapes, base=base, workers=workers, chunk=chunk,
                      progress=progress, person_cases=False).violations


def case_subgraph(store: Any, case: Node) -> Any:
    """Copy the triples of one case (its node and every node ``cg:inCase`` it) into a new store.

    Only the default graph's: a named graph (a store's index) is not data to audit.
    """
    import pyoxigraph
    from oxrdflib._converter import to_ox

    small = pyoxigraph.Store()
    quads = []
    default = pyoxigraph.DefaultGraph()
    for node in case_nodes(store, case):
        quads += store.quads_for_pattern(to_ox(node), None, None, default)
    small.extend(quads)
    return small


def audit_case(store: Any, case: Node, checks: Sequence[Check], query: str | None = None) -> set[Violation]:
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
