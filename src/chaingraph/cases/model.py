"""A case as a coordinator records it: the parts of a case form, as plain dataclasses.

:mod:`chaingraph.cases.form` reads a form into a :class:`Case`, :mod:`chaingraph.cases.build`
turns it into triples, :mod:`chaingraph.cases.read` turns a case's triples back into one and
:mod:`chaingraph.cases.edit` changes it (a handover, an instrument, an event, the close).
Names are already resolved: organisations, roles, phases and types are IRIs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rdflib import URIRef

__all__ = ["Assignment", "Case", "Event", "Extension", "Instrument"]


@dataclass
class Assignment:
    """An organisation and a pseudonymous holder in a role, for a period (both days included).

    ``kind`` is the responsibility (an IRI of the responsibility scheme), ``phase`` the
    phase of a phase ownership, ``paired_with`` the second member of a case pair.
    """

    organisation: URIRef
    role: URIRef
    holder: str
    start: dt.date
    end: dt.date | None = None
    kind: URIRef | None = None
    phase: URIRef | None = None
    paired_with: str | None = None
    id: str | None = None
    line: int | None = None

    def running_on(self, day: dt.date) -> bool:
        """Whether the assignment runs on ``day``."""
        return self.start <= day and (self.end is None or self.end >= day)


@dataclass
class Extension:
    """An instrument extended on ``date`` until ``until``."""

    date: dt.date
    until: dt.date
    id: str | None = None


@dataclass
class Instrument:
    """An instrument applied in the case, with who decides, carries out, monitors ..."""

    type: URIRef
    start: dt.date
    end: dt.date | None = None
    id: str | None = None
    risk_outcome: URIRef | None = None
    duty_to_report: bool | None = None
    conditions: list[str] = field(default_factory=list)
    responsibilities: list[Assignment] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)
    note: str | None = None
    line: int | None = None


@dataclass
class Event:
    """A dated event or meeting of the case."""

    type: URIRef
    date: dt.date
    id: str | None = None
    by: URIRef | None = None
    concerns: str | None = None
    hosted_by: URIRef | None = None
    chaired_by: URIRef | None = None
    participants: list[URIRef] = field(default_factory=list)
    from_organisation: URIRef | None = None
    to_organisation: URIRef | None = None
    phase: URIRef | None = None
    escalated_to: URIRef | None = None
    escalated_by: URIRef | None = None
    follows_up: str | None = None
    note: str | None = None
    line: int | None = None


@dataclass
class Case:
    """One case: its own fields, phase owners, contact points, instruments and events."""

    id: str
    start: dt.date
    end: dt.date | None = None
    fictional: bool = False
    risk: URIRef | None = None
    victim: str | None = None
    suspect: str | None = None
    phases: list[URIRef] = field(default_factory=list)
    escalation_agreement: URIRef | None = None
    note: str | None = None
    owners: list[Assignment] = field(default_factory=list)
    contact_points: list[Assignment] = field(default_factory=list)
    instruments: list[Instrument] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def assignments(self) -> list[Assignment]:
        """Every assignment: phase owners, contact points and instrument responsibilities."""
        found = [*self.owners, *self.contact_points]
        for instrument in self.instruments:
            found += instrument.responsibilities
        return found
