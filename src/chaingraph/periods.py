"""Ownership periods: gaps, overlaps and handovers over inclusive date intervals.

Pure Python, no graph: a :class:`Period` is one holder's ``start`` … ``end`` (both
inclusive; ``end=None`` means still running). The functions answer the questions a
coordinator asks of a phase's owners over time: when did nobody own it (:func:`gaps`),
when did two own it at once (:func:`overlaps`), and how did it pass from one owner
to the next (:func:`handovers`).

One definition for the whole of chaingraph (this module, the ``gaps-and-overlaps`` named
query, ``chaingraph who`` and the rules ``phase-gap`` and ``phase-overlap`` of
``shapes/ownership.ttl``; the tests hold them to the same answers):

- an **overlap** is two ownerships of the same phase in the same case whose periods share
  at least one day, whatever their organisations: two owners in one organisation, or one
  holder recorded twice, are an overlap as much as two organisations are;
- a **gap** is a day of the case's period on which no ownership of the phase runs;
- a **handover** is one ownership ending and the next one starting (after a gap, if
  nobody owned the phase in between).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, order=True)
class Period:
    """An inclusive date interval held by ``owner`` (any hashable key; None allowed)."""

    start: date
    end: date | None = None
    owner: Hashable = None

    def covers(self, day: date) -> bool:
        """Return whether ``day`` lies in the period (inclusive at both ends).

        Example:
            >>> Period(date(2021, 3, 1), date(2021, 3, 31)).covers(date(2021, 3, 31))
            True
        """
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Gap:
    """Days without any owner: ``start`` … ``end`` inclusive (``end=None``: still open).

    ``before`` and ``after`` are the owners whose periods bound the gap (None at the
    edge of the case).
    """

    start: date
    end: date | None
    before: Hashable = None
    after: Hashable = None

    @property
    def days(self) -> int | None:
        """The number of days in the gap, or None while it is open."""
        return None if self.end is None else (self.end - self.start).days + 1


@dataclass(frozen=True)
class Overlap:
    """Days on which two owners held the same thing: ``start`` … ``end`` inclusive."""

    start: date
    end: date | None
    first: Hashable
    second: Hashable


@dataclass(frozen=True)
class Handover:
    """One owner following another; ``gap_days`` > 0 when nobody held it in between."""

    previous: Hashable
    next: Hashable
    previous_end: date
    next_start: date

    @property
    def gap_days(self) -> int:
        """The days between the two periods that nobody held (0 for a seamless handover)."""
        return max(0, (self.next_start - self.previous_end).days - 1)

    @property
    def with_gap(self) -> bool:
        """Whether the next owner started later than the day after the previous one ended."""
        return self.gap_days > 0


def _end_key(end: date | None) -> date:
    return date.max if end is None else end


def _earlier(a: date | None, b: date | None) -> date | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def gaps(periods: Iterable[Period], start: date, end: date | None = None) -> list[Gap]:
    """Return the stretches of ``start`` … ``end`` that no period covers.

    Args:
        periods: the owners' periods, in any order.
        start: the first day that should be covered (the case's start).
        end: the last day that should be covered; None means open-ended (a running
            case), so a final stretch without owner is a gap with ``end=None``.

    Example:
        >>> p = [Period(date(2021, 3, 1), date(2021, 3, 10), "A"),
        ...      Period(date(2021, 3, 15), None, "B")]
        >>> [(g.start.isoformat(), g.end.isoformat(), g.before, g.after)
        ...  for g in gaps(p, date(2021, 3, 1), date(2021, 3, 31))]
        [('2021-03-11', '2021-03-14', 'A', 'B')]
    """
    result: list[Gap] = []
    cursor: date | None = start  # first day not yet known to be covered
    last_owner: Hashable = None
    for period in sorted(periods, key=lambda p: (p.start, _end_key(p.end))):
        if cursor is None or (end is not None and cursor > end):
            break
        if period.end is not None and period.end < cursor:
            continue
        if period.start > cursor:
            gap_end = period.start - ONE_DAY
            if end is not None and gap_end > end:
                gap_end = end
            inside = end is None or period.start <= end
            result.append(Gap(cursor, gap_end, last_owner, period.owner if inside else None))
        cursor = None if period.end is None else period.end + ONE_DAY
        last_owner = period.owner
    if cursor is not None and (end is None or cursor <= end):
        result.append(Gap(cursor, end, last_owner, None))
    return result


def overlaps(periods: Iterable[Period]) -> list[Overlap]:
    """Return every pair of periods that share at least one day, with the shared days.

    Every period counts as an ownership of its own, whoever its ``owner`` is: two periods
    of one organisation or one holder overlap like any other two.

    Example:
        >>> p = [Period(date(2021, 3, 1), date(2021, 3, 10), "A"),
        ...      Period(date(2021, 3, 8), None, "B")]
        >>> [(o.start.isoformat(), o.end.isoformat(), o.first, o.second) for o in overlaps(p)]
        [('2021-03-08', '2021-03-10', 'A', 'B')]
    """
    ordered = sorted(periods, key=lambda p: (p.start, _end_key(p.end), str(p.owner)))
    result: list[Overlap] = []
    for i, first in enumerate(ordered):
        for second in ordered[i + 1:]:
            if first.end is not None and second.start > first.end:
                continue
            start = max(first.start, second.start)
            end = _earlier(first.end, second.end)
            if end is None or start <= end:
                result.append(Overlap(start, end, first.owner, second.owner))
    return result


def handovers(periods: Iterable[Period]) -> list[Handover]:
    """Return each passing of the phase from one owner to the next, in time order.

    A period that ends hands over to the first period that starts after its end,
    unless another period still runs past that end (then the thing was already
    held: that is an overlap, not a handover). ``with_gap`` is true when the next
    start is more than one day after the previous end.

    Example:
        >>> p = [Period(date(2021, 6, 5), None, "B"),
        ...      Period(date(2021, 3, 1), date(2021, 5, 31), "A")]
        >>> [(h.previous, h.next, h.gap_days) for h in handovers(p)]
        [('A', 'B', 4)]
    """
    ordered = sorted(periods, key=lambda p: (p.start, _end_key(p.end), str(p.owner)))
    result: list[Handover] = []
    for i, previous in enumerate(ordered):
        if previous.end is None:
            continue
        # a later period still running on the day after ``previous`` ends means
        # someone else already holds it: no handover from ``previous``
        followers = [p for p in ordered[i + 1:] if p.start > previous.end]
        covering = [p for p in ordered if p is not previous and p.start <= previous.end
                    and (p.end is None or p.end > previous.end)]
        if not followers or covering:
            continue
        nxt = followers[0]
        result.append(Handover(previous.owner, nxt.owner, previous.end, nxt.start))
    return result
