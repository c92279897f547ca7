"""Which organisations take part in which case: read from the data, or from a store's index.

An organisation takes part in a case when something of the case (``cg:inCase``) names it
with one of :data:`IN_CASE` (``cg:organisation``, ``cg:byOrganisation``, ...). Reading
that from the data joins every such statement with its case: about 3 million at
100,000 cases, 7 to 9 s on Oxigraph, most of the region's collaboration graph. So a
store made by ``chaingraph load`` keeps the answer, one ``(case, organisation)`` pair a
statement, in a named graph of its own (:data:`GRAPH`, outside the default graph that
every query reads), and the collaboration graph reads it in a fraction of a second.

The index is as fresh as the store's last write: ``chaingraph load`` rebuilds it in the
same atomic step as the data, and :func:`chaingraph.backends.write_cases` brings it up to
date for the cases it writes in the same transaction (:func:`refresh`). A store written
by another tool since (an Oxigraph server opened for writing, a SPARQL UPDATE) needs
``chaingraph load --store DIR --reindex``; ``chaingraph export collaboration`` says on
stderr when it used an index, and of when.
An index built by a chaingraph whose membership query differs (:data:`FINGERPRINT`) is
not used. Loading files into any Oxigraph store drops an index the files brought with
them (an N-Quads dump of a store, say): only ``chaingraph load`` builds one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from rdflib import Literal
from rdflib.namespace import XSD

from chaingraph.queryfiles import internal
from chaingraph.sparql import with_values

if TYPE_CHECKING:
    import pyoxigraph

GRAPH = "https://w3id.org/chaingraph/index/memberships"
"""The named graph of the index (written out in each ``queries/internal/memberships-*`` file)."""

_BUILD = internal("memberships-index")

FINGERPRINT = hashlib.sha256(_BUILD.text.encode()).hexdigest()[:16]
"""Which version of ``memberships-index.ru`` built an index: another version's is not read."""

READ = internal("memberships-read").text
"""The index read back: one row per case and organisation, like the query from the data."""


def build(store: pyoxigraph.Store) -> int:
    """(Re)build the index of ``store`` from its default graph, in one transaction.

    Returns the number of (case, organisation) memberships indexed.

    Example:
        >>> from chaingraph.backends import native_store, open_oxigraph
        >>> store = native_store(open_oxigraph(progress=False))
        >>> build(store) > 0 and state(store)[0] == "usable"
        True
    """
    when = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    stamp = with_values(internal("memberships-stamp"), {
        "when": Literal(when, datatype=XSD.dateTime), "fingerprint": Literal(FINGERPRINT)})
    store.update(f"{_BUILD.text.rstrip()} ;\n{stamp}")
    return count(store)


def drop(store: pyoxigraph.Store) -> None:
    """Remove the index from ``store`` (nothing happens when there is none)."""
    store.update(internal("memberships-drop").text)


def count(store: pyoxigraph.Store) -> int:
    """The number of memberships the index of ``store`` holds (0 without one)."""
    result = cast("pyoxigraph.QuerySolutions", store.query(internal("memberships-count").text))
    return int(next(iter(result))[0].value)


def state(store: pyoxigraph.Store) -> tuple[str, str | None]:
    """Say whether ``store`` has an index to read: ("usable" | "outdated" | "none", built at).

    "outdated": built by a chaingraph with another membership query; it is not read.
    """
    solutions = store.query(internal("memberships-state").text)
    rows = list(cast("pyoxigraph.QuerySolutions", solutions))
    if not rows:
        return "none", None
    when = rows[0]["when"].value
    usable = (
        len(rows) == 1 and rows[0]["query"] is not None and rows[0]["query"].value == FINGERPRINT
    )
    return ("usable" if usable else "outdated"), when


_REFRESH = internal("memberships-cases")


def refresh(store: pyoxigraph.Store, cases: Iterable[str]) -> str:
    """The update that brings the index of ``store`` up to date for ``cases`` (IRIs) just
    written or removed, or "" when the store has no usable index (a load builds one).

    It goes into the same request (one transaction) as the write itself, with a new stamp,
    so the index stays as fresh as the data without reading every case again.
    """
    import pyoxigraph

    from chaingraph.sparql import fill_values

    usable, _when = state(store)
    if usable != "usable":
        return ""
    terms = [pyoxigraph.NamedNode(c) for c in cases]
    when = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    stamp = with_values(internal("memberships-stamp"), {
        "when": Literal(when, datatype=XSD.dateTime), "fingerprint": Literal(FINGERPRINT)})
    lines = [line for line in fill_values(_REFRESH, "thing", terms).splitlines()
             if not line.startswith("#")]
    return ("\n".join(lines).strip()
            + " ;\nDELETE WHERE { GRAPH <" + GRAPH + "> { <" + GRAPH + "> ?p ?o } } ;\n"
            + "\n".join(line for line in stamp.splitlines() if not line.startswith("#")))
