"""Writing to a store: a named graph per case, replaced whole; a lock; interrupts; history.

The store's default graph must stay what every reader reads (the union of the cases and the
shared data), so these tests compare it with the same files read by rdflib, check that a
replaced case leaves every other case's graph untouched, and run real processes for the
lock and the signals.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef

from chaingraph import backends, history, memberships, storewrite
from chaingraph.errors import BadParameter, SourceError
from chaingraph.generator import generate
from chaingraph.graph import case_files, load
from chaingraph.namespace import CG

CASE_1 = URIRef("https://w3id.org/chaingraph/case/FX-001/case")
START = "SELECT ?d WHERE { ?c <https://w3id.org/chaingraph/ontology#caseId> ?id ; " \
        "<https://w3id.org/chaingraph/ontology#startDate> ?d }"
CLI = [sys.executable, "-m", "chaingraph"]


@pytest.fixture(scope="module")
def examples(tmp_path_factory) -> Path:
    """A store of the bundled example cases, loaded once (copied by the tests that change it)."""
    directory = tmp_path_factory.mktemp("examples") / "store"
    backends.load_store([], directory, progress=False)
    return directory


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated") / "cases.ttl"
    generate(300, out, seed=5)
    return out


def _copy(store: Path, to: Path) -> Path:
    native = pyoxigraph.Store.read_only(str(store))
    native.backup(str(to))
    del native
    return to


def _graphs(store: Path) -> dict[str, set[str]]:
    """Every named graph of the store with its triples (as N-Triples text; blank nodes out)."""
    native = pyoxigraph.Store.read_only(str(store))
    out: dict[str, set[str]] = {}
    for name in native.named_graphs():
        out[name.value] = {f"{q.subject} {q.predicate} {q.object}"
                           for q in native.quads_for_pattern(None, None, None, name)}
    return out


def _default(store: Path) -> set[str]:
    native = pyoxigraph.Store.read_only(str(store))
    return {f"{q.subject} {q.predicate} {q.object}" for q in
            native.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph())
            if not isinstance(q.subject, pyoxigraph.BlankNode)
            and not isinstance(q.object, pyoxigraph.BlankNode)}


def _starts(graph: Graph, case_id: str) -> list[str]:
    from chaingraph.sparql import with_values

    return sorted(str(row[0]) for row in graph.query(with_values(START, {"id": Literal(case_id)})))


def _edited(tmp_path: Path, day: str = "2021-03-02") -> Path:
    """FX-001 with another start date (the case node's first date)."""
    text = (Path(case_files()[0])).read_text(encoding="utf-8")
    assert '"2021-03-01"^^xsd:date' in text
    out = tmp_path / "FX-001-edited.ttl"
    out.write_text(text.replace('"2021-03-01"^^xsd:date', f'"{day}"^^xsd:date', 1),
                   encoding="utf-8")
    return out


# --- the layout: the default graph as before, a graph per case --------------------------------


def test_the_default_graph_holds_what_the_files_hold(examples):
    files = load()  # rdflib: the bundled ontology, monitor and example cases
    store = backends.open_store(examples, read_only=True)
    assert len(store) == len(files) > 0


def test_each_case_is_in_a_graph_of_its_own(examples):
    graphs = _graphs(examples)
    ids = [Path(p).stem for p in case_files()]
    assert ids
    for case_id in ids:
        case = f"https://w3id.org/chaingraph/case/{case_id}/case"
        assert case in graphs, case_id
        assert any(f"<{case}> <{CG.caseId}>" in t for t in graphs[case])
        # nothing of another case in it
        assert not [t for t in graphs[case] if "/case/" in t.split(" ")[0]
                    and f"/case/{case_id}/" not in t.split(" ")[0]]
    assert _default(examples) >= set().union(*(graphs[f"https://w3id.org/chaingraph/case/{i}/case"]
                                               for i in ids)) - {""}


def test_loading_a_case_again_replaces_it_and_leaves_the_others(examples, tmp_path, capsys):
    from chaingraph.cli import main

    store = _copy(examples, tmp_path / "store")
    before = _graphs(store)
    edited = _edited(tmp_path)
    assert main(["load", str(edited), "--store", str(store), "--by", "P-TEST1"]) == 0
    assert "FX-001" in capsys.readouterr().err  # said it replaced the case
    graph = backends.open_store(store, read_only=True)
    assert _starts(graph, "FX-001") == ["2021-03-02"]  # one start date, the new one
    after = _graphs(store)
    for name, triples in before.items():
        if "/case/" in name and name != str(CASE_1):
            assert after[name] == triples, name
    assert after[str(CASE_1)] != before[str(CASE_1)]


def test_two_files_with_one_case_in_one_load_are_refused_and_a_second_load_replaces_it(
        tmp_path):
    """One load of both files is refused, as the audit of the same files is (the later one
    used to win, where the audit refused); in a load of its own the edit replaces the case."""
    store = tmp_path / "store"
    with pytest.raises(SourceError) as refused:
        backends.load_store([case_files()[0], _edited(tmp_path)], store, progress=False)
    assert refused.value.problem == "duplicate_case" and not store.exists()
    backends.load_store([case_files()[0]], store, progress=False)
    report = backends.load_store([_edited(tmp_path)], store, progress=False)
    assert report.replaced == ["FX-001"]
    assert _starts(backends.open_store(store, read_only=True), "FX-001") == ["2021-03-02"]


def test_a_case_id_under_another_iri_replaces_the_case(examples, tmp_path):
    store = _copy(examples, tmp_path / "store")
    text = _edited(tmp_path).read_text(encoding="utf-8").replace(
        "https://w3id.org/chaingraph/case/FX-001/", "https://w3id.org/chaingraph/case/FX-001b/")
    moved = tmp_path / "moved.ttl"
    moved.write_text(text, encoding="utf-8")
    report = backends.load_store([moved], store, progress=False)
    assert report.replaced == ["FX-001"]
    graph = backends.open_store(store, read_only=True)
    assert _starts(graph, "FX-001") == ["2021-03-02"]
    assert str(CASE_1) not in _graphs(store)


def test_a_store_from_before_case_graphs_gets_its_case_replaced_not_merged(tmp_path):
    from chaingraph.graph import sources

    store = tmp_path / "store"
    native = pyoxigraph.Store(str(store))
    backends.load_files(native, sources([]), bulk=True, progress=False)  # all in the default
    native.flush()
    del native
    before = history.now()
    backends.load_store([_edited(tmp_path)], store, progress=False)
    assert _starts(backends.open_store(store, read_only=True), "FX-001") == ["2021-03-02"]
    assert _starts(history.as_recorded(store, before), "FX-001") == ["2021-03-01"]
    assert len(backends.open_store(store, read_only=True)) == len(load())


# --- write_cases: one transaction, the index kept up to date ---------------------------------


def test_write_cases_replaces_in_one_transaction_and_keeps_the_index(examples, tmp_path):
    store = _copy(examples, tmp_path / "store")
    assert memberships.state(pyoxigraph.Store.read_only(str(store)))[0] == "usable"
    case = load([_edited(tmp_path)], base=False)
    report = backends.write_cases(store, case, by="P-TEST2", activity="update")
    assert (report.cases, report.replaced) == (1, ["FX-001"])
    assert report.triples == len(case)
    assert _starts(backends.open_store(store, read_only=True), "FX-001") == ["2021-03-02"]
    native = pyoxigraph.Store(str(store))
    kept = sorted(map(str, native.query(memberships.READ)))  # type: ignore[arg-type]
    assert memberships.state(native)[0] == "usable"
    memberships.build(native)
    assert sorted(map(str, native.query(memberships.READ))) == kept  # type: ignore[arg-type]


def test_write_cases_into_a_new_store_brings_the_ontology(tmp_path):
    store = tmp_path / "new"
    backends.write_cases(store, load([case_files()[1]], base=False))
    graph = backends.open_store(store, read_only=True)
    ask = "ASK { ?o a <https://w3id.org/chaingraph/ontology#Organisation> }"
    assert graph.query(ask).askAnswer


@pytest.mark.parametrize("by", ["Jan Jansen", "a@b.nl", ""])
def test_write_cases_refuses_a_by_that_is_not_a_pseudonym(tmp_path, by):
    with pytest.raises(BadParameter, match="pseudonym"):
        backends.write_cases(tmp_path / "s", load([case_files()[0]], base=False), by=by)
    assert not (tmp_path / "s").exists()


def test_write_cases_refuses_data_without_a_case(tmp_path):
    persons = Graph()
    persons.add((URIRef("https://w3id.org/chaingraph/person/P-AAAAA"), CG.pseudonym,
                 Literal("P-AAAAA")))
    with pytest.raises(BadParameter, match="no case"):
        backends.write_cases(tmp_path / "s", persons)


# --- history -------------------------------------------------------------------------------


def test_history_records_each_change_and_keeps_the_old_version(tmp_path):
    store = tmp_path / "store"
    backends.write_cases(store, load([case_files()[0]], base=False), by="P-TEST3",
                         activity="new")
    backends.write_cases(store, load([_edited(tmp_path)], base=False), by="P-TEST4",
                         activity="update")
    changes = history.changes(store)
    assert [(c["id"], c["kind"], c["by"]) for c in changes] == [
        ("FX-001", "new", "P-TEST3"), ("FX-001", "update", "P-TEST4")]
    then = history.as_recorded(store, changes[0]["when"])
    now = history.as_recorded(store, changes[1]["when"])
    assert _starts(then, "FX-001") == ["2021-03-01"]
    assert _starts(now, "FX-001") == ["2021-03-02"]
    assert _starts(history.as_recorded(store, "2000-01-01T00:00:00Z"), "FX-001") == []
    # the default graph, all that queries read, never holds the old version
    assert _starts(backends.open_store(store, read_only=True), "FX-001") == ["2021-03-02"]


def test_who_on_a_past_moment_answers_from_the_version_recorded_then(tmp_path):
    from chaingraph.responsibility import responsibilities

    store = tmp_path / "store"
    original, edited = case_files()[0], _edited(tmp_path, day="2021-03-05")
    backends.write_cases(store, load([original], base=False), by="P-TEST5", activity="new")
    backends.write_cases(store, load([edited], base=False), by="P-TEST5", activity="update")
    first, second = (c["when"] for c in history.changes(store))

    def who(graph: Graph) -> dict:
        return responsibilities(graph, "FX-001", at="2021-03-03").as_dict()

    then = history.as_recorded(store, first, case="FX-001")
    assert who(load([edited])) != who(load([original]))  # the two versions answer apart
    assert who(then) == who(load([original]))  # on 3 March the case had started, as recorded
    assert _starts(history.as_recorded(store, second, case="FX-001"), "FX-001") == ["2021-03-05"]
    assert who(history.as_recorded(store, first)) == who(then)  # the whole store, the same



def test_who_at_a_past_day_on_a_store_answers_as_recorded_that_day(tmp_path, monkeypatch, capsys):
    """`who --at DAY --store DIR`: the case as the store held it at the end of DAY; a case
    first recorded after DAY is answered as it is now, and stderr says so."""
    import json

    from chaingraph.cli import main
    from chaingraph.responsibility import responsibilities

    store = tmp_path / "store"
    original, edited = case_files()[0], _edited(tmp_path, day="2021-03-05")
    monkeypatch.setattr(history, "now", lambda: "2021-03-02T09:00:00.000000Z")
    backends.write_cases(store, load([original], base=False), by="P-TEST5", activity="new")
    monkeypatch.undo()  # the correction is recorded today
    backends.write_cases(store, load([edited], base=False), by="P-TEST5", activity="update")

    def who_cli(day: str) -> tuple[dict, str]:
        assert main(["who", "FX-001", "--at", day, "--store", str(store),
                     "--format", "json"]) == 0
        out, err = capsys.readouterr()
        return json.loads(out), err

    as_then = responsibilities(load([original]), "FX-001", at="2021-03-03").as_dict()
    as_now = responsibilities(load([edited]), "FX-001", at="2021-03-03").as_dict()
    assert as_then != as_now
    answer, err = who_cli("2021-03-03")
    assert answer == as_then and err == ""  # recorded on 2 March: the first version
    answer, err = who_cli("2021-03-01")  # before anything was recorded
    assert answer == responsibilities(load([edited]), "FX-001", at="2021-03-01").as_dict()
    assert err == (f"chaingraph who: FX-001 was not yet recorded in {store} at the end of "
                   "2021-03-01; this answer is from the case as it is recorded now\n")

# --- the lock: real processes ------------------------------------------------------------------

_HOLD = """
import sys, time
from chaingraph import storewrite
with storewrite.writing(sys.argv[1]):
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _hold(store: Path, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(store), str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    return holder


def test_a_second_writer_waits_and_says_so(tmp_path):
    store = tmp_path / "store"
    holder = _hold(store, 3)
    run = subprocess.run([*CLI, "load", str(case_files()[0]), "--store", str(store)],
                         capture_output=True, text=True, timeout=120)
    holder.wait(timeout=30)
    assert run.returncode == 0, run.stderr
    assert "another process" in run.stderr and f"pid {holder.pid}" in run.stderr
    assert _starts(backends.open_store(store, read_only=True), "FX-001") == ["2021-03-01"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]  # the lock file went


def test_a_writer_that_waits_too_long_gives_up_in_one_sentence(tmp_path):
    store = tmp_path / "store"
    holder = _hold(store, 20)
    try:
        run = subprocess.run([*CLI, "load", str(case_files()[0]), "--store", str(store)],
                             capture_output=True, text=True, timeout=60,
                             env={**os.environ, "CHAINGRAPH_LOCK_WAIT": "1"})
    finally:
        holder.kill()
        holder.wait()
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert "Traceback" not in run.stderr
    assert lines[-1].startswith("chaingraph load: the store") and "try again" in lines[-1]
    assert not store.exists()


def test_two_loads_at_once_keep_both_sets_of_cases(tmp_path):
    store = tmp_path / "store"
    first, second = case_files()[:5], case_files()[5:]
    runs = [subprocess.Popen([*CLI, "load", *map(str, files), "--store", str(store)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for files in (first, second)]
    for run in runs:
        _out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    graph = backends.open_store(store, read_only=True)
    from chaingraph.names import case_ids

    assert case_ids(graph) == sorted(Path(p).stem for p in case_files())


# --- interrupts and what killed runs leave ---------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_a_load_and_leaves_the_store(examples, generated, tmp_path, signum):
    store = _copy(examples, tmp_path / "store")
    before = _default(store)
    run = subprocess.Popen([*CLI, "load", str(generated), "--store", str(store)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    work = tmp_path / f".store.loading-{run.pid}"
    deadline = time.monotonic() + 60
    while not work.exists() and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert work.exists(), "the load never started"
    time.sleep(0.3)
    sent = time.monotonic()
    run.send_signal(signum)
    _out, err = run.communicate(timeout=60)
    stopped = time.monotonic() - sent
    assert run.returncode == 128 + signum, err
    assert err.strip().count("\n") == 0 and "Traceback" not in err, err
    assert signal.Signals(signum).name in err and "as it was" in err
    assert stopped < 20  # a second or two on a quiet machine; never the whole load
    assert _default(store) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_what_a_killed_load_left_is_removed_by_the_next(tmp_path):
    store = tmp_path / "store"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    left = tmp_path / f".store.loading-{dead}"
    left.mkdir()
    (left / "000001.sst").write_bytes(b"x" * 100)
    run = subprocess.run([*CLI, "load", str(case_files()[0]), "--store", str(store)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert not left.exists()
    assert f"pid {dead}" in run.stderr and str(left.name) in run.stderr


def test_a_store_moved_aside_by_a_killed_swap_is_put_back(examples, tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    aside = _copy(examples, tmp_path / f".store.old-{dead}")
    store = tmp_path / "store"
    notes: list[str] = []
    storewrite.clean_leftovers(store, note=notes.append)
    assert store.is_dir() and not aside.exists()
    assert len(notes) == 1 and "put the store" in notes[0]
    assert len(backends.open_store(store, read_only=True)) == len(load())


def test_a_live_process_keeps_what_it_is_writing(tmp_path):
    store = tmp_path / "store"
    mine = tmp_path / f".store.loading-{os.getpid()}"
    mine.mkdir()
    assert storewrite.clean_leftovers(store) == []
    assert mine.exists()


def test_a_folder_that_is_not_a_store_is_refused_and_left(tmp_path, capsys):
    from chaingraph.cli import main

    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "todo.txt").write_text("keep me", encoding="utf-8")
    assert main(["load", str(case_files()[0]), "--store", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "is not a store folder" in err and err.count("\n") == 1
    assert [p.name for p in folder.iterdir()] == ["todo.txt"]
    with pytest.raises(BadParameter):
        backends.write_cases(folder, load([case_files()[0]], base=False))


def test_two_cases_with_one_id_in_one_load_are_refused_as_the_files_audit_refuses_them(
        tmp_path, capsys):
    """FX-007's file with FX-001's id beside FX-001: the audit of the files stops (exit 2);
    the load kept the later one and the store's audit gave FX-007's findings under FX-001."""
    from chaingraph.cli import main

    first = next(p for p in case_files() if p.name == "FX-001.ttl")
    other = tmp_path / "FX-007-with-FX-001s-id.ttl"
    text = next(p for p in case_files() if p.name == "FX-007.ttl").read_text(encoding="utf-8")
    other.write_text(text.replace('cg:caseId "FX-007"', 'cg:caseId "FX-001"'), encoding="utf-8")
    assert main(["audit", str(first), str(other)]) == 2
    audit_said = capsys.readouterr().err
    store = tmp_path / "store"
    for lang, words in (("en", "case id FX-001 is also used in"),
                        ("nl", "casus-id FX-001 wordt ook gebruikt in")):
        assert main(["load", str(first), str(other), "--store", str(store), "--lang", lang]) == 2
        err = capsys.readouterr().err
        assert words in err and str(first) in err and other.name in err, err
        assert err.count("\n") == 1 and "Traceback" not in err
        assert not store.exists()  # nothing written
    assert "FX-001" in audit_said
    # one file with the case, then the other in a later load: replaced, as before
    assert main(["load", str(first), "--store", str(store)]) == 0
    assert main(["load", str(other), "--store", str(store)]) == 0
    assert "FX-001" in capsys.readouterr().err


def test_one_case_in_two_files_of_one_load_is_refused_as_every_other_command_refuses_it(
        tmp_path, capsys):
    """FX-005 written whole and, in a second file, its case node with the rest of its data
    but not its ownerships: the audit of the two files stops (exit 2); the load kept the
    second file's version and the store's audit gave findings that no audit of the files
    gives (no escalation path, the ownerships gone). A case split over two files, its case
    node in one of them, loads and audits as the files do."""
    from chaingraph.cli import main

    lines = next(p for p in case_files() if p.name == "FX-005.ttl").read_text(
        encoding="utf-8").splitlines(keepends=True)
    head = lines[:lines.index(next(x for x in lines if x.startswith(":case a cg:Case")))]
    ownerships = [x for x in lines[len(head):] if x.startswith(":own-")]
    cut = lines.index(ownerships[-1]) + 4  # each ownership is four lines or fewer
    first, second, rest = (tmp_path / name for name in ("a.ttl", "b.ttl", "rest.ttl"))
    first.write_text("".join(lines[:cut]), encoding="utf-8")
    second.write_text("".join(head) + ':case a cg:Case ; cg:caseId "FX-005" .\n'
                      + "".join(lines[cut:]), encoding="utf-8")
    assert main(["audit", str(first), str(second)]) == 2
    said = capsys.readouterr().err
    assert "FX-005" in said and "a.ttl" in said
    store = tmp_path / "store"
    assert main(["load", str(first), str(second), "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "FX-005" in err and "a.ttl" in err and "b.ttl" in err, err
    assert not store.exists()  # nothing written
    # without the second case node: one case over two files, the same findings both ways
    rest.write_text("".join(head) + "".join(lines[cut:]), encoding="utf-8")
    assert main(["audit", str(first), str(rest), "--format", "json"]) == 1
    from_files = json.loads(capsys.readouterr().out)
    assert main(["load", str(first), str(rest), "--store", str(store)]) == 0
    capsys.readouterr()
    assert main(["audit", "--store", str(store), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out) == from_files
    assert from_files["summary"]["findings"] >= 1


def test_a_case_written_by_its_form_takes_its_nodes_an_earlier_load_kept_as_shared(
        tmp_path, capsys):
    """A node under FX-050's IRI, loaded before the case: a load of the case makes it the
    case's, as the audit of the files does; the form's write left it shared data, and the
    store's audit gave its finding under no case."""
    from chaingraph.cli import main

    orphan = tmp_path / "orphan.ttl"
    orphan.write_text(
        "@prefix cg: <https://w3id.org/chaingraph/ontology#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<https://w3id.org/chaingraph/case/FX-050/own-x> a cg:PhaseOwnership ;\n"
        '    cg:phase cg:PhaseRecognition ; cg:startDate "2021-03-01"^^xsd:date .\n',
        encoding="utf-8")
    store = tmp_path / "store"
    assert main(["load", str(orphan), "--store", str(store)]) == 0
    capsys.readouterr()
    assert main(["case", "show", "FX-001"]) == 0
    form = tmp_path / "FX-050.yaml"
    form.write_text(capsys.readouterr().out.replace("id: FX-001", "id: FX-050"),
                    encoding="utf-8")
    written = tmp_path / "FX-050.ttl"
    assert main(["case", "new", str(form), "--output", str(written)]) == 0
    assert main(["case", "new", str(form), "--store", str(store), "--by", "P-7K3M9"]) == 0
    capsys.readouterr()
    reports = []
    for where in (["--store", str(store)], [str(orphan), str(written)]):
        assert main(["audit", *where, "--format", "json"]) == 1
        reports.append(json.loads(capsys.readouterr().out))
    assert reports[0] == reports[1]
    assert [c["case"] for c in reports[0]["cases"]] == ["FX-050"]


_PLACED = """
@prefix cg: <https://w3id.org/chaingraph/ontology#> .
@prefix prs: <https://w3id.org/chaingraph/person/> .
@prefix one: <https://w3id.org/chaingraph/case/FX-801/> .
@prefix two: <https://w3id.org/chaingraph/case/FX-802/> .
one:case a cg:Case ; cg:caseId "FX-801" ; cg:victim prs:P-AAAA1 ;
    cg:note [ cg:note [ cg:note "nested" ] ] .
two:case a cg:HighRiskCase ; cg:caseId "FX-802" ; cg:caseId "FX-802b" .
one:under cg:note "under the IRI, no cg:inCase" .
one:elsewhere cg:inCase two:case .
<urn:x:both> cg:inCase one:case , two:case ; cg:note [ cg:note "of two" ] .
<urn:x:none> cg:note "of no case" .
<urn:x:nocase> cg:inCase <urn:x:nothing> .
[] cg:inCase two:case ; cg:note [ cg:note "blank in a case" ] .
[] cg:note "a blank node nothing names" .
prs:P-AAAA1 a cg:Person ; cg:pseudonym "P-AAAA1" .
"""


def test_recording_the_members_reads_only_what_marks_them_and_records_the_same():
    """record_members scans only cg:inCase, rdf:type and cg:caseId (a third of a store's
    triples, 4.3 -> 3.0 s at 10,000 cases): the members it records are those of a scan of
    every triple, on nodes under a case's IRI, of two cases, of none, and blank ones."""
    store = pyoxigraph.Store()
    store.load(input=_PLACED, format=pyoxigraph.RdfFormat.TURTLE)

    def every() -> list:
        return list(store.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph()))

    whole = {(str(q.subject), str(q.object)) for q in storewrite.quads(
        every(), storewrite.scan(every()), members_only=True)}
    storewrite.record_members(store)
    recorded = {(str(q.subject), str(q.object)) for q in store.quads_for_pattern(
        None, None, None, pyoxigraph.NamedNode(storewrite.MEMBERS))}
    assert recorded == whole
    assert len({case for _, case in whole}) == 3  # the two cases and the shared data
