"""The commands give the same answers on all three backends: rdflib in memory, Oxigraph (in
memory, and a persistent store made by ``chaingraph load``, read through its index where it
has one), and a real Oxigraph SPARQL server on 127.0.0.1 (started by the fixture); and the
reading commands the same on a Virtuoso 7 server (``virtuoso_endpoint``, from conftest.py)."""

from __future__ import annotations

import json

import pytest
from oxigraph_server import oxigraph_endpoint  # noqa: F401 - a fixture

from chaingraph import load
from chaingraph.audit import audit, audit_compiled
from chaingraph.backends import open_endpoint, open_oxigraph
from chaingraph.cli import main
from chaingraph.graph import case_files

CASE_IDS = [p.stem for p in case_files()]
# What a coordinator asks, on each backend. (`who` on a closed case shows its last day,
# so the answer does not depend on today's date.)
COMMANDS = [
    ["audit", "--format", "json", "--engine", "sparql"],
    ["who", "FX-001", "--format", "json"],
    ["who", "FX-005", "--at", "2021-06-20", "--format", "json"],
    ["query", "phase-owners", "--param", "case=FX-008", "--param", "date=2022-03-01",
     "--format", "json"],
    ["raci", "FX-002", "--format", "csv"],
    ["export", "collaboration", "--format", "csv"],
    ["export", "timeline", "--case", "FX-005", "--format", "mermaid"],
]


def test_there_are_cases_and_commands():
    assert len(CASE_IDS) >= 6 and COMMANDS


def _run(capsys, argv: list[str]) -> tuple[int, str]:
    code = main(argv)
    out = capsys.readouterr().out
    return code, out


def _normal(argv: list[str], out: str) -> object:
    if argv[0] == "audit":  # the date line says which day it ran; compare the findings
        return json.loads(out)["cases"]
    return json.loads(out) if "json" in argv else out


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    """The bundled data in a persistent store made by ``chaingraph load`` (with its index)."""
    from chaingraph.backends import load_store

    directory = tmp_path_factory.mktemp("commands") / "store"
    load_store([], directory, progress=False)
    return str(directory)


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_command_is_the_same_on_oxigraph_a_store_and_an_endpoint(argv, capsys, store,
                                                                 oxigraph_endpoint):  # noqa: F811
    code, memory = _run(capsys, argv)
    assert code in (0, 1), memory
    for where in (["--backend", "oxigraph"], ["--store", store], ["--endpoint", oxigraph_endpoint]):
        other_code, other = _run(capsys, argv + where)
        assert other_code == code, (where, other)
        assert _normal(argv, other) == _normal(argv, memory), where


@pytest.mark.parametrize("argv", [a for a in COMMANDS if a[0] != "audit"],
                         ids=lambda a: " ".join(a[:2]))
def test_large_files_go_to_oxigraph_by_default_with_the_same_answer(argv, capsys, monkeypatch):
    from chaingraph import backends

    paths = [str(path) for path in case_files()]
    if argv[0] == "export":  # export WHAT PATH ...
        argv = argv[:2] + paths + argv[2:]
    else:
        argv = argv + [arg for path in paths for arg in ("--data", path)]
    code, memory = _run(capsys, argv + ["--backend", "memory"])
    monkeypatch.setattr(backends, "LARGE", 0)  # every file is large
    auto_code = main(argv)
    captured = capsys.readouterr()
    assert "loaded into Oxigraph (--backend memory for rdflib)" in captured.err
    assert auto_code == code and _normal(argv, captured.out) == _normal(argv, memory)


def test_the_large_files_note_speaks_the_output_language(capsys, monkeypatch):
    from chaingraph import backends

    monkeypatch.setattr(backends, "LARGE", 0)
    data = [arg for path in case_files() for arg in ("--data", str(path))]
    assert main(["who", "FX-001", "--lang", "nl", *data]) == 0
    err = capsys.readouterr().err
    assert "MiB aan data: geladen in Oxigraph (--backend memory voor rdflib)" in err


def _keys(report):
    return {(f.case, f.rule, f.focus, f.phase, f.start, f.end, f.severity, f.message)
            for f in report}


@pytest.fixture(scope="module")
def memory_graph():
    return load()


def test_compiled_audit_equals_the_reference_on_every_case(memory_graph):
    reference = audit(memory_graph)
    compiled = audit_compiled(memory_graph)
    assert reference.findings, "the example cases have known flaws"
    assert _keys(compiled) == _keys(reference)
    assert sorted(compiled.cases) == sorted(reference.cases) == sorted(CASE_IDS)


@pytest.mark.parametrize("case", CASE_IDS)
def test_compiled_audit_of_one_case_equals_the_reference(memory_graph, case):
    assert _keys(audit_compiled(memory_graph, cases=[case])) == _keys(
        audit(memory_graph, cases=[case]))


def test_compiled_audit_on_oxigraph_and_endpoint(memory_graph, oxigraph_endpoint):  # noqa: F811
    expected = _keys(audit(memory_graph))
    assert _keys(audit_compiled(open_oxigraph(progress=False))) == expected
    assert _keys(audit_compiled(open_endpoint(oxigraph_endpoint))) == expected


def test_audit_on_oxigraph_takes_at(capsys, store):
    for where in (["--backend", "oxigraph"], ["--store", store]):
        assert main(["audit", *where, "--case", "FX-005", "--at", "2021-06-20"]) == 1
        assert "from 2021-06-12 to 2021-06-20 inclusive" in capsys.readouterr().out


def test_reference_engine_refuses_an_endpoint(capsys, oxigraph_endpoint):  # noqa: F811
    assert main(["audit", "--engine", "shacl", "--endpoint", oxigraph_endpoint]) == 2
    err = capsys.readouterr().err
    assert "needs the data in files or a store" in err and "--engine sparql" in err


@pytest.mark.parametrize("argv", [["who", "FX-01"], ["export", "timeline", "--case", "FX-01",
                                                     "--format", "csv"],
                                  ["export", "timeline", "--format", "csv"]],
                                  ids=lambda a: " ".join(a[:2]))
def test_an_unknown_or_missing_case_names_the_cases_alike_everywhere(argv, capsys, store,
                                                                     oxigraph_endpoint,  # noqa: F811
                                                                     virtuoso_endpoint):
    assert main(argv) == 2
    expected = capsys.readouterr().err
    assert "FX-001" in expected and expected.count("\n") == 1
    for where in (["--backend", "oxigraph"], ["--store", store], ["--endpoint", oxigraph_endpoint],
                  ["--endpoint", virtuoso_endpoint]):
        assert main(argv + where) == 2
        assert capsys.readouterr().err == expected, where


# --- Virtuoso 7 -------------------------------------------------------------------------------
# Every reading command of COMMANDS, and more of them, on a Virtuoso server with the data in a
# named graph (tests/virtuoso_server.py). The audit over an endpoint is not among them here: it
# is being rewritten to fetch each case and audit it locally.

VIRTUOSO_COMMANDS = [argv for argv in COMMANDS if argv[0] != "audit"] + [
    ["who", case, "--format", "json"] for case in CASE_IDS] + [
    ["who", "FX-008", "--at", "2022-03-01", "--lang", "nl"],
    ["chain", "FX-001"],
    ["chain", "FX-005", "--lang", "nl"],
    ["raci", "FX-005", "--format", "csv"],
    ["query", "gaps-and-overlaps", "--format", "json"],
    ["query", "figures", "--param", "year=2019", "--lang", "nl", "--format", "json"],
    ["query", "escalation-path", "--param", "role=casusregisseur", "--format", "json"],
    ["export", "collaboration", "--format", "graphml"],
    ["export", "timeline", "--case", "FX-008", "--format", "csv"],
]


@pytest.mark.parametrize("argv", VIRTUOSO_COMMANDS, ids=" ".join)
def test_command_is_the_same_on_virtuoso(argv, capsys, virtuoso_endpoint):
    code, memory = _run(capsys, argv)
    assert code in (0, 1), memory
    other_code = main(argv + ["--endpoint", virtuoso_endpoint])
    other = capsys.readouterr()
    assert other_code == code, other.err
    assert _normal(argv, other.out) == _normal(argv, memory)


# Each server refuses a query of its own: Virtuoso one that is valid SPARQL (a duration
# literal inside IF, "SQ200: No column P1DD"), Oxigraph one that is not.
REFUSED = {
    "virtuoso": ('PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n'
                 'SELECT ?x WHERE { BIND (IF(true, "P1D"^^xsd:dayTimeDuration, 0) AS ?x) }\n',
                 "HTTP 500", "SQ200: No column P1DD"),
    "oxigraph": ("SELECT ?x WHERE { ?x ?y }\n", "HTTP 400", "error at"),
}


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize("server", sorted(REFUSED))
def test_a_refused_query_gives_the_servers_status_and_reason(server, lang, tmp_path, capsys,
                                                              virtuoso_endpoint,
                                                              oxigraph_endpoint):  # noqa: F811
    """One sentence with the HTTP status and the first line of the server's reason, exit 2."""
    text, status, reason = REFUSED[server]
    query = tmp_path / "refused.rq"
    query.write_text("# A query the server refuses.\n" + text, encoding="utf-8")
    url = virtuoso_endpoint if server == "virtuoso" else oxigraph_endpoint
    assert main(["query", str(query), "--endpoint", url, "--lang", lang]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    words = {
        "en": f"chaingraph query: the SPARQL endpoint at {url} rejected a query with {status}",
        "nl": f"chaingraph query: het SPARQL-endpoint op {url} weigerde een query met {status}"}
    assert captured.err.startswith(words[lang]), captured.err
    assert reason in captured.err and captured.err.count("\n") == 1
    assert "Traceback" not in captured.err and "SPARQL query:" not in captured.err


def test_the_virtuoso_of_the_tests_answers_ask_as_a_boolean(virtuoso_endpoint):
    """The check open_endpoint makes first (ASK {}) passes: the server's own ini is right."""
    from chaingraph.backends import diagnose_endpoint

    assert diagnose_endpoint(virtuoso_endpoint) is None
    graph = open_endpoint(virtuoso_endpoint)
    assert graph.query("ASK { ?s a <https://w3id.org/chaingraph/ontology#Case> }").askAnswer is True


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_an_answer_virtuoso_cut_off_is_refused_not_shown(lang, capsys, virtuoso_endpoint):
    """Virtuoso stops at ResultSetMaxRows and says so only in a header: never show half an answer.

    ``maxrows`` in the URL lowers the limit for these requests (Debian's virtuoso.ini has 10,000).
    """
    url = virtuoso_endpoint + "&maxrows=3"
    # An answer within the limit is shown: one row (at a limit of 1,000, for `query` reads the
    # case's values first, to check them, and FX-001 has 515).
    assert main(["query", "cases", "--param", "case=FX-001", "--endpoint",
                 virtuoso_endpoint + "&maxrows=1000"]) == 0
    capsys.readouterr()
    assert main(["query", "cases", "--param", "case=FX-001", "--endpoint", url]) == 2  # its values
    assert "cut its answer off at 3 rows" in capsys.readouterr().err
    assert main(["query", "cases", "--endpoint", url, "--lang", lang]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    words = {"en": "cut its answer off at 3 rows", "nl": "brak zijn antwoord af na 3 rijen"}
    assert words[lang] in captured.err and "ResultSetMaxRows" in captured.err
