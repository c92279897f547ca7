"""Named queries: the file convention, every query on the bundled data, binding, bad input."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from rdflib import XSD, Literal
from rdflib.term import Identifier

from chaingraph.cli import main
from chaingraph.errors import BadParameter, UnknownPhase, UnknownQuery, UnknownRole
from chaingraph.graph import case_files
from chaingraph.periods import Period, gaps, overlaps
from chaingraph.queries import bind, find_query, list_queries, run_query
from chaingraph.responsibility import case_ids, case_period

QUERIES = list_queries()
CASES = [p.stem for p in case_files()]  # a case file is named after its cg:caseId
INJECTION = 'x" } ; DROP ALL ; #'
INJECTIONS = [INJECTION, "<urn:x> } UNION { ?s ?p ?o", "FX-001' } #", 'FX-001\\" . } #',
              "{ } SELECT * WHERE { ?s ?p ?o }",
              "FX-001\n} INSERT DATA { <urn:a> <urn:b> <urn:c> }"]

# a realistic value for each parameter name, to run every query with every parameter bound
SAMPLE = {"date": "2021-06-20", "role": "casusregisseur", "organisation": "org-politie",
          "phase": "risk", "status": "realised", "lang": "en",
          "indicator": "indicator-huisverboden",
          "year": "2019", "area": "area-rr"}
EXPECTED_QUERIES = {"case-responsibilities", "contact-points", "phase-owners", "escalation-path",
                    "gaps-and-overlaps", "cases-led-by", "measures-by-phase", "figures"}


def test_the_queries_the_issue_asks_for_exist():
    assert QUERIES
    assert EXPECTED_QUERIES <= {q.name for q in QUERIES}


@pytest.mark.parametrize("info", QUERIES, ids=lambda q: q.name)
def test_file_convention(info):
    lines = info.text.splitlines()
    assert lines[0].startswith("# ") and len(info.description) > 20
    assert re.search(r"^PREFIX cg:\s+<https://w3id.org/chaingraph/ontology#>", info.text, re.M)
    select = re.search(r"SELECT(.*?)WHERE", info.text, re.S).group(1)
    for param in info.params:
        # oxrdflib's initBindings and pyoxigraph need the bound variable in the SELECT list
        assert f"?{param.name} " in select + " ", f"{param.name} not selected in {info.name}"
    # the slow MINUS is not used, nor the rdflib pitfall of STACK-NOTES (rdflib#2332: a
    # group that starts with VALUES followed by an OPTIONAL loses the rows the OPTIONAL
    # does not match, and FILTER (!BOUND(...)) then answers wrongly)
    code = re.sub(r"(?m)^\s*#.*$", "", info.text)
    assert "MINUS" not in code
    assert not re.search(r"\{\s*VALUES[^{}]*\{[^{}]*\}\s*OPTIONAL", code)


@pytest.mark.parametrize("info", QUERIES, ids=lambda q: q.name)
def test_every_query_runs_unbound_and_bound(graph, info):
    everything = run_query(graph, info.name)
    assert len(everything) > 0, f"{info.name} returns nothing on the bundled data"
    params = {p.name: SAMPLE.get(p.name) for p in info.params}
    if "case" in params:
        params["case"] = "FX-005"
    result = run_query(graph, info.name, **params)
    assert result.columns == everything.columns
    assert len(result) <= len(everything)
    assert len(result) > 0, f"{info.name} with {params} returns nothing"


@pytest.mark.parametrize("info", [q for q in QUERIES if any(p.name == "case" for p in q.params)],
                         ids=lambda q: q.name)
def test_injection_is_bound_as_a_value_and_matches_nothing(graph, oxigraph_store, info):
    from chaingraph.queries import with_values

    before, stored = len(graph), len(oxigraph_store)
    for text in INJECTIONS:
        assert len(run_query(graph, info.name, case=text)) == 0, text
        # the VALUES path (Oxigraph, endpoints) escapes the same way
        query = with_values(info, bind(graph, info, {"case": text}))
        assert list(oxigraph_store.query(query)) == [], text
    assert len(graph) == before and len(oxigraph_store) == stored


def test_injection_through_the_command_line(capsys):
    assert main(["query", "case-responsibilities", "--param", f"case={INJECTION}"]) == 0
    assert "(0 rows)" in capsys.readouterr().out


def test_iri_parameter_with_injection_is_bad_input(graph):
    with pytest.raises(UnknownRole):
        run_query(graph, "escalation-path", role=INJECTION)
    with pytest.raises(UnknownRole):
        run_query(graph, "escalation-path", role=f"mon:{INJECTION}")


def test_string_is_bound_as_plain_literal(graph):
    info = find_query("cases")
    assert bind(graph, info, {"case": "FX-001"}) == {"case": Literal("FX-001")}


def test_parameter_resolution(graph):
    info = find_query("measures-by-phase")
    bound = bind(graph, info, {"phase": "risk assessment and victim-friendliness",
                               "status": "pilot"})
    assert str(bound["phase"]).endswith("#PhaseRiskAssessment")
    assert str(bound["status"]).endswith("#StatusPilot")
    with pytest.raises(UnknownPhase) as excinfo:
        bind(graph, info, {"phase": "recogniton"})
    assert "recognition" in str(excinfo.value)
    with pytest.raises(BadParameter):
        bind(graph, find_query("phase-owners"), {"date": "20-06-2021"})
    with pytest.raises(BadParameter):
        bind(graph, find_query("phase-owners"), {"colour": "red"})


def test_unknown_query_lists_nearest(capsys):
    assert main(["query", "phase-owner"]) == 2
    err = capsys.readouterr().err
    assert "unknown query 'phase-owner'" in err and "phase-owners" in err
    assert len(err.strip().splitlines()) == 1
    with pytest.raises(UnknownQuery):
        find_query("nope")


@pytest.mark.parametrize("argv", [
    ["query", "phase-owners", "--param", "date=yesterday"],
    ["query", "phase-owners", "--param", "colour=red"],
    ["query", "phase-owners", "--param", "case"],
    ["query", "escalation-path", "--param", "role=nobody"],
    ["query"],
])
def test_bad_input_is_one_sentence_and_exit_2(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_list_shows_every_query_with_description_and_parameters(capsys):
    assert main(["query", "--list"]) == 0
    out = capsys.readouterr().out
    for info in QUERIES:
        assert info.name in out and info.description in out
        for p in info.params:
            assert f"--param {p.name}=" in out
    assert "xsd:date" in out and "IRI cg:Role" in out


def test_formats(capsys):
    assert main(["query", "phase-owners", "--param", "case=FX-005", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "phase" in data["head"]["vars"] and data["results"]["bindings"]
    assert main(["query", "phase-owners", "--param", "case=FX-005", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows and all(r["case"] == "FX-005" for r in rows)


def test_a_path_to_a_query_file_works(graph, tmp_path, capsys):
    path = tmp_path / "count-cases.rq"
    path.write_text("# How many cases there are.\nPREFIX cg: <https://w3id.org/chaingraph/ontology#>\n"
                    "SELECT (COUNT(?c) AS ?n) WHERE { ?c a cg:Case }\n")
    assert main(["query", str(path), "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[1].strip() == str(len(case_ids(graph)))


def test_lang_parameter_follows_lang_flag(capsys):
    assert main(["query", "measures-by-phase", "--param", "phase=direction", "--lang", "nl",
                 "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows and {r["lang"] for r in rows} == {"nl"}


def test_figures_by_indicator_year_and_area(graph):
    rows = run_query(graph, "figures", indicator="indicator-om-stalkingzaken", year="2019",
                     area="area-rr-zhz", lang="en").dicts()
    assert [int(r["value"]) for r in rows] == [147]  # data/monitor/figures.ttl


def test_escalation_path_from_the_case_director(graph):
    rows = run_query(graph, "escalation-path", role="role-casusregisseur").dicts()
    edges = {(str(r["from"]).rsplit("/", 1)[-1], str(r["to"]).rsplit("/", 1)[-1]) for r in rows}
    assert ("role-casusregisseur", "role-procesregisseur") in edges
    assert ("role-procesregisseur-plus", "role-bestuurder") in edges


def test_cases_led_by_an_organisation(graph):
    rows = run_query(graph, "cases-led-by", organisation="politie").dicts()
    assert rows and all(str(r["organisation"]).endswith("org-politie") for r in rows)


def test_case_files_are_there():
    assert CASES


def _gaps_and_overlaps(graph, case) -> tuple[Counter, Counter]:
    """The gaps and overlaps of a case's phases: by the named query and by chaingraph.periods."""
    start, end = case_period(graph, case)
    spans: dict[str, list[Period]] = {}
    for row in run_query(graph, "phase-owners", case=case).dicts():
        spans.setdefault(str(row["phase"]), [])
        if row["assignment"] is not None:
            spans[str(row["phase"])].append(Period(row["start"].toPython(),
                                                   row["end"].toPython() if row["end"] else None))
    python = Counter()
    for phase, ps in spans.items():
        python.update(("gap", phase, g.start, g.end) for g in gaps(ps, start, end))
        python.update(("overlap", phase, o.start, o.end) for o in overlaps(ps))
    sparql = Counter()
    seen = set()
    for r in run_query(graph, "gaps-and-overlaps", case=case).dicts():
        key = (str(r["kind"]), str(r["phase"]), r["from"].toPython(),
               r["to"].toPython() if r["to"] else None)
        # two owners ending on the same day give one gap twice (with a different ?first)
        if r["kind"].toPython() == "gap" and key in seen:
            continue
        seen.add(key)
        sparql[key] += 1
    return sparql, python


@pytest.mark.parametrize("case", CASES)
def test_gaps_and_overlaps_query_equals_periods(graph, case):
    """The SPARQL answer and the Python answer agree on every example case."""
    sparql, python = _gaps_and_overlaps(graph, case)
    assert sparql == python


def _on(backend: str, paths, request=None):
    """The bundled ontology and monitor with ``paths``, on rdflib, in an Oxigraph store, or in
    a graph of its own on the Virtuoso server of the tests (``request`` gives the fixture)."""
    import pyoxigraph

    from chaingraph import load
    from chaingraph.backends import load_files, open_endpoint, oxigraph_graph
    from chaingraph.graph import sources

    if backend == "rdflib":
        return load(paths)
    if backend == "virtuoso":
        return open_endpoint(request.getfixturevalue("virtuoso").load(sources(paths)))
    store = pyoxigraph.Store()
    load_files(store, sources(paths), progress=False)
    return oxigraph_graph(store)


SHAPE_FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
PERIOD_FIXTURES = sorted(p for p in SHAPE_FIXTURES.glob("Phase*.ttl")
                         if p.name.split(".")[0] in ("PhaseGap", "PhaseOverlap",
                                                     "PhaseWithoutOwner"))


@pytest.mark.parametrize("backend", ["rdflib", "oxigraph", "virtuoso"])
@pytest.mark.parametrize("fixture", PERIOD_FIXTURES, ids=lambda p: p.name)
def test_gaps_and_overlaps_query_equals_periods_on_the_shape_fixtures(fixture, backend, request):
    """The rules' own examples: a gap before two later owners ends before the first of them."""
    graph = _on(backend, [fixture], request)
    sparql, python = _gaps_and_overlaps(graph, "TEST")
    assert sparql == python
    if fixture.name == "PhaseGap.invalid-04.ttl":
        gaps_found = [(begin, end) for kind, _, begin, end in sparql if kind == "gap"]
        assert gaps_found == [(date(2021, 4, 1), date(2021, 5, 31))]


@pytest.fixture(scope="module")
def generated_cases(tmp_path_factory):
    """24 generated cases with every flaw at 30 %."""
    from chaingraph.generator import generate

    path = tmp_path_factory.mktemp("gaps") / "cases.ttl"
    generate(24, path, seed=21, flaw_rate=0.3)
    return path


@pytest.mark.parametrize("backend", ["rdflib", "oxigraph", "virtuoso"])
def test_gaps_and_overlaps_query_equals_periods_on_generated_cases(generated_cases, backend,
                                                                   request):
    """With the seeded gaps (from a case's first day too) and overlaps, on every engine."""
    graph = _on(backend, [generated_cases], request)
    found = Counter()
    for case in case_ids(graph):
        start, _ = case_period(graph, case)
        sparql, python = _gaps_and_overlaps(graph, case)
        assert sparql == python, case
        found.update("gap from the start" if kind == "gap" and begin == start else kind
                     for kind, _, begin, _ in sparql.elements())
    assert found["gap"] and found["gap from the start"] and found["overlap"], found


@pytest.fixture(scope="module")
def oxigraph_store():
    import pyoxigraph

    from chaingraph.graph import sources

    store = pyoxigraph.Store()
    for path in sources():
        store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    return store


def _comparable(value, concatenated: bool) -> str | None:
    """A term as text; GROUP_CONCAT's order is undefined, so its parts are sorted."""
    if value is None:
        return None
    # rdflib terms are their lexical form or IRI as str; pyoxigraph terms carry it in .value
    text = str(value) if isinstance(value, Identifier) else str(value.value)
    return " ".join(sorted(text.split())) if concatenated else text


@pytest.mark.parametrize("info", QUERIES, ids=lambda q: q.name)
def test_values_clause_on_oxigraph_answers_as_init_bindings_on_rdflib(graph, oxigraph_store, info):
    """The switch the scale work needs: the same bound terms in a VALUES clause, the same rows."""
    from chaingraph.queries import with_values

    params = {p.name: SAMPLE.get(p.name, "FX-005") for p in info.params}
    bindings = bind(graph, info, params)
    concatenated = set(re.findall(r"GROUP_CONCAT\(.*?\)\s+AS\s+\?(\w+)", info.text, re.S))
    expected = run_query(graph, info.name, **params)
    assert len(expected) > 0
    want = Counter(tuple(_comparable(v, c in concatenated)
                         for v, c in zip(row, expected.columns, strict=True))
                   for row in expected.rows)
    solutions = oxigraph_store.query(with_values(info, bindings))
    got = Counter(tuple(_comparable(s[c], c in concatenated) for c in expected.columns)
                  for s in solutions)
    assert got == want


# --- Virtuoso 7 (tests/virtuoso_server.py): the same answers as rdflib in memory ------------

def _term(value, concatenated: bool):
    """A term as what the user sees of it: kind, text, datatype (none for a plain string), language.

    GROUP_CONCAT's order is undefined in SPARQL 1.1 (rdflib, Oxigraph and Virtuoso each
    concatenate in another order), so its parts are sorted.
    """
    if value is None:
        return None
    text = str(value)
    if concatenated:
        text = " ".join(sorted(text.split()))
    if isinstance(value, Literal):
        datatype = None if value.datatype in (None, XSD.string) else str(value.datatype)
        return ("literal", text, datatype, value.language)
    return (type(value).__name__, text)


def _runs():
    """Every query unbound, with every parameter bound, and with only the case bound (each case)."""
    for info in QUERIES:
        yield info, {}
        if info.params:
            params = {p.name: SAMPLE.get(p.name, "FX-005") for p in info.params}
            if "case" in params:
                params["case"] = "FX-005"
            yield info, params
        if any(p.name == "case" for p in info.params):
            for case in CASES:
                yield info, {"case": case}


RUNS = list(_runs())


@pytest.fixture(scope="module")
def virtuoso_graph(virtuoso_endpoint):
    from chaingraph.backends import open_endpoint

    return open_endpoint(virtuoso_endpoint)


@pytest.mark.parametrize(("info", "params"), RUNS,
                         ids=[f"{i.name}-{'-'.join(p.values()) or 'unbound'}" for i, p in RUNS])
def test_every_query_answers_on_virtuoso_as_in_memory(graph, virtuoso_graph, info, params):
    """The same rows in the same order, term for term (datatype and language included)."""
    concatenated = set(re.findall(r"GROUP_CONCAT\(.*?\)\s+AS\s+\?(\w+)", info.text, re.S))
    expected = run_query(graph, info.name, **params)
    answer = run_query(virtuoso_graph, info.name, **params)
    assert answer.columns == expected.columns
    if params.get("case", "FX-005") == "FX-005":  # FX-005 has rows in every query (a gap too)
        assert len(expected) > 0

    def terms(result):
        return [tuple(_term(v, c in concatenated) for v, c in zip(row, result.columns, strict=True))
                for row in result.rows]

    assert terms(answer) == terms(expected)
