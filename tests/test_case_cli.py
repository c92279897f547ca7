"""``chaingraph case`` on the command line (issue 13): exit 0 fine, 1 written with findings,
2 a mistake (one sentence on stderr, nothing written); files written atomically, never over an
input; a store changed one case at a time."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph

from chaingraph.cases.record import load_case
from chaingraph.cli import main
from chaingraph.namespace import CG

FIXTURES = Path(__file__).parent / "fixtures" / "case"
SOUND = FIXTURES / "sound.yaml"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _one_sentence(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_template_in_dutch_to_a_file(tmp_path, capsys):
    target = tmp_path / "formulier.yaml"
    code, _, _ = _run(capsys, "case", "template", "--lang", "nl", "--output", str(target))
    assert code == 0
    text = target.read_text(encoding="utf-8")
    assert "# Organisaties:" in text and "enkelband" in text and "besluit:" in text


def test_a_sound_form_is_written_with_exit_0_and_the_case_loads(tmp_path, capsys):
    target = tmp_path / "CASE-T1.ttl"
    code, out, _ = _run(capsys, "case", "new", str(SOUND), "--output", str(target),
                        "--at", "2022-05-01")
    assert code == 0, out
    assert "no findings" in out and "CASE-T1" in out
    code, out, _ = _run(capsys, "who", "CASE-T1", "--data", str(target), "--at", "2022-05-01")
    assert code == 0 and "P-TCD01" in out


def test_an_incomplete_case_is_written_and_its_findings_shown(tmp_path, capsys):
    form = tmp_path / "form.yaml"
    form.write_text(SOUND.read_text().replace("  - {role: jurist-shn, holder: P-TJU01}\n", "")
                    .replace("risk: medium", "risk: high"), encoding="utf-8")
    target = tmp_path / "case.ttl"
    code, out, _ = _run(capsys, "case", "new", str(form), "--output", str(target),
                        "--at", "2022-05-01", "--lang", "nl")
    assert code == 1
    assert target.is_file() and "geschreven naar" in out
    assert "no-lawyer" in out and "Slachtofferhulp" in out


@pytest.mark.parametrize("change, words", [
    (("start: 01-03-2022", "start: 2022-13-01"), "line 6, case.start: '2022-13-01' is not a date"),
    (("holder: P-TCD01}", "holder: Jan}"), "line 14, owners[1].holder: 'Jan' is not a pseudonym"),
    (("type: SASH-screening", "type: scan"), "line 25, instruments[1].type: 'scan' is not a known"),
])
def test_a_mistake_is_one_sentence_exit_2_and_nothing_is_written(tmp_path, capsys, change, words):
    form = tmp_path / "form.yaml"
    form.write_text(SOUND.read_text().replace(*change, 1), encoding="utf-8")
    target = tmp_path / "case.ttl"
    code, out, err = _run(capsys, "case", "new", str(form), "--output", str(target))
    assert code == 2 and out == ""
    assert words in _one_sentence(err)
    assert not target.exists() and not list(tmp_path.glob(".case.ttl.*"))


def test_output_never_overwrites_an_input(tmp_path, capsys):
    data = tmp_path / "FX-001.ttl"
    shutil.copy(Path("data/cases/FX-001.ttl"), data)
    before = data.read_bytes()
    code, _, err = _run(capsys, "case", "close", "FX-003", "--on", "2022-09-30",
                        "--data", str(tmp_path), "--output", str(data))
    assert code == 2
    assert "is one of the inputs" in _one_sentence(err) or "unknown case" in err
    code, _, err = _run(capsys, "case", "handover", "FX-001", "--role", "casusregisseur",
                        "--to", "P-NEW01", "--on", "2021-06-01", "--data", str(data),
                        "--output", str(data))
    assert code == 2 and "is one of the inputs" in _one_sentence(err)
    assert data.read_bytes() == before


def test_show_yaml_and_turtle_and_an_unknown_case(capsys):
    code, out, _ = _run(capsys, "case", "show", "FX-006", "--lang", "nl")
    assert code == 0 and "id: FX-006" in out and "beschermingsbevel" in out
    code, out, _ = _run(capsys, "case", "show", "FX-006", "--format", "turtle")
    assert code == 0 and (None, CG.caseId, None) in Graph().parse(data=out, format="turtle")
    code, _, err = _run(capsys, "case", "show", "FX-06")
    assert code == 2 and "unknown case 'FX-06'" in _one_sentence(err)


def test_changes_through_the_command_line_to_a_file(tmp_path, capsys):
    base = tmp_path / "base.ttl"
    shutil.copy(Path("data/cases/FX-003.ttl"), base)
    steps = [
        ("instrument", "FX-003", "add", "--type", "contactverbod", "--from", "2022-06-01",
         "--to", "2022-08-31", "--person", "besluit", "ovj", "P-OVJ01",
         "--person", "monitors", "reclasseringswerker@reclassering", "P-PRB01"),
        ("instrument", "FX-003", "extend", "--id", "contact-ban", "--to", "2022-11-30"),
        ("event", "FX-003", "--type", "overtreding", "--on", "2022-09-02",
         "--by-organisation", "politie", "--concerns", "contact-ban"),
        ("instrument", "FX-003", "end", "--id", "contact-ban", "--on", "2022-10-15"),
        ("close", "FX-003", "--on", "2022-10-31"),
    ]
    source = base
    for n, step in enumerate(steps):
        target = tmp_path / f"step-{n}.ttl"
        code, out, err = _run(capsys, "case", *step, "--data", str(source),
                              "--output", str(target), "--at", "2022-10-31")
        assert code in (0, 1), err
        source = target
    case = load_case("FX-003", paths=[source])
    (ban,) = [i for i in case.instruments if i.id == "contact-ban"]
    assert ban.end.isoformat() == "2022-10-15" and ban.extensions
    assert case.end.isoformat() == "2022-10-31"
    assert any(e.type == CG.Violation and e.concerns == "contact-ban" for e in case.events)
    code, _, err = _run(capsys, "case", "close", "FX-003", "--on", "2022-11-30",
                        "--data", str(source))
    assert code == 2 and "already closed on 2022-10-31" in _one_sentence(err)


def test_a_store_new_update_handover_one_case_at_a_time(tmp_path, capsys):
    store = tmp_path / "store"
    code, out, err = _run(capsys, "case", "new", str(SOUND), "--store", str(store),
                          "--by", "P-USER1", "--at", "2022-05-01")
    assert code == 0, out + err
    code, out, _ = _run(capsys, "case", "show", "CASE-T1", "--store", str(store))
    form = tmp_path / "CASE-T1.yaml"
    form.write_text(out.replace("end: 2022-06-30", "end: 2022-07-31"), encoding="utf-8")
    code, out, err = _run(capsys, "case", "update", str(form), "--store", str(store),
                          "--by", "P-USER1", "--at", "2022-05-01")
    assert code in (0, 1), out + err
    assert load_case("CASE-T1", store=store).end.isoformat() == "2022-07-31"
    code, out, err = _run(capsys, "case", "handover", "CASE-T1", "--role", "casusregisseur",
                          "--to", "P-TCD02", "--on", "2022-05-01", "--store", str(store),
                          "--by", "P-USER2", "--at", "2022-05-15")
    assert code == 0, out + err
    assert "handover-half-done" not in out
    code, out, _ = _run(capsys, "who", "CASE-T1", "--store", str(store), "--at", "2022-05-15")
    assert "P-TCD02" in out and "P-TCD01" not in out
    code, out, _ = _run(capsys, "who", "CASE-T1", "--store", str(store), "--at", "2022-04-15")
    assert "P-TCD01" in out
    # update of a case that is not there
    other = tmp_path / "other.yaml"
    other.write_text(SOUND.read_text().replace("id: CASE-T1", "id: CASE-T9"), encoding="utf-8")
    code, _, err = _run(capsys, "case", "update", str(other), "--store", str(store))
    assert code == 2 and "CASE-T9 is not there to update" in _one_sentence(err)


def test_import_from_a_spreadsheet(tmp_path, capsys):
    target = tmp_path / "imported.ttl"
    code, out, err = _run(capsys, "case", "import", str(FIXTURES / "import.csv"),
                          "--output", str(target), "--at", "2022-04-01")
    assert code in (0, 1), err
    assert "2 cases written" in out
    first = load_case("IMP-1", paths=[target])
    assert len(first.owners) == 2 and len(first.contact_points) == 3
    assert first.contact_points[-1].paired_with == "P-IOM02"
    (ban,) = first.instruments
    assert ban.type == CG.ContactBan and len(ban.responsibilities) == 2
    assert load_case("IMP-2", paths=[target]).end.isoformat() == "2022-04-30"


@pytest.mark.parametrize("row, words", [
    ("IMP-3;2022-01-01;;;;;;owner;risk;;;politie;baas;P-ICD03;;;", "row 2, role: 'baas'"),
    ("IMP-3;2022-01-01;;;;;;owner;risk;;;politie;casusregisseur;Jan Jansen;;;",
     "row 2, holder: 'Jan Jansen' is not a pseudonym"),
    ("IMP-3;2022-01-01;;;;;;owner;;;;politie;casusregisseur;P-ICD03;;;", "row 2, phase: missing"),
    ("IMP-3;2022-01-01;;;;;;boss;risk;;;politie;casusregisseur;P-ICD03;;;",
     "row 2, assignment: 'boss' is not a kind of row"),
    ("IMP-3;2022-01-01;;;;;;owner;risk;;;politie;casusregisseur;P-ICD03;;2022-02-01;2022-01-15",
     "row 2, to: the end 2022-01-15 lies before the start 2022-02-01"),
    ("IMP-3;1-1-22;;;;;;owner;risk;;;politie;casusregisseur;P-ICD03;;;",
     "row 2, case_start: '1-1-22' is not a date"),
])
def test_a_bad_row_is_named_and_nothing_is_imported(tmp_path, capsys, row, words):
    header = (FIXTURES / "import.csv").read_text().splitlines()[0]
    sheet = tmp_path / "cases.csv"
    sheet.write_text(f"{header}\n{row}\n", encoding="utf-8")
    target = tmp_path / "out.ttl"
    code, out, err = _run(capsys, "case", "import", str(sheet), "--output", str(target))
    assert code == 2 and out == ""
    assert words in _one_sentence(err)
    assert not target.exists()


def test_a_spreadsheet_without_a_needed_column(tmp_path, capsys):
    sheet = tmp_path / "cases.csv"
    sheet.write_text("case,case_start,role,holder\nX,2022-01-01,ovj,P-AAAAA\n", encoding="utf-8")
    code, _, err = _run(capsys, "case", "import", str(sheet), "--lang", "nl")
    assert code == 2 and "heeft geen kolom assignment" in _one_sentence(err)


def test_an_option_a_change_needs(capsys):
    code, _, err = _run(capsys, "case", "instrument", "FX-003", "add", "--from", "2022-06-01")
    assert code == 2 and "this needs --type" in _one_sentence(err)
    code, _, err = _run(capsys, "case", "handover", "FX-003", "--role", "baas", "--to",
                        "P-NEW01", "--on", "2022-06-01", "--lang", "nl")
    assert code == 2 and "--role: 'baas' is onbekend als rol" in _one_sentence(err)
