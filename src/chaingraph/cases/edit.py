"""Changing a case as it runs: a handover, an instrument added, extended or ended, an event,
the close. Each function changes the :class:`~chaingraph.cases.model.Case` it is given and
returns it; :func:`chaingraph.cases.record.save` writes it.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta

from rdflib import URIRef

from chaingraph.cases.build import assign_ids
from chaingraph.cases.form import check_references
from chaingraph.cases.model import Assignment, Case, Event, Extension, Instrument
from chaingraph.cases.vocabulary import vocabulary
from chaingraph.errors import FormError
from chaingraph.namespace import CG

__all__ = ["add_event", "add_instrument", "close", "end_instrument", "extend_instrument",
           "handover"]


def _within(case: Case, day: date) -> None:
    if day < case.start or (case.end is not None and day > case.end):
        raise FormError("outside_case", case=case.id, day=day.isoformat(),
                        start=case.start.isoformat(),
                        end=case.end.isoformat() if case.end else "…")


def handover(case: Case, *, role: URIRef, to: str, on: date,
             organisation: URIRef | None = None, previous: str | None = None) -> list[Assignment]:
    """Hand the role ``role`` in ``case`` over to the holder ``to`` from ``on``.

    Every assignment of the previous holder in that role that runs on ``on`` (phase
    ownerships, contact points and instrument responsibilities alike) ends on the day
    before, and the same assignment starts for ``to`` on ``on``; a handover event per phase
    passed on goes into the timeline. Returns the new assignments.
    Where several people hold the role that day, ``organisation`` or ``previous`` (the
    previous holder's pseudonym) says whose assignments pass on.

    Example:
        >>> from datetime import date
        >>> from chaingraph import load
        >>> from chaingraph.cases.read import read_case
        >>> from chaingraph.namespace import MON
        >>> case = read_case(load(), "FX-003")
        >>> new = handover(case, role=MON["role-casusregisseur"], to="P-NEW01", on=date(2022, 6, 1))
        >>> len(new) > 1, {a.holder for a in new}
        (True, {'P-NEW01'})

    Raises:
        FormError: the day lies outside the case; nobody, or several people, hold the role
            on that day; ``to`` holds it already.
    """
    vocab = vocabulary()
    _within(case, on)
    if on == case.start:
        raise FormError("outside_case", case=case.id, day=on.isoformat(),
                        start=(case.start + timedelta(days=1)).isoformat(),
                        end=case.end.isoformat() if case.end else "…")
    of_role = [a for a in case.assignments() if a.role == role
               and (organisation is None or a.organisation == organisation)
               and (previous is None or a.holder == previous)]
    running = [a for a in of_role if a.running_on(on)]
    holders = sorted({a.holder for a in running})
    role_name = vocab.role.write(role, "en")
    if not holders:
        raise FormError("no_holder", role=role_name, case=case.id, day=on.isoformat(),
                        holders=", ".join(sorted({a.holder for a in of_role})) or "-")
    if to in holders:
        raise FormError("same_holder", holder=to, role=role_name, case=case.id,
                        day=on.isoformat())
    if len(holders) > 1:
        raise FormError("several_holders", role=role_name, case=case.id, day=on.isoformat(),
                        holders=", ".join(holders))
    new: list[Assignment] = []
    lists = [case.owners, case.contact_points, *(i.responsibilities for i in case.instruments)]
    for items in lists:
        for assignment in [a for a in items if a in running]:
            if assignment.start >= on:  # starts on the day itself: it is simply the new holder's
                assignment.holder = to
                new.append(assignment)
                continue
            successor = copy.copy(assignment)
            successor.holder, successor.start, successor.id, successor.line = to, on, None, None
            assignment.end = on - timedelta(days=1)
            items.insert(items.index(assignment) + 1, successor)
            new.append(successor)
    # The timeline records each phase handed over, on the previous holder's last day (as the
    # example cases record a handover).
    for owner in (a for a in new if a.phase is not None):
        case.events.append(Event(type=CG.Handover, date=on - timedelta(days=1),
                                 by=owner.organisation, from_organisation=owner.organisation,
                                 to_organisation=owner.organisation, phase=owner.phase))
    assign_ids(case)
    return new


def _instrument(case: Case, ident: str) -> Instrument:
    for instrument in case.instruments:
        if instrument.id == ident:
            return instrument
    raise FormError("unknown_instrument", case=case.id, value=ident,
                    allowed=", ".join(str(i.id) for i in case.instruments) or "-")


def _decider(instrument: Instrument) -> URIRef | None:
    for person in instrument.responsibilities:
        if person.kind == CG.Decides:
            return person.organisation
    return None


def add_instrument(case: Case, instrument: Instrument, *, event: bool = True) -> Instrument:
    """Add ``instrument`` (with its responsibilities) to ``case``.

    With ``event`` an "instrument imposed" event on its first day is added too, by the
    organisation that decides on it.
    """
    _within(case, instrument.start)
    for person in instrument.responsibilities:
        if person.start == date.min:
            person.start, person.end = instrument.start, person.end or instrument.end
    case.instruments.append(instrument)
    assign_ids(case)
    if event:
        case.events.append(Event(type=CG.InstrumentImposed, date=instrument.start,
                                 by=_decider(instrument), concerns=instrument.id))
        assign_ids(case)
    check_references(case)
    return instrument


def extend_instrument(case: Case, ident: str, *, until: date, on: date | None = None) -> Extension:
    """Extend the instrument ``ident`` until ``until`` (decided on ``on``, default its last day).

    Its responsibilities that ran to its old end run to the new one.
    """
    instrument = _instrument(case, ident)
    old = instrument.end
    if old is not None and until <= old:
        raise FormError("end_before_start", field="--to", start=old.isoformat(),
                        end=until.isoformat())
    day = on or old or instrument.start
    _within(case, day)
    _within(case, until)
    for person in instrument.responsibilities:
        if person.end == old:
            person.end = until
    instrument.end = until
    extension = Extension(date=day, until=until)
    instrument.extensions.append(extension)
    assign_ids(case)
    return extension


def end_instrument(case: Case, ident: str, *, on: date, event: bool = True) -> Instrument:
    """End the instrument ``ident`` on ``on`` (its last day), and every responsibility for it."""
    instrument = _instrument(case, ident)
    if instrument.end is not None and instrument.end < on:
        raise FormError("instrument_ended", value=ident, end=instrument.end.isoformat())
    if on < instrument.start:
        raise FormError("end_before_start", field="--on", start=instrument.start.isoformat(),
                        end=on.isoformat())
    instrument.end = on
    for person in instrument.responsibilities:
        if person.end is None or person.end > on:
            person.end = on
    if event:
        case.events.append(Event(type=CG.InstrumentEnded, date=on, by=_decider(instrument),
                                 concerns=instrument.id))
        assign_ids(case)
    return instrument


def add_event(case: Case, event: Event) -> Event:
    """Add ``event`` to ``case``; what it refers to must be in the case."""
    _within(case, event.date)
    case.events.append(event)
    assign_ids(case)
    check_references(case)
    return event


def close(case: Case, *, on: date) -> Case:
    """Close ``case`` on ``on`` (its last day): everything still running ends that day."""
    if case.end is not None:
        raise FormError("already_closed", case=case.id, end=case.end.isoformat())
    _within(case, on)
    case.end = on
    for item in case.assignments():
        if item.end is None or item.end > on:
            item.end = on
    for instrument in case.instruments:
        if instrument.end is None or instrument.end > on:
            instrument.end = on
    return case
