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
from typing import cast

from rdflib import Graph, URIRef
from rdflib.query import ResultRow

from chaingraph.errors import BadParameter, PersonalDataLeak
from chaingraph.labels import local_name
from chaingraph.namespace import CG, MON
from chaingraph.queryfiles import internal

# Only IRIs in these namespaces appear in exports; everything else is renamed or dropped.
PUBLIC_NAMESPACES = (str(CG._NS), str(MON))

# Triples with these predicates name persons; subgraph exports drop them.
PERSON_PREDICATES = frozenset({CG.holder, CG.victim, CG.suspect, CG.pseudonym})


def is_public(iri: URIRef | str) -> bool:
    """Return whether an IRI may appear in an export (an ontology or monitor term).

    Example:
        >>> is_public("https://w3id.org/chaingraph/monitor/org-om")
        True
        >>> is_public("https://w3id.org/chaingraph/case/FX-001/ra-1")
        False
    """
    return str(iri).startswith(PUBLIC_NAMESPACES)


def _person_rows(graph: Graph) -> list[tuple[URIRef, str | None]]:
    rows = cast(Iterable[ResultRow], graph.query(internal("persons").text))  # a SELECT
    # the query selects persons, which are IRIs, with their pseudonyms
    return [(cast(URIRef, row[0]), None if row[1] is None else str(row[1])) for row in rows]


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


def check(content: str | bytes, tokens: Iterable[str], *, view: str | None = None,
          fmt: str | None = None) -> None:
    """Raise :class:`PersonalDataLeak` if ``content`` contains any of ``tokens``.

    Example:
        >>> check("case director (police)", {"P-7K3M9"})
        >>> check("held by P-7K3M9", {"P-7K3M9"})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        chaingraph.errors.PersonalDataLeak: the export contains a person identifier ...
    """
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    if any(token in text for token in tokens):
        raise PersonalDataLeak(view, fmt)


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
        raise BadParameter(key="key_empty")

    def pseudonym(value: str) -> str:
        return "K-" + hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:12]

    return pseudonym


def read_key(path: str | Path) -> bytes:
    """Read a pseudonymisation key from a file (kept off the command line and shell history)."""
    try:
        key = Path(path).read_bytes().strip()
    except OSError as exc:
        raise BadParameter(key="key_unreadable", path=path, why=exc.strerror) from None
    if len(key) < 16:
        raise BadParameter(key="key_short", path=path)
    return key
