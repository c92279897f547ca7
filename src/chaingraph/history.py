"""The history of a store's cases: who changed which case when, and each version as it was.

Every write through :func:`chaingraph.backends.write_cases` or ``chaingraph load`` is a
PROV activity; every case it wrote is a new version of that case. The records live in
the named graph :data:`GRAPH`, the replaced versions each in a named graph of their own
(named by the version's IRI). Neither is the default graph, which is all that queries,
audits and exports read (:mod:`chaingraph.storewrite`): an old version is never seen
there. The current version of a case is its case graph; the history holds only the
record of it.

The records (PROV-O)::

    <…/history/activity/A> a prov:Activity ; cgh:kind "load" ;        # or "new", "update", …
        prov:startedAtTime "…"^^xsd:dateTime ; prov:endedAtTime "…"^^xsd:dateTime ;
        prov:wasAssociatedWith prs:P-XXXXX .                         # the --by pseudonym
    <…/history/version/V> a prov:Entity ; prov:specializationOf <case> ;
        cgh:caseId "FX-001" ; prov:wasGeneratedBy <…/activity/A> ;
        prov:generatedAtTime "…"^^xsd:dateTime ; prov:wasRevisionOf <…/version/U> .
    <…/history/version/U> prov:invalidatedAtTime "…"^^xsd:dateTime ;
        prov:wasInvalidatedBy <…/activity/A> .                         # + GRAPH <…/version/U>

:func:`as_recorded` gives the data as it was recorded at a moment: each case in the
version that was current then (a case written later is left out); a case from before
stores kept history has no record and is taken as it is now.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from rdflib import Graph

if TYPE_CHECKING:
    import pyoxigraph

GRAPH = "https://w3id.org/chaingraph/history"
"""The named graph of the history's PROV records."""

PROV = "http://www.w3.org/ns/prov#"
CGH = "https://w3id.org/chaingraph/history#"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
PERSON = "https://w3id.org/chaingraph/person/"


def now() -> str:
    """The time of a write as an ``xsd:dateTime`` text (UTC, microseconds: writes are ordered)."""
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


def activity_iri() -> str:
    return f"{GRAPH}/activity/{uuid.uuid4().hex}"


def version_iri() -> str:
    return f"{GRAPH}/version/{uuid.uuid4().hex}"


def current_versions(store: pyoxigraph.Store, cases: Sequence[str]) -> dict[str, str]:
    """The current version (its IRI) of each of ``cases`` that has a record: case -> version."""
    import pyoxigraph

    from chaingraph.queryfiles import internal
    from chaingraph.sparql import fill_values

    found: dict[str, str] = {}
    for start in range(0, len(cases), 2000):
        batch = [pyoxigraph.NamedNode(c) for c in cases[start:start + 2000]]
        query = fill_values(internal("history-current"), "case", batch)
        for row in cast("pyoxigraph.QuerySolutions", store.query(query)):
            found[row["case"].value] = row["version"].value
    return found


def retire(store: pyoxigraph.Store, cases: Mapping[str, str], *, activity: str,
           when: str) -> tuple[str, dict[str, str]]:
    """The update that keeps the versions of ``cases`` (IRI -> id) about to be replaced.

    Returns the update text (no prologue: it goes in the middle of a request) and each
    case's retired version, the new versions' ``prov:wasRevisionOf``.
    """
    import pyoxigraph

    from chaingraph.queryfiles import internal
    from chaingraph.sparql import fill_values

    current = current_versions(store, list(cases))
    parts = []
    records = []
    for case, ident in cases.items():
        version = current.get(case)
        if version is None:  # written before the store kept history: recorded now
            version = current[case] = version_iri()
            records += _entity(version, case, ident)
        records += [(version, PROV + "invalidatedAtTime", _time(when)),
                    (version, PROV + "wasInvalidatedBy", pyoxigraph.NamedNode(activity))]
        name = pyoxigraph.NamedNode(version)
        node = pyoxigraph.NamedNode(case)
        keep = internal("history-keep" if store.contains_named_graph(node)
                        else "history-keep-unfiled")
        parts.append(fill_values(fill_values(keep, "case", [node]), "version", [name]))
    from chaingraph.storewrite import _body, insertion

    text = " ;\n".join(_body(p) for p in parts)
    if records:
        text += (" ;\n" if text else "") + insertion(_quads(records))
    return text, current


def _time(when: str) -> Any:
    import pyoxigraph

    return pyoxigraph.Literal(when, datatype=pyoxigraph.NamedNode(XSD_DATETIME))


def _entity(version: str, case: str, ident: str) -> list[tuple[str, str, Any]]:
    import pyoxigraph

    rows: list[tuple[str, str, Any]] = [
        (version, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
         pyoxigraph.NamedNode(PROV + "Entity")),
        (version, PROV + "specializationOf", pyoxigraph.NamedNode(case))]
    if ident:
        rows.append((version, CGH + "caseId", pyoxigraph.Literal(ident)))
    return rows


def _quads(rows: Iterable[tuple[str, str, Any]]) -> list[Any]:
    import pyoxigraph

    graph = pyoxigraph.NamedNode(GRAPH)
    return [pyoxigraph.Quad(pyoxigraph.NamedNode(s), pyoxigraph.NamedNode(p), o, graph)
            for s, p, o in rows]


def record(cases: Mapping[str, str], *, activity: str, when: str, kind: str,
           by: str | None = None, previous: Mapping[str, str] | None = None) -> list[Any]:
    """The PROV records of one write: its activity and a new version of each case written."""
    import pyoxigraph

    act = pyoxigraph.NamedNode(activity)
    rows: list[tuple[str, str, Any]] = [
        (activity, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
         pyoxigraph.NamedNode(PROV + "Activity")),
        (activity, CGH + "kind", pyoxigraph.Literal(kind)),
        (activity, PROV + "startedAtTime", _time(when)),
        (activity, PROV + "endedAtTime", _time(when))]
    if by:
        rows.append((activity, PROV + "wasAssociatedWith", pyoxigraph.NamedNode(PERSON + by)))
    for case, ident in cases.items():
        version = version_iri()
        rows += _entity(version, case, ident)
        rows += [(version, PROV + "wasGeneratedBy", act),
                 (version, PROV + "generatedAtTime", _time(when))]
        if previous and case in previous:
            rows.append((version, PROV + "wasRevisionOf", pyoxigraph.NamedNode(previous[case])))
    return _quads(rows)


def changes(directory: str | Path) -> list[dict[str, str]]:
    """Every recorded change of the store at ``directory``, oldest first.

    Each: ``when``, ``case`` (IRI), ``id``, ``kind``, ``by`` (pseudonym or ""), ``version``.

    Example:
        >>> import tempfile, pathlib
        >>> from chaingraph.backends import write_cases
        >>> from chaingraph.graph import case_files, load
        >>> store = pathlib.Path(tempfile.mkdtemp()) / "store"
        >>> _ = write_cases(store, load(case_files()[:1], base=False), by="P-TEST1")
        >>> [(c["id"], c["kind"], c["by"]) for c in changes(store)]
        [('FX-001', 'load', 'P-TEST1')]
    """
    from chaingraph.backends import _open_native
    from chaingraph.queryfiles import internal

    store = _open_native(directory, read_only=True)
    rows = []
    for row in cast("pyoxigraph.QuerySolutions", store.query(internal("history-changes").text)):
        by = row["by"].value if row["by"] is not None else ""
        rows.append({"when": row["when"].value, "case": row["case"].value,
                     "id": row["id"].value if row["id"] is not None else "",
                     "kind": row["kind"].value, "by": by.removeprefix(PERSON),
                     "version": row["version"].value})
    return rows


def as_recorded(directory: str | Path, when: str | dt.datetime | dt.date, *,
                case: str | None = None) -> Graph:
    """The store's data as it was recorded at ``when`` (a time, or the end of a day), in memory.

    Each case is in the version that was current then; a case first written later is
    left out; a case without a record (written before the store kept history) is taken
    as it is now. The ontology, the monitor and the persons are taken as they are now.
    The result is an in-memory Oxigraph graph, for ``who --at`` and any other reader.

    With ``case`` (an id such as ``FX-001``, or the case's IRI) only that case is read,
    with the bundled ontology and monitor data and the persons it names: what ``who``
    needs, in a fraction of a second on a region's store (the whole data is read
    otherwise).
    """
    import pyoxigraph

    from chaingraph.backends import _open_native, oxigraph_graph
    from chaingraph.queryfiles import internal
    from chaingraph.sparql import fill_values

    if isinstance(when, dt.datetime):
        stamp = when.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    elif isinstance(when, dt.date):
        stamp = f"{when.isoformat()}T23:59:59.999999Z"
    else:
        stamp = when
    source = _open_native(directory, read_only=True)
    solutions = source.query(fill_values(internal("history-at"), "at", [_time(stamp)]))
    at: dict[str, tuple[Any, bool]] = {}  # case -> (its version then or None, is current)
    for row in cast("pyoxigraph.QuerySolutions", solutions):
        current = row["current"] is not None and row["current"].value == "true"
        at[row["case"].value] = (row["version"], current)
    view = pyoxigraph.Store()
    if case is not None:
        _one_case(source, view, case, at)
        return oxigraph_graph(view)
    view.bulk_extend(source.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph()))
    for iri, (version, current) in at.items():
        if current:
            continue
        node = pyoxigraph.NamedNode(iri)
        for q in source.quads_for_pattern(None, None, None, node):
            view.remove(pyoxigraph.Quad(q.subject, q.predicate, q.object))
        if version is not None:
            view.extend(pyoxigraph.Quad(q.subject, q.predicate, q.object)
                        for q in source.quads_for_pattern(None, None, None, version))
    return oxigraph_graph(view)


def _one_case(source: Any, view: Any, case: str, at: Mapping[str, tuple[Any, bool]]) -> None:
    """Put one case as recorded (``at``), the bundled ontology and monitor and its persons
    into ``view``."""
    import pyoxigraph

    from chaingraph.backends import load_files
    from chaingraph.graph import monitor_files, ontology_files
    from chaingraph.queryfiles import internal
    from chaingraph.sparql import fill_values

    iri = case if case.startswith(("http://", "https://")) else _case_iri(source, case)
    load_files(view, [*ontology_files(), *monitor_files()], progress=False)
    if iri is None:
        return
    node = pyoxigraph.NamedNode(iri)
    version, current = at.get(iri, (None, True))
    if iri not in at or current:
        triples = [q.triple for q in source.quads_for_pattern(None, None, None, node)]
        if not triples:  # a store from before case graphs: the case as the audit reads it
            query = fill_values(internal("audit-one-case"), "case", [node])
            triples = list(cast("pyoxigraph.QueryTriples", source.query(query)))
    elif version is not None:
        triples = [q.triple for q in source.quads_for_pattern(None, None, None, version)]
    else:
        triples = []
    view.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in triples)
    named = {t.object for t in triples if isinstance(t.object, pyoxigraph.NamedNode)
             and t.object.value.startswith(PERSON)}
    for person in named:
        view.extend(source.quads_for_pattern(person, None, None, pyoxigraph.DefaultGraph()))


def _case_iri(source: Any, case_id: str) -> str | None:
    """The IRI of the case with ``case_id``: in the data now, or else in the history."""
    import pyoxigraph

    from chaingraph.queryfiles import internal
    from chaingraph.sparql import fill_values

    query = fill_values(internal("history-case-iri"), "id", [pyoxigraph.Literal(case_id)])
    rows = list(cast("pyoxigraph.QuerySolutions", source.query(query)))
    return rows[0]["case"].value if rows else None
