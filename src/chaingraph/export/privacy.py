"""No personal data in the room: what an export may show, and the check that it does not.

Exports for learning sessions show victims, suspects and professionals only as their
role ("case director (police)"). Three rules carry that:

1. The views never read a person: no node, label or attribute comes from ``cg:holder``,
   ``cg:victim``, ``cg:suspect`` or ``cg:pseudonym`` (except in the internal mode below).
2. Node ids and IRIs in an export are derived from public names (the monitor's
   organisations and roles, the ontology's phases); the IRI of a node inside a case
   file (``…/case/FX-001/ra-1``) or of a person (``prs:…``) is never written.
3. Before anything is written, :func:`check` scans the finished export for every
   person identifier in the source (each ``cg:pseudonym`` value, each person IRI and
   its local name) and refuses the export if one is there.

The case number (``FX-001``) is kept: it is the chain's own pseudonymous number for
the case, not derived from a person, and the session needs to know which case it is
looking at.

The internal mode (``--pseudonymise KEYFILE``) adds keyed pseudonyms (HMAC-SHA256 of
the source pseudonym under a secret key) for professionals, victim and suspect, so the
people who hold the key can tell persons apart; without the key they cannot be linked
back to the source pseudonyms. It is off by default and not for learning sessions.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from pathlib import Path

from rdflib import Graph, URIRef

from chaingraph.errors import BadParameter, ChaingraphError
from chaingraph.language import local_name
from chaingraph.namespace import CG, MON, PRS

# Only IRIs in these namespaces appear in exports; everything else is renamed or dropped.
PUBLIC_NAMESPACES = (str(CG._NS), str(MON))

# Triples with these predicates name persons; subgraph exports drop them.
PERSON_PREDICATES = frozenset({CG.holder, CG.victim, CG.suspect, CG.pseudonym})


class PersonalDataLeak(ChaingraphError, RuntimeError):
    """An export would contain a person identifier from the source; nothing was written."""


def is_public(iri: URIRef | str) -> bool:
    """Return whether an IRI may appear in an export (an ontology or monitor term).

    Example:
        >>> is_public("https://w3id.org/chaingraph/monitor/org-om")
        True
        >>> is_public("https://w3id.org/chaingraph/case/FX-001/ra-1")
        False
    """
    return str(iri).startswith(PUBLIC_NAMESPACES)


# One query, so the check runs inside the store (rdflib, Oxigraph or a SPARQL endpoint)
# instead of walking every triple in Python.
_PERSONS = """
PREFIX cg: <https://w3id.org/chaingraph/ontology#>
SELECT DISTINCT ?person ?pseudonym WHERE {
  { ?person a cg:Person } UNION { ?person a cg:Professional }
  UNION { ?x cg:holder|cg:victim|cg:suspect ?person }
  UNION { ?person cg:pseudonym ?p }
  UNION { ?person ?p ?o FILTER(isIRI(?person) && STRSTARTS(STR(?person), STR(?prs))) }
  UNION { ?s ?p ?person FILTER(isIRI(?person) && STRSTARTS(STR(?person), STR(?prs))) }
  OPTIONAL { ?person cg:pseudonym ?pseudonym }
  VALUES ?prs { <https://w3id.org/chaingraph/person/> }
}
"""


def _person_rows(graph: Graph) -> list[tuple[URIRef, str | None]]:
    rows = graph.query(_PERSONS)
    return [(row[0], None if row[1] is None else str(row[1])) for row in rows]


def persons(graph: Graph) -> set[URIRef]:
    """Return every node that is a person: typed ``cg:Person``/``cg:Professional``, in the
    ``prs:`` namespace, or the object of ``cg:holder``/``cg:victim``/``cg:suspect``."""
    return {person for person, _ in _person_rows(graph) if isinstance(person, URIRef)}


def identifiers(graph: Graph) -> set[str]:
    """Return every string that would identify a person: pseudonyms, person IRIs, their local names.

    Example:
        >>> from chaingraph import load
        >>> tokens = identifiers(load())
        >>> all(len(t) >= 3 for t in tokens)
        True
    """
    from chaingraph.progress import Progress

    # On a region's store this query scans every statement (minutes at 100,000 cases):
    # the line says on a terminal what the export is waiting for.
    with Progress("privacy check: persons in the source", unit="found") as bar:
        bar.update(0)
        rows = _person_rows(graph)
        bar.update(len(rows))
    tokens: set[str] = set()
    for person, pseudonym in rows:
        if pseudonym is not None:
            tokens.add(pseudonym)
        if isinstance(person, URIRef):
            tokens.add(str(person))
            tokens.add(local_name(person))
    return {t for t in tokens if len(t) >= 3}


def check(content: str | bytes, tokens: Iterable[str], *, what: str = "the export") -> None:
    """Raise :class:`PersonalDataLeak` if ``content`` contains any of ``tokens``.

    Example:
        >>> check("case director (police)", {"P-7K3M9"})
        >>> check("held by P-7K3M9", {"P-7K3M9"})
        Traceback (most recent call last):
        ...
        chaingraph.export.privacy.PersonalDataLeak: the export contains a person identifier from the source; nothing was written
    """
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    if any(token in text for token in tokens):
        raise PersonalDataLeak(f"{what} contains a person identifier from the source; nothing was written")


def keyed(key: bytes) -> Callable[[str], str]:
    """Return a function that maps a pseudonym to a keyed pseudonym (internal use only).

    Example:
        >>> f = keyed(b"secret")
        >>> f("P-7K3M9") == f("P-7K3M9") != keyed(b"other")("P-7K3M9")
        True
        >>> f("P-7K3M9").startswith("K-")
        True
    """
    if not key:
        raise BadParameter("the pseudonymisation key is empty")

    def pseudonym(value: str) -> str:
        return "K-" + hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:12]

    return pseudonym


def read_key(path: str | Path) -> bytes:
    """Read a pseudonymisation key from a file (kept off the command line and shell history)."""
    try:
        key = Path(path).read_bytes().strip()
    except OSError as exc:
        raise BadParameter(f"cannot read the pseudonymisation key file {path} ({exc.strerror})") from None
    if len(key) < 16:
        raise BadParameter(f"the pseudonymisation key in {path} is shorter than 16 bytes")
    return key
