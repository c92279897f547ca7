"""The cases the web app shows: filtered by need-to-know, counted, sorted and paged.

A :class:`CaseBook` knows every case's period, risk level, applied phases and assignments
(the internal queries ``web-cases`` and ``web-members``, ``web-assignments`` for a few
cases) and the audit of all cases (:func:`chaingraph.audit.audit_compiled`; on a store as
``chaingraph audit --store DIR`` runs it, on every core), kept in an index
(:mod:`chaingraph.web.index`):
a SQLite file beside a store, made again when the store changes, or one in memory. Each
page asks the index for what it shows (one page of cases, one case, the dashboard's
counts). An organisation *takes part* in a case when it has an assignment in it (a phase
ownership, a role or a responsibility for an instrument); a user of that organisation sees
that case and no other (:meth:`CaseBook.visible`, :meth:`CaseBook.page`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, cast

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS, XSD

from chaingraph.errors import ChaingraphError
from chaingraph.findings import AuditReport, Finding
from chaingraph.labels import label, local_name, short_name
from chaingraph.queryfiles import internal
from chaingraph.sparql import execute
from chaingraph.web import index
from chaingraph.web.users import User

SORTS = ("id", "start", "end", "risk", "audit")
AUDIT_STATES = ("violation", "warning", "conforms", "unknown")
CASE_STATES = ("running", "closed")
_RISK_ORDER = {"RiskLow": 0, "RiskMedium": 1, "RiskHigh": 2}


@dataclass(frozen=True)
class Ownership:
    """One organisation owning one phase of a case from ``start`` to ``end`` (None: open)."""

    phase: str
    organisation: str
    start: date
    end: date | None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass
class CaseEntry:
    """What the case list knows of one case."""

    id: str
    start: date | None = None
    iri: str | None = None
    end: date | None = None
    risk: str | None = None
    phases: list[str] = field(default_factory=list)
    organisations: set[str] = field(default_factory=set)
    ownerships: list[Ownership] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    audited: bool = False

    def state(self, today: date) -> str:
        """'closed' when it ended before ``today``, else 'running'."""
        return "closed" if self.end is not None and self.end < today else "running"

    def audit_state(self) -> str:
        """The worst severity among its findings: 'violation', 'warning' or 'conforms';
        'unknown' for a case the audit did not check."""
        if not self.audited:
            return "unknown"
        severities = {f.severity for f in self.findings}
        return next((s for s in ("violation", "warning") if s in severities), "conforms")

    def owners(self, day: date) -> dict[str, list[str]]:
        """The organisations owning each applied phase on ``day`` (none: an empty list)."""
        found: dict[str, list[str]] = {phase: [] for phase in self.phases}
        for o in self.ownerships:
            if o.covers(day):
                found.setdefault(o.phase, []).append(o.organisation)
        return found


def _day(value: object) -> date | None:
    if isinstance(value, Literal):
        parsed = value.toPython()
        return parsed if isinstance(parsed, date) else None
    return None


MOST_CHANGED = 2000
"""More cases written since the index was made than this: it is made again whole."""


def _changed_since(graph: Graph, since: str) -> tuple[list[str], str] | None:
    """The ids of the cases the store's history records as written at or after ``since``
    (an ``xsd:dateTime``; "" for the beginning), and the time of the latest change; None
    when ``graph`` is not a store with a history."""
    from chaingraph.backends import native_store
    from chaingraph.sparql import with_rows

    native = native_store(graph)
    if native is None:
        return None
    since_term = Literal(since or "0001-01-01T00:00:00Z", datatype=XSD.dateTime)
    text = with_rows(internal("web-changed-since").text, ["since"], [(since_term,)])
    ids: set[str] = set()
    last = since
    for row in native.query(text):  # type: ignore[union-attr]  # a SELECT: solutions
        if row["id"] is not None:
            ids.add(row["id"].value)
        last = max(last, row["when"].value)
    return sorted(ids), last


def _audit(graph: Graph, day: date, cases: Sequence[str] | None = None, *,
           store: str | Path | None = None, shapes: Graph | None = None,
           engine: str | None = None,
           progress: bool = False) -> tuple[AuditReport, ChaingraphError | None]:
    """Audit every case (or ``cases``) on ``day`` with the engine ``audit --engine auto``
    chooses.

    ``store``: the folder ``graph`` was opened from; every case is then audited as
    ``chaingraph audit --store DIR`` does, on every core, each worker reading its chunks of
    cases from the store (:func:`chaingraph.fastaudit.scan_source`); ``progress``: its bar
    on stderr (on a terminal). Shapes the engines refuse (ill-formed ones) leave the app
    without an audit, not without its cases: the report is then empty and the problem is
    returned with it. ``shapes`` and ``engine``: as loaded and chosen before (None: here).
    """
    from chaingraph.audit import audit, audit_compiled, choose_engine
    from chaingraph.shapes import load_shapes

    try:
        shapes = shapes if shapes is not None else load_shapes()
        if engine is None:
            engine, _, _ = choose_engine(shapes)
        if engine == "sparql":
            if store is not None and cases is None:
                return audit_compiled(graph, at=day, shapes=shapes, progress=progress,
                                      location=store), None
            return audit_compiled(graph, cases=cases, at=day, shapes=shapes, workers=1), None
        return audit(graph, cases=cases, at=day, shapes=shapes), None
    except ChaingraphError as problem:
        return AuditReport(findings=[], cases=[], at=day), problem


def _audit_few(graph: Graph, day: date, cases: Sequence[str], shapes: Graph | None = None,
               engine: str | None = None) -> tuple[AuditReport, ChaingraphError | None]:
    """Audit a few ``cases`` of a large store on ``day``: their triples (the cases, what is
    ``cg:inCase`` them, the persons they name) copied into a small store and audited there,
    as the audit of the whole store audits each chunk of cases. The same findings as
    :func:`_audit` with ``cases``, without reading every case of the store for the persons
    that no case names (the monitor's, not any case's)."""
    from chaingraph.backends import native_store, oxigraph_graph

    big = native_store(graph)
    if big is None:
        return _audit(graph, day, cases, shapes=shapes, engine=engine)
    import pyoxigraph as ox

    from chaingraph.sparql import fill_values

    iris = [r[1] for r in _case_iris(big, cases)]
    if len(iris) != len(set(cases)):  # a case not in the store: said as the audit says it
        return _audit(graph, day, cases, shapes=shapes, engine=engine)
    nt = ox.RdfFormat.N_TRIPLES
    found = cast(ox.QueryTriples, big.query(fill_values(  # a CONSTRUCT: triples
        internal("audit-case-triples"), "case", [ox.NamedNode(i) for i in iris])))
    text = cast(bytes, found.serialize(format=nt))  # no output given: the bytes
    unit = b"<urn:chaingraph:unit>"  # each subject's mark of its case: not data
    small = ox.Store()
    small.load(input=b"\n".join(line for line in text.split(b"\n") if unit not in line),
               format=nt)
    return _audit(oxigraph_graph(small), day, cases, shapes=shapes, engine=engine)


def _case_iris(store: Any, ids: Sequence[str]) -> list[tuple[str, str]]:
    """(id, IRI) of the cases of ``store`` with these ids."""
    from chaingraph.backends import select_rows
    from chaingraph.sparql import with_rows

    query = with_rows("PREFIX cg: <https://w3id.org/chaingraph/ontology#> "
                      "SELECT DISTINCT ?id ?case WHERE { ?case a ?caseClass ; cg:caseId ?id . "
                      "VALUES ?caseClass { cg:Case cg:HighRiskCase } }",
                      ["id"], [(Literal(i),) for i in ids])
    return [(_text(i), c[1:-1]) for i, c in select_rows(store, query) if c.startswith("<")]


_XSD_DATE = '"^^<http://www.w3.org/2001/XMLSchema#date>'


def _text(term: str) -> str:
    """The value of a term in N-Triples (a TSV result's cell): an IRI's, a literal's."""
    if term.startswith("<"):
        return term[1:-1]
    if term.startswith('"'):
        value = term[1:term.rindex('"')]
        if "\\" in value:
            from rdflib.util import from_n3

            return str(from_n3(term))
        return value
    return term


def _nt_day(term: str) -> date | None:
    """The day of an ``xsd:date`` literal in N-Triples; None for anything else (as
    :func:`_day`)."""
    if term.startswith('"') and term.endswith(_XSD_DATE):
        try:
            return date.fromisoformat(term[1:-len(_XSD_DATE)])
        except ValueError:
            return None
    return None


def _read_cases(graph: Graph, ids: Sequence[str] | None = None) -> dict[str, CaseEntry]:
    """Every case of ``graph`` (or those of ``ids``) with its period, risk, phases,
    organisations and owners: two queries (``web-cases``, ``web-assignments``); on a store,
    their rows read as the store's own text (:func:`chaingraph.backends.select_rows`), not
    turned into rdflib terms one by one (two million rows at 100,000 cases)."""
    from chaingraph.backends import native_store
    from chaingraph.sparql import with_rows

    def query(name: str) -> str:
        text = internal(name).text
        return text if ids is None else with_rows(text, ["id"], [(Literal(i),) for i in ids])

    native = native_store(graph)
    if native is not None:
        return _read_native(native, query("web-cases"),
                            query("web-assignments") if ids is not None else None)
    cases: dict[str, CaseEntry] = {}
    for row in execute(graph, query("web-cases")):
        case_id = str(row.id)
        entry = cases.setdefault(case_id, CaseEntry(case_id, iri=str(row.case)))
        entry.start, entry.end = _day(row.start), _day(row.end)
        entry.risk = str(row.risk) if row.risk is not None else None
        if row.phase is not None and str(row.phase) not in entry.phases:
            entry.phases.append(str(row.phase))
    for row in execute(graph, query("web-assignments")):
        found = cases.get(str(row.id))
        if found is None or not isinstance(row.org, URIRef):
            continue
        found.organisations.add(str(row.org))
        start = _day(row.start)
        if local_name(row.type) == "PhaseOwnership" and row.phase is not None and start:
            found.ownerships.append(Ownership(str(row.phase), str(row.org), start,
                                              _day(row.end)))
    return cases


_OWNERSHIP = "<https://w3id.org/chaingraph/ontology#PhaseOwnership>"


def _read_native(store: Any, cases_query: str,
                 assignments_query: str | None) -> dict[str, CaseEntry]:
    """:func:`_read_cases` on a pyoxigraph store: the same entries from the rows' text.

    ``assignments_query``: ``web-assignments`` for some cases (by id); None for every case,
    read with ``web-members`` (the same rows by case IRI, twice as fast on a whole store)."""
    from chaingraph.backends import select_rows

    cases: dict[str, CaseEntry] = {}
    by_iri: dict[str, CaseEntry] = {}
    for case, ident, start, end, risk, phase in select_rows(store, cases_query):
        case_id = _text(ident)
        entry = cases.get(case_id)
        if entry is None:
            entry = cases[case_id] = by_iri[case] = CaseEntry(case_id, iri=_text(case))
        entry.start, entry.end = _nt_day(start), _nt_day(end)
        entry.risk = _text(risk) if risk else None
        if phase and _text(phase) not in entry.phases:
            entry.phases.append(_text(phase))
    if assignments_query is None:
        rows: Iterable[tuple[CaseEntry | None, bool, str, str, str, str]] = (
            (by_iri.get(case), bool(phase), org, phase, start, end)
            for case, org, phase, start, end in select_rows(store, internal("web-members").text))
    else:
        rows = ((cases.get(_text(ident)), kind == _OWNERSHIP, org, phase, start, end)
                for ident, kind, org, phase, start, end in select_rows(store, assignments_query))
    for found, owns, org, phase, start, end in rows:
        if found is None or not org.startswith("<"):
            continue
        organisation = org[1:-1]
        found.organisations.add(organisation)
        if owns and phase:
            day = _nt_day(start)
            if day:
                found.ownerships.append(Ownership(_text(phase), organisation, day,
                                                  _nt_day(end)))
    return cases


_TAKES_PART = "EXISTS (SELECT 1 FROM members {a} WHERE {a}.org = ? AND {a}.case_id = c.id)"
"""SQL: the organisation (a parameter) takes part in the case ``c`` (``{a}``: an alias)."""


class CaseBook:
    """Every case of ``graph`` as the web app lists it, with the audit of the day.

    ``store``: the folder of the persistent store ``graph`` was opened from; its index
    (:mod:`chaingraph.web.index`) is kept beside it and used while the store is unchanged,
    so a restart on a big store neither reads every case nor audits them again. Without a
    store the index is made in memory. The pages ask the index for one page of cases, one
    case and the dashboard's counts; :attr:`cases` (every case in memory) is read from it
    only for the pages that need all of them.
    """

    def __init__(self, graph: Graph, *, today: date | None = None,
                 audit: AuditReport | None = None, store: str | Path | None = None,
                 progress: bool = False) -> None:
        self.graph = graph
        self.progress = progress
        """Show the audit's progress on stderr (on a terminal) when the index is made whole."""
        self.today = today or date.today()
        self.live = today is None
        """Follow the calendar: on a new day the audit is made again (:meth:`refresh`)."""
        self.store = Path(store) if store is not None else None
        self.audit_problem: ChaingraphError | None = None
        self._labels: dict[tuple[str, str, str], str] = {}
        self._rule_labels: dict[tuple[str, str, str], tuple[dict[str, str], dict[str, str]]] = {}
        self._cases: dict[str, CaseEntry] | None = None
        self._report: AuditReport | None = None
        self._on_day: dict[tuple[str, str, str], list[Finding]] = {}
        self._shapes_graph: Graph | None = None
        self._engine: str | None = None
        self._checked = 0.0
        self.refresh_every = 1.0
        """Seconds between two looks at whether the store changed."""
        self.making: date | None = None
        """The day whose audit a thread is making (:meth:`refresh`), while this one shows."""
        self._next: CaseBook | ChaingraphError | None = None
        self.not_made: tuple[date, ChaingraphError] | None = None
        """The day whose audit the thread could not make, and why (the previous one shows)."""
        stamp = index.fingerprint(self.store)
        found = index.stored(index.index_path(self.store), stamp, self.today) \
            if self.store is not None and audit is None else None
        if found is not None:
            self.index = found
            self._order = {p: int(n) for p, n in found.rows(
                "SELECT phase, MIN(pos) FROM phases GROUP BY phase")}
            self._phase_rank()
            self.at = date.fromisoformat(found.meta()["at"])
            self.stamp = stamp
            return
        self._build(audit, stamp)

    @staticmethod
    def must_build(store: str | Path) -> Path | None:
        """Where the index of ``store`` will be kept, when a :class:`CaseBook` on it must
        make it (the first start, the first after the store changed, the first on a new
        day); None when the stored index holds."""
        path = index.index_path(store)
        found = index.stored(path, index.fingerprint(store), date.today())
        return path if found is None else None

    def _build(self, audit: AuditReport | None, stamp: str | None) -> None:
        cases = _read_cases(self.graph)
        self._cases = cases
        self._order = {p: i for i, p in enumerate(self._phase_order())}
        for entry in cases.values():
            entry.phases.sort(key=lambda p: self._order.get(p, 99))
        if audit is None:
            audit, self.audit_problem = _audit(self.graph, self.today, store=self.store,
                                               progress=self.progress)
        self._report = audit
        self.at = audit.at
        for case_id in audit.cases:
            if case_id in cases:
                cases[case_id].audited = True
        for finding in audit.findings:
            if finding.case in cases:
                cases[finding.case].findings.append(finding)
        if self.store is not None and self.audit_problem is None:
            try:
                path = index.write(index.index_path(self.store), cases.values(),
                                   today=self.today, at=audit.at, stamp=stamp)
                found = _changed_since(self.graph, "")
                if found is not None:
                    index.set_meta(path, "history", found[1])
                self.index = index.Index(path)
            except OSError:  # nowhere to write beside the store: kept in memory instead
                self.index = index.in_memory(cases.values(), today=self.today, at=audit.at)
        else:
            self.index = index.in_memory(cases.values(), today=self.today, at=audit.at)
        self.stamp = stamp

    def _phase_rank(self) -> None:
        from chaingraph.namespace import CG

        order = {p: int(o.toPython()) for p in self._order
                 for o in self.graph.objects(URIRef(p), CG.order) if isinstance(o, Literal)}
        ranked = sorted(self._order, key=lambda p: (order.get(p, 99), p))
        self._order = {p: i for i, p in enumerate(ranked)}

    def refresh(self) -> bool:
        """Open the store and make the index again when the store changed since (a load, a
        case written), and make the audit again on a new day (a :attr:`live` book: what
        runs has run a day longer); look at most once per :attr:`refresh_every` seconds.
        True when it changed."""
        import time

        if time.monotonic() - self._checked < self.refresh_every:
            return False
        self._checked = time.monotonic()
        if self._next is not None:  # the new day's audit is made: from now on, it is shown
            return self._adopt(self._next)
        if self.live and date.today() != self.today and self.making is None:
            self._begin_day(date.today())
        if self.store is None:
            return False
        stamp = index.fingerprint(self.store)
        if stamp == self.stamp:
            return False
        from chaingraph.backends import open_store

        graph = open_store(self.store, read_only=True)
        found = index.stored(index.index_path(self.store), stamp, self.today)
        if found is not None:  # another app on this store made it already
            self.graph, self.index, self.stamp = graph, found, stamp
            self.at = date.fromisoformat(found.meta()["at"])
            self._forget()
            return True
        mark = self.index.meta().get("history") if self.index.path is not None else None
        written = _changed_since(graph, mark) if mark else None
        if written is not None and len(written[0]) <= MOST_CHANGED and self._update(
                graph, stamp, written[0]):
            assert self.index.path is not None
            index.set_meta(self.index.path, "history", written[1])
            return True
        if self.making is not None:
            # The new day's book, read from the store as it is now, is about to replace the
            # index file; a whole index of the old day made meanwhile would be written over
            # it (or over the file that book reads). After it is shown, this is looked at again.
            return False
        self.graph = graph
        self._forget()
        self.audit_problem = None
        self._build(None, stamp)
        return True

    def _begin_day(self, day: date) -> None:
        """Make the book of ``day`` (the store, if any, read as it is now) in a thread of its
        own: at 100,000 cases that takes minutes, in which the pages go on showing the
        previous day's audit and say that the new one is being made (:attr:`making`)."""
        import threading

        self.making = day

        def make() -> None:
            try:
                graph = self.graph
                if self.store is not None:
                    from chaingraph.backends import open_store

                    graph = open_store(self.store, read_only=True)
                self._next = CaseBook(graph, store=self.store, today=day)
            except Exception as exc:  # whatever stops it: the old audit stays, and why
                self._next = exc if isinstance(exc, ChaingraphError) else ChaingraphError(
                    key="internal_web", error=f"{type(exc).__name__}: {exc}")

        threading.Thread(target=make, name=f"audit of {day}", daemon=True).start()

    def _adopt(self, new: CaseBook | ChaingraphError) -> bool:
        """Show the book the thread of :meth:`_begin_day` made (or say why it could not)."""
        day = self.making or date.today()
        self._next, self.making = None, None
        self._forget()
        self._on_day.clear()
        if isinstance(new, ChaingraphError):
            self.today = day  # not tried again until the next day, or a restart
            self.not_made = (day, new)
            return True
        self.not_made = None
        self.graph, self.index, self.at, self.stamp = new.graph, new.index, new.at, new.stamp
        self._order, self._cases, self._report = new._order, new._cases, new._report
        self.today, self.audit_problem = new.today, new.audit_problem
        return True

    def _forget(self) -> None:
        """Drop what was read from the index or the graph before a change."""
        self._labels.clear()
        self._rule_labels.clear()
        self._cases, self._report = None, None

    @property
    def cases(self) -> dict[str, CaseEntry]:
        """Every case, read from the index on first use."""
        if self._cases is None:
            self._cases = self._entries("", ())
        return self._cases

    @property
    def report(self) -> AuditReport:
        """The audit of every case (as the index keeps it)."""
        if self._report is None:
            entries = self.cases.values()
            self._report = AuditReport(findings=[f for e in entries for f in e.findings],
                                       cases=[e.id for e in entries if e.audited], at=self.at)
        return self._report

    def _entries(self, where: str, params: Sequence[object],
                 order: str | None = "id") -> dict[str, CaseEntry]:
        """The cases of the index that pass ``where`` (SQL on ``cases c``), in ``order``
        (None: ``where`` says the order)."""
        tail = f" ORDER BY {order}" if order else ""
        found: dict[str, CaseEntry] = {}
        for cid, iri, start, end, risk, audited in self.index.iter(
                f"SELECT id, iri, start, end_, risk, audited FROM cases c {where}{tail}",
                params):
            found[cid] = CaseEntry(cid, iri=iri, start=index._day(start), end=index._day(end),
                                   risk=risk, audited=bool(audited))
        if not found:
            return found
        ids = list(found)
        one = len(ids) <= 500
        filt = f"WHERE case_id IN ({','.join('?' * len(ids))})" if one else ""
        args = ids if one else []
        for cid, phase in self.index.iter(
                f"SELECT case_id, phase FROM phases {filt} ORDER BY case_id, pos", args):
            if cid in found:
                found[cid].phases.append(phase)
        for cid, org in self.index.iter(f"SELECT case_id, org FROM members {filt}", args):
            if cid in found:
                found[cid].organisations.add(org)
        for cid, phase, org, start, end in self.index.iter(
                f"SELECT case_id, phase, org, start, end_ FROM ownerships {filt}", args):
            if cid in found:
                found[cid].ownerships.append(Ownership(phase, org, date.fromisoformat(start),
                                                       index._day(end)))
        for cid, data in self.index.iter(f"SELECT case_id, data FROM findings {filt}", args):
            if cid in found:
                found[cid].findings.append(index.finding(data))
        for entry in found.values():
            entry.phases.sort(key=lambda p: self._order.get(p, 99))
        return found

    def _phase_order(self) -> list[str]:
        from chaingraph.namespace import CG

        phases = {str(p) for e in (self._cases or {}).values() for p in e.phases}
        order = {p: int(o.toPython()) for p in phases
                 for o in self.graph.objects(URIRef(p), CG.order) if isinstance(o, Literal)}
        return sorted(phases, key=lambda p: (order.get(p, 99), p))

    # ------------------------------------------------------------------ need-to-know

    @staticmethod
    def viewer(user: User) -> str | None:
        """Whose cases ``user`` counts: an organisation's IRI, :data:`index.ALL` or None."""
        if user.role in ("open", "chain"):
            return index.ALL
        if user.role == "member" and user.organisation is not None:
            return user.organisation
        return None

    @staticmethod
    def _where(viewer: str | None) -> tuple[str, list[object]]:
        if viewer is None:
            return "WHERE 0", []
        if viewer == index.ALL:
            return "WHERE 1", []
        return "WHERE " + _TAKES_PART.format(a="m"), [viewer]

    def visible(self, user: User) -> list[CaseEntry]:
        """The cases ``user`` may see: those its organisation takes part in (all: open mode)."""
        if not user.sees_cases:
            return []
        return list(self._select(self.viewer(user)).values())

    def counted(self, user: User) -> list[CaseEntry]:
        """The cases ``user``'s counts are over: every case for the chain role, else visible."""
        return list(self._select(self.viewer(user)).values())

    def _select(self, viewer: str | None) -> dict[str, CaseEntry]:
        if viewer == index.ALL:
            return self.cases
        if self._cases is not None:  # already in memory
            return {k: e for k, e in self._cases.items() if viewer in e.organisations}
        where, params = self._where(viewer)
        return self._entries(where, params)

    def count(self, user: User) -> int:
        """How many cases ``user``'s counts are over."""
        return self._count(self.viewer(user))

    def _count(self, viewer: str | None) -> int:
        """How many cases ``viewer`` counts (an organisation's: its rows of ``members``)."""
        if viewer is None:
            return 0
        if viewer == index.ALL:
            return int(self.index.rows("SELECT COUNT(*) FROM cases")[0][0])
        return int(self.index.rows("SELECT COUNT(*) FROM members WHERE org = ?",
                                   [viewer])[0][0])

    def graphs(self, user: User) -> list[str]:
        """The IRIs of the cases ``user`` may see (in a store: the names of their graphs)."""
        if not user.sees_cases:
            return []
        where, params = self._where(self.viewer(user))
        return [r[0] for r in self.index.iter(f"SELECT iri FROM cases c {where}", params)]

    def exists(self, case_id: str) -> bool:
        """Whether there is a case ``case_id`` (whoever may see it)."""
        return bool(self.index.rows("SELECT 1 FROM cases WHERE id = ?", [case_id]))

    def changed(self, cases: Sequence[str] = ()) -> None:
        """The store was written by this app (``cases`` changed): read it again now.

        Only ``cases`` are read and audited again, and the index changed for them alone
        (:func:`index.update`); without them, or when that cannot be done, the store is
        read again whole (:meth:`refresh`).
        """
        if cases and self.store is not None:
            from chaingraph.backends import open_store

            stamp = index.fingerprint(self.store)
            if self._update(open_store(self.store, read_only=True), stamp, cases):
                return
        self._checked = 0.0
        every, self.refresh_every = self.refresh_every, 0.0
        try:
            self.refresh()
        finally:
            self.refresh_every = every

    def _update(self, graph: Graph, stamp: str | None, cases: Sequence[str]) -> bool:
        """Read ``cases`` from ``graph`` (the store as it is now), audit them and change the
        index file for them alone; False when that cannot be done (no file, no audit)."""
        path = self.index.path
        if path is None or self.audit_problem is not None:
            return False
        cases = list(cases)
        new = _read_cases(graph, cases) if cases else {}
        report, problem = _audit_few(graph, self.at, sorted(new), *self._shapes()) if new \
            else (None, None)
        if problem is not None:
            return False
        for entry in new.values():
            entry.phases.sort(key=lambda p: self._order.get(p, 99))
            if report is not None:
                entry.audited = entry.id in report.cases
                entry.findings = [f for f in report.findings if f.case == entry.id]
        old = self._entries(f"WHERE c.id IN ({','.join('?' * len(cases))})", cases) \
            if cases else {}
        index.update(path, old=old.values(), new=new.values(), today=self.today, stamp=stamp)
        self.graph, self.stamp = graph, stamp
        self._forget()
        return True

    def findings_on(self, entry: CaseEntry, day: date) -> list[Finding]:
        """The findings of the case ``entry`` as an audit on ``day`` finds them.

        On the day of the stored audit (:attr:`at`), the index's; on another day, the audit
        of that case alone as it stood then (:func:`_audit_few`: what started after ``day``
        left out, what ran on ``day`` ending then), kept for the next ask of the same case
        and day until the store changes.
        """
        if day == self.at:
            return list(entry.findings)
        key = (entry.id, day.isoformat(), self.stamp or "")
        found = self._on_day.get(key)
        if found is None:
            report, problem = _audit_few(self.graph, day, [entry.id], *self._shapes())
            found = [] if problem is not None else \
                [f for f in report.findings if f.case == entry.id]
            if len(self._on_day) >= 256:
                self._on_day.pop(next(iter(self._on_day)))
            self._on_day[key] = found
        return list(found)

    def _shapes(self) -> tuple[Graph | None, str | None]:
        """The bundled shapes and the engine ``audit --engine auto`` chooses for them, found
        once (None, None: they do not load; the audit then says why)."""
        if self._shapes_graph is None:
            from chaingraph.audit import choose_engine
            from chaingraph.shapes import load_shapes

            try:
                shapes = load_shapes()
                self._engine = choose_engine(shapes)[0]
            except ChaingraphError:
                return None, None
            self._shapes_graph = shapes
        return self._shapes_graph, self._engine

    def tally(self, user: User) -> dict[str, dict[str, int]]:
        """The cases ``user`` counts, by state ("running", "closed"), risk level (IRI, "" for
        none) and audit result, counted in the index."""
        where, params = self._where(self.viewer(user))
        today = self.today.isoformat()
        closed = "CASE WHEN c.end_ IS NOT NULL AND c.end_ < ? THEN 'closed' ELSE 'running' END"
        out: dict[str, dict[str, int]] = {}
        for what, column, extra in (("state", closed, [today]),
                                    ("risk", "COALESCE(c.risk, '')", []),
                                    ("audit", "c.audit", [])):
            out[what] = {str(v): int(n) for v, n in self.index.rows(
                f"SELECT {column} AS v, COUNT(*) FROM cases c {where} GROUP BY v",
                [*extra, *params])}
        return out

    def ids(self) -> set[str]:
        """The id of every case."""
        return {r[0] for r in self.index.iter("SELECT id FROM cases")}

    def case(self, user: User, case_id: str) -> CaseEntry | None:
        """The case ``case_id`` if ``user`` may see it, else None (as if it did not exist)."""
        if not user.sees_cases:
            return None
        where, params = self._where(self.viewer(user))
        return self._entries(f"{where} AND c.id = ?", [*params, case_id]).get(case_id)

    def partners(self, user: User) -> list[str]:
        """The organisations taking part in the cases ``user`` counts."""
        viewer = self.viewer(user)
        if viewer is None:
            return []
        return [r[0] for r in self.index.iter(
            "SELECT org FROM partners WHERE viewer = ? AND n > 0", [viewer])]

    def page(self, user: User, *, organisation: str | None = None, state: str | None = None,
             audit: str | None = None, rule: str | None = None, sort: str = "id",
             descending: bool = False, offset: int = 0,
             limit: int = 50) -> tuple[int, list[CaseEntry]]:
        """One page of the cases ``user`` may see that pass the filters, and how many pass.

        The same filters and order as :func:`select` and :func:`ordered`, asked of the index.
        """
        viewer = self.viewer(user) if user.sees_cases else None
        where, params = self._where(viewer)
        filtered = bool(organisation or state or audit or rule)
        if organisation:
            where += " AND " + _TAKES_PART.format(a="o")
            params.append(organisation)
        if state:
            closed = "(c.end_ IS NOT NULL AND c.end_ < ?)"
            where += f" AND {'' if state == 'closed' else 'NOT '}{closed}"
            params.append(self.today.isoformat())
        if audit:
            where += " AND c.audit = ?"
            params.append(audit)
        if rule:
            where += " AND EXISTS (SELECT 1 FROM findings f WHERE f.rule = ? AND f.case_id = c.id)"
            params.append(rule)
        total = int(self.index.rows(f"SELECT COUNT(*) FROM cases c {where}", params)[0][0]) \
            if filtered else self._count(viewer)
        key = {"start": "COALESCE(c.start, '9999-12-31')", "end": "COALESCE(c.end_, '9999-12-31')",
               "risk": "c.risk_order", "audit": "c.audit_order"}.get(sort)
        way = " DESC" if descending else ""
        order = (f"{key}{way}, " if key else "") + f"c.id{way}"
        chosen = self._entries(f"{where} ORDER BY {order} LIMIT ? OFFSET ?",
                               [*params, limit, offset], order=None)
        return total, list(chosen.values())

    def dashboard(self, user: User, *, organisation: str | None = None) -> Dashboard:
        """The dashboard's counts of the cases ``user`` counts, from the stored audit.

        Without ``organisation`` the counts made with the index are looked up; with it (the
        cases that organisation takes part in too) they are counted from the findings.
        """
        viewer = self.viewer(user)
        if viewer is None:
            return Dashboard({}, [], 0)
        if organisation is None:
            counts: dict[tuple[str, str, str], dict[str, int]] = defaultdict(dict)
            for rule, phase, severity, org, n in self.index.iter(
                    "SELECT rule, phase, severity, org, n FROM dash WHERE viewer = ?", [viewer]):
                counts[(rule, phase, severity)][org] = n
            months = [Month(m, r, f) for m, r, f in self.index.iter(
                "SELECT month, running, with_findings FROM trend WHERE viewer = ? "
                "ORDER BY month", [viewer])]
            return Dashboard(dict(counts), months, self.count(user))
        chosen = [e for e in self.counted(user) if organisation in e.organisations]
        counts = defaultdict(lambda: defaultdict(int))
        for e in chosen:
            for f in e.findings:
                row = counts[(f.rule, f.phase or "", f.severity)]
                row[""] += 1
                for org in e.organisations:
                    row[org] += 1
        months = by_month(chosen, today=self.today)
        return Dashboard({k: dict(v) for k, v in counts.items()}, months, len(chosen))

    def cases_with(self, user: User, *, rule: str, phase: str, severity: str | None,
                   organisation: str | None, most: int) -> list[str]:
        """The first ``most`` cases (by id) ``user`` may see with a finding of ``rule`` in
        ``phase`` (and ``severity``), in which ``organisation`` takes part (if given)."""
        where, params = self._where(self.viewer(user) if user.sees_cases else None)
        sql = (f"SELECT DISTINCT f.case_id FROM findings f JOIN cases c ON c.id = f.case_id "
               f"{where} AND f.rule = ? AND f.phase = ?")
        params += [rule, phase]
        if severity:
            sql += " AND f.severity = ?"
            params.append(severity)
        if organisation:
            sql += " AND " + _TAKES_PART.format(a="o")
            params.append(organisation)
        return [r[0] for r in self.index.iter(sql + " ORDER BY f.case_id LIMIT ?",
                                              [*params, most])]

    # ------------------------------------------------------------------ names

    def rule_labels(self, lang: str) -> tuple[dict[str, str], dict[str, str]]:
        """The label of every rule and of every phase the findings name, in ``lang``."""
        key = ("#rules", lang, self.stamp or "")
        if key not in self._rule_labels:
            rules: dict[str, str] = {}
            phases: dict[str, str] = {}
            for (data,) in self.index.iter("SELECT MIN(data) FROM findings GROUP BY rule"):
                t = index.finding(data).translated(lang)
                rules[t.rule] = t.rule_label or t.rule
            for (data,) in self.index.iter(
                    "SELECT MIN(data) FROM findings WHERE phase != '' GROUP BY phase"):
                t = index.finding(data).translated(lang)
                if t.phase:
                    phases[t.phase] = t.phase_label or t.phase
            self._rule_labels[key] = (rules, phases)
        return self._rule_labels[key]

    def name(self, iri: str | None, lang: str, *, short: bool = False) -> str:
        """The label (``short``: an organisation's short name) of ``iri`` in ``lang``."""
        if iri is None:
            return "-"
        key = (iri, lang, "s" if short else "l")
        if key not in self._labels:
            node = URIRef(iri)
            self._labels[key] = (short_name(self.graph, node, lang) if short
                                 else label(self.graph, node, lang))
        return self._labels[key]

    def phase_label(self, iri: str, lang: str) -> str:
        """The short name of a phase ("risk", "risico") as ``who`` gives it."""
        from chaingraph.responsibility import phase_name

        notation = next(iter(self.graph.objects(URIRef(iri), SKOS.notation)), None)
        return phase_name(str(notation) if notation else local_name(iri),
                          self.name(iri, lang), lang)

    def phases(self) -> list[str]:
        """Every applied phase, in the scheme's order."""
        return sorted(self._order, key=lambda p: self._order[p])


def select(entries: Iterable[CaseEntry], *, today: date, organisation: str | None = None,
           state: str | None = None, audit: str | None = None,
           rule: str | None = None) -> list[CaseEntry]:
    """The entries that pass every filter given (None: no filter)."""
    out = []
    for e in entries:
        if organisation and organisation not in e.organisations:
            continue
        if state and e.state(today) != state:
            continue
        if audit and e.audit_state() != audit:
            continue
        if rule and not any(f.rule == rule for f in e.findings):
            continue
        out.append(e)
    return out


def ordered(entries: Sequence[CaseEntry], sort: str, *,
            descending: bool = False) -> list[CaseEntry]:
    """``entries`` sorted by ``sort`` (one of :data:`SORTS`), then by id."""
    far = date.max

    def key(e: CaseEntry) -> tuple[object, str]:
        if sort == "start":
            return (e.start or far, e.id)
        if sort == "end":
            return (e.end or far, e.id)
        if sort == "risk":
            return (_RISK_ORDER.get(local_name(e.risk) if e.risk else "", -1), e.id)
        if sort == "audit":
            return (AUDIT_STATES.index(e.audit_state()), e.id)
        return ("", e.id)

    return sorted(entries, key=key, reverse=descending)


def by_rule_phase_organisation(entries: Iterable[CaseEntry], *, rule: str | None = None,
                               phase: str | None = None,
                               severity: str | None = None
                               ) -> dict[tuple[str, str], dict[str, int]]:
    """Count findings by (rule, phase notation) and organisation taking part in the case.

    A finding counts once in the ``""`` column (all organisations) and once for every
    organisation with an assignment in its case.
    """
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for e in entries:
        for f in e.findings:
            if (rule and f.rule != rule) or (phase and f.phase != phase) or \
                    (severity and f.severity != severity):
                continue
            row = counts[(f.rule, f.phase or "")]
            row[""] += 1
            for org in e.organisations:
                row[org] += 1
    return {k: dict(v) for k, v in sorted(counts.items())}


@dataclass
class Dashboard:
    """Findings by (rule, phase notation, severity) and organisation ("": all), the trend
    by month, and the number of cases counted."""

    counts: dict[tuple[str, str, str], dict[str, int]]
    months: list[Month]
    cases: int


@dataclass(frozen=True)
class Month:
    """One month of the trend: the cases running in it, and those of them with findings."""

    month: str  # YYYY-MM
    running: int
    with_findings: int


def by_month(entries: Iterable[CaseEntry], *, today: date) -> list[Month]:
    """For every month from the first case's start to the last's end (or ``today``), the
    cases running in it and how many of them the audit found something in.

    Example:
        >>> a = CaseEntry("A", start=date(2021, 1, 5), end=date(2021, 2, 1))
        >>> b = CaseEntry("B", start=date(2021, 2, 1), end=date(2021, 2, 9), audited=True,
        ...               findings=[Finding("B", "r", "s", "warning", "f", "m", "a")])
        >>> months = by_month([a, b], today=date(2022, 1, 1))
        >>> [(m.month, m.running, m.with_findings) for m in months]
        [('2021-01', 1, 0), ('2021-02', 2, 1)]
    """
    spans = [(e.start, e.end or today, bool(e.findings)) for e in entries if e.start]
    if not spans:
        return []
    first = min(s for s, _, _ in spans)
    last = max(e for _, e, _ in spans)
    out = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        start = date(year, month, 1)
        end = date(year + month // 12, month % 12 + 1, 1)
        running = [f for s, e, f in spans if s < end and e >= start]
        out.append(Month(f"{year:04d}-{month:02d}", len(running), sum(running)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
