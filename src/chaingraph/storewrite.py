"""Writing cases into a persistent Oxigraph store: a named graph per case, replaced whole.

How a store made by ``chaingraph load`` (or written by ``chaingraph case``) is laid out:

- **The default graph is the data every query reads**, exactly as before stores had case
  graphs: the ontology, the monitor, the persons (``prs:``, which several cases can name)
  and every case's triples. Queries, audits, ``who``, exports and the membership index
  read it and nothing else, so they answer as they did.
- **Each case also lives in a named graph of its own**, named by the case's IRI: the case
  node, every node ``cg:inCase`` it or under its IRI, and the blank nodes reached from
  them. That graph is the unit of replacement: writing a case that is already in the
  store (same IRI, or the same ``cg:caseId`` under another IRI) first removes, in the same
  transaction, every triple of the case's graph from the default graph and empties the
  graph, then adds the new version to both. Every other case stays as it was; a case
  never ends up with two start dates. Something named by two cases (a node ``cg:inCase``
  both, a person) stays in the default graph only and is never removed by replacing one of
  them.
- **The members of a case that its** ``cg:inCase`` **nodes do not name** (a node under the
  case's IRI without ``cg:inCase``, a blank node) are recorded in the graph :data:`MEMBERS`,
  which the audit reads with the ``cg:inCase`` nodes (as :func:`chaingraph.audit.partition`
  files them); replacing a case removes its records. The nodes of no case that are not
  persons are recorded there too, as :data:`SHARED`'s: the audit reads them with the persons.
- **History** (:mod:`chaingraph.history`) lives in named graphs too, outside the default
  graph: nothing of it is ever seen by a query.

The price of keeping the default graph as the union is that a case's triples are stored
twice (at 10,000 cases about 3x the disk and 2.5x the load time of a store without case
graphs); in exchange no reader had to change, and neither a replaced version nor the
index can show up in a query. The alternative, cases in named graphs only and every
reader asking Oxigraph for the union (``use_default_graph_as_union``), would store less
but needs every reader changed (the audit reads the default graph in many places) and
puts the index and the history into the union: Oxigraph cannot leave graphs out of it.

Writers take a lock (``fcntl.flock`` on ``.NAME.lock`` beside the store, removed when
the writer is done): a second writer waits (and says so) up to :data:`LOCK_WAIT`
seconds, then gives up with one sentence. Under the lock, what an interrupted run left
behind (``.NAME.loading-PID``, ``.NAME.old-PID``) is removed once its process is gone; a
store moved aside by a run
killed between its two renames is put back. Ctrl-C and SIGTERM stop a write at the next
check (within a second or two), leave the store as it was and raise :class:`Interrupted`.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import itertools
import os
import re
import shutil
import signal
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from chaingraph import catalogue
from chaingraph.errors import BadParameter, StoreBusy
from chaingraph.namespace import CASE_CLASSES, PERSON_CLASSES, namespace_case
from chaingraph.output import alive

if TYPE_CHECKING:
    import pyoxigraph

CG = "https://w3id.org/chaingraph/ontology#"
IN_CASE = CG + "inCase"
CASE_ID = CG + "caseId"
CASE = CG + "Case"
CASES = frozenset(str(cls) for cls in CASE_CLASSES)  # chaingraph.namespace.CASE_CLASSES
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PERSONS = frozenset(str(cls) for cls in PERSON_CLASSES)  # chaingraph.namespace.PERSON_CLASSES

LOCK_WAIT = 60.0
"""Seconds a writer waits for another writer of the same store before giving up
(``CHAINGRAPH_LOCK_WAIT`` in the environment overrides it)."""


def lock_wait() -> float:
    """How long a writer waits for the lock: ``CHAINGRAPH_LOCK_WAIT`` or :data:`LOCK_WAIT`."""
    try:
        return max(float(os.environ.get("CHAINGRAPH_LOCK_WAIT", LOCK_WAIT)), 0.0)
    except ValueError:
        return LOCK_WAIT

_CHECK_EVERY = 1 << 14  # triples between two looks at the interrupt flag
_CHUNK = 1 << 19  # quads per bulk write (pyoxigraph holds a whole one in memory)


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (SIGINT) or SIGTERM stopped a write; the store is as it was.

    ``exit_code`` is the shell's: 130 for SIGINT, 143 for SIGTERM.
    """

    def __init__(self, signum: int, store: str | Path = "") -> None:
        self.signum = signum
        self.store = str(store)
        self.exit_code = 128 + signum
        super().__init__(signal.Signals(signum).name)

    def text(self, lang: str = catalogue.DEFAULT) -> str:
        return catalogue.text("backends.write.interrupted", lang,
                              signal=signal.Signals(self.signum).name, store=self.store)


@dataclass
class Written:
    """What one write put into a store: cases written, replaced, triples, the history record."""

    cases: list[str] = field(default_factory=list)      # case IRIs written
    replaced: list[str] = field(default_factory=list)   # case ids that were there before
    triples: int = 0                                     # triples written (default graph)
    activity: str | None = None                          # the PROV activity recorded


# --- the lock, the leftovers, the signals ---------------------------------------------


def lock_path(directory: Path) -> Path:
    """The lock file of the store at ``directory``: ``.NAME.lock`` beside it."""
    return directory.with_name(f".{directory.name}.lock")


@contextlib.contextmanager
def writing(directory: str | Path, *, note: Callable[[str], None] | None = None,
            lang: str = "en", wait: float | None = None) -> Iterator[Callable[[], None]]:
    """Hold the store's write lock, clean up after killed runs, catch Ctrl-C and SIGTERM.

    Yields ``check``: call it between steps; it raises :class:`Interrupted` once a signal
    came. ``note`` is told (in ``lang``) when the writer waits and what it cleaned up.

    Raises:
        StoreBusy: another writer held the lock for more than ``wait`` seconds.
    """
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    wait = lock_wait() if wait is None else wait
    with _interruptible(directory) as check, _locked(directory, note=note, lang=lang,
                                                     wait=wait, check=check):
        clean_leftovers(directory, note=note, lang=lang)
        yield check


@contextlib.contextmanager
def _locked(directory: Path, *, note: Callable[[str], None] | None, lang: str, wait: float,
            check: Callable[[], None]) -> Iterator[None]:
    # The lock file goes when the writer is done (so a store leaves nothing beside it):
    # removed while still locked, and a writer that got the lock of a file no longer at
    # the path (removed meanwhile) lets go and tries again.
    path = lock_path(directory)
    deadline = time.monotonic() + wait
    told = False
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            if not told and note is not None:
                note(catalogue.text("backends.write.waiting", lang, store=directory,
                                    pid=holder or "?", seconds=round(wait)))
            told = True
            if time.monotonic() > deadline:
                raise StoreBusy(directory, holder, wait) from None
            check()
            time.sleep(0.1)
            continue
        if _same_file(fd, path):
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)  # closing the descriptor releases the lock


def _same_file(fd: int, path: Path) -> bool:
    try:
        mine, there = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino)


def _holder(fd: int) -> str:
    with contextlib.suppress(OSError):
        return os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return ""


@contextlib.contextmanager
def _interruptible(directory: Path) -> Iterator[Callable[[], None]]:
    caught: list[int] = []

    def handler(signum: int, frame: Any) -> None:
        caught.append(signum)

    def check() -> None:
        if caught:
            raise Interrupted(caught[0], directory)

    previous: dict[int, Any] = {}
    try:
        for signum in (int(signal.SIGINT), int(signal.SIGTERM)):
            previous[signum] = signal.signal(signum, handler)
    except ValueError:  # not the main thread: signals are the main thread's business
        pass
    try:
        yield check  # a signal after the last check (the write done) is let go
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<kind>loading|old)-(?P<pid>\d+)$")


def clean_leftovers(directory: str | Path, *, note: Callable[[str], None] | None = None,
                    lang: str = "en") -> list[Path]:
    """Remove what killed runs left beside the store at ``directory``; return what went.

    A temporary store (``.NAME.loading-PID``) or a store moved aside (``.NAME.old-PID``)
    whose process is gone is removed; when the store itself is missing (a run killed
    between the two renames of its swap), the store moved aside is put back instead.
    """
    directory = Path(directory)
    removed: list[Path] = []
    if not directory.parent.is_dir():
        return removed
    for path in sorted(directory.parent.iterdir()):
        found = _LEFTOVER.match(path.name)
        if not found or found["name"] != directory.name or alive(int(found["pid"])):
            continue
        if found["kind"] == "old" and not directory.exists():
            os.replace(path, directory)
            if note is not None:
                note(catalogue.text("backends.write.restored", lang, store=directory,
                                    pid=found["pid"]))
            continue
        shutil.rmtree(path, ignore_errors=True)
        if path.is_symlink() or path.is_file():
            path.unlink(missing_ok=True)
        removed.append(path)
        if note is not None:
            note(catalogue.text("backends.write.removed", lang, path=path, pid=found["pid"]))
    return removed


# --- which case a triple belongs to ------------------------------------------------------


@dataclass
class Cases:
    """The cases found in some triples: each subject IRI's case, each case's id."""

    case_of: dict[str, str] = field(default_factory=dict)  # subject IRI -> case IRI ("" shared)
    ids: dict[str, str] = field(default_factory=dict)      # case IRI -> cg:caseId
    undeclared: str | None = None  # the first cg: IRI the ontology does not declare
    persons: set[str] = field(default_factory=set)  # persons and professionals (IRIs)
    several: dict[str, set[str]] = field(default_factory=dict)  # IRI -> the cases, if two+


def scan(triples: Iterable[Any], check: Callable[[], None] = lambda: None) -> Cases:
    """First pass: which case each subject IRI belongs to (``cg:inCase``, or being a case).

    A subject ``cg:inCase`` two cases belongs to neither (it stays in the default graph).
    Also notes the first ``cg:`` IRI the ontology does not declare (``undeclared``), which a
    data file must not use (:func:`chaingraph.graph.check_terms`).
    """
    import pyoxigraph

    from chaingraph.graph import declared_names

    declared = declared_names()
    found = Cases()
    case_of = found.case_of
    named = pyoxigraph.NamedNode
    for n, t in enumerate(triples):
        if not n % _CHECK_EVERY:
            check()
        subject = t.subject
        predicate = t.predicate.value
        if found.undeclared is None:
            obj = t.object
            for term in (predicate, obj.value if type(obj) is named else "",
                         subject.value if type(subject) is named else ""):
                if term.startswith(CG) and term not in declared:
                    found.undeclared = term
        if type(subject) is not named:
            continue
        if predicate == IN_CASE:
            if type(t.object) is not named:  # of a blank node: no case, as the reference has it
                continue
            case = t.object.value
        elif predicate == RDF_TYPE and t.object.value in CASES:
            case = subject.value
        elif predicate == RDF_TYPE and t.object.value in PERSONS:
            found.persons.add(subject.value)
            continue
        elif predicate == CASE_ID:
            found.ids.setdefault(subject.value, t.object.value)
            continue
        else:
            continue
        before = case_of.get(subject.value)
        if before is None:
            case_of[subject.value] = case
        elif before != case:
            found.several.setdefault(subject.value, {before} if before else set()).add(case)
            case_of[subject.value] = ""
    for case in list(found.ids):
        if case_of.get(case) != case:  # an id on something that is not a case
            del found.ids[case]
    for subject, case in case_of.items():
        if case == subject:
            found.ids.setdefault(case, "")
    return found


MEMBERS = "https://w3id.org/chaingraph/index/case-members"
"""The named graph of the members of a case that its ``cg:inCase`` nodes do not name, each as
``<node> idx:case <case>`` (:func:`quads`): the audit reads it (``queries/internal/``
``audit-one-case-members.rq``, ``audit-case-triples.rq``, ``audit-all-persons.rq``)."""
MEMBER_OF = "https://w3id.org/chaingraph/index#case"
SHARED = "https://w3id.org/chaingraph/index/shared"
"""What :data:`MEMBERS` gives as the case of a node that is no case's and no person (the
reference audits it with the shared data; the audit's task of the persons reads it)."""


RECORDED = "https://w3id.org/chaingraph/index/members-recorded"
"""A named graph written by every ``chaingraph load``, ``--reindex`` and ``case`` write: the
store's members that ``cg:inCase`` does not name are in :data:`MEMBERS`, and the default
graph held :data:`TRIPLES` triples then. Without it (a store another tool made), or when
the default graph holds another number of triples (another tool wrote to the store since),
the audit first looks for such nodes itself (``audit-misplaced.rq``,
``audit-misplaced-shared.rq``)."""
TRIPLES = "https://w3id.org/chaingraph/index#triples"
_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _triples(store: pyoxigraph.Store) -> int:
    """The number of triples in the default graph of ``store`` (a pass over it: about 0.4 s
    at 10,000 cases)."""
    rows = cast("pyoxigraph.QuerySolutions", store.query(_COUNT))  # a SELECT
    return int(next(iter(rows))[0].value)


def stamp_recorded(store: pyoxigraph.Store, triples: int | None = None) -> None:
    """Say in ``store`` that its members are recorded (:data:`RECORDED`), with the number of
    triples its default graph holds (``triples``; default: counted now)."""
    import pyoxigraph

    graph = pyoxigraph.NamedNode(RECORDED)
    count = _triples(store) if triples is None else triples
    store.remove_graph(graph)
    store.extend([
        pyoxigraph.Quad(graph, pyoxigraph.NamedNode(MEMBER_OF), graph, graph),
        pyoxigraph.Quad(graph, pyoxigraph.NamedNode(TRIPLES), pyoxigraph.Literal(
            str(count), datatype=pyoxigraph.NamedNode(_XSD_INTEGER)), graph)])


_XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


def recorded_triples(store: pyoxigraph.Store) -> int | None:
    """The number of triples the record (:data:`RECORDED`) says the default graph holds; None
    without a record or without a number (a store of a chaingraph before the number)."""
    import pyoxigraph

    graph = pyoxigraph.NamedNode(RECORDED)
    if not store.contains_named_graph(graph):
        return None
    counted = [str(getattr(q.object, "value", "")) for q in store.quads_for_pattern(
        graph, pyoxigraph.NamedNode(TRIPLES), None, graph)]
    return int(counted[0]) if len(counted) == 1 and counted[0].isdigit() else None


def is_recorded(store: pyoxigraph.Store) -> bool:
    """Whether chaingraph recorded the members of ``store`` (:data:`RECORDED`) and nothing
    else wrote to its default graph since: it holds as many triples as then. (A tool that
    replaces a triple with another is not seen; one that adds a node or statement is.)"""
    recorded = recorded_triples(store)
    return recorded is not None and recorded == _triples(store)


def _default_change(store: pyoxigraph.Store, graphs: Sequence[Any], new: Sequence[Any]) -> int:
    """How many triples the default graph of ``store`` gains (or, negative, loses) when the
    triples of the case ``graphs`` leave it and the default-graph quads of ``new`` go in
    (:func:`write_in_place`), without counting the whole graph."""
    import pyoxigraph

    default = pyoxigraph.DefaultGraph()
    deleted = {(q.subject, q.predicate, q.object) for g in graphs
               for q in store.quads_for_pattern(None, None, None, g)
               if pyoxigraph.Quad(q.subject, q.predicate, q.object, default) in store}
    added = {(q.subject, q.predicate, q.object) for q in new
             if isinstance(q.graph_name, pyoxigraph.DefaultGraph)}
    gained = len([t for t in added if t in deleted or pyoxigraph.Quad(*t, default) not in store])
    return gained - len(deleted)


def member_quad(node: Any, case: str) -> Any:
    """The quad of :data:`MEMBERS` that says ``node`` (a pyoxigraph term) belongs to ``case``."""
    import pyoxigraph

    return pyoxigraph.Quad(node, pyoxigraph.NamedNode(MEMBER_OF), pyoxigraph.NamedNode(case),
                           pyoxigraph.NamedNode(MEMBERS))


def quads(triples: Iterable[Any], cases: Cases, check: Callable[[], None] = lambda: None, *,
          is_case: Callable[[str], bool] | None = None,
          members_only: bool = False, shared: bool = True) -> Iterator[Any]:
    """Second pass: every triple in the default graph, and a case's once more in its graph.

    A subject without ``cg:inCase`` under a case's IRI (``…/FX-005/x`` of ``…/FX-005/case``)
    goes with that case, as :func:`chaingraph.audit.partition` files it. Blank nodes go
    with the case of the node that names them (followed through nested blank nodes); one
    reached from two cases, or from none, stays in the default graph only. The members a
    case's ``cg:inCase`` nodes do not name (such a subject, a blank node, one reached from
    two cases for each, a node ``cg:inCase`` another case but under this case's IRI) are also
    recorded in :data:`MEMBERS`, where the audit of a store reads them. So is each node of no
    case that is not a person, as of the case :data:`SHARED` (``shared``: not for the bundled
    ontology and monitor, which the audit takes from the package). ``is_case``: whether an
    IRI is a case (default: one of ``cases``; a load asks the store too). ``members_only``:
    yield the records alone.
    """
    import pyoxigraph

    quad, named, blank = pyoxigraph.Quad, pyoxigraph.NamedNode, pyoxigraph.BlankNode
    graphs: dict[str, Any] = {}
    blank_cases: dict[str, set[str]] = {}  # blank node -> the cases whose nodes reach it
    waiting: list[Any] = []
    known = is_case or cases.ids.__contains__
    marks: list[Any] = []

    def graph_of(case: str) -> Any:
        node = graphs.get(case)
        if node is None:
            node = graphs[case] = named(case)
        return node

    def follow(obj: Any, cases_of: Iterable[str]) -> None:
        blank_cases.setdefault(obj.value, set()).update(cases_of)

    def owner(subject: Any) -> str:  # records the subject if cg:inCase does not say it
        candidate = namespace_case(subject.value)
        found = candidate if candidate and known(candidate) else ""
        linked = case_of.get(subject.value)
        if found and linked != found:
            marks.append(member_quad(subject, found))
        elif (shared and not found and (linked is None or linked and not known(linked))
              and subject.value not in cases.persons):  # no case's: cg:inCase none, or no case
            marks.append(member_quad(subject, SHARED))
        return found

    case_of = cases.case_of
    last, owned = None, ""  # a subject's triples mostly come together: its owner once
    for n, t in enumerate(triples):
        if not n % _CHECK_EVERY:
            check()
        s, p, o = t.subject, t.predicate, t.object
        if type(s) is not named:
            waiting.append(t)
            continue
        if s.value != last:
            last, owned = s.value, owner(s)
        case = case_of.get(s.value)
        if case is None or case and not known(case):  # no cg:inCase, or of no case
            case = owned
        if not members_only:
            yield quad(s, p, o)
            if case:
                yield quad(s, p, o, graph_of(case))
        if type(o) is blank:  # the blank nodes of a node are its cases' (all of them)
            reach = {c for c in (case, owned) if c}
            if s.value in cases.several:  # cg:inCase two cases
                reach.update(c for c in cases.several[s.value] if known(c))
            if reach:
                follow(o, reach)
    # Blank subjects: their case is known once every triple naming them has been seen (or
    # they say cg:inCase themselves, as [ a cg:PhaseOwnership ; cg:inCase :case ] does).
    for t in waiting:
        if t.predicate.value == IN_CASE and type(t.object) is named and known(t.object.value):
            follow(t.subject, (t.object.value,))
    # Each blank node's cases, followed through nested blank nodes to the end before any is
    # written: one reached from two cases by paths of different lengths is both's, whatever
    # order its triples come in.
    nested = [(t.subject.value, t.object.value) for t in waiting if type(t.object) is blank]
    changed = True
    while changed:
        changed = False
        for outer, inner in nested:
            found = blank_cases.get(outer)
            if found and not found <= blank_cases.setdefault(inner, set()):
                blank_cases[inner] |= found
                changed = True
        check()
    marked: set[str] = set()
    rest: list[Any] = []
    for t in waiting:
        found = blank_cases.get(t.subject.value)
        if not found:
            rest.append(t)
            continue
        # in one case's graph, as its nodes; reached by two cases: recorded for both
        case = next(iter(found)) if len(found) == 1 else ""
        if not members_only:
            yield quad(t.subject, t.predicate, t.object)
            if case:
                yield quad(t.subject, t.predicate, t.object, graph_of(case))
        if t.subject.value not in marked:
            marked.add(t.subject.value)
            marks.extend(member_quad(t.subject, c) for c in sorted(found))
    for t in rest:  # named by nothing of a case: shared
        if not members_only:
            yield quad(t.subject, t.predicate, t.object)
        if shared and t.subject.value not in marked:
            marked.add(t.subject.value)
            marks.append(member_quad(t.subject, SHARED))
    yield from marks


def _a_case(store: pyoxigraph.Store, iri: str) -> bool:
    """Whether ``iri`` is a case in ``store``'s default graph (typed as one)."""
    import pyoxigraph

    return any(str(getattr(q.object, "value", "")) in CASES for q in store.quads_for_pattern(
        pyoxigraph.NamedNode(iri), pyoxigraph.NamedNode(RDF_TYPE), None,
        pyoxigraph.DefaultGraph()))


def claim_shared(store: pyoxigraph.Store, cases: Iterable[str] | None = None) -> None:
    """Give its case each node recorded as shared data (:data:`SHARED`) that now has one: it
    says ``cg:inCase`` a case, or lies under a case's IRI, loaded or written after it. The
    node's triples go into that case's graph (replaced with it), and one under the case's
    IRI is recorded as its member. ``cases``: only the nodes of these (IRIs; default all)."""
    import pyoxigraph

    default, in_case = pyoxigraph.DefaultGraph(), pyoxigraph.NamedNode(IN_CASE)
    recorded = pyoxigraph.NamedNode(MEMBERS)
    wanted = None if cases is None else set(cases)
    for mark in list(store.quads_for_pattern(None, pyoxigraph.NamedNode(MEMBER_OF),
                                             pyoxigraph.NamedNode(SHARED), recorded)):
        node = mark.subject
        if not isinstance(node, pyoxigraph.NamedNode):
            continue
        linked = [q.object.value for q in store.quads_for_pattern(node, in_case, None, default)
                  if isinstance(q.object, pyoxigraph.NamedNode)
                  and _a_case(store, q.object.value)]
        owner = namespace_case(node.value)
        owner = owner if owner and _a_case(store, owner) else ""
        if not linked and not owner or wanted is not None and not {*linked, owner} & wanted:
            continue
        store.remove(mark)
        if owner and owner not in linked:
            store.add(member_quad(node, owner))
        cases = set(linked) | ({owner} if owner else set())
        if len(cases) == 1:  # in one case's graph, as a load files it
            graph = pyoxigraph.NamedNode(cases.pop())
            store.extend([pyoxigraph.Quad(q.subject, q.predicate, q.object, graph)
                          for q in store.quads_for_pattern(node, None, None, default)])


def record_members(store: pyoxigraph.Store) -> None:
    """Record in :data:`MEMBERS` the members of the cases in ``store``'s default graph that
    their ``cg:inCase`` nodes do not name, and the nodes of no case, as a load does
    (:func:`quads`): for a store made another way (an rdflib graph copied into Oxigraph for
    the audit). The subjects of the bundled ontology and monitor are left out."""
    import pyoxigraph

    from chaingraph.graph import bundled_subjects

    default = pyoxigraph.DefaultGraph()

    def triples() -> Iterator[Any]:
        return store.quads_for_pattern(None, None, None, default)

    def marking() -> Iterator[Any]:  # what scan reads (a third of the triples); it skips the rest
        for predicate in (IN_CASE, RDF_TYPE, CASE_ID):
            yield from store.quads_for_pattern(None, pyoxigraph.NamedNode(predicate), None,
                                               default)

    bundled = bundled_subjects()
    store.extend([q for q in quads(triples(), scan(marking()), members_only=True)
                  if q.object.value != SHARED or q.subject.value not in bundled])


# --- removing cases, recording history -------------------------------------------------


def existing(store: pyoxigraph.Store, cases: Cases) -> dict[str, str]:
    """The cases of ``cases`` already in ``store`` (by IRI or by ``cg:caseId``): IRI -> id."""
    from chaingraph.queryfiles import internal
    from chaingraph.sparql import fill_values

    if not cases.ids:
        return {}
    import pyoxigraph

    found: dict[str, str] = {}
    iris = [pyoxigraph.NamedNode(c) for c in cases.ids]
    ids = [pyoxigraph.Literal(i) for i in cases.ids.values() if i]
    for batch in _batches(iris, 2000):
        query = fill_values(internal("write-cases-there"), "case", batch)
        query = fill_values(query, "id", [])
        for row in store.query(query):  # type: ignore[union-attr]  # a SELECT
            found[row["case"].value] = row["id"].value if row["id"] is not None else ""
    for batch in _batches(ids, 2000):
        query = fill_values(internal("write-cases-there"), "case", [])
        query = fill_values(query, "id", batch)
        for row in store.query(query):  # type: ignore[union-attr]  # a SELECT
            found[row["case"].value] = row["id"].value if row["id"] is not None else ""
    return found


def _batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def removal(store: pyoxigraph.Store, cases: Iterable[str]) -> str:
    """The SPARQL update that takes ``cases`` (IRIs) out of ``store`` whole.

    Their graphs' triples leave the default graph and the graphs are emptied, and their
    members leave :data:`MEMBERS`; a case written before stores had case graphs (no graph
    of its own) is found the way the audit finds a case: its node, its ``cg:inCase`` nodes
    and the blank nodes they name.
    """
    import pyoxigraph

    from chaingraph.queryfiles import internal
    from chaingraph.sparql import fill_values

    cases = list(cases)
    with_graph = [pyoxigraph.NamedNode(c) for c in cases
                  if store.contains_named_graph(pyoxigraph.NamedNode(c))]
    without = [pyoxigraph.NamedNode(c) for c in cases
               if not store.contains_named_graph(pyoxigraph.NamedNode(c))]
    parts = []
    if with_graph:
        parts.append(fill_values(internal("write-cases-remove"), "case", with_graph))
        parts += [f"DROP SILENT GRAPH {graph}" for graph in with_graph]  # the emptied name too
    if without:
        parts.append(fill_values(internal("write-cases-remove-unfiled"), "case", without))
    if cases:
        parts.append(fill_values(internal("write-cases-remove-members"), "case",
                                 [pyoxigraph.NamedNode(c) for c in cases]))
    return " ;\n".join(_body(p) for p in parts)


def _body(update: str) -> str:
    """An update without its comment and PREFIX lines (they may only open a request)."""
    lines = [line for line in update.splitlines()
             if not line.startswith("#") and not line.upper().startswith("PREFIX ")]
    return "\n".join(lines).strip().rstrip(";")


def insertion(batch: Iterable[Any]) -> str:
    """``INSERT DATA`` of pyoxigraph quads, each term written as N-Triples (Oxigraph's own)."""
    import pyoxigraph

    default: list[str] = []
    graphs: dict[str, list[str]] = {}
    for q in batch:
        line = f"{q.subject} {q.predicate} {q.object} ."
        if isinstance(q.graph_name, pyoxigraph.DefaultGraph):
            default.append(line)
        else:
            graphs.setdefault(str(q.graph_name), []).append(line)
    body = "\n".join(default)
    for name, lines in graphs.items():
        body += f"\nGRAPH {name} {{\n" + "\n".join(lines) + "\n}"
    return "INSERT DATA {\n" + body + "\n}"


_PSEUDONYM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


def check_by(by: str | None) -> str | None:
    """``by`` as given, if it is a pseudonym (letters, digits, '-', '_'; no names or e-mail).

    Raises:
        BadParameter: ``by`` looks like anything else.
    """
    if by is None:
        return None
    if not _PSEUDONYM.match(by):
        raise BadParameter(key="write_by", by=by)
    return by


# --- the two ways of writing ---------------------------------------------------------------

def write_in_place(store: pyoxigraph.Store, data: bytes, *, by: str | None, kind: str,
                   check: Callable[[], None]) -> Written:
    """Write the cases in ``data`` (N-Triples) into ``store`` in one transaction.

    Cases already there (by IRI or id) are kept in the history and replaced whole; the
    membership index is brought up to date in the same transaction.

    Raises:
        BadParameter: ``data`` holds no case.
    """
    import pyoxigraph

    from chaingraph import history, memberships

    def triples() -> Iterator[Any]:
        return iter(pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_TRIPLES))

    cases = _declared(Path(f"<{kind}>"), scan(triples(), check))
    if not cases.ids:
        raise BadParameter(key="write_no_cases")
    there = existing(store, cases)
    when = history.now()
    activity = history.activity_iri()
    kept, previous = history.retire(store, there, activity=activity, when=when)
    new = list(quads(triples(), cases, check))
    records = history.record(cases.ids, activity=activity, when=when, kind=kind, by=by,
                             previous=previous)
    steps = [kept, removal(store, there), insertion(new + records),
             memberships.refresh(store, [*cases.ids, *there])]
    update = " ;\n".join(step for step in steps if step)
    check()
    # The record's number of triples follows the write: by what it changes (a store with a
    # case from before case graphs: counted whole, before and after).
    recorded = recorded_triples(store)
    graphs = [pyoxigraph.NamedNode(c) for c in there]
    unfiled = not all(store.contains_named_graph(g) for g in graphs)
    change = _default_change(store, graphs, new) if recorded is not None and not unfiled else 0
    fresh = recorded is not None and unfiled and is_recorded(store)
    store.update(update)  # one request, one transaction: all of it or nothing
    # nodes of these cases an earlier load recorded as shared data (written before their
    # case): theirs now, as a load of the same data files them (the store is a copy, swapped
    # in when done, so this is part of the same write)
    claim_shared(store, cases.ids)
    if recorded is not None and not unfiled:
        stamp_recorded(store, recorded + change)  # still the number another tool changed
    elif fresh:
        stamp_recorded(store)
    written = Written(cases=list(cases.ids), activity=activity,
                      triples=sum(isinstance(q.graph_name, pyoxigraph.DefaultGraph) for q in new))
    written.replaced = sorted(there[c] or c for c in there)
    return written


def load_into(store: pyoxigraph.Store, files: Sequence[Path], *, skip_bad_lines: bool,
              progress: bool, check: Callable[[], None], by: str | None = None,
              kind: str = "load", report: Any = None) -> Written:
    """Bulk-load ``files`` into ``store`` (a private copy, swapped in by the caller).

    Each file's cases replace those already in the store (by IRI or ``cg:caseId``). A case
    id in two files of one load is refused (:func:`chaingraph.readable.duplicate_case`), as
    the audit and a load in memory of the same files refuse it.
    Every case goes into the default graph and its own graph, and into the history. Each
    file is read twice (which case each subject belongs to, then the triples), and all
    of them go into the store in one bulk load. ``report`` (a
    :class:`chaingraph.backends.LoadReport`) counts files and skipped statements.
    """

    import pyoxigraph

    from chaingraph import history
    from chaingraph.graph import monitor_files, ontology_files
    from chaingraph.readable import duplicate_case

    written = Written(activity=history.activity_iri())
    # The record (RECORDED) covers what this load writes; it holds for the whole store only
    # when it held before (or the store is empty): a node another tool wrote earlier is not
    # recorded by this load, and the audit must go on looking for such nodes.
    count = _triples(store)
    fresh = count == 0 or recorded_triples(store) == count
    when = history.now()
    read = [_read(path, skip_bad_lines=skip_bad_lines, check=check, report=report)
            for path in files]
    # A case id in two files of one load is refused, whether the two carry it on one case IRI
    # or on two, as an audit or a load in memory of the same files refuses it
    # (chaingraph.graph.check_case_ids): keeping one would lose the other, merging them would
    # give the store an answer that no audit of the files gives. A case without an id that
    # two files write is merged, as in memory.
    by_id: dict[str, int] = {}
    for n, (path, _source, cases) in enumerate(read):
        for ident in cases.ids.values():
            if ident and by_id.setdefault(ident, n) != n:
                raise duplicate_case(ident, [read[by_id[ident]][0], path])
    final: dict[str, str] = {}
    for _path, _source, cases in read:
        final.update(cases.ids)
    there = existing(store, Cases(ids=final))
    previous: dict[str, str] = {}
    some = list(there)
    for start in range(0, len(some), 500):  # a private copy: no need for one big transaction
        batch = {case: there[case] for case in some[start:start + 500]}
        kept, retired = history.retire(store, batch, activity=written.activity or "",
                                       when=when)
        previous.update(retired)
        store.update(" ;\n".join(step for step in (kept, removal(store, batch)) if step))
        check()
    written.replaced += [there[c] or c for c in there]
    check()
    cases_here = set(final)
    in_store: dict[str, bool] = {}
    bundled = {p.resolve() for p in ontology_files() + monitor_files()}

    def is_case(iri: str) -> bool:  # of this load, or in the store before it
        if iri in cases_here:
            return True
        found = in_store.get(iri)
        if found is None:
            found = in_store[iri] = _a_case(store, iri)
        return found

    def everything() -> Iterator[Any]:
        from chaingraph.progress import Progress

        for path, source, cases in read:
            size = max(path.stat().st_size >> 20, 1)
            with Progress("load", name=path.name, total=size if size > 4 else None, unit="MiB",
                          enabled=None if progress else False) as bar:
                yield from quads(source(bar if size > 4 else None), cases, check,
                                 is_case=is_case,
                                 shared=path.resolve() not in bundled)
            if report is not None:
                report.files += 1
        if final:
            yield from history.record(final, activity=written.activity or "", when=when,
                                      kind=kind, by=by, previous=previous)

    # pyoxigraph's bulk_extend takes in all it is given before writing: in chunks, so memory
    # stays bounded whatever the size of the files.
    quads_in = everything()
    while chunk := list(itertools.islice(quads_in, _CHUNK)):
        store.bulk_extend(chunk)
        del chunk
    if final:
        claim_shared(store)
    if fresh:
        stamp_recorded(store)
    else:  # another tool's writes (or a chaingraph's before the record held a number)
        store.remove_graph(pyoxigraph.NamedNode(RECORDED))
    check()
    written.cases = list(final)
    written.replaced = sorted(set(written.replaced))
    return written


def _read(path: Path, *, skip_bad_lines: bool, check: Callable[[], None],
          report: Any) -> tuple[Path, Callable[..., Iterator[Any]], Cases]:
    """Check and scan one file: (path, a function giving its triples again, its cases)."""
    import pyoxigraph

    from chaingraph import readable
    from chaingraph.backends import (
        MissingPath,
        SourceError,
        _CountingReader,
        _first_line,
        _load_statements,
        _source_error,
        ox_format,
    )

    check()
    if not path.is_file():
        raise MissingPath(path)
    readable.check_structure(path)
    fmt = ox_format(path)

    def from_file(bar: Any = None) -> Iterator[Any]:
        reader = _CountingReader(path, bar)
        try:
            yield from pyoxigraph.parse(input=io.BufferedReader(reader, 1 << 20), format=fmt)
        except (SyntaxError, OSError):
            if reader.error is not None:  # the reader's own sentence
                raise reader.error from None
            raise
        except MemoryError:  # Oxigraph's bound on one token
            raise SourceError(path, problem="too_long", mib=readable.MAX_VALUE >> 20,
                              limit=readable.MAX_VALUE >> 20) from None
        finally:
            reader.close()
        if reader.error is not None:
            raise reader.error

    try:
        return path, from_file, _declared(path, scan(from_file(), check))
    except SyntaxError as exc:
        if not skip_bad_lines:
            raise _source_error(path, exc) from None
    except OSError as exc:
        raise SourceError(path, problem="unreadable", why=_first_line(exc)) from None
    scratch = pyoxigraph.Store()
    _load_statements(scratch, path, report)

    def from_scratch(bar: Any = None) -> Iterator[Any]:
        return (q.triple for q in scratch.quads_for_pattern(None, None, None))

    return path, from_scratch, _declared(path, scan(from_scratch(), check))


def _declared(path: Path, cases: Cases) -> Cases:
    """``cases``, once their file is known to use only the terms the ontology declares."""
    if cases.undeclared is not None:
        from chaingraph.graph import declared_names, unknown_term

        raise unknown_term(path, cases.undeclared, declared_names())
    return cases
