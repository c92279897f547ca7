"""Values another tool wrote into a store or an endpoint are refused as a file's are.

``chaingraph load`` checks every value on the way in; another tool (a SPARQL UPDATE, an
Oxigraph server opened for writing) may write an impossible date afterwards. Every engine of
the audit, every command that looks up a case and ``load --reindex`` then say so in one
sentence naming the store (or endpoint) and the node, exit 2, with no traceback: the same
answer as the file with that value gets, where before the compiled audit reported findings
on it, the reference engine crashed and ``chain``/``raci`` printed rdflib's tracebacks.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from oxigraph_server import start, stop

from chaingraph import memberships
from chaingraph.backends import load_store
from chaingraph.cli import main
from chaingraph.graph import case_files, monitor_files, ontology_files

CG = "https://w3id.org/chaingraph/ontology#"
BAD = '"2021-13-45"^^xsd:date'
NODE = "FX-011/own-collaboration-1"


def _one_line(capsys, code: int, args: list[str]) -> str:
    assert main(args) == code, args
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "Failed to convert" not in captured.err, args
    return captured.err.strip()


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    """The example cases loaded, then an end date made impossible by "another tool"."""
    directory = tmp_path_factory.mktemp("values") / "store"
    load_store(case_files(), directory, progress=False)
    written = ox.Store(str(directory))
    end = ox.NamedNode(CG + "endDate")
    node = ox.NamedNode("https://w3id.org/chaingraph/case/" + NODE)
    bad = ox.Literal("2021-13-45", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    quads = list(written.quads_for_pattern(node, end, None, None))
    assert quads, "the example ownership has an end date"
    for quad in quads:  # the default graph and the case's own graph, as chaingraph writes them
        written.remove(quad)
        written.add(ox.Quad(node, end, bad, quad.graph_name))
    written.flush()
    del written
    return str(directory)


@pytest.mark.parametrize("engine", ["auto", "sparql", "shacl"])
def test_every_audit_engine_refuses_the_value_naming_store_and_node(store, engine, capsys):
    said = _one_line(capsys, 2, ["audit", "--store", store, "--engine", engine])
    assert said == (f"chaingraph audit: {store}, at {NODE}: cg:endDate takes a date, not {BAD};"
                    " write a real date as YYYY-MM-DD with its datatype,"
                    ' e.g. "2021-06-20"^^xsd:date')
    # on a date before the value's node existed, too: the values are checked before the cut
    assert _one_line(capsys, 2, ["audit", "--store", store, "--engine", engine,
                                 "--at", "2021-06-01"]) == said


def test_the_same_value_in_a_file_is_refused_with_the_same_words(tmp_path, capsys):
    source = next(p for p in case_files() if p.stem == "FX-011").read_text(encoding="utf-8")
    own = re.search(r"own-collaboration-1.*?cg:endDate (\"[0-9-]+\"\^\^xsd:date)", source, re.S)
    assert own, "FX-011's first collaboration ownership has an end date"
    start_at = own.start(1)
    bad = tmp_path / "FX-011.ttl"
    bad.write_text(source[:start_at] + BAD + source[own.end(1):], encoding="utf-8")
    said = _one_line(capsys, 2, ["audit", str(bad)])
    line = source.count("\n", 0, start_at) + 1
    assert said.startswith(f"chaingraph audit: {bad}, line {line}: cg:endDate takes a date, "
                           f"not {BAD};")


@pytest.mark.parametrize("command", [
    ["who", "FX-011"], ["who", "FX-011", "--at", "2021-05-01"], ["chain", "FX-011"],
    ["raci", "FX-011"], ["case", "show", "FX-011"],
    ["export", "timeline", "--case", "FX-011", "--format", "csv"],
    ["query", "gaps-and-overlaps", "--param", "case=FX-011"]], ids=" ".join)
def test_case_commands_refuse_the_case_and_answer_for_the_others(store, command, capsys,
                                                                 tmp_path):
    output = ["--output", str(tmp_path / "out")] if command[0] == "export" else []
    said = _one_line(capsys, 2, [*command, "--store", store, *output])
    assert said.endswith(f"{store}, at {NODE}: cg:endDate takes a date, not {BAD}; write a real "
                         'date as YYYY-MM-DD with its datatype, e.g. "2021-06-20"^^xsd:date')
    other = [c.replace("FX-011", "FX-001") for c in command]
    _one_line(capsys, 0, [*other, "--store", store, *output])
    assert not (tmp_path / "out").exists() or command[0] == "export"


@pytest.mark.parametrize("command", [
    ["query", "gaps-and-overlaps"], ["query", "cases"],
    ["export", "collaboration", "--format", "csv"]], ids=" ".join)
def test_commands_on_every_case_refuse_the_store_as_a_file_is_refused(store, command, capsys):
    """A named query without a case, or the collaboration of every case, read the impossible
    date as no date: FX-011's ownership then ran on, and gaps-and-overlaps gave an overlap
    that is not there, without a word; a file with the date is refused when read."""
    said = _one_line(capsys, 2, [*command, "--store", store])
    assert said.endswith(f"{store}, at {NODE}: cg:endDate takes a date, not {BAD}; write a real "
                         'date as YYYY-MM-DD with its datatype, e.g. "2021-06-20"^^xsd:date')
    assert said.count("\n") == command.count("collaboration")  # + the note on the index
    said = _one_line(capsys, 2, ["--lang", "nl", *command, "--store", store])
    assert f"{store}, bij {NODE}: cg:endDate neemt een datum" in said


def test_dutch_names_the_node_too(store, capsys):
    said = _one_line(capsys, 2, ["--lang", "nl", "chain", "FX-011", "--store", store])
    assert said.startswith(f"chaingraph chain: {store}, bij {NODE}: cg:endDate neemt een datum, "
                           f"niet {BAD};")


def _index_state(store: str) -> tuple:
    opened = ox.Store.read_only(store)
    try:
        return memberships.state(opened), memberships.count(opened)
    finally:
        del opened


def test_reindex_checks_the_values_first_and_keeps_the_index(store, capsys):
    before = _index_state(store)
    said = _one_line(capsys, 2, ["load", "--store", store, "--reindex"])
    assert said.startswith(f"chaingraph load: {store}, at {NODE}: cg:endDate takes a date")
    assert _index_state(store) == before and before[1] > 0  # the index as load left it


def test_an_endpoint_with_the_value_is_refused_naming_the_url(tmp_path, capsys):
    source = next(p for p in case_files() if p.stem == "FX-005")
    bad = tmp_path / "FX-005.ttl"
    text = source.read_text(encoding="utf-8")
    first = re.search(r'cg:endDate "[0-9-]+"\^\^xsd:date', text)
    assert first, "FX-005 has an end date"
    bad.write_text(text[:first.start()] + "cg:endDate " + BAD + text[first.end():],
                   encoding="utf-8")
    files = [p for p in case_files() if p.stem != "FX-005"] + [bad]
    process, url = start(tmp_path / "server", ontology_files() + monitor_files() + files)
    try:
        for command in (["audit"], ["audit", "--engine", "sparql"], ["who", "FX-005"],
                        ["query", "gaps-and-overlaps"], ["query", "cases"],
                        ["export", "collaboration", "--format", "csv"]):
            said = _one_line(capsys, 2, [*command, "--endpoint", url])
            assert f"{url}, at FX-005/case: cg:endDate takes a date, not {BAD};" in said, command
    finally:
        stop(process)


def test_virtuoso_with_the_value_is_refused_by_the_commands_on_every_case(tmp_path, capsys,
                                                                         virtuoso):
    """The second server: its own casts and comparisons find the value, which is then checked
    as a file's is; before, gaps-and-overlaps and the collaboration read it as no date."""
    bad = tmp_path / "FX-005.ttl"
    text = next(p for p in case_files() if p.stem == "FX-005").read_text(encoding="utf-8")
    first = re.search(r'cg:endDate "[0-9-]+"\^\^xsd:date', text)
    assert first, "FX-005 has an end date"
    bad.write_text(text[:first.start()] + "cg:endDate " + BAD + text[first.end():],
                   encoding="utf-8")
    files = [p for p in case_files() if p.stem != "FX-005"] + [bad]
    url = virtuoso.load(ontology_files() + monitor_files() + files)
    for command in (["query", "gaps-and-overlaps"], ["query", "cases"],
                    ["export", "collaboration", "--format", "csv"], ["who", "FX-005"]):
        said = _one_line(capsys, 2, [*command, "--endpoint", url])
        assert f"{url}, at FX-005/case: cg:endDate takes a date, not {BAD};" in said, command


def test_the_web_app_says_why_the_audit_is_missing_and_refuses_the_case(store, tmp_path):
    from starlette.testclient import TestClient

    from chaingraph.backends import open_store
    from chaingraph.web.app import create_app
    from chaingraph.web.cases import CaseBook

    book = CaseBook(open_store(store, read_only=True), store=store)
    client = TestClient(create_app(book, open_mode=True, access_log=tmp_path / "a.jsonl"))
    said = f"{store}, at {NODE}: cg:endDate takes a date"
    listing = client.get("/cases")
    assert listing.status_code == 200 and "The audit is not available" in listing.text
    assert said in listing.text
    page = client.get("/cases/FX-011")
    assert page.status_code == 400 and said in page.text
    assert client.get("/cases/FX-001").status_code == 200
    # the named queries: every case's values (none given), or the case's
    for url in ("/queries/gaps-and-overlaps", "/queries/cases?case=FX-011"):
        answer = client.get(url)
        assert answer.status_code == 400 and said in answer.text, url
    assert client.get("/queries/cases?case=FX-001").status_code == 200


@pytest.fixture(scope="module")
def twice(tmp_path_factory) -> str:
    """The example cases loaded, then a second case node with FX-001's id added by "another
    tool" (the file audit refuses such data: the cases would be merged)."""
    directory = tmp_path_factory.mktemp("twice") / "store"
    load_store(case_files(), directory, progress=False)
    written = ox.Store(str(directory))
    node = ox.NamedNode("https://w3id.org/chaingraph/case/FX-099/case")
    written.add(ox.Quad(node, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                        ox.NamedNode(CG + "Case")))
    written.add(ox.Quad(node, ox.NamedNode(CG + "caseId"), ox.Literal("FX-001")))
    written.flush()
    del written
    return str(directory)


@pytest.mark.parametrize("command", [
    ["audit"], ["audit", "--engine", "shacl"], ["who", "FX-001"], ["chain", "FX-001"],
    ["load", "--reindex"]], ids=" ".join)
def test_two_cases_with_one_id_in_a_store_are_refused_not_merged(twice, command, capsys):
    said = _one_line(capsys, 2, [*command, "--store", twice])
    assert said.endswith(f"{twice}, at FX-099/case: case id FX-001 is also the id of "
                         "FX-001/case; give each case an id of its own"), said
    if command[0] == "who":
        _one_line(capsys, 0, ["who", "FX-002", "--store", twice])


def _rewritten(directory: str, node: str, old: str, new: ox.NamedNode | None = None,
               value: ox.Literal | None = None) -> None:
    """Rewrite the ``old`` property of one node, in every graph chaingraph wrote it to, as
    "another tool" would: under another predicate (``new``) or with another value."""
    written = ox.Store(directory)
    subject = ox.NamedNode("https://w3id.org/chaingraph/case/" + node)
    quads = list(written.quads_for_pattern(subject, ox.NamedNode(CG + old), None, None))
    assert quads, f"{node} has a {old}"
    for quad in quads:
        written.remove(quad)
        written.add(ox.Quad(subject, new or quad.predicate, value or quad.object,
                            quad.graph_name))
    written.flush()
    del written


@pytest.fixture(scope="module", params=["zone", "term"])
def odd(request, tmp_path_factory) -> tuple[str, str, str]:
    """The example cases loaded, then, by "another tool", FX-005's first risk ownership ending
    on a date with a time zone (rdflib drops the zone, Oxigraph keeps it: read as written, the
    engines gave different gaps), or FX-011's first collaboration ownership's end date under a
    term the ontology does not declare (the ownership then simply ran on: five phase gaps and
    nothing said why). With the case and what each command must say."""
    directory = str(tmp_path_factory.mktemp(request.param) / "store")
    load_store(case_files(), directory, progress=False)
    if request.param == "zone":
        day = ox.Literal("2021-06-11Z",
                         datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
        _rewritten(directory, "FX-005/own-risk-1", "endDate", value=day)
        return directory, "FX-005", ('at FX-005/own-risk-1: cg:endDate takes a date, not '
                                     '"2021-06-11Z"^^xsd:date; write a real date as YYYY-MM-DD')
    _rewritten(directory, NODE, "endDate", new=ox.NamedNode(CG + "enddate"))
    return directory, "FX-011", ("uses cg:enddate, which the ontology does not declare "
                                 "(did you mean cg:endDate or cg:date?)")


@pytest.mark.parametrize("command", [
    ["audit"], ["audit", "--engine", "sparql"], ["audit", "--engine", "shacl"],
    ["audit", "--engine", "shacl", "--case", "FX-005", "--case", "FX-011"],
    ["who", "CASE"], ["chain", "CASE"], ["raci", "CASE"], ["load", "--reindex"],
    ["query", "gaps-and-overlaps"], ["export", "collaboration", "--format", "csv"]],
    ids=" ".join)
def test_a_zoned_date_or_an_undeclared_term_in_a_store_is_refused_by_every_engine(
        odd, command, capsys):
    """Before, the reference engine audited the zoned date (rdflib dropped the zone) while the
    compiled one refused it, and every engine audited the undeclared term's ownership as
    running on; a file with either is refused when read."""
    store, case, words = odd
    command = [case if word == "CASE" else word for word in command]
    said = _one_line(capsys, 2, [*command, "--store", store]).splitlines()[-1]  # after a note
    assert said.startswith(f"chaingraph {command[0]}: {store}") and words in said, said
