"""``audit``: the example cases give exactly the flaws their files announce; the report and CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from rdflib import Graph

from chaingraph import load
from chaingraph.audit import audit, parse_date, partition, restrict
from chaingraph.cli import main
from chaingraph.errors import BadParameter, ChaingraphError, UnknownCase
from chaingraph.findings import AuditReport, AuditViolations
from chaingraph.namespace import CG
from chaingraph.resources import CASES_DIR

FLAWS = json.loads((CASES_DIR / "flaws.json").read_text(encoding="utf-8"))
CASE_IDS = sorted(FLAWS)
AT = date(2026, 1, 1)  # after every example case; the running ones are audited up to this day
SHAPE_FIXTURES = Path(__file__).parent / "fixtures" / "shapes"


@pytest.fixture(scope="module")
def data() -> Graph:
    return load()


@pytest.fixture(scope="module")
def report(data: Graph) -> AuditReport:
    return audit(data, at=AT)


def test_every_case_file_is_in_flaws_json(case_paths):
    assert CASE_IDS
    assert sorted(p.stem for p in case_paths) == CASE_IDS


@pytest.mark.parametrize("case", CASE_IDS)
def test_case_has_exactly_its_announced_flaws(report: AuditReport, case: str):
    found = report.filter(case=case)
    expected = FLAWS[case]
    assert sorted(f.rule for f in found) == sorted(f["rule"] for f in expected), found.render_text()
    for flaw in expected:
        for key in ("instrument", "escalation", "event"):  # the node the flaw is about
            if key in flaw:
                assert flaw[key] in [f.node for f in found if f.rule == flaw["rule"]]
        if flaw["rule"] in ("phase-gap", "phase-overlap"):
            match = [f for f in found if f.rule == flaw["rule"]]
            expected_period = (flaw["phase"], flaw["from"], flaw["to"])
            assert [(f.phase, f.start, f.end) for f in match] == [expected_period]


def test_sound_cases_have_no_findings_at_all(report: AuditReport):
    sound = [case for case in CASE_IDS if not FLAWS[case]]
    assert sound
    assert all(not report.filter(case=case).findings for case in sound)


def test_monitor_and_shared_data_conform(report: AuditReport):
    assert report.filter(case=None).findings == []


def test_every_case_is_checked_and_the_report_does_not_conform(report: AuditReport):
    assert report.cases == CASE_IDS
    assert not report.conforms
    assert report.by_severity["violation"] == sum(
        1 for flaws in FLAWS.values() for f in flaws
        if f["rule"] != "escalation-without-learning-session")
    assert sum(report.by_rule.values()) == len(report)


def test_findings_carry_measure_phase_and_texts_in_dutch(data: Graph):
    nl = audit(data, cases=["FX-006"], at=AT, lang="nl")
    (finding,) = nl.findings
    assert finding.rule == "police-not-informed"
    assert finding.measure == "https://w3id.org/chaingraph/monitor/measure-4.5-1"
    assert finding.measure_label == "Politie snel op de hoogte van beschermingsmaatregelen"
    assert finding.phase == "collaboration"
    assert finding.phase_label == "samenwerking en communicatie"
    assert finding.node == "protection-order"
    assert "politie" in finding.message and finding.action


def test_report_switches_language(report: AuditReport):
    nl = report.in_language("nl")
    assert [f.rule for f in nl] == [f.rule for f in report]
    gap = nl.filter(rule="phase-gap").findings[0]
    assert gap.message.startswith("Niemand is eigenaar") and gap.measure_label == "Casusregie"
    assert report.filter(rule="phase-gap").findings[0].message.startswith("Nobody owns")
    assert "Samenvatting" in report.render_text("nl") and "Summary" in report.render_text()
    assert '<html lang="nl">' in report.render_html("nl")
    assert "Niemand is eigenaar" in report.to_json("nl")


# ------------------------------------------------------------------ --at

def test_at_cuts_a_gap_at_the_audit_date(data: Graph):
    during = audit(data, cases=["FX-005"], at=date(2021, 6, 20))
    assert [(f.rule, f.start, f.end) for f in during] == [("phase-gap", "2021-06-12", "2021-06-20")]


def test_at_before_a_case_starts_leaves_it_out(data: Graph):
    early = audit(data, cases=["FX-001", "FX-005"], at=date(2021, 4, 1))  # FX-005 starts 17 May
    assert early.cases == ["FX-001"] and not early.findings


def test_at_before_the_escalation_finds_no_missing_session(data: Graph):
    assert not audit(data, cases=["FX-009"], at=date(2022, 7, 1)).findings
    assert [f.rule for f in audit(data, cases=["FX-009"], at=date(2022, 7, 20))] == [
        "escalation-without-learning-session"]


def test_restrict_drops_later_nodes_and_closes_open_periods(data: Graph):
    _, parts = partition(data)
    fx3 = next(p for p in parts if p.case_id == "FX-003")  # running case
    assert fx3.graph.value(fx3.case, CG.endDate) is None
    cut = restrict(fx3.graph, fx3.case, date(2022, 5, 10))
    assert cut is not None
    assert cut.value(fx3.case, CG.endDate).toPython() == date(2022, 5, 10)
    starts = [v.toPython() for v in cut.objects(None, CG.startDate)]
    assert starts and max(starts) <= date(2022, 5, 10)
    assert len(cut) < len(fx3.graph)
    assert fx3.graph.value(fx3.case, CG.endDate) is None  # the source is untouched


@pytest.mark.parametrize(("fixture", "interval"), [
    ("PhaseGap.invalid-01.ttl", ("2021-07-01", "2021-07-09")),
    ("PhaseGap.invalid-02.ttl", ("2021-01-01", "2021-01-31")),
    ("PhaseGap.invalid-03.ttl", ("2021-12-01", "2021-12-31")),
    ("PhaseOverlap.invalid-01.ttl", ("2021-07-01", "2021-07-15")),
])
def test_gap_and_overlap_periods(fixture: str, interval: tuple[str, str]):
    report = audit(load([SHAPE_FIXTURES / fixture]), at=AT)
    found = [f for f in report if f.rule.startswith("phase-")]
    assert [(f.phase, f.start, f.end) for f in found] == [("direction", *interval)]


def test_gap_at_the_end_is_cut_at_the_audit_date():
    report = audit(load([SHAPE_FIXTURES / "PhaseGap.invalid-03.ttl"]), at=date(2021, 12, 10))
    gaps = report.filter(rule="phase-gap")
    assert [(f.start, f.end) for f in gaps] == [("2021-12-01", "2021-12-10")]


def test_findings_on_persons_do_not_repeat_personal_data():
    for fixture in ("PersonClosed.invalid-01.ttl", "Pseudonym.invalid-01.ttl"):
        report = audit(load([SHAPE_FIXTURES / fixture]), at=AT)
        assert report.filter(severity="violation").findings
        for text in (report.to_json(), report.render_text(), report.render_html()):
            assert "Jan Jansen" not in text and "1990-01-01" not in text


# ------------------------------------------------------------------ Python API

def test_unknown_case_lists_the_known_ones(data: Graph):
    with pytest.raises(UnknownCase, match="FX-001") as info:
        audit(data, cases=["FX-999"], at=AT)
    assert isinstance(info.value, LookupError)


def test_parse_date_rejects_malformed_dates():
    assert parse_date("2021-02-28") == date(2021, 2, 28)
    for bad in ("2021-02-30", "28-02-2021", "yesterday", "2021-2-3"):
        with pytest.raises(BadParameter):
            parse_date(bad)


def test_raise_for_violations(report: AuditReport):
    with pytest.raises(AuditViolations, match="FX-005") as info:
        report.raise_for_violations()
    assert isinstance(info.value, ChaingraphError) and info.value.report is report
    sound = report.filter(case="FX-001")
    assert sound.raise_for_violations() is sound
    warnings_only = report.filter(severity="warning")
    assert warnings_only.findings and warnings_only.conforms


def test_filter_and_group(report: AuditReport):
    assert [f.case for f in report.filter(rule="phase-gap")] == ["FX-005"]
    assert [f.case for f in report.filter(phase="direction")] == ["FX-008"]
    grouped = report.by_case()
    assert list(grouped)[: len(CASE_IDS)] == CASE_IDS
    assert grouped["FX-001"] == [] and len(grouped["FX-008"]) == 1


# ------------------------------------------------------------------ command line

def test_cli_json(capsys):
    assert main(["audit", "--at", "2026-01-01", "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"summary", "cases"}
    assert out["summary"]["cases_checked"] == len(CASE_IDS)
    assert out["summary"]["cases_with_findings"] == sum(1 for v in FLAWS.values() if v)
    assert set(out["summary"]["by_severity"]) == {"violation", "warning", "info"}
    assert [c["case"] for c in out["cases"]] == CASE_IDS
    gap = next(c for c in out["cases"] if c["case"] == "FX-005")["findings"][0]
    assert {"rule", "shape", "severity", "phase", "measure", "measure_label", "focus", "message",
            "action", "from", "to"} <= set(gap)
    assert (gap["rule"], gap["phase"], gap["from"], gap["to"]) == (
        "phase-gap", "risk", "2021-06-12", "2021-07-04")


def test_cli_text_in_dutch_and_default_date(capsys):
    assert main(["audit", "--lang", "nl"]) == 1
    out = capsys.readouterr().out
    assert "Samenvatting" in out and "FX-005" in out and "FX-001" not in out
    assert "overtreding" in out and "wat te doen" in out


def test_cli_exit_0_without_violations_and_html_file(tmp_path, capsys):
    target = tmp_path / "audit.html"
    assert main(["audit", "--case", "FX-001", "FX-003", "--case", "FX-009", "--at", "2026-01-01",
                 "--format", "html", "--output", str(target)]) == 0  # FX-009 has a warning only
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "</html>" in page
    assert "@media print" in page and "FX-009" in page
    assert "<dt>cases checked</dt><dd>3</dd>" in page
    for external in ("<link", "<script", "src=", "url(", "@import"):
        assert external not in page
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(("args", "needle"), [
    (["--at", "2021-13-01"], "YYYY-MM-DD"),
    (["--case", "FX-999"], "unknown case 'FX-999'"),
    (["no/such/file.ttl"], "no such file"),
])
def test_cli_bad_input_exits_2_with_one_sentence(args, needle, capsys):
    assert main(["audit", *args]) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_cli_unreadable_turtle_exits_2(tmp_path, capsys):
    bad = tmp_path / "broken.ttl"
    bad.write_text("@prefix cg: <https://w3id.org/chaingraph/ontology#> .\n:case a cg:Case\n")
    assert main(["audit", str(bad)]) == 2
    assert "broken.ttl" in capsys.readouterr().err


def test_cli_sparql_engine_on_files_audits_them_case_by_case(tmp_path, capsys):
    from chaingraph.graph import case_files

    paths = [str(p) for p in case_files()]
    assert main(["audit", *paths, "--engine", "sparql", "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    found = {(c["case"], f["rule"]) for c in out["cases"] for f in c["findings"]}
    assert found == {(case, f["rule"]) for case, items in FLAWS.items() for f in items}
    assert out["summary"]["cases_checked"] == len(CASE_IDS)


def test_cli_auto_engine_is_the_compiled_one_at_every_size(capsys):
    from chaingraph.graph import case_files

    assert main(["audit", *map(str, case_files()), "--case", "FX-005"]) == 1
    out = capsys.readouterr().out
    assert "Engine: compiled" in out and "the default" in out
    assert "phase-gap" in out and "FX-006" not in out
    # --at works with it too: on 20 June 2021 the gap runs to that day
    assert main(["audit", *map(str, case_files()), "--case", "FX-005", "--at", "2021-06-20"]) == 1
    assert "from 2021-06-12 to 2021-06-20 inclusive" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "needle"), [
    (["--at", "2026-02-30"], "YYYY-MM-DD"),
    (["--case", "FX-999"], "unknown case 'FX-999'"),
])
def test_cli_file_scan_bad_input_exits_2(args, needle, capsys):
    from chaingraph.graph import case_files

    assert main(["audit", *map(str, case_files()), "--engine", "sparql", *args]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
