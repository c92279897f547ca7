"""``chaingraph who``: checked against what each case file says, now and on past days."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from datetime import date, timedelta

import pytest
from rdflib import RDF, Graph

from chaingraph import resources
from chaingraph.cli import main
from chaingraph.errors import BadParameter, UnknownCase, UnknownInstrument, UnknownPhase
from chaingraph.graph import case_files, parse_file
from chaingraph.namespace import CG
from chaingraph.responsibility import render_text, responsibilities

CASE_FILES = case_files()
CASES = [p.stem for p in CASE_FILES]
INJECTION = 'x" } ; DROP ALL ; #'
ASSIGNMENTS = {CG.PhaseOwnership, CG.RoleAssignment, CG.InstrumentResponsibility}
FIXTURE = resources.ROOT / "tests" / "fixtures" / "who"


def test_there_are_cases():
    assert len(CASES) >= 8


@functools.cache
def _case_file(path) -> Graph:
    return parse_file(path)


def _period(g: Graph, node) -> tuple[date, date | None]:
    start = next(g.objects(node, CG.startDate)).toPython()
    end = next((v.toPython() for v in g.objects(node, CG.endDate)), None)
    return start, end


def _active(g: Graph, node, day: date) -> bool:
    start, end = _period(g, node)
    return start <= day and (end is None or day <= end)


def _pseudonym(g: Graph, holder) -> str:
    return str(next(g.objects(holder, CG.pseudonym), str(holder).rsplit("/", 1)[-1]))


def expected(path, day: date) -> dict:
    """What the case file itself says about ``day``, read straight from its triples."""
    g = _case_file(path)
    case = next(g.subjects(RDF.type, CG.Case))
    owners = {str(p): set() for p in g.objects(case, CG.appliesPhase)}
    contacts, instruments = set(), set()
    for a in g.subjects(CG.inCase, case):
        types = set(g.objects(a, RDF.type))
        if not types & ASSIGNMENTS or not _active(g, a, day):
            continue
        holder = next(g.objects(a, CG.holder), None)
        org, role = next(g.objects(a, CG.organisation), None), next(g.objects(a, CG.role), None)
        who = (org and str(org), role and str(role),
               _pseudonym(g, holder) if holder is not None else None)
        if (a, RDF.type, CG.PhaseOwnership) in g:
            owners.setdefault(str(next(g.objects(a, CG.phase))), set()).add(who)
        if (a, CG.responsibility, CG.ContactPoint) in g:
            contacts.add(who)
        if (a, RDF.type, CG.InstrumentResponsibility) in g:
            kind = next(g.objects(a, CG.responsibility))
            instruments.add((str(next(g.objects(a, CG.instrument))), str(kind), *who))
    return {"owners": owners, "contacts": contacts, "instruments": instruments}


def days_of_interest(path) -> list[date]:
    """Every day on which something starts or ends in the case, the day after, and the middle."""
    g = _case_file(path)
    days = set()
    for node in g.subjects(CG.startDate, None):
        start, end = _period(g, node)
        days |= {start, start - timedelta(days=1)}
        if end is not None:
            days |= {end, end + timedelta(days=1), start + (end - start) / 2}
    return sorted(days)


KIND_IRI = {"O": CG.Owns, "A": CG.Decides, "R": CG.CarriesOut, "M": CG.Monitors,
            "E": CG.ReceivesAlerts, "I": CG.Informed, "C": CG.ContactPoint}


def actual(answer) -> dict:
    def who(h):
        return (h.organisation, h.role, h.holder)
    return {
        "owners": {p.phase: {who(h) for h in p.owners} for p in answer.phases},
        "contacts": {who(h) for h in answer.contact_points},
        "instruments": {(i.instrument, str(KIND_IRI[k]), *who(h))
                        for i in answer.instruments
                        for k, hs in i.responsibilities.items() for h in hs},
    }


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_who_matches_the_case_file_on_every_day_that_matters(graph, path):
    days = days_of_interest(path)
    assert len(days) > 4
    for day in days:
        answer = responsibilities(graph, path.stem, at=day)
        assert answer.at == day
        assert actual(answer) == expected(path, day), f"{path.stem} on {day}"
        for line in answer.phases:
            assert line.state == {0: "nobody", 1: "owned"}.get(len(line.owners), "conflict")


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_escalation_path_runs_from_the_case_director_to_the_administrative_level(graph, path):
    g = parse_file(path)
    case = next(g.subjects(RDF.type, CG.Case))
    start, end = _period(g, case)
    answer = responsibilities(graph, path.stem, at=end or start)
    direction = [p for p in answer.phases if p.phase == str(CG.PhaseCaseDirection)]
    if direction and direction[0].owners:
        assert answer.escalation[0].role == direction[0].owners[0].role
        assert answer.escalation_problem is None
        assert answer.escalation[-1].level == "LevelAdministrative"
        assert len({s.role for s in answer.escalation}) == len(answer.escalation)
    else:
        assert answer.escalation == [] and answer.escalation_problem == "no-start"


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_gaps_and_overlaps_are_the_known_flaws(graph, path):
    flaws = json.loads((resources.CASES_DIR / "flaws.json").read_text())[path.stem]
    known = {(f["rule"].removeprefix("phase-"), f["phase"], f["from"], f["to"])
             for f in flaws if f["rule"] in ("phase-gap", "phase-overlap")}
    answer = responsibilities(graph, path.stem)
    found = {(f.kind, f.phase, f.start.isoformat(), f.end and f.end.isoformat())
             for f in answer.findings if f.kind in ("gap", "overlap")}
    assert found == known


def test_who_on_a_day_inside_a_gap_says_nobody_and_shows_the_gap(graph):
    answer = responsibilities(graph, "FX-005", at="2021-06-20")
    [risk] = [p for p in answer.phases if p.notation == "risk"]
    assert risk.state == "nobody"
    assert (risk.gap.start, risk.gap.end) == (date(2021, 6, 12), date(2021, 7, 4))
    text = render_text(answer)
    assert "NOBODY" in text and "gap 2021-06-12 … 2021-07-04" in text
    assert any(f.kind == "handover" and f.days == 23 for f in answer.findings)


def test_who_on_a_day_with_two_owners_shows_a_conflict(graph):
    answer = responsibilities(graph, "FX-008", at="2022-03-01")
    [direction] = [p for p in answer.phases if p.notation == "direction"]
    assert direction.state == "conflict"
    assert {h.organisation.rsplit("-", 1)[-1] for h in direction.owners} == {"politie", "zvhrr"}
    assert "CONFLICT: 2 owners at once" in render_text(answer)


def test_days_outside_the_case_say_so(graph):
    answer = responsibilities(graph, "FX-005", at="2020-01-01")
    assert answer.notes == [
        "FX-005 ran from 2021-05-17 to 2021-12-17; 2020-01-01 is before it started."]
    assert all(p.state == "nobody" for p in answer.phases)
    answer = responsibilities(graph, "FX-005", at="2022-01-01")
    assert answer.notes == [
        "FX-005 ran from 2021-05-17 to 2021-12-17; 2022-01-01 is after it ended."]
    nl = responsibilities(graph, "FX-005", at="2020-01-01", lang="nl")
    assert "vóór het begin" in nl.notes[0]


def test_default_day_of_a_closed_case_is_its_last_day(graph):
    answer = responsibilities(graph, "FX-005", today=date(2030, 1, 1))
    assert answer.at == date(2021, 12, 17)
    assert answer.notes == [
        "FX-005 is closed: it ran from 2021-05-17 to 2021-12-17; showing its last day."]
    running = responsibilities(graph, "FX-005", today=date(2021, 6, 1))
    assert running.at == date(2021, 6, 1) and running.notes == []


def test_phase_and_instrument_filters(graph):
    answer = responsibilities(graph, "FX-005", at="2021-06-20", phase="risk", instrument="Aware")
    assert [p.notation for p in answer.phases] == ["risk"]
    assert [f.phase for f in answer.findings] == ["risk"] * len(answer.findings)
    assert answer.instruments and {i.kind for i in answer.instruments} == {"Aware"}
    nl = responsibilities(graph, "FX-005", at="2021-06-20",
                          phase="risico-inschatting en slachtoffervriendelijkheid")
    assert [p.notation for p in nl.phases] == ["risk"]


def test_bad_input_raises_the_named_errors(graph):
    with pytest.raises(UnknownCase) as excinfo:
        responsibilities(graph, "FX-05")
    assert "FX-005" in str(excinfo.value)
    with pytest.raises(UnknownPhase):
        responsibilities(graph, "FX-005", phase="risc")
    with pytest.raises(UnknownInstrument):
        responsibilities(graph, "FX-005", instrument="laser")
    with pytest.raises(BadParameter):
        responsibilities(graph, "FX-005", at="17/05/2021")


@pytest.mark.parametrize("argv, words", [
    (["who", "FX-05"], ["unknown case 'FX-05'", "FX-005"]),
    (["who", INJECTION], ["unknown case"]),
    (["who", "FX-005", "--phase", "riks"], ["unknown phase 'riks'", "risk"]),
    (["who", "FX-005", "--instrument", "laser"], ["unknown instrument kind 'laser'"]),
    (["who", "FX-005", "--at", "2021-13-01"], ["is not a date"]),
])
def test_bad_input_on_the_command_line(capsys, argv, words):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    for word in words:
        assert word in err


def test_injection_leaves_the_graph_unchanged(graph):
    before = len(graph)
    with pytest.raises(UnknownCase):
        responsibilities(graph, INJECTION)
    assert len(graph) == before


def test_text_and_json_output(capsys):
    assert main(["who", "FX-005", "--at", "2021-06-20"]) == 0
    out = capsys.readouterr().out
    for heading in ("Phases", "Instruments", "Contact points", "Escalation path",
                    "Over the whole case"):
        assert heading in out
    assert main(["who", "FX-005", "--at", "2021-06-20", "--format", "json", "--lang", "nl"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["case"] == "FX-005" and data["at"] == "2021-06-20"
    assert [p["state"] for p in data["phases"]].count("nobody") == 1
    assert data["escalation"][-1]["level"] == "LevelAdministrative"
    assert main(["who", "FX-005", "--at", "2021-06-20", "--lang", "nl"]) == 0
    assert "Fasen" in capsys.readouterr().out


def test_who_runs_on_a_fixture_of_our_own(capsys):
    assert main(["who", "FXT-001", "--data", str(FIXTURE), "--at", "2021-05-05"]) == 0
    out = capsys.readouterr().out
    assert "NOBODY" in out and "gap 2021-05-01 … 2021-05-09" in out


def test_who_imports_neither_networkx_nor_pyshacl():
    code = ("import sys; from chaingraph.cli import main; main(['who', 'FX-001']); "
            "print(sorted(m for m in ('networkx', 'pyshacl', 'owlready2', 'pyoxigraph') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_who_gives_the_same_answer_on_oxigraph(graph):
    """run_query binds with a VALUES clause on non-rdflib stores; the answer is the same."""
    from chaingraph.backends import open_oxigraph

    oxigraph = open_oxigraph(progress=False)
    assert CASES
    for case in CASES:
        for day in (None, "2021-06-20", "2022-03-01"):
            assert render_text(responsibilities(oxigraph, case, at=day)) == \
                render_text(responsibilities(graph, case, at=day)), (case, day)


def test_who_on_the_oxigraph_backend_from_the_command_line(capsys):
    assert main(["who", "FX-005", "--at", "2021-06-20", "--backend", "oxigraph"]) == 0
    on_oxigraph = capsys.readouterr().out
    assert main(["who", "FX-005", "--at", "2021-06-20"]) == 0
    assert on_oxigraph == capsys.readouterr().out


def test_two_owners_of_one_organisation_are_a_conflict_and_an_overlap(capsys):
    """One definition: two owners at once, whatever their organisations (here both ZVHRR),
    are a conflict on the day and an overlap over the case, as the phase-overlap rule says."""
    fixture = resources.ROOT / "tests" / "fixtures" / "shapes" / "PhaseOverlap.invalid-02.ttl"
    assert main(["who", "TEST", "--data", str(fixture), "--at", "2021-12-15", "--format",
                 "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    [direction] = [p for p in data["phases"] if p["notation"] == "direction"]
    assert direction["state"] == "conflict"
    assert {o["organisation"].rsplit("/", 1)[-1] for o in direction["owners"]} == {"org-zvhrr"}
    assert [(f["kind"], f["start"], f["end"], f["days"]) for f in data["findings"]
            if f["kind"] == "overlap"] == [("overlap", "2021-12-01", "2021-12-31", 31)]
    for lang, words in (("en", "CONFLICT: 2 owners at once"),
                        ("nl", "CONFLICT: 2 eigenaren tegelijk")):
        assert main(["who", "TEST", "--data", str(fixture), "--at", "2021-12-15", "--lang",
                     lang]) == 0
        out = capsys.readouterr().out
        assert words in out and "overlap" in out


def test_the_answer_holds_iris_and_is_put_into_words_only_when_rendered(graph):
    """No translated label in the result: the same answer renders in either language, as
    the answer asked for in that language does, text and JSON alike."""
    import dataclasses

    from chaingraph.responsibility import Holding, InstrumentLine, OwnershipFinding, PhaseLine, Step

    for cls in (Holding, PhaseLine, InstrumentLine, Step, OwnershipFinding):
        assert not [f.name for f in dataclasses.fields(cls) if f.name.endswith("label")], cls
    for case, day in (("FX-005", "2021-06-20"), ("FX-008", "2022-03-01"), ("FX-005", "2020-01-01")):
        english = responsibilities(graph, case, at=day)
        dutch = responsibilities(graph, case, at=day, lang="nl")
        assert render_text(english, "nl") == render_text(dutch)
        assert render_text(dutch, "en") == render_text(english)
        assert english.as_dict("nl") == dutch.as_dict() and dutch.as_dict("en") == english.as_dict()
        assert english.notes_in("nl") == dutch.notes
    answer = responsibilities(graph, "FX-005", at="2021-06-20")
    assert {h.organisation for p in answer.phases for h in p.owners} <= {
        str(o) for o in graph.subjects(RDF.type, CG.Organisation)}
    assert all(s.role.startswith("https://") and s.level.startswith("Level")
               for s in answer.escalation)
    [risk] = [f for f in answer.findings if f.kind == "gap"]
    assert risk.phase == "risk" and risk.phase_iri == str(CG.PhaseRiskAssessment)
    assert risk.first is not None and risk.first.holder == "P-21Z9R"
