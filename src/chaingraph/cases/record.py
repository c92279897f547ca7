"""Where cases come from and go to: files, the bundled data, a store; and the check on intake.

A case read from a store or from files becomes a :class:`~chaingraph.cases.model.Case`; a
case is written as Turtle to a file (atomically; never over its source) or replaced in a
store in one transaction (:func:`chaingraph.backends.write_cases`, which records who changed
what with PROV). :func:`check` audits the case against the agreed work process, so that a
case that is complete enough to record but breaks the process is written *and* reported.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

from rdflib import Graph

from chaingraph.cases.build import case_graph
from chaingraph.cases.model import Case
from chaingraph.cases.read import read_case
from chaingraph.cases.vocabulary import base_graph
from chaingraph.findings import AuditReport
from chaingraph.names import find_case
from chaingraph.namespace import PREFIXES
from chaingraph.output import write_atomic

__all__ = ["case_exists", "check", "load_case", "save", "source_graph", "turtle"]

PathLike = str | Path


def source_graph(*, paths: Sequence[PathLike] = (), store: PathLike | None = None) -> Graph:
    """The graph to read cases from: a store (read-only), files ``paths`` or the bundled data."""
    from chaingraph.backends import open_graph, open_store

    if store is not None:
        return open_store(store, read_only=True)
    return open_graph(paths=paths, backend="memory")


def load_case(case_id: str, *, paths: Sequence[PathLike] = (),
              store: PathLike | None = None) -> Case:
    """Read case ``case_id`` from a store, the files ``paths`` or the bundled example cases.

    Example:
        >>> load_case("FX-002").end.isoformat()
        '2022-01-31'

    Raises:
        UnknownCase: no such case there.
    """
    graph = source_graph(paths=paths, store=store)
    try:
        return read_case(graph, case_id)
    finally:
        del graph
        gc.collect()  # a store opened read-only is closed before it is written to


def case_exists(case_id: str, *, paths: Sequence[PathLike] = (),
                store: PathLike | None = None) -> bool:
    """Whether case ``case_id`` is in the store or the files."""
    from chaingraph.errors import UnknownCase

    graph = source_graph(paths=paths, store=store)
    try:
        find_case(graph, case_id)
        return True
    except UnknownCase:
        return False
    finally:
        del graph
        gc.collect()


def check(cases: Case | Sequence[Case], *, at: date | None = None,
          lang: str = "en") -> AuditReport:
    """Audit ``cases`` against the agreed work process, each on its own with the monitor.

    Example:
        >>> from chaingraph.cases.form import parse_form
        >>> report = check(parse_form("case: {id: C-1, start: 2021-06-20, phases: [risk]}"),
        ...                at=date(2021, 7, 1))
        >>> "phase-without-owner" in {f.rule for f in report}
        True
    """
    from chaingraph.audit import audit_compiled

    chosen = [cases] if isinstance(cases, Case) else list(cases)
    graph = Graph()
    graph += base_graph()
    for case in chosen:
        graph += case_graph(case)
    report = audit_compiled(graph, cases=[c.id for c in chosen], at=at, lang=lang, workers=1)
    return replace(report, why="default")  # the engine `audit` chooses too; no --engine here


def turtle(cases: Case | Sequence[Case]) -> str:
    """The Turtle of ``cases``, as ``data/cases/*.ttl`` has it."""
    chosen = [cases] if isinstance(cases, Case) else list(cases)
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for case in chosen:
        graph += case_graph(case)
    if len(chosen) == 1:
        from chaingraph.cases.build import case_namespace

        graph.bind("", case_namespace(chosen[0].id))
    head = "".join(f"# {'FICTIONAL ' if c.fictional else ''}case {c.id}, "
                   "recorded with chaingraph case\n" for c in chosen)
    return head + graph.serialize(format="turtle")


def save(cases: Case | Sequence[Case], *, output: PathLike | None = None,
         store: PathLike | None = None, by: str | None = None, activity: str = "load",
         note: Callable[[str], None] | None = None, lang: str = "en") -> Graph:
    """Write ``cases`` to the file ``output`` (atomically) or replace them in ``store``.

    In a store each case replaces the earlier version of the same case in one transaction
    (every other case stays as it was); ``by`` (a pseudonymous user) and ``activity`` are
    recorded with the change. Returns the triples written.
    """
    chosen = [cases] if isinstance(cases, Case) else list(cases)
    graph = Graph()
    for case in chosen:
        graph += case_graph(case)
    if store is not None:
        from chaingraph.backends import write_cases

        write_cases(store, graph, by=by, activity=activity, progress=False, note=note, lang=lang)
    elif output is not None:
        write_atomic(output, turtle(chosen))
    return graph
