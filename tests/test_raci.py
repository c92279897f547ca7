"""RACI matrices: every case, checked against the phase owners and instrument responsibilities."""

from __future__ import annotations

import csv
import io

import pytest
from rdflib import URIRef

from chaingraph.cli import main
from chaingraph.errors import UnknownCase
from chaingraph.graph import case_files
from chaingraph.labels import label
from chaingraph.queries import run_query
from chaingraph.raci import raci, to_csv, to_markdown
from chaingraph.responsibility import short_label

CASES = [p.stem for p in case_files()]


def test_there_are_cases():
    assert len(CASES) >= 8


@pytest.mark.parametrize("case", CASES)
def test_matrix_holds_every_responsibility_and_nothing_else(graph, case):
    matrix = raci(graph, case)
    assert matrix.rows and matrix.columns
    letters = {(name, col, ch) for name, cells in matrix.rows
               for col, cell in zip(matrix.columns, cells, strict=True) for ch in cell}
    expected = set()
    names = {}
    for r in run_query(graph, "phase-owners", case=case).dicts():
        names[str(r["phase"])] = label(graph, r["phase"], "en")
    for r in run_query(graph, "case-responsibilities", case=case).dicts():
        col = short_label(graph, r["organisation"])
        if r["phase"] is not None:
            expected.add((names[str(r["phase"])], col, str(r["kind"])))
        elif r["instrument"] is None:
            expected.add(("case as a whole", col, str(r["kind"])))
    phase_and_case = {x for x in letters if x[0] in set(names.values()) | {"case as a whole"}}
    assert phase_and_case == expected
    # every instrument row carries at least one letter, and only instrument letters
    for name, cells in matrix.rows:
        if name not in set(names.values()) | {"case as a whole"}:
            assert "".join(cells) and set("".join(cells)) <= set("AMREI")


def test_phase_without_owner_on_a_day_is_an_empty_row(graph):
    matrix = raci(graph, "FX-005", at="2021-06-20")
    assert "".join(dict(matrix.rows)["risk assessment and victim-friendliness"]) == ""
    both = raci(graph, "FX-008", at="2022-03-01")
    row = dict(both.rows)["case responsibility and direction"]
    assert sorted(c for c in row if c) == ["O", "O"]  # two owners that day (flaws.json)


def test_csv_and_markdown(graph):
    matrix = raci(graph, "FX-005")
    rows = list(csv.reader(io.StringIO(to_csv(matrix))))
    assert rows[0] == ["phase / instrument", *matrix.columns]
    assert len(rows) == len(matrix.rows) + 1
    md = to_markdown(matrix, "nl").splitlines()
    assert md[0].startswith("| fase / instrument |") and md[1].startswith("|---")
    assert "O eigenaar" in md[-1]


def test_command_writes_a_file_atomically(tmp_path, capsys):
    out = tmp_path / "raci" / "FX-005.csv"
    assert main(["raci", "FX-005", "--format", "csv", "--output", str(out)]) == 0
    assert out.read_text().startswith("phase / instrument,")
    assert [p.name for p in out.parent.iterdir()] == ["FX-005.csv"]


@pytest.mark.parametrize("argv", [["raci", "FX-05"], ["raci", "FX-005", "--at", "soon"]])
def test_bad_input(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_unknown_case_lists_cases(graph):
    with pytest.raises(UnknownCase) as excinfo:
        raci(graph, "FX-5")
    assert "FX-005" in str(excinfo.value)


def test_the_matrix_holds_iris_and_is_put_into_words_only_when_written(graph):
    """Rows and columns are IRIs; the same matrix writes in either language as the matrix
    asked for in that language does."""
    english, dutch = raci(graph, "FX-005"), raci(graph, "FX-005", lang="nl")
    assert to_markdown(english, "nl") == to_markdown(dutch)
    assert to_csv(dutch, "en") == to_csv(english)
    phases = {str(r["phase"]) for r in run_query(graph, "phase-owners", case="FX-005").dicts()}
    assert phases <= {line.key for line in english.lines}
    assert all(o.startswith("https://w3id.org/chaingraph/monitor/org-")
               for o in english.organisations)
    assert {label(graph, URIRef(p), "nl") for p in phases} <= {name for name, _ in dutch.rows}
