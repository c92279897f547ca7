"""Ownership periods: gaps, overlaps and handovers on hand-made periods and on the real cases."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
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
    assert ((gap.start, gap.end, gap.before, gap.after, gap.days)
            == (D(2021, 1, 11), None, "A", None, None))


def test_seamless_periods_have_no_gap_and_handover_without_gap():
    p = [Period(D(2021, 1, 11), None, "B"), Period(D(2021, 1, 1), D(2021, 1, 10), "A")]  # unsorted
    assert gaps(p, D(2021, 1, 1), D(2021, 12, 31)) == []
    [h] = handovers(p)
    assert (h.previous, h.next, h.gap_days, h.with_gap) == ("A", "B", 0, False)


def test_one_day_gap_and_handover_with_gap():
    p = [Period(D(2021, 1, 1), D(2021, 1, 10), "A"), Period(D(2021, 1, 12), D(2021, 1, 31), "B")]
    [gap] = gaps(p, D(2021, 1, 1), D(2021, 1, 31))
    assert ((gap.start, gap.end, gap.days, gap.before, gap.after)
            == (D(2021, 1, 11), D(2021, 1, 11), 1, "A", "B"))
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
    assert (gap.start, gap.end, gap.before, gap.after) == (D(2021, 1, 1), D(2021, 6, 30), None,
                                                           None)


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
                found.add((case, "phase-gap", phase, g.start.isoformat(),
                           g.end and g.end.isoformat()))
            for o in overlaps(spans):
                found.add((case, "phase-overlap", phase, o.start.isoformat(),
                           o.end and o.end.isoformat()))
    assert any(rule == "phase-gap" for _, rule, *_ in expected)
    assert any(rule == "phase-overlap" for _, rule, *_ in expected)
    assert found == expected


# --- one definition of gap, overlap and handover ------------------------------------------

def test_owners_of_one_organisation_or_one_holder_overlap_too():
    """An overlap is two periods that share a day, whoever holds them: periods knows no owners."""
    same_org = [Period(D(2021, 7, 1), D(2021, 12, 31), ("org-zvhrr", "P-PROF1")),
                Period(D(2021, 12, 1), D(2021, 12, 31), ("org-zvhrr", "P-PROF2"))]
    [o] = overlaps(same_org)
    assert (o.start, o.end) == (D(2021, 12, 1), D(2021, 12, 31))
    same_holder = [Period(D(2021, 7, 1), None, ("org-zvhrr", "P-PROF1")),
                   Period(D(2021, 9, 1), D(2021, 9, 30), ("org-zvhrr", "P-PROF1"))]
    [o] = overlaps(same_holder)
    assert (o.start, o.end) == (D(2021, 9, 1), D(2021, 9, 30))
    assert handovers(same_holder) == []  # the first still owns the phase: no handover


SHAPE_FIXTURES = resources.ROOT / "tests" / "fixtures" / "shapes"
AUDIT_DAY = D(2026, 1, 1)


@pytest.fixture(scope="module")
def one_holder_twice(tmp_path_factory):
    """PhaseOverlap.invalid-02 with the second owner the same person as the first (one holder
    twice)."""
    text = (SHAPE_FIXTURES / "PhaseOverlap.invalid-02.ttl").read_text(encoding="utf-8")
    body = text.split("\n", 1)[1].replace(
        "cg:holder prs:P-PROF2 ; cg:responsibility cg:Owns ;\n    cg:startDate \"2021-12-01\"",
        "cg:holder prs:P-PROF1 ; cg:responsibility cg:Owns ;\n    cg:startDate \"2021-12-01\"")
    assert body.count("prs:P-PROF1 ; cg:responsibility") == 3
    path = tmp_path_factory.mktemp("overlap") / "PhaseOverlap.one-holder-twice.ttl"
    first_line = "# Invalid: one holder of ZVHRR recorded twice as owner from 2021-12-01.\n"
    path.write_text(first_line + body, encoding="utf-8")
    return path


OVERLAP_FIXTURES = [*sorted(p.name for p in SHAPE_FIXTURES.glob("PhaseOverlap.*.ttl")),
                    "one holder twice"]


@pytest.mark.parametrize("name", OVERLAP_FIXTURES)
def test_one_definition_of_overlap_in_periods_query_who_and_both_audits(name, one_holder_twice):
    """chaingraph.periods, the gaps-and-overlaps query, who and the phase-overlap rule (pySHACL
    and compiled) find the same overlaps: two owners at once, whatever their organisations."""
    from chaingraph import load
    from chaingraph.audit import audit, audit_compiled
    from chaingraph.responsibility import responsibilities

    path = one_holder_twice if name == "one holder twice" else SHAPE_FIXTURES / name
    graph = load([path])
    spans = _phase_periods(graph, "TEST")
    in_python = {(phase, o.start.isoformat(), o.end and o.end.isoformat())
                 for phase, periods in spans.items() for o in overlaps(periods)}
    notation = {str(p): str(next(graph.objects(p, SKOS.notation)))
                for p in graph.subjects(SKOS.notation, None)}
    by_query = {(notation[str(r["phase"])], str(r["from"]), r["to"] and str(r["to"]))
                for r in run_query(graph, "gaps-and-overlaps", case="TEST").dicts()
                if str(r["kind"]) == "overlap"}
    by_who = {(f.phase, f.start.isoformat(), f.end and f.end.isoformat())
              for f in responsibilities(graph, "TEST").findings if f.kind == "overlap"}
    reference = audit(graph, at=AUDIT_DAY).filter(rule="phase-overlap")
    compiled = audit_compiled(graph, at=AUDIT_DAY).filter(rule="phase-overlap")
    by_audit = {(f.phase, f.start, f.end) for f in reference}
    assert by_query == in_python == by_who == by_audit
    assert {(f.phase, f.start, f.end) for f in compiled} == by_audit
    if name.startswith("PhaseOverlap.valid"):
        assert in_python == set()
    else:
        assert in_python and all(phase == "direction" for phase, *_ in in_python)
    assert all("two owners at once" in f.message for f in reference)
    dutch = audit(graph, at=AUDIT_DAY, lang="nl").filter(rule="phase-overlap")
    assert all("twee eigenaren tegelijk" in f.message for f in dutch)
    assert len(dutch) == len(reference)


# --- one definition on any periods, cut to any audit date ---------------------------------

DAY0 = D(2021, 1, 1)
PERIOD_HEAD = """@prefix cg:  <https://w3id.org/chaingraph/ontology#> .
@prefix mon: <https://w3id.org/chaingraph/monitor/> .
@prefix prs: <https://w3id.org/chaingraph/person/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix :    <https://w3id.org/chaingraph/case/TEST/> .
prs:P-VICT1 a cg:Person ; cg:pseudonym "P-VICT1" .
prs:P-PROF1 a cg:Professional ; cg:pseudonym "P-PROF1" .
"""


def _day(offset: int) -> date:
    return DAY0 + timedelta(days=offset)


def _periods_case(end: int | None, owners: list[tuple[int, int | None]]) -> str:
    """A case from day 0 (to ``end``, or running) whose phase 'direction' the ``owners`` own
    (``(start, end or None)`` in days from 2021-01-01; an end may lie before its start)."""
    lines = [PERIOD_HEAD, f':case a cg:Case ; cg:caseId "TEST" ; cg:fictional true ; '
             f'cg:startDate "{_day(0)}"^^xsd:date ;']
    if end is not None:
        lines.append(f' cg:endDate "{_day(end)}"^^xsd:date ;')
    lines.append(" cg:riskLevel cg:RiskHigh ; cg:escalationAgreement mon:agreement-escalatie ;"
                 " cg:victim prs:P-VICT1 ; cg:appliesPhase cg:PhaseCaseDirection .\n")
    for i, (start, until) in enumerate(owners):
        lines.append(f":own-{i} a cg:PhaseOwnership ; cg:inCase :case ; "
                     "cg:phase cg:PhaseCaseDirection ; cg:organisation mon:org-zvhrr ; "
                     "cg:role mon:role-procesregisseur ; cg:holder prs:P-PROF1 ; "
                     f'cg:responsibility cg:Owns ; cg:startDate "{_day(start)}"^^xsd:date')
        if until is not None:
            lines.append(f' ; cg:endDate "{_day(until)}"^^xsd:date')
        lines.append(" .\n")
    return "".join(lines)


def _in_python(end: date | None, owners: list[tuple[date, date | None]]) -> set[tuple]:
    spans = [Period(start, until, i) for i, (start, until) in enumerate(owners)]
    return ({("gap", g.start, g.end) for g in gaps(spans, _day(0), end)}
            | {("overlap", o.start, o.end) for o in overlaps(spans)})


def _as_it_stood(end: int | None, owners: list[tuple[int, int | None]], at: int) -> set[tuple]:
    """The gaps and overlaps the audit on day ``at`` must find, by chaingraph.periods on the
    case as it stood that day, written here from what the auditors' guide says: what started
    later does not exist yet; an end after the day ends on it; a running case ends on it; a
    running ownership ends on it or with its case if that ended first, but not before its own
    first day. A phase that nobody owns is another rule (phase-without-owner), not a gap."""
    if at < 0:
        return set()  # the case had not started: not audited
    last = at if end is None else min(end, at)
    stood = [(_day(start), _day(max(start, last) if until is None else min(until, at)))
             for start, until in owners if start <= at]
    found = _in_python(_day(last), stood)
    return found if stood else {f for f in found if f[0] != "gap"}


def _dated(value) -> date | None:
    return None if value is None else date.fromisoformat(str(value))


owners_strategy = st.lists(
    st.tuples(st.integers(-3, 45),
              st.one_of(st.none(), st.integers(-1, 25))).map(
        lambda p: (p[0], None if p[1] is None else p[0] + p[1])),
    max_size=4)


@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(end=st.one_of(st.none(), st.integers(3, 40)), owners=owners_strategy,
       at=st.one_of(st.just(60), st.integers(-2, 45)))
@example(end=3, owners=[(5, None)], at=60)  # running, begun after its case ended
@example(end=14, owners=[(40, 50), (33, 45)], at=60)  # the first owner after the case's end
def test_one_definition_of_gap_and_overlap_on_any_periods_and_audit_date(tmp_path_factory, end,
                                                                         owners, at):
    """On any ownerships of a phase (running, reversed, before or after the case, on the same
    days), chaingraph.periods, the gaps-and-overlaps query and who find the same gaps and
    overlaps in the data; and both audits, on any audit date, find those of the case as it
    stood that day (:func:`_as_it_stood`), with the same periods."""
    from chaingraph import load
    from chaingraph.audit import audit, audit_compiled
    from chaingraph.responsibility import responsibilities

    path = tmp_path_factory.mktemp("periods") / "TEST.ttl"
    path.write_text(_periods_case(end, owners), encoding="utf-8")
    graph = load([path])
    in_data = _in_python(None if end is None else _day(end),
                         [(_day(s), None if u is None else _day(u)) for s, u in owners])
    by_query = {(str(r["kind"]), _dated(r["from"]), _dated(r["to"]))
                for r in run_query(graph, "gaps-and-overlaps", case="TEST").dicts()}
    by_who = {(f.kind, f.start, f.end) for f in responsibilities(graph, "TEST").findings
              if f.kind != "handover"}
    assert by_query == by_who == in_data

    def found(report) -> set[tuple]:
        return {("gap" if f.rule == "phase-gap" else "overlap", _dated(f.start), _dated(f.end))
                for f in report if f.rule in ("phase-gap", "phase-overlap")}

    expected = _as_it_stood(end, owners, at)
    reference = audit(graph, at=_day(at))
    compiled = audit_compiled(graph, at=_day(at))
    assert found(reference) == expected
    assert found(compiled) == expected

    def every(report) -> list[tuple]:  # every rule's findings, each as often as reported
        return sorted((f.rule, f.focus, f.value, f.start, f.end, f.message) for f in report)

    assert every(reference) == every(compiled)
    if all(until is None or until >= start for start, until in owners):
        assert not reference.filter(rule="dates-out-of-order")  # none the data does not hold
