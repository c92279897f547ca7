"""Ownership periods: gaps, overlaps and handovers on hand-made periods and on the real cases."""

from __future__ import annotations

import json
from datetime import date

from rdflib.namespace import SKOS

from chaingraph import resources
from chaingraph.periods import Period, gaps, handovers, overlaps
from chaingraph.queries import run_query
from chaingraph.responsibility import case_ids, case_period

D = date


def test_no_periods_is_one_gap_over_the_whole_span():
    [gap] = gaps([], D(2021, 1, 1), D(2021, 1, 31))
    assert (gap.start, gap.end, gap.days) == (D(2021, 1, 1), D(2021, 1, 31), 31)


def test_open_ended_span_without_owner_is_an_open_gap():
    [gap] = gaps([Period(D(2021, 1, 1), D(2021, 1, 10), "A")], D(2021, 1, 1), None)
    assert (gap.start, gap.end, gap.before, gap.after, gap.days) == (D(2021, 1, 11), None, "A", None, None)


def test_seamless_periods_have_no_gap_and_handover_without_gap():
    p = [Period(D(2021, 1, 11), None, "B"), Period(D(2021, 1, 1), D(2021, 1, 10), "A")]  # unsorted
    assert gaps(p, D(2021, 1, 1), D(2021, 12, 31)) == []
    [h] = handovers(p)
    assert (h.previous, h.next, h.gap_days, h.with_gap) == ("A", "B", 0, False)


def test_one_day_gap_and_handover_with_gap():
    p = [Period(D(2021, 1, 1), D(2021, 1, 10), "A"), Period(D(2021, 1, 12), D(2021, 1, 31), "B")]
    [gap] = gaps(p, D(2021, 1, 1), D(2021, 1, 31))
    assert (gap.start, gap.end, gap.days, gap.before, gap.after) == (D(2021, 1, 11), D(2021, 1, 11), 1, "A", "B")
    [h] = handovers(p)
    assert h.with_gap and h.gap_days == 1


def test_single_day_periods():
    p = [Period(D(2021, 1, 5), D(2021, 1, 5), "A"), Period(D(2021, 1, 5), D(2021, 1, 5), "B")]
    assert [(o.start, o.end) for o in overlaps(p)] == [(D(2021, 1, 5), D(2021, 1, 5))]
    assert [(g.start, g.end) for g in gaps(p, D(2021, 1, 4), D(2021, 1, 6))] == [
        (D(2021, 1, 4), D(2021, 1, 4)), (D(2021, 1, 6), D(2021, 1, 6))]


def test_overlap_with_open_ends_and_no_overlap_when_adjacent():
    p = [Period(D(2021, 1, 1), None, "A"), Period(D(2021, 3, 1), None, "B")]
    [o] = overlaps(p)
    assert (o.start, o.end, o.first, o.second) == (D(2021, 3, 1), None, "A", "B")
    assert overlaps([Period(D(2021, 1, 1), D(2021, 1, 31)), Period(D(2021, 2, 1), None)]) == []


def test_overlapping_owner_is_not_a_handover():
    p = [Period(D(2021, 1, 1), D(2021, 1, 10), "A"), Period(D(2021, 1, 5), D(2021, 1, 20), "B"),
         Period(D(2021, 1, 21), None, "C")]
    assert [(h.previous, h.next) for h in handovers(p)] == [("B", "C")]


def test_periods_before_the_span_and_after_it():
    p = [Period(D(2020, 1, 1), D(2020, 12, 31), "old"), Period(D(2022, 1, 1), None, "late")]
    [gap] = gaps(p, D(2021, 1, 1), D(2021, 6, 30))
    assert (gap.start, gap.end, gap.before, gap.after) == (D(2021, 1, 1), D(2021, 6, 30), None, None)


def _flaws() -> dict:
    return json.loads((resources.CASES_DIR / "flaws.json").read_text())


def _phase_periods(graph, case):
    by_phase: dict[str, list[Period]] = {}
    for row in run_query(graph, "phase-owners", case=case).dicts():
        notation = str(next(graph.objects(row["phase"], SKOS.notation)))
        by_phase.setdefault(notation, [])
        if row["assignment"] is not None:
            by_phase[notation].append(Period(row["start"].toPython(),
                                             row["end"].toPython() if row["end"] else None,
                                             str(row["assignment"])))
    return by_phase


def test_every_case_is_listed_in_flaws_json(graph):
    cases = case_ids(graph)
    assert cases, "no cases loaded"
    assert sorted(_flaws()) == cases


def test_gaps_and_overlaps_of_the_real_cases_are_the_known_flaws(graph):
    """Every phase-gap / phase-overlap in flaws.json is found, and nothing else."""
    cases = case_ids(graph)
    assert cases
    expected, found = set(), set()
    for case in cases:
        for flaw in _flaws()[case]:
            if flaw["rule"] in ("phase-gap", "phase-overlap"):
                expected.add((case, flaw["rule"], flaw["phase"], flaw["from"], flaw["to"]))
        start, end = case_period(graph, case)
        for phase, spans in _phase_periods(graph, case).items():
            for g in gaps(spans, start, end):
                found.add((case, "phase-gap", phase, g.start.isoformat(), g.end and g.end.isoformat()))
            for o in overlaps(spans):
                found.add((case, "phase-overlap", phase, o.start.isoformat(), o.end and o.end.isoformat()))
    assert any(rule == "phase-gap" for _, rule, *_ in expected)
    assert any(rule == "phase-overlap" for _, rule, *_ in expected)
    assert found == expected
