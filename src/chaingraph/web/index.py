"""The web app's stored index of cases and audit results: one SQLite file beside the store.

Reading every case's period, owners and organisations and auditing all of them takes
minutes on a 100,000-case store; a page must answer in a fraction of a second. So the
app keeps what its lists and dashboard need in a SQLite file of its own (for ``--store
DIR``: ``DIR.web.sqlite`` beside the store, never inside it, since a load swaps the
store's folder whole), made once and written atomically (a temporary file renamed over
the old one). The file records the *fingerprint* of the data it was made from (a store's
folder is a new one after every ``chaingraph load`` and every case written, so its inode
and modification time change) and the time of the last change the store's history
(:mod:`chaingraph.history`) recorded. The app opens the file when the fingerprint still
holds; when it does not, it asks the history which cases were written since and changes
the file for those alone (:func:`update`, one SQLite transaction), or makes it again
whole after a large load.

Each page then asks the index for what it shows: one page of cases (filtered, sorted,
``LIMIT``/``OFFSET``), one case, and the dashboard's counts, which are counted per
organisation when the index is made (table ``dash`` and ``trend``: for each organisation
the findings in the cases it takes part in, by rule, phase, severity and organisation
of the case, and the cases running per month; table ``partners``: for each organisation
the organisations taking part in its cases), so the dashboard is a lookup. The case list's
orders each have an index of their own (``cases_start`` ...), so that its first pages are
read in order, not sorted.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

from chaingraph.findings import Finding

VERSION = "3"
ALL = "*"
"""The viewer of every case (the chain role, ``--open``) in the tables ``dash`` and ``trend``."""
_RISK_ORDER = {"RiskLow": 0, "RiskMedium": 1, "RiskHigh": 2}
_AUDIT_ORDER = {"violation": 0, "warning": 1, "conforms": 2, "unknown": 3}

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE cases (id TEXT PRIMARY KEY, iri TEXT, start TEXT, end_ TEXT, risk TEXT, risk_order INT,
                    audit TEXT, audit_order INT, findings INT, audited INT);
CREATE TABLE phases (case_id TEXT, phase TEXT, pos INT);
CREATE TABLE members (case_id TEXT, org TEXT, PRIMARY KEY (org, case_id)) WITHOUT ROWID;
CREATE TABLE ownerships (case_id TEXT, phase TEXT, org TEXT, start TEXT, end_ TEXT);
CREATE TABLE findings (case_id TEXT, rule TEXT, phase TEXT, severity TEXT, data TEXT);
CREATE TABLE dash (viewer TEXT, rule TEXT, phase TEXT, severity TEXT, org TEXT, n INT);
CREATE TABLE trend (viewer TEXT, month TEXT, running INT, with_findings INT);
CREATE TABLE partners (viewer TEXT, org TEXT, n INT);
CREATE INDEX members_case ON members (case_id);
CREATE INDEX phases_case ON phases (case_id);
CREATE INDEX ownerships_case ON ownerships (case_id);
CREATE INDEX findings_case ON findings (case_id);
CREATE INDEX findings_rule ON findings (rule, phase, case_id);
CREATE INDEX dash_viewer ON dash (viewer);
CREATE INDEX trend_viewer ON trend (viewer);
CREATE INDEX partners_viewer ON partners (viewer, org);
CREATE INDEX cases_start ON cases (COALESCE(start, '9999-12-31'), id);
CREATE INDEX cases_end ON cases (COALESCE(end_, '9999-12-31'), id);
CREATE INDEX cases_risk ON cases (risk_order, id);
CREATE INDEX cases_audit ON cases (audit_order, id);
"""


def fingerprint(store: str | Path | None) -> str | None:
    """What identifies the data of ``store`` as it is now (None: not a store on disk).

    ``chaingraph load`` and :func:`chaingraph.backends.write_cases` swap in a new folder,
    so the folder's inode and modification time change with every write.
    """
    if store is None:
        return None
    stat = Path(store).stat()
    return f"{stat.st_ino}:{stat.st_mtime_ns}"


def index_path(store: str | Path) -> Path:
    """Where the index of ``store`` lives: beside it, ``DIR.web.sqlite``."""
    folder = Path(store).resolve()
    return folder.with_name(folder.name + ".web.sqlite")


def _month(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_name(n: int) -> str:
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


def trend_rows(spans: Iterable[tuple[date, date, bool]]) -> list[tuple[str, int, int]]:
    """(month, cases running in it, of them with findings) from (start, end, findings) spans.

    Example:
        >>> trend_rows([(date(2021, 1, 5), date(2021, 2, 1), False),
        ...             (date(2021, 2, 1), date(2021, 2, 9), True)])
        [('2021-01', 1, 0), ('2021-02', 2, 1)]
    """
    running: dict[int, int] = defaultdict(int)
    found: dict[int, int] = defaultdict(int)
    first = last = None
    for start, end, has in spans:
        a, b = _month(start), _month(end)
        running[a] += 1
        running[b + 1] -= 1
        if has:
            found[a] += 1
            found[b + 1] -= 1
        first = a if first is None else min(first, a)
        last = b if last is None else max(last, b)
    if first is None or last is None:
        return []
    out, r, f = [], 0, 0
    for m in range(first, last + 1):
        r += running.get(m, 0)
        f += found.get(m, 0)
        out.append((_month_name(m), r, f))
    return out


def write(path: str | Path, entries: Iterable[Any], *, today: date, at: date,
          stamp: str | None, problem: str | None = None) -> Path:
    """Write the index of ``entries`` (:class:`chaingraph.web.cases.CaseEntry`) to ``path``.

    Written to a temporary file beside ``path`` and renamed over it, so a reader sees the
    old index or the new one, never half of one.
    """
    path = Path(path)
    work = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    work.unlink(missing_ok=True)
    db = sqlite3.connect(work)
    try:
        fill(db, entries, today=today, at=at, stamp=stamp, problem=problem)
        db.commit()
    finally:
        db.close()
    os.replace(work, path)
    return path


@dataclass
class _Rows:
    """The rows of the index that some entries make, and what they add to the counts."""

    cases: list[tuple[Any, ...]] = field(default_factory=list)
    phases: list[tuple[Any, ...]] = field(default_factory=list)
    members: list[tuple[Any, ...]] = field(default_factory=list)
    owners: list[tuple[Any, ...]] = field(default_factory=list)
    findings: list[tuple[Any, ...]] = field(default_factory=list)
    dash: dict[tuple[str, str, str, str, str], int] = field(
        default_factory=lambda: defaultdict(int))
    partners: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    spans: dict[str, list[tuple[date, date, bool]]] = field(
        default_factory=lambda: defaultdict(list))


def _rows(entries: Iterable[Any], today: date) -> _Rows:
    out = _Rows()
    for e in entries:
        state = e.audit_state()
        risk = e.risk.rsplit("#", 1)[-1] if e.risk else ""
        out.cases.append((e.id, e.iri, _iso(e.start), _iso(e.end), e.risk,
                          _RISK_ORDER.get(risk, -1), state, _AUDIT_ORDER[state],
                          len(e.findings), int(e.audited)))
        out.phases += [(e.id, p, i) for i, p in enumerate(e.phases)]
        out.members += [(e.id, o) for o in e.organisations]
        out.owners += [(e.id, o.phase, o.organisation, _iso(o.start), _iso(o.end))
                       for o in e.ownerships]
        viewers = [ALL, *e.organisations]
        for v in viewers:
            for o in e.organisations:
                out.partners[(v, o)] += 1
        for f in e.findings:
            out.findings.append((e.id, f.rule, f.phase or "", f.severity, _json(f)))
            for v in viewers:
                out.dash[(v, f.rule, f.phase or "", f.severity, "")] += 1
                for o in e.organisations:
                    out.dash[(v, f.rule, f.phase or "", f.severity, o)] += 1
        if e.start:
            for v in viewers:
                out.spans[v].append((e.start, e.end or today, bool(e.findings)))
    return out


def _insert(db: sqlite3.Connection, rows: _Rows) -> None:
    db.executemany("INSERT INTO cases VALUES (?,?,?,?,?,?,?,?,?,?)", rows.cases)
    db.executemany("INSERT INTO phases VALUES (?,?,?)", rows.phases)
    db.executemany("INSERT OR IGNORE INTO members VALUES (?,?)", rows.members)
    db.executemany("INSERT INTO ownerships VALUES (?,?,?,?,?)", rows.owners)
    db.executemany("INSERT INTO findings VALUES (?,?,?,?,?)", rows.findings)


def fill(db: sqlite3.Connection, entries: Iterable[Any], *, today: date, at: date,
         stamp: str | None, problem: str | None = None) -> None:
    """Make the tables of the index in ``db`` and fill them from ``entries``."""
    db.executescript(SCHEMA)
    rows = _rows(entries, today)
    _insert(db, rows)
    db.executemany("INSERT INTO dash VALUES (?,?,?,?,?,?)",
                   [(*k, n) for k, n in rows.dash.items()])
    db.executemany("INSERT INTO partners VALUES (?,?,?)",
                   [(*k, n) for k, n in rows.partners.items()])
    db.executemany("INSERT INTO trend VALUES (?,?,?,?)",
                   [(v, *row) for v, s in rows.spans.items() for row in trend_rows(s)])
    db.executemany("INSERT INTO meta VALUES (?,?)", [
        ("version", VERSION), ("stamp", stamp or ""), ("today", today.isoformat()),
        ("at", at.isoformat()), ("problem", problem or "")])


def update(path: str | Path, *, old: Iterable[Any], new: Iterable[Any], today: date,
           stamp: str | None) -> None:
    """Replace the cases ``old`` (as the index has them) by ``new`` (as the store has them
    now) in the index file at ``path``, the counts with them, in one SQLite transaction
    (a reader sees the index before or after, never between)."""
    before, after = _rows(old, today), _rows(new, today)
    ids = sorted({r[0] for r in before.cases} | {r[0] for r in after.cases})
    db = sqlite3.connect(path)
    try:
        with db:
            for table in ("cases", "phases", "members", "ownerships", "findings"):
                column = "id" if table == "cases" else "case_id"
                db.executemany(f"DELETE FROM {table} WHERE {column} = ?", [(i,) for i in ids])
            _insert(db, after)
            dash: dict[tuple[str, str, str, str, str], int] = defaultdict(int)
            for key, n in before.dash.items():
                dash[key] -= n
            for key, n in after.dash.items():
                dash[key] += n
            for key, n in dash.items():
                _add(db, "dash", ("viewer", "rule", "phase", "severity", "org"), key, (n,), ("n",))
            shared: dict[tuple[str, str], int] = defaultdict(int)
            for key2, n in before.partners.items():
                shared[key2] -= n
            for key2, n in after.partners.items():
                shared[key2] += n
            for key2, n in shared.items():
                _add(db, "partners", ("viewer", "org"), key2, (n,), ("n",))
            months: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
            for sign, rows in ((-1, before), (1, after)):
                for viewer, spans in rows.spans.items():
                    for start, end, has in spans:
                        for m in range(_month(start), _month(end) + 1):
                            months[(viewer, _month_name(m))][0] += sign
                            months[(viewer, _month_name(m))][1] += sign * has
            for month, (running, found) in months.items():
                _add(db, "trend", ("viewer", "month"), month, (running, found),
                     ("running", "with_findings"))
            db.execute("DELETE FROM dash WHERE n <= 0")
            db.execute("DELETE FROM partners WHERE n <= 0")
            db.execute("UPDATE meta SET value = ? WHERE key = 'stamp'", (stamp or "",))
    finally:
        db.close()


def _add(db: sqlite3.Connection, table: str, keys: tuple[str, ...], key: tuple[str, ...],
         amounts: tuple[int, ...], columns: tuple[str, ...]) -> None:
    """Add ``amounts`` to ``columns`` of the row of ``table`` with ``keys`` = ``key``."""
    if not any(amounts):
        return
    where = " AND ".join(f"{k} = ?" for k in keys)
    sets = ", ".join(f"{c} = {c} + ?" for c in columns)
    if db.execute(f"UPDATE {table} SET {sets} WHERE {where}", (*amounts, *key)).rowcount == 0:
        places = ",".join("?" * (len(keys) + len(columns)))
        db.execute(f"INSERT INTO {table} ({', '.join(keys + columns)}) VALUES ({places})",
                   (*key, *amounts))


def set_meta(path: str | Path, key: str, value: str) -> None:
    """Record ``key`` = ``value`` in the index file at ``path``."""
    db = sqlite3.connect(path)
    try:
        with db:
            db.execute("DELETE FROM meta WHERE key = ?", (key,))
            db.execute("INSERT INTO meta VALUES (?, ?)", (key, value))
    finally:
        db.close()


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _json(f: Finding) -> str:
    """A finding as JSON: its fields, and its texts in every language it has."""
    data: dict[str, Any] = {k.name: getattr(f, k.name) for k in fields(f) if k.name != "texts"}
    data["texts"] = {lang: dict(f.texts[lang]) for lang in f.texts}
    return json.dumps(data, ensure_ascii=False)


def finding(data: str) -> Finding:
    """A finding as the index keeps it (its fields as JSON) made again."""
    return Finding(**json.loads(data))


class Index:
    """A read-only connection per thread to an index file (or one in memory)."""

    def __init__(self, path: str | Path | None = None, *,
                 db: sqlite3.Connection | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self._shared = db
        self._local = threading.local()

    @property
    def db(self) -> sqlite3.Connection:
        if self._shared is not None:
            return self._shared
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            self._local.db = db
        return db

    def meta(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, value FROM meta").fetchall())

    def rows(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        return self.db.execute(sql, tuple(params)).fetchall()

    def iter(self, sql: str, params: Iterable[Any] = ()) -> Iterator[tuple[Any, ...]]:
        yield from self.db.execute(sql, tuple(params))


def stored(path: Path, stamp: str | None, today: date | None = None) -> Index | None:
    """The index at ``path`` when it was made from the data of fingerprint ``stamp`` (and,
    given ``today``, on that day: an audit of an earlier day is not today's, as running cases
    run on)."""
    if stamp is None or not path.is_file():
        return None
    try:
        index = Index(path)
        meta = index.meta()
    except sqlite3.Error:
        return None
    if meta.get("version") != VERSION or meta.get("stamp") != stamp:
        return None
    if today is not None and meta.get("today") != today.isoformat():
        return None
    return index


def in_memory(entries: Iterable[Any], *, today: date, at: date,
              problem: str | None = None) -> Index:
    """An index of ``entries`` in memory (data files and endpoints: nothing to keep it beside)."""
    db = sqlite3.connect(":memory:", check_same_thread=False)
    fill(db, entries, today=today, at=at, stamp=None, problem=problem)
    db.commit()
    return Index(db=db)


__all__ = ["ALL", "Index", "fingerprint", "index_path", "in_memory", "stored", "trend_rows",
           "write"]
