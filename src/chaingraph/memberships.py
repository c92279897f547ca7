"""Which organisations take part in which case: read from the data, or from a store's index.

An organisation takes part in a case when something of the case (``cg:inCase``) names it
with one of :data:`IN_CASE` (``cg:organisation``, ``cg:byOrganisation``, ...). Reading
that from the data joins every such statement with its case: about 3 million at
100,000 cases, 7 to 9 s on Oxigraph, most of the region's collaboration graph. So a
store made by ``chaingraph load`` keeps the answer, one ``(case, organisation)`` pair a
statement, in a named graph of its own (:data:`GRAPH`, outside the default graph that
every query reads), and the collaboration graph reads it in a fraction of a second.

The index is as fresh as the store's last ``chaingraph load``, which rebuilds it in the
same atomic step as the data. A store written by another tool since (an Oxigraph server
opened for writing, a SPARQL UPDATE) needs ``chaingraph load --store DIR --reindex``;
``chaingraph export collaboration`` says on stderr when it used an index, and of when.
An index built by a chaingraph whose membership query differs (:data:`FINGERPRINT`) is
not used. Loading files into any Oxigraph store drops an index the files brought with
them (an N-Quads dump of a store, say): only ``chaingraph load`` builds one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyoxigraph

# Where an organisation takes part in something that belongs to a case.
IN_CASE = ("cg:organisation", "cg:byOrganisation", "cg:participant", "cg:fromOrganisation",
           "cg:toOrganisation", "cg:hostedBy")

# How a thing of a case names its organisation ?a, for a query with ?x cg:inCase ?thing.
# On Oxigraph as VALUES of the predicates (each scanned by its index: twice as fast as the
# path alternative), on rdflib as a UNION (VALUES there is the slowest form).
ORGANISATION_OF = {
    "oxigraph": "VALUES ?p { %s } ?x ?p ?a ." % " ".join(IN_CASE),
    "other": "{ %s }" % " } UNION { ".join(f"?x {p} ?a" for p in IN_CASE),
}

GRAPH = "https://w3id.org/chaingraph/index/memberships"
_INDEX = "https://w3id.org/chaingraph/index#"
_PREFIXES = f"""PREFIX cg: <https://w3id.org/chaingraph/ontology#>
PREFIX idx: <{_INDEX}>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

# The memberships the index holds: those the collaboration graph reads from the data
# (export.views.MEMBERS_QUERIES "case", on Oxigraph), organisations being IRIs.
WHERE = ORGANISATION_OF["oxigraph"] + " ?x cg:inCase ?thing . FILTER(isIRI(?a))"
FINGERPRINT = hashlib.sha256(WHERE.encode()).hexdigest()[:16]

# The index read back: one row per case and organisation, like the query from the data.
READ = _PREFIXES + f"SELECT ?thing ?a WHERE {{ GRAPH <{GRAPH}> {{ ?thing idx:organisation ?a }} }}"

_STATE = _PREFIXES + f"""SELECT ?when ?query WHERE {{ GRAPH <{GRAPH}> {{
  <{GRAPH}> idx:builtAt ?when . OPTIONAL {{ <{GRAPH}> idx:query ?query }} }} }}"""


def build(store: pyoxigraph.Store) -> int:
    """(Re)build the index of ``store`` from its default graph, in one transaction.

    Returns the number of (case, organisation) memberships indexed.

    Example:
        >>> from chaingraph.backends import native_store, open_oxigraph
        >>> store = native_store(open_oxigraph(progress=False))
        >>> build(store) > 0 and state(store)[0] == "usable"
        True
    """
    when = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    store.update(_PREFIXES + f"""
DROP SILENT GRAPH <{GRAPH}> ;
INSERT {{ GRAPH <{GRAPH}> {{ ?thing idx:organisation ?a }} }}
WHERE {{ SELECT DISTINCT ?thing ?a WHERE {{ {WHERE} }} }} ;
INSERT DATA {{ GRAPH <{GRAPH}> {{
  <{GRAPH}> idx:builtAt "{when}"^^xsd:dateTime ; idx:query "{FINGERPRINT}" }} }}""")
    return count(store)


def drop(store: pyoxigraph.Store) -> None:
    """Remove the index from ``store`` (nothing happens when there is none)."""
    store.update(f"DROP SILENT GRAPH <{GRAPH}>")


def count(store: pyoxigraph.Store) -> int:
    """The number of memberships the index of ``store`` holds (0 without one)."""
    result = store.query(_PREFIXES + f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> "
                         "{ ?thing idx:organisation ?a } }")
    return int(next(iter(result))[0].value)


def state(store: pyoxigraph.Store) -> tuple[str, str | None]:
    """Say whether ``store`` has an index to read: ("usable" | "outdated" | "none", built at).

    "outdated": built by a chaingraph with another membership query; it is not read.
    """
    rows = list(store.query(_STATE))
    if not rows:
        return "none", None
    when = rows[0]["when"].value
    usable = len(rows) == 1 and rows[0]["query"] is not None and rows[0]["query"].value == FINGERPRINT
    return ("usable" if usable else "outdated"), when
