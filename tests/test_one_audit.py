"""One audit, one answer: the same findings from every engine, backend and audit date.

The reference is pySHACL case by case (:func:`chaingraph.audit.audit`). The compiled engine
runs on files (:func:`audit_files`), on a graph in memory, on a persistent Oxigraph store and
on a real SPARQL server (:func:`audit_compiled`); every one of them must give the reference's
findings, with the same periods, on closed cases and on running ones (no end date, ownerships
that ended while the case runs), on several audit dates.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pyoxigraph
import pytest
from oxigraph_server import start, stop
from rdflib import URIRef

from chaingraph import load
from chaingraph.audit import audit, audit_compiled, audit_files
from chaingraph.backends import load_store, open_endpoint, open_store, reindex_store
from chaingraph.cli import main
from chaingraph.findings import AuditReport
from chaingraph.graph import case_files, sources

TODAY = date.today()
DATES = [date(2021, 6, 20), date(2022, 1, 1), TODAY]


def _running(text: str) -> str:
    """An example case as if it still ran: the case's end date goes, and so does every end
    date on that day (what ran to the end runs on); what ended earlier stays ended."""
    match = re.search(r':case a cg:Case ;.*?cg:endDate "([0-9-]+)"\^\^xsd:date', text, re.S)
    assert match, "every example case has an end date"
    return re.sub(r'\s*;\s*cg:endDate "' + match.group(1) + r'"\^\^xsd:date', "", text)


@pytest.fixture(scope="module")
def datasets(tmp_path_factory) -> dict[str, list[Path]]:
    """The example cases as they are (closed) and as running cases."""
    folder = tmp_path_factory.mktemp("running")
    running = []
    for path in case_files():
        target = folder / path.name
        target.write_text(_running(path.read_text(encoding="utf-8")), encoding="utf-8")
        running.append(target)
    return {"closed": list(case_files()), "running": running}


def _keys(report: AuditReport) -> list[tuple]:
    return sorted((f.case or "", f.rule, f.focus, f.phase or "", f.start or "", f.end or "",
                   f.value or "", f.severity, f.texts["en"]["message"], f.texts["nl"]["message"])
                  for f in report)


def _unlabelled(report: AuditReport) -> list[tuple]:
    """:func:`_keys` with each blank node as _:b (its label is the parser's, per engine)."""
    found = []
    for key in _keys(report):
        focus, value = key[2], key[6]
        if "://" not in focus:  # a blank node, the value of its node shape's finding too
            focus, value = "_:b", "_:b" if value == focus else value
        found.append(key[:2] + (focus,) + key[3:6] + (value,) + key[7:])
    return sorted(found)


def _every_path(paths: list[Path], at: date, tmp_path: Path) -> dict[str, AuditReport]:
    """The compiled audit of ``paths`` on ``at``: from the files, from memory, and from a
    store made of them."""
    store = tmp_path / "store"
    load_store(paths, store, progress=False)
    return {
        "files": audit_files(paths, at=at, workers=2, progress=False),
        "memory": audit_compiled(load(paths), at=at, workers=1),
        "store": audit_compiled(open_store(store, read_only=True), at=at, workers=2,
                                location=store),
    }


def _as_the_reference(paths: list[Path], at: date, tmp_path: Path) -> AuditReport:
    """The reference's audit of ``paths`` on ``at``, once files, memory and a store made of them
    gave the same findings (blank nodes as ``_:b``) and never repeated a name written as a
    pseudonym ("Jan Jansen")."""
    reference = audit(load(paths), at=at)
    for where, report in _every_path(paths, at, tmp_path).items():
        assert _unlabelled(report) == _unlabelled(reference), where
        assert "Jan Jansen" not in report.to_json(), where
    return reference


def test_running_copies_have_running_cases(datasets):
    texts = [p.read_text(encoding="utf-8") for p in datasets["running"]]
    assert all(not re.search(r':case a cg:Case ;[^.]*cg:endDate', t) for t in texts)
    # FX-005's risk phase: the focal officer's ownership ended on 11 June 2021 and stays ended
    fx5 = next(t for p, t in zip(datasets["running"], texts, strict=True) if p.stem == "FX-005")
    assert '"2021-06-11"^^xsd:date' in fx5


def _chunk_by_chunk(run, chunked: bool = True):
    """``run()`` with an endpoint read chunk by chunk, as one larger than ``fastaudit.COPY``
    triples is, instead of copied into memory (``chunked`` False: as it is)."""
    from chaingraph import fastaudit

    limit = fastaudit.COPY
    fastaudit.COPY = 0 if chunked else limit
    try:
        return run()
    finally:
        fastaudit.COPY = limit


def _refused_above_the_copy(url: str, at: date) -> None:
    """An endpoint too large to copy into memory (``fastaudit.COPY`` set below its size) that
    holds a node a read by cg:inCase misses is refused naming it, never audited without it."""
    from chaingraph.errors import SourceError

    with pytest.raises(SourceError, match="in a way that a read by cg:inCase does not follow"):
        _chunk_by_chunk(lambda: audit_compiled(open_endpoint(url), at=at))


@pytest.fixture(scope="module")
def stores(datasets, tmp_path_factory) -> dict[str, str]:
    out = {}
    for name, paths in datasets.items():
        directory = tmp_path_factory.mktemp(f"store-{name}") / "store"
        load_store(paths, directory, progress=False)
        out[name] = str(directory)
    return out


@pytest.fixture(scope="module")
def endpoints(datasets, tmp_path_factory):
    from chaingraph.graph import monitor_files, ontology_files

    servers = {}
    try:
        for name, paths in datasets.items():
            location = tmp_path_factory.mktemp(f"server-{name}")
            servers[name] = start(location, ontology_files() + monitor_files() + paths)
        yield {name: url for name, (_, url) in servers.items()}
    finally:
        for process, _ in servers.values():
            stop(process)


@pytest.mark.slow
@pytest.mark.parametrize("at", DATES, ids=str)
@pytest.mark.parametrize("name", ["closed", "running"])
def test_every_engine_and_backend_gives_the_reference_findings(name, at, datasets, stores,
                                                               endpoints):
    paths = datasets[name]
    graph = load(paths)
    reference = audit(graph, at=at)
    expected = _keys(reference)
    answers = {
        "files": audit_files(paths, at=at, workers=2, progress=False),
        "memory": audit_compiled(graph, at=at, workers=1),
        "store": audit_compiled(open_store(stores[name], read_only=True), at=at, workers=2),
        "endpoint": audit_compiled(open_endpoint(endpoints[name]), at=at, workers=2),
        "endpoint, chunk by chunk": _chunk_by_chunk(
            lambda: audit_compiled(open_endpoint(endpoints[name]), at=at, workers=2)),
    }
    for where, report in answers.items():
        assert _keys(report) == expected, where
        assert report.cases == reference.cases, where
        assert report.at == at and report.engine == "compiled"
    assert reference.engine == "reference"


def test_the_audit_over_virtuoso_is_the_reference_audit(virtuoso, datasets):
    """A SPARQL server that is not Oxigraph (Virtuoso 7, started by the fixture): the audit
    asks it only for each chunk's triples, so its findings are the reference's."""
    for name in ("closed", "running"):
        url = virtuoso.load(sources(datasets[name]))
        for at in (date(2021, 6, 20), TODAY):
            expected = _keys(audit(load(datasets[name]), at=at))
            assert _keys(audit_compiled(open_endpoint(url), at=at, workers=2)) == expected
            assert _keys(_chunk_by_chunk(lambda u=url, a=at: audit_compiled(
                open_endpoint(u), at=a, workers=2))) == expected, (name, at)


def test_the_running_gap_is_found_up_to_the_audit_date_everywhere(datasets, stores, endpoints):
    """The case the issue measured: FX-005 still running, nobody owns the risk phase after
    2021-06-11. Every engine and backend reports the gap up to the audit date."""
    at = date(2021, 8, 1)
    fx5 = [p for p in datasets["running"] if p.stem == "FX-005"]
    gap = [("FX-005", "phase-gap", "risk", "2021-06-12", "2021-07-04")]
    reports = [
        audit(load(fx5), at=at),
        audit_files(fx5, at=at, progress=False),
        audit_compiled(open_store(stores["running"], read_only=True), cases=["FX-005"], at=at),
        audit_compiled(open_endpoint(endpoints["running"]), cases=["FX-005"], at=at),
    ]
    for report in reports:
        assert [(f.case, f.rule, f.phase, f.start, f.end) for f in report
                if f.rule == "phase-gap"] == gap
    # with the later owner gone, the gap runs to the audit date, and to today by default
    text = fx5[0].read_text(encoding="utf-8")
    alone = fx5[0].parent.parent / "fx5-alone"
    alone.mkdir(exist_ok=True)
    (alone / "FX-005.ttl").write_text(
        re.sub(r":own-risk-2 a cg:PhaseOwnership.*?\.\n", "", text, flags=re.S), encoding="utf-8")
    for report in (audit(load([alone]), at=at), audit_files([alone], at=at, progress=False),
                   audit_compiled(load([alone]), at=at)):
        assert [(f.rule, f.start, f.end) for f in report if f.rule == "phase-gap"] == [
            ("phase-gap", "2021-06-12", "2021-08-01")]
    today = audit_files([alone], progress=False)
    assert [(f.start, f.end) for f in today if f.rule == "phase-gap"] == [
        ("2021-06-12", TODAY.isoformat())]


def test_cli_store_and_endpoint_report_the_running_gap(stores, endpoints, capsys):
    for where in (["--store", stores["running"]], ["--endpoint", endpoints["running"]]):
        assert main(["audit", *where, "--case", "FX-005", "--at", "2021-06-20",
                     "--format", "json"]) == 1
        out = json.loads(capsys.readouterr().out)
        assert out["summary"]["date"] == "2021-06-20" and out["summary"]["engine"] == "compiled"
        findings = [f for c in out["cases"] for f in c["findings"]]
        assert [(f["rule"], f["from"], f["to"]) for f in findings] == [
            ("phase-gap", "2021-06-12", "2021-06-20")]


def test_a_case_that_had_not_started_is_left_out_by_every_engine(datasets):
    paths = datasets["closed"]
    at = date(2021, 4, 1)  # FX-001 started on 1 March 2021; most cases later
    reference = audit(load(paths), at=at)
    compiled = audit_files(paths, at=at, progress=False)
    assert reference.cases == compiled.cases
    assert "FX-001" in compiled.cases and len(compiled.cases) < len(paths)
    assert _keys(reference) == _keys(compiled)


@pytest.mark.slow
def test_generated_running_cases_give_their_seeded_flaws_from_files_and_a_store(tmp_path):
    """Generated cases, a fifth of them running: the compiled audit on the file and on a
    store, as of the generator's date, finds exactly the seeded flaws with their periods
    (the generator's own tests hold the reference engine to the same flaws)."""
    from chaingraph.generator import flaws_path, generate, read_flaws

    out = tmp_path / "cases.ttl"
    made = generate(120, out, seed=7, flaw_rate=0.3, running=0.3)
    assert len(made.running) == 36
    as_of, seeded = read_flaws(flaws_path(out))
    assert as_of is not None
    expected = sorted((case, f["rule"], f.get("phase"), f.get("from"), f.get("to"))
                      for case, items in seeded.items() for f in items)
    assert any(case in made.running for case, *_ in expected)
    load_store([out], tmp_path / "store", progress=False)
    for report in (audit_files([out], at=as_of, workers=2, progress=False),
                   audit_compiled(open_store(tmp_path / "store", read_only=True), at=as_of,
                                  workers=2)):
        found = sorted((f.case, f.rule, f.phase if f.rule.startswith("phase-") else None,
                        f.start, f.end) for f in report)
        assert found == expected
        assert len(report.cases) == 120


# ------------------------------------------------------------------------ the engine's line

def test_the_report_says_which_engine_ran_and_why(capsys):
    assert main(["audit", "--case", "FX-005"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[1] == ("Engine: compiled (the shapes as SPARQL, case by case on "
                                   "Oxigraph); the default, the same findings as the reference "
                                   "(pySHACL)")
    assert main(["audit", "--case", "FX-005", "--engine", "shacl", "--lang", "nl"]) == 1
    assert "Engine: referentie (pySHACL, casus voor casus); gekozen met --engine" in \
        capsys.readouterr().out
    assert main(["audit", "--case", "FX-005", "--format", "json"]) == 1
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert summary["engine"] == "compiled" and "default" in summary["engine_reason"]
    assert main(["audit", "--case", "FX-005", "--format", "html"]) == 1
    assert '<p class="engine">Engine: compiled' in capsys.readouterr().out


def _refuse(monkeypatch):
    from chaingraph.shacl2sparql import UnsupportedShape, compiler

    def refuse(shapes):
        raise UnsupportedShape(URIRef("https://w3id.org/chaingraph/shapes#PhaseGap"), "term",
                               term="sh:xone")

    # in the compiler's own module: a module imported during the test binds no stand-in
    monkeypatch.setattr(compiler, "compile_shapes", refuse)


def test_auto_runs_the_reference_when_the_compiler_refuses_a_shape(monkeypatch, capsys):
    _refuse(monkeypatch)
    assert main(["audit", "--case", "FX-005"]) == 1
    out = capsys.readouterr().out
    assert ("Engine: reference (pySHACL, case by case); "
            "the compiler refuses PhaseGap (sh:xone)") in out
    assert "phase-gap" in out


def test_a_refused_shape_with_the_compiled_engine_is_exit_2_naming_it(monkeypatch, capsys):
    _refuse(monkeypatch)
    assert main(["audit", "--engine", "sparql"]) == 2
    err = capsys.readouterr().err
    assert "PhaseGap" in err and "sh:xone" in err and "--engine shacl" in err
    assert "Traceback" not in err and err.count("\n") == 1


@pytest.mark.parametrize("signum", [2, 15])  # SIGINT to the terminal's group; SIGTERM to chaingraph
def test_an_interrupted_audit_stops_its_workers_and_says_so(tmp_path, signum):
    """Ctrl-C (every process of the group) or SIGTERM (the parent alone) stops a parallel audit:
    one sentence, the shell's exit code, no traceback, and no worker left running."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from chaingraph.generator import generate

    data = tmp_path / "cases.ttl"
    generate(3000, data, seed=3)
    process = subprocess.Popen([sys.executable, "-m", "chaingraph", "audit", str(data)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)

    def children() -> list[str]:
        found = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True)
        return found.stdout.split()

    deadline = time.monotonic() + 120
    while not children() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert process.poll() is None, "the audit ended before it could be interrupted"
    workers = children()
    assert workers, "the audit started no workers"
    if signum == signal.SIGINT:
        os.killpg(process.pid, signum)
    else:
        os.kill(process.pid, signum)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 128 + signum
    assert err.decode().strip() == "chaingraph audit: interrupted"
    deadline = time.monotonic() + 60
    while any(os.path.exists(f"/proc/{pid}") for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(os.path.exists(f"/proc/{pid}") for pid in workers), "a worker was left running"


@pytest.mark.parametrize("ids", ["", 'cg:caseId "FX-005" , "FX-005b" ;'], ids=["none", "two"])
def test_a_case_without_one_id_is_audited_and_named_alike_by_every_engine(ids, tmp_path):
    """A case with no cg:caseId (or two) was left out by the compiled audit of a store and
    filed under the shared data from files, while the reference audited it under the name
    its IRI gives: now every engine files it under that name, and reports case-id-missing."""
    source = next(p for p in case_files() if p.stem == "FX-005").read_text(encoding="utf-8")
    assert 'cg:caseId "FX-005" ;' in source
    path = tmp_path / "FX-005.ttl"
    path.write_text(source.replace('cg:caseId "FX-005" ;', ids), encoding="utf-8")
    store = tmp_path / "store"
    load_store([path], store, progress=False)
    at = date(2022, 1, 1)
    reference = audit(load([path]), at=at)
    assert reference.cases == ["FX-005"]
    assert ("FX-005", "case-id-missing") in {(f.case, f.rule) for f in reference}
    answers = {
        "files": audit_files([path], at=at, workers=1, progress=False),
        "store": audit_compiled(open_store(store, read_only=True), at=at, workers=1),
        "store, reference": audit(open_store(store, read_only=True), at=at),
    }
    for where, report in answers.items():
        assert _keys(report) == _keys(reference), where
        assert report.cases == reference.cases, where


def test_a_case_that_is_a_blank_node_goes_with_the_shared_data_in_every_engine(tmp_path):
    """The compiled audit counted a blank-node case as checked, the reference did not; both
    now leave it with the shared data and report case-not-named (blank nodes have no name
    that two engines share, so the rules are compared, not the nodes)."""
    path = tmp_path / "blank.ttl"
    path.write_text(
        "@prefix cg: <https://w3id.org/chaingraph/ontology#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '[] a cg:Case ; cg:caseId "FX-777" ; cg:fictional true ;\n'
        '   cg:startDate "2021-01-01"^^xsd:date ; cg:endDate "2021-12-31"^^xsd:date .\n',
        encoding="utf-8")
    reference = audit(load([path]), at=TODAY)
    compiled = audit_files([path], at=TODAY, workers=1, progress=False)
    for report in (reference, compiled):
        assert report.cases == []
        assert ("", "case-not-named") in {(f.case or "", f.rule) for f in report}
    assert sorted((f.case or "", f.rule) for f in compiled) == sorted(
        (f.case or "", f.rule) for f in reference)


@pytest.mark.parametrize(("named_by", "when"), [("cg:pairedWith", "named"),
                                                ("cg:holder", "named"),
                                                ("cg:pairedWith", "before it is named")])
def test_a_finding_on_a_person_belongs_to_every_case_that_names_it_in_every_engine(named_by,
                                                                                  when, tmp_path):
    """The reference files a finding on a person under each case that names the person, by any
    property. The compiled audit of files followed cg:victim, cg:suspect and cg:holder only,
    so a professional named by cg:pairedWith (a prosecutor case pair) with a name for a
    pseudonym went to the shared data; now every engine, backend and audit scope (every
    case or some, which read the persons otherwise) files it under the case. The case names
    the person as recorded, also on an audit date before the assignment naming it started
    (the reference takes a case's persons before cutting it to the date; so do the links)."""
    from chaingraph.generator import generate

    path = tmp_path / "cases.ttl"
    generate(3, path, seed=5, flaw_rate=0, running=0)
    text = path.read_text(encoding="utf-8")
    block = text.index("@prefix : <https://w3id.org/chaingraph/case/GX-00002/>")
    end = text.index("@prefix : <https://w3id.org/chaingraph/case/GX-00003/>")
    holder = text.rindex("    cg:holder prs:", block, end)  # the case's last assignment
    start = re.search(r'cg:startDate "([0-9-]+)"', text[holder:])
    assert start is not None
    text = (text[:holder] + f"    {named_by} prs:P-ZZZZZ ;\n" + text[holder:]
            + 'prs:P-ZZZZZ a cg:Professional ; cg:pseudonym "Jan de Vries" .\n')
    path.write_text(text, encoding="utf-8")
    store = tmp_path / "store"
    load_store([path], store, progress=False)
    at = date(2025, 1, 1) if when == "named" else \
        date.fromisoformat(start.group(1)) - timedelta(days=1)
    reference = audit(load([path]), at=at)
    named = {(f.case, f.rule) for f in reference if f.focus.endswith("P-ZZZZZ")}
    assert named == {("GX-00002", "not-pseudonymous")}
    answers = {
        "files": audit_files([path], at=at, workers=2, progress=False),
        "memory": audit_compiled(load([path]), at=at, workers=1),
        "store": audit_compiled(open_store(store, read_only=True), at=at, workers=2,
                                location=store),
        "store, some cases": audit_compiled(open_store(store, read_only=True), at=at,
                                            workers=1, cases=["GX-00002", "GX-00003"]),
    }
    for where, report in answers.items():
        keys = _keys(report)
        if where == "store, some cases":
            keys = [k for k in _keys(report) if k[0] != "GX-00001"]
            assert keys == [k for k in _keys(reference) if k[0] != "GX-00001"], where
        else:
            assert keys == _keys(reference), where
        assert "Jan de Vries" not in report.render_text(), where


_TWO_CASES = """\
@prefix cg:  <https://w3id.org/chaingraph/ontology#> .
@prefix mon: <https://w3id.org/chaingraph/monitor/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix a:   <https://w3id.org/chaingraph/case/CX-001/> .
@prefix b:   <https://w3id.org/chaingraph/case/CX-002/> .

a:case a cg:Case ; cg:caseId "CX-001" ; cg:startDate "2021-01-01"^^xsd:date ;
    cg:endDate "2021-12-31"^^xsd:date ; cg:escalationAgreement mon:agreement-escalatie ;
    cg:appliesPhase cg:PhaseRecognition .

b:case a cg:Case ; cg:caseId "CX-002" ; cg:startDate "2022-01-01"^^xsd:date ;
    cg:endDate "2022-12-31"^^xsd:date ; cg:escalationAgreement mon:agreement-escalatie .
"""


@pytest.mark.parametrize(("layout", "at"), [("prefixes", date(2021, 6, 1)),
                                            ("prefixes", date(2022, 6, 1)),
                                            ("n-triples", date(2021, 6, 20)),
                                            ("n-triples", date(2022, 6, 20))])
def test_cases_that_share_a_unit_of_a_file_are_audited_apart_by_every_engine(layout, at,
                                                                              tmp_path):
    """A file without an "@prefix : <…/case/ID/>" line per case (other prefix names, N-Triples)
    is one unit for the compiled audit of files. All of its findings went to one of its cases
    (the other case's 'no violations'), and a case that had not started was cut to the audit
    date with the other instead of being left out (a made-up dates-out-of-order). Such a unit
    is now split into a graph per case as the reference partitions the data."""
    from rdflib import Graph

    if layout == "prefixes":
        path = tmp_path / "two-cases.ttl"
        path.write_text(_TWO_CASES, encoding="utf-8")
    else:
        merged = Graph()
        for name in ("FX-005", "FX-007"):
            merged.parse(Path("data/cases") / f"{name}.ttl")
        path = tmp_path / "two.nt"
        merged.serialize(path, format="nt", encoding="utf-8")
    reference = audit(load([path]), at=at)
    assert len({key[0] for key in _keys(reference)}) == (2 if at.year == 2022 else 1)
    for where, report in _every_path([path], at, tmp_path).items():
        assert _keys(report) == _keys(reference), where


@pytest.mark.parametrize("zone", ["Z", "+02:00"])
def test_a_date_with_a_time_zone_is_refused_by_every_engine_and_by_load(zone, tmp_path, capsys):
    """rdflib drops a date's time zone and Oxigraph keeps it, where "2021-07-04Z" compares with
    no plain date: the compiled engine saw no handover on FX-005 and reported a gap of 166
    days, the reference none. A date is a day: every engine, and load, refuse it (exit 2),
    naming the file, the line and the value as written."""
    text = Path("data/cases/FX-005.ttl").read_text(encoding="utf-8")
    assert text.count('cg:endDate "2021-06-11"^^xsd:date') == 1  # own-risk-1, before the gap
    path = tmp_path / "FX-005.ttl"  # the gap closed, but for the zone
    path.write_text(text.replace('cg:endDate "2021-06-11"^^xsd:date',
                                 f'cg:endDate "2021-07-04{zone}"^^xsd:date'), encoding="utf-8")
    line = path.read_text(encoding="utf-8").split(f'"2021-07-04{zone}"')[0].count("\n") + 1
    runs = [["audit", str(path), "--engine", engine, "--at", "2022-01-01", *more]
            for engine in ("shacl", "sparql") for more in ([], ["--backend", "oxigraph"])]
    runs.append(["load", "--store", str(tmp_path / "store"), str(path)])
    for argv in runs:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert f'{path}, line {line}: cg:endDate takes a date, not "2021-07-04{zone}"^^xsd:date' \
            in err, (argv, err)
        assert '"2021-07-04"^^xsd:date' in err and "Traceback" not in err, argv
    assert not (tmp_path / "store").exists()


@pytest.mark.parametrize("written", ["ownership", "person"])
def test_a_blank_node_of_a_case_is_filed_under_its_case_and_phase_by_every_engine(written,
                                                                                  tmp_path):
    """A node written as [ … ] (no IRI) inside a case. The compiled audit looked up the case,
    phase and person flag of IRIs only: a finding on a blank ownership went to the shared data
    with the wrong phase, and a blank victim's name ("Jan Jansen" as pseudonym) was printed as
    the finding's value, where the reference never repeats it. The store and memory paths read
    a blank person twice (with the case, and again with every person), each finding twice."""
    text = Path("data/cases/FX-011.ttl").read_text(encoding="utf-8")
    if written == "ownership":  # without its holder: phase-owner-incomplete on the blank node
        old = (":own-risk-1 a cg:PhaseOwnership ; cg:inCase :case ;"
               " cg:phase cg:PhaseRiskAssessment ;\n    cg:organisation mon:org-vtrr ;"
               " cg:role mon:role-procesregisseur-vtrr ; cg:holder prs:P-6V6ZN ;")
        new = ("[] a cg:PhaseOwnership ; cg:inCase :case ; cg:phase cg:PhaseRiskAssessment ;\n"
               "    cg:organisation mon:org-vtrr ; cg:role mon:role-procesregisseur-vtrr ;")
    else:
        old = "cg:victim prs:P-2VYJ9 ;"
        new = 'cg:victim [ a cg:Person ; cg:pseudonym "Jan Jansen" ] ;'
    assert text.count(old) == 1
    path = tmp_path / "FX-011.ttl"
    path.write_text(text.replace(old, new), encoding="utf-8")
    reference = _as_the_reference([path], date(2022, 4, 1), tmp_path)
    assert {k[0] for k in _keys(reference)} == {"FX-011"}


_OWN_RISK_2 = """\
@prefix cg:  <https://w3id.org/chaingraph/ontology#> .
@prefix mon: <https://w3id.org/chaingraph/monitor/> .
@prefix prs: <https://w3id.org/chaingraph/person/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/chaingraph/case/FX-011/own-risk-2> a cg:PhaseOwnership ;
    cg:inCase <https://w3id.org/chaingraph/case/FX-011/case> ; cg:phase cg:PhaseRiskAssessment ;
    cg:organisation mon:org-politie ; cg:role mon:role-casusregisseur ; cg:holder prs:P-4XFT9 ;
    cg:startDate "2022-03-01"^^xsd:date .
"""
_SECOND_END = """\
@prefix cg:  <https://w3id.org/chaingraph/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix :    <https://w3id.org/chaingraph/case/FX-011/> .
:own-risk-1 cg:endDate "2022-03-10"^^xsd:date .
"""


@pytest.mark.parametrize("written", ["ownership in another file", "end date in another file",
                                     "end date in another block", "ownership of two cases"])
def test_the_nodes_of_a_case_written_elsewhere_are_audited_with_it_by_every_engine(written,
                                                                                    tmp_path):
    """The compiled audit of files audits each '@prefix :' block (or file) as one case. A node
    of FX-011 written in another file or block (an ownership that overlaps own-risk-1, a second
    end date of own-risk-1), or an ownership cg:inCase FX-011 and a copy of it named FX-012,
    was audited without its case: 'No violations' where the reference found an overlap or an
    incomplete ownership. Such files are now audited as the reference partitions them."""
    case = Path("data/cases/FX-011.ttl").read_text(encoding="utf-8")
    paths = [tmp_path / "FX-011.ttl"]
    if written == "ownership of two cases":
        other = tmp_path / "FX-012.ttl"
        other.write_text(case.replace("/case/FX-011/", "/case/FX-012/")
                         .replace('"FX-011"', '"FX-012"'), encoding="utf-8")
        old = ":own-risk-1 a cg:PhaseOwnership ; cg:inCase :case ;"
        assert case.count(old) == 1
        case = case.replace(old, old[:-2] + ", <https://w3id.org/chaingraph/case/FX-012/case> ;")
        paths.append(other)
    elif written == "end date in another block":
        case += _SECOND_END
    else:
        paths.append(tmp_path / "more.ttl")
        paths[1].write_text(_OWN_RISK_2 if written.startswith("ownership") else _SECOND_END,
                            encoding="utf-8")
    paths[0].write_text(case, encoding="utf-8")
    at = date(2022, 4, 1)
    reference = audit(load(paths), at=at)
    assert _keys(reference), "the reference finds the overlap or the incomplete ownership"
    for where, report in _every_path(paths, at, tmp_path).items():
        assert _keys(report) == _keys(reference), where


def test_cases_written_a_block_each_are_audited_by_their_units(tmp_path, monkeypatch):
    """The partitioned audit is for scattered data only: generated cases (persons written apart)
    and the example cases keep the audit by units, on every core."""
    from chaingraph import fastaudit
    from chaingraph.generator import generate

    def refuse(*_: object) -> None:
        raise AssertionError("audited as scattered")

    monkeypatch.setattr(fastaudit, "_partitioned", refuse)
    path = tmp_path / "cases.ttl"
    generate(30, path, seed=3)
    assert len(audit_files([path], workers=1, progress=False).cases) == 30
    assert len(audit_files(list(case_files()), workers=1, progress=False).cases) == 11


@pytest.mark.parametrize("second", ['"2022-03-20"^^xsd:date , "2022-04-29"^^xsd:date',
                                    '"2022-04-29"^^xsd:date , "2022-03-20"^^xsd:date'])
def test_a_case_with_two_end_dates_is_a_finding_and_who_takes_the_earliest(second, tmp_path,
                                                                          capsys):
    """FX-011 with two end dates: who and chain took whichever row a backend gave first (on
    rdflib it changed with the hash seed), and no rule said anything. Now every engine reports
    case-dates-twice once the case has ended, and every backend takes the earliest day."""
    text = Path("data/cases/FX-011.ttl").read_text(encoding="utf-8")
    old = 'cg:endDate "2022-04-29"^^xsd:date ; cg:riskLevel'
    assert text.count(old) == 1
    path = tmp_path / "FX-011.ttl"
    path.write_text(text.replace(old, f"cg:endDate {second} ; cg:riskLevel"), encoding="utf-8")
    at = date(2022, 6, 1)
    reference = audit(load([path]), at=at)
    twice = sorted(k[6] for k in _keys(reference) if k[1] == "case-dates-twice")
    assert twice == ["2022-03-20", "2022-04-29"]
    assert _keys(audit_files([path], at=at, workers=1, progress=False)) == _keys(reference)
    for backend in ("memory", "oxigraph"):
        assert main(["who", "FX-011", "--data", str(path), "--backend", backend]) == 0
        assert "(2022-02-07 … 2022-03-20)  as on 2022-03-20" in capsys.readouterr().out, backend


@pytest.mark.parametrize(("term", "hint"), [("enddate", "cg:endDate or cg:date"),
                                            ("name", "cg:inCase")])
def test_a_term_the_ontology_does_not_declare_is_refused_on_every_path(term, hint, tmp_path,
                                                                       capsys):
    """FX-011 with cg:enddate for cg:endDate on an ownership: reading the file with rdflib
    (info, the reference audit, who on memory) refused it, while the default audit, the
    Oxigraph backend and load took it (the ownership then ran on, as if it had no end).
    Every path refuses it now, naming the file and the nearest declared terms; the store is
    not made. (The Oxigraph backend named the ontology for cg:name, whose text has "name".)"""
    text = Path("data/cases/FX-011.ttl").read_text(encoding="utf-8")
    old = 'cg:endDate "2022-04-29"^^xsd:date .'
    assert old in text
    bad = tmp_path / "FX-011.ttl"
    bad.write_text(text.replace(old, f'cg:{term} "2022-04-29"^^xsd:date .', 1), encoding="utf-8")
    good = [str(p) for p in case_files()[:3]]  # with other files, in the same task
    runs = [["info", str(bad)],
            ["audit", *good, str(bad), "--engine", "shacl"],
            ["audit", *good, str(bad)],
            ["audit", *good, str(bad), "--backend", "oxigraph"],
            ["audit", *good, str(bad), "--engine", "shacl", "--backend", "oxigraph"],
            ["who", "FX-011", "--data", str(bad), "--backend", "oxigraph"],
            ["load", "--store", str(tmp_path / "store"), *good, str(bad)]]
    for argv in runs:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert (f"{bad}: uses cg:{term}, which the ontology does not declare "
                f"(did you mean {hint}?)") in err, (argv, err)
    assert not (tmp_path / "store").exists()


def test_scattered_files_too_large_to_read_whole_are_refused_naming_the_node(tmp_path, capsys,
                                                                            monkeypatch):
    """Files whose case nodes are written apart are read whole to partition them; beyond the
    bound (32 MiB; here lowered to nothing) that would take minutes and gigabytes, so the audit
    refuses, naming the file, the node and its case, in English and Dutch."""
    from chaingraph import backends

    monkeypatch.setattr(backends, "LARGE", 0)
    case = tmp_path / "FX-011.ttl"
    case.write_text(Path("data/cases/FX-011.ttl").read_text(encoding="utf-8"), encoding="utf-8")
    more = tmp_path / "more.ttl"
    more.write_text(_OWN_RISK_2, encoding="utf-8")
    for lang, words in (("en", "the cases are not written one block each"),
                        ("nl", "de casussen staan niet elk in een eigen blok")):
        assert main(["audit", str(case), str(more), "--lang", lang]) == 2
        err = capsys.readouterr().err
        assert f"{more}: " in err and words in err, err
        assert "<https://w3id.org/chaingraph/case/FX-011/own-risk-2>" in err, err
        assert "<https://w3id.org/chaingraph/case/FX-011/case>" in err, err


def test_a_case_typed_only_as_high_risk_is_a_case_everywhere(tmp_path, capsys):
    """A case written as cg:HighRiskCase alone (a subclass of cg:Case): the audit found it, but
    a store of it 'held no cases' and who, chain and raci said 'unknown case FX-011 (there are
    none)' on every backend, looking for cg:Case only."""
    text = Path("data/cases/FX-011.ttl").read_text(encoding="utf-8")
    assert text.count(":case a cg:Case ;") == 1
    path = tmp_path / "FX-011.ttl"
    assert text.count("cg:riskLevel cg:RiskLow") == 1  # high risk: the rules of 4.3 apply
    path.write_text(text.replace(":case a cg:Case ;", ":case a cg:HighRiskCase ;")
                    .replace("cg:riskLevel cg:RiskLow", "cg:riskLevel cg:RiskHigh"),
                    encoding="utf-8")
    store = tmp_path / "store"
    assert main(["load", "--store", str(store), str(path)]) == 0
    at = date(2022, 4, 1)
    reference = audit(load([path]), at=at)
    assert {k[0] for k in _keys(reference)} == {"FX-011"}
    stored = audit_compiled(open_store(store, read_only=True), at=at, workers=1, location=store)
    assert _keys(stored) == _keys(reference)
    capsys.readouterr()
    for command in ("who", "chain", "raci"):
        for where in (["--data", str(path)], ["--data", str(path), "--backend", "oxigraph"],
                      ["--store", str(store)]):
            assert main([command, "FX-011", *where]) == 0, (command, where)
            out = capsys.readouterr().out  # raci: the case's table, without its id
            assert ("FX-011" if command != "raci" else "recognising the stalking") in out
    assert main(["query", "cases", "--data", str(path)]) == 0
    assert "FX-011" in capsys.readouterr().out


_A_AND_B = """\
@prefix cg:  <https://w3id.org/chaingraph/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix :    <https://w3id.org/chaingraph/case/A-1/> .
:case a cg:Case ; cg:caseId "A-1" ; cg:startDate "2022-02-07"^^xsd:date ;
    cg:endDate "2022-04-29"^^xsd:date .
@prefix :    <https://w3id.org/chaingraph/case/B-2/> .
:case a cg:Case ; cg:caseId "B-2" ; cg:startDate "2022-02-07"^^xsd:date .
"""


@pytest.mark.parametrize("stray", [
    # a second end date of A-1 and an ownership of A-1, written in B-2's block
    '<https://w3id.org/chaingraph/case/A-1/case> cg:endDate "2022-03-01"^^xsd:date .\n'
    "<https://w3id.org/chaingraph/case/A-1/own-9> a cg:PhaseOwnership ;"
    " cg:phase cg:PhaseRecognition .\n",
    # an ownership of no case (no cg:inCase, an IRI outside every case) in B-2's block
    "<https://example.org/own-x> a cg:PhaseOwnership ; cg:phase cg:PhaseRecognition .\n",
    # A-1 again, in a block of its own
    "@prefix :    <https://w3id.org/chaingraph/case/A-1/> .\n"
    ":case a cg:Case ; cg:riskLevel cg:RiskHigh .\n",
    # a node cg:inCase of a case that is a blank node (the layout crashed on it)
    '_:z a cg:Case ; cg:caseId "Z-9" ; cg:startDate "2022-02-07"^^xsd:date .\n'
    "[] a cg:PhaseOwnership ; cg:inCase _:z ; cg:phase cg:PhaseRecognition .\n"],
    ids=["of A-1 in B-2's block", "of no case in B-2's block", "A-1 in two blocks",
         "of a blank case"])
def test_nodes_written_in_another_cases_block_are_audited_as_the_reference_does(stray,
                                                                                 tmp_path):
    """The file audit checked only the blocks without a case for nodes of other cases: a node
    of A-1 (or of no case) written in B-2's block went with B-2 (and A-1's two end dates were
    not seen), a case written in two blocks was refused as a duplicate id, and a node cg:inCase
    a blank-node case crashed the audit. Each now gives the reference's findings."""
    path = tmp_path / "cases.ttl"
    path.write_text(_A_AND_B + stray, encoding="utf-8")
    at = date(2022, 4, 1)
    reference = audit(load([path]), at=at)
    files = audit_files([path], at=at, workers=1, progress=False)
    assert _unlabelled(files) == _unlabelled(reference)


_FX011 = "https://w3id.org/chaingraph/case/FX-011/"
_NAMESPACE_MEMBER = """
:own-risk-x a cg:PhaseOwnership ; cg:phase cg:PhaseRiskAssessment ;
    cg:organisation mon:org-politie ; cg:role mon:role-casusregisseur ; cg:holder prs:P-4XFT9 ;
    cg:responsibility cg:Owns ; cg:startDate "2022-03-01"^^xsd:date ;
    cg:endDate "2022-02-01"^^xsd:date .
"""
_NESTED_BLANK = """
:own-risk-x a cg:PhaseOwnership ; cg:inCase :case ; cg:phase cg:PhaseRiskAssessment ;
    cg:organisation mon:org-politie ; cg:role mon:role-casusregisseur ;
    cg:responsibility cg:Owns ; cg:startDate "2022-02-07"^^xsd:date ;
    cg:holder [ a cg:Person ; cg:pseudonym "P-ABCDE" ;
                cg:holder [ a cg:Person ; cg:pseudonym "Jan Jansen" ] ] .
"""


@pytest.mark.parametrize("written", ["under the case's IRI without cg:inCase",
                                     "a blank node inside a blank node"])
def test_a_case_node_without_cg_in_case_or_deep_in_blank_nodes_is_audited_from_a_store(
        written, tmp_path):
    """The reference partitions a case by cg:inCase, by its IRI's namespace and by the blank
    nodes reached from its nodes, at any depth; the store audit read a case's nodes by
    cg:inCase only and followed blank nodes one step. An ownership under FX-011's IRI without
    cg:inCase whose period is out of order, and a person written as a blank node inside
    another, were audited from files and not from a store ('No violations' for them). The
    store now records such members of a case when it is loaded, and the audit reads them."""
    text = Path("data/cases/FX-011.ttl").read_text(encoding="utf-8")
    path = tmp_path / "FX-011.ttl"
    path.write_text(text + (_NAMESPACE_MEMBER if written.startswith("under") else _NESTED_BLANK),
                    encoding="utf-8")
    reference = _as_the_reference([path], date(2022, 4, 1), tmp_path)
    assert any("own-risk-x" in f.focus or "://" not in f.focus for f in reference), \
        "the reference finds something on the added node"


def test_a_case_loaded_again_without_its_recorded_member_leaves_neither_behind(tmp_path):
    """Replacing a case takes its recorded members with it: the node under its IRI without
    cg:inCase, loaded once, is gone from the store and from its audit after the case is loaded
    again without it; loaded in a later load than its case, it is filed with that case."""
    from chaingraph.storewrite import MEMBERS

    text = Path("data/cases/FX-011.ttl").read_text(encoding="utf-8")
    member = "\n".join(line for line in text.splitlines() if line.startswith("@prefix"))
    first, later = tmp_path / "FX-011.ttl", tmp_path / "member.ttl"
    first.write_text(text + _NAMESPACE_MEMBER, encoding="utf-8")
    later.write_text(member + "\n" + _NAMESPACE_MEMBER, encoding="utf-8")
    store = tmp_path / "store"
    at = date(2022, 4, 1)

    def state() -> tuple[list[tuple], int]:
        opened = open_store(store, read_only=True)
        report = audit_compiled(opened, at=at, workers=1, location=store)
        native = pyoxigraph.Store.read_only(str(store))
        try:
            members = len(list(native.quads_for_pattern(None, None, None,
                                                        pyoxigraph.NamedNode(MEMBERS))))
        finally:
            del native
        return [k[:3] for k in _keys(report) if "own-risk-x" in k[2]], members

    load_store([first], store, progress=False)
    assert state() == ([("FX-011", "dates-out-of-order", f"{_FX011}own-risk-x")], 1)
    clean = tmp_path / "clean" / "FX-011.ttl"
    clean.parent.mkdir()
    clean.write_text(text, encoding="utf-8")
    load_store([clean], store, progress=False)
    assert state() == ([], 0)
    load_store([later], store, progress=False)  # its case is in the store already
    assert state() == ([("FX-011", "dates-out-of-order", f"{_FX011}own-risk-x")], 1)


def test_a_person_written_as_a_blank_node_that_nothing_names_is_shared_data_everywhere(
        tmp_path):
    """A person written as [ … ] in a case's block that nothing names is not the case's for the
    reference (a case holds the persons it names): its findings belong to the shared data. The
    file audit filed them under the case whose block held it."""
    text = Path("data/cases/FX-011.ttl").read_text(encoding="utf-8")
    path = tmp_path / "FX-011.ttl"
    path.write_text(text + '\n[ a cg:Person ; cg:pseudonym "Jan Jansen" ] .\n', encoding="utf-8")
    reference = _as_the_reference([path], date(2022, 4, 1), tmp_path)
    assert {(f.case, f.rule) for f in reference} >= {(None, "not-pseudonymous")}


_PREFIXES = """\
@prefix cg:  <https://w3id.org/chaingraph/ontology#> .
@prefix mon: <https://w3id.org/chaingraph/monitor/> .
@prefix prs: <https://w3id.org/chaingraph/person/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
_STRAY = _PREFIXES + """\
<https://example.org/stray/own-1> a cg:PhaseOwnership ; cg:phase cg:PhaseRiskAssessment ;
    cg:organisation mon:org-politie ; cg:role mon:role-casusregisseur ; cg:holder prs:P-4XFT9 ;
    cg:responsibility cg:Owns ; cg:startDate "2022-03-01"^^xsd:date ;
    cg:endDate "2022-02-01"^^xsd:date .
"""


@pytest.mark.parametrize("linked", ["", "cg:inCase <https://example.org/no-case> ;"])
def test_a_node_of_no_case_is_audited_with_the_shared_data_everywhere(linked, tmp_path):
    """A node that is no case's (no cg:inCase, or cg:inCase something that is no case; not
    under a case's IRI; no person) is audited by the reference with the shared data; the
    store and memory audits read cases and persons only, and said nothing of its period out
    of order. A load records it as shared data, as a copy into Oxigraph for the audit does,
    and the persons' task reads it too."""
    paths = [Path("data/cases/FX-011.ttl"), tmp_path / "stray.ttl"]
    paths[1].write_text(_STRAY.replace("cg:phase cg:PhaseRiskAssessment ;",
                                       f"{linked} cg:phase cg:PhaseRiskAssessment ;"),
                        encoding="utf-8")
    at = date(2022, 4, 1)
    reference = audit(load(paths), at=at)
    assert (None, "dates-out-of-order") in {(f.case, f.rule) for f in reference}
    for where, report in _every_path(paths, at, tmp_path).items():
        assert _keys(report) == _keys(reference), where


def _bad(node: str, extra: str = "") -> str:
    """An ownership whose period is out of order (and that lacks its holder)."""
    return (f"{node} a cg:PhaseOwnership ; {extra} cg:phase cg:PhaseCaseDirection ;"
            ' cg:startDate "2022-03-01"^^xsd:date ; cg:endDate "2022-02-20"^^xsd:date .\n')


_LOADS = {  # name: the files of each load_store call, in order (None: FX-011)
    "a non-case named by cg:inCase in an earlier load": [
        ["<https://example.org/x/a> cg:inCase <https://example.org/x/case> .\n"],
        [_bad("<https://example.org/x/own-2>")]],
    "a node under a case's IRI loaded before its case": [
        [_bad(f"<{_FX011}own-9>")], [None]],
    "a node cg:inCase a case loaded before it": [
        [_bad("<https://example.org/own-9>", f"cg:inCase <{_FX011}case> ;")], [None]],
    "a blank node cg:inCase a non-case": [
        [None, "[" + _bad("", "cg:inCase <https://example.org/nocase> ;").removesuffix(" .\n")
         + " ] .\n"]],
}


@pytest.mark.parametrize("name", list(_LOADS))
@pytest.mark.parametrize("at", [date(2021, 6, 20), date(2022, 4, 1)])
def test_nodes_of_no_case_across_loads_are_audited_as_the_reference_does(name, at, tmp_path):
    """Found by auditing hostile data through every path. A node cg:inCase something that is
    no case went into a graph named after it, which a later load took for a case's; a node of
    no case loaded before its case stayed shared data (audited even before the case started);
    a blank node cg:inCase something that is no case was recorded with it and never read."""
    loads, paths = [], []
    for n, files in enumerate(_LOADS[name]):
        loads.append([])
        for m, text in enumerate(files):
            if text is None:
                loads[-1].append(Path("data/cases/FX-011.ttl"))
                continue
            path = tmp_path / f"load{n}-{m}.ttl"
            path.write_text(_PREFIXES + text, encoding="utf-8")
            loads[-1].append(path)
        paths += loads[-1]
    reference = audit(load(paths), at=at)
    store = tmp_path / "store"
    for files in loads:
        load_store(files, store, progress=False)
    found = {"store": audit_compiled(open_store(store, read_only=True), at=at, workers=1,
                                     location=store),
             "memory": audit_compiled(load(paths), at=at, workers=1)}
    for where, report in found.items():
        assert _unlabelled(report) == _unlabelled(reference), where


_C05 = "https://w3id.org/chaingraph/case/FX-005/"
_TWO_CASES_BLANK = {
    "named by a node of each case": (
        f"<{_FX011}x> cg:organisation _:o . <{_C05}x> cg:organisation _:o .\n"
        + _bad("_:o")),
    "under a node cg:inCase both cases": (
        f"<https://example.org/ra-2c> a cg:RoleAssignment ; cg:inCase <{_FX011}case>, "
        f"<{_C05}case> ;\n    cg:holder [ a cg:Person ; cg:pseudonym \"P-ABCDE\" ;\n"
        '      cg:holder [ a cg:Person ; cg:pseudonym "Jan Jansen" ] ] .\n'),
}


@pytest.mark.parametrize("name", list(_TWO_CASES_BLANK))
def test_a_blank_node_of_two_cases_is_audited_with_both(name, tmp_path):
    """The reference takes the blank nodes a case's nodes reach into that case, so one
    reached from two cases is in both; a store filed it with neither (and the blank nodes
    under a node cg:inCase two cases as shared data), and read it only one step deep."""
    extra = tmp_path / "extra.ttl"
    extra.write_text(_PREFIXES + _TWO_CASES_BLANK[name], encoding="utf-8")
    paths = [Path("data/cases/FX-011.ttl"), Path("data/cases/FX-005.ttl"), extra]
    _as_the_reference(paths, date(2022, 4, 1), tmp_path)


_OWN_X = ('a cg:PhaseOwnership ; cg:phase cg:PhaseRecognition ; cg:startDate "2021-06-01"^^xsd:date'
          ' ; cg:endDate "2022-03-01"^^xsd:date .\n')
_TWO_CASES_NODE = {  # name: the node's triples, its two cases
    "cg:inCase one case, under the other's IRI": (
        f"<{_C05}own-x> cg:inCase <{_FX011}case> ; " + _OWN_X, ("FX-011", "FX-005")),
    "cg:inCase both cases": (
        f"<https://example.org/own-x> cg:inCase <{_FX011}case> , <{_C05}case> ; " + _OWN_X,
        ("FX-011", "FX-005")),
    "a case under another case's IRI": (
        f'<{_C05}case-2> a cg:Case ; cg:caseId "FX-099" ; cg:startDate "2022-02-01"^^xsd:date ;'
        " cg:appliesPhase cg:PhaseRecognition .\n"
        f"<https://example.org/own-x> cg:inCase <{_C05}case-2> ; " + _OWN_X,
        ("FX-099", "FX-005")),
}


@pytest.mark.parametrize("name", list(_TWO_CASES_NODE))
def test_a_node_of_two_cases_has_in_each_case_the_findings_of_that_cases_data(name, tmp_path):
    """The reference audits each case's graph on its own, so a node in two cases' graphs has
    in each case the findings that case's data gives: its own fields in both, a gap, overlap or
    period outside the case only where that case's dates and ownerships are. The compiled
    engine filed every finding on the node under both cases; and the file audit left a case
    under another case's IRI out of that case, where the reference audits it in both."""
    text, cases = _TWO_CASES_NODE[name]
    extra = tmp_path / "extra.ttl"
    extra.write_text(_PREFIXES + text, encoding="utf-8")
    paths = [Path("data/cases/FX-011.ttl"), Path("data/cases/FX-005.ttl"), extra]
    reference = _as_the_reference(paths, date(2022, 4, 1), tmp_path)
    from chaingraph.graph import monitor_files, ontology_files

    server, url = start(tmp_path / "server", ontology_files() + monitor_files() + paths)
    try:
        assert (_unlabelled(audit_compiled(open_endpoint(url), at=date(2022, 4, 1)))
                == _unlabelled(reference))
        if name == "cg:inCase both cases":  # a read by cg:inCase finds it in both
            assert (_unlabelled(_chunk_by_chunk(lambda: audit_compiled(
                open_endpoint(url), at=date(2022, 4, 1)))) == _unlabelled(reference))
        else:  # under the other case's IRI
            _refused_above_the_copy(url, date(2022, 4, 1))
    finally:
        stop(server)
    node = "own-x" if "own-x>" in text.split(";")[0] else "case-2"
    found = {case: {(f.rule, f.value) for f in reference if f.case == case and node in f.focus}
             for case in cases}
    assert all(found.values()) and len({frozenset(f) for f in found.values()}) == 2, found


_MISPLACED = {  # name: the files (None: an example case), the text of one more file
    "a node under a case's IRI without cg:inCase": (
        ["FX-011"], "@prefix : <" + _FX011 + "> .\n" + _NAMESPACE_MEMBER),
    "a blank node two steps from its case": (
        ["FX-011"], "@prefix : <" + _FX011 + "> .\n" + _NESTED_BLANK),
    "a node of no case": (["FX-011"], _STRAY.removeprefix(_PREFIXES)),
    "a case under another case's IRI": (
        ["FX-011", "FX-005"], _TWO_CASES_NODE["a case under another case's IRI"][0]),
    "a person under a case's IRI": (
        ["FX-011", "FX-005"],
        f'<{_FX011}person-x> a cg:Person ; cg:pseudonym "not a pseudonym" .\n'),
}


def _foreign_store(paths: list[Path], directory: Path) -> Path:
    """A store another tool made of ``paths``: Oxigraph's own load, with no record of
    chaingraph's (no membership index, no members)."""
    from chaingraph.backends import load_files
    from chaingraph.graph import monitor_files, ontology_files

    store = pyoxigraph.Store(str(directory))
    load_files(store, ontology_files() + monitor_files() + paths, progress=False)
    store.flush()
    del store
    return directory


@pytest.mark.parametrize("name", list(_MISPLACED))
def test_a_store_or_endpoint_another_tool_made_is_audited_as_the_reference_does(name, tmp_path):
    """A store not made by chaingraph load, and an endpoint, have no record of the nodes a
    read by cg:inCase misses: the audit read a node under a case's IRI, a blank node two steps
    deep and a node of no case nowhere, and said less than the reference. It now finds such a
    node (one query) and then reads the store whole and partitions it as the reference does;
    an endpoint is copied whole, or refused naming the node when too large to copy."""
    names, text = _MISPLACED[name]
    extra = tmp_path / "extra.ttl"
    extra.write_text(_PREFIXES + text, encoding="utf-8")
    paths = [Path(f"data/cases/{n}.ttl") for n in names] + [extra]
    at = date(2022, 4, 1)
    reference = _unlabelled(audit(load(paths), at=at))
    store = _foreign_store(paths, tmp_path / "store")
    found = audit_compiled(open_store(store, read_only=True), at=at, workers=2, location=store)
    assert _unlabelled(found) == reference
    reindex_store(store, progress=False)  # records the members: read case by case again
    found = audit_compiled(open_store(store, read_only=True), at=at, workers=2, location=store)
    assert _unlabelled(found) == reference
    from chaingraph.graph import monitor_files, ontology_files

    server, url = start(tmp_path / "server", ontology_files() + monitor_files() + paths)
    try:
        assert _unlabelled(audit_compiled(open_endpoint(url), at=at)) == reference
        _refused_above_the_copy(url, at)
    finally:
        stop(server)


def test_the_audit_of_a_store_without_the_record_of_a_load_says_how_to_make_it_faster(
        tmp_path, capsys):
    """A store another tool (or an earlier chaingraph) made is audited correctly but checked
    for misplaced nodes first, which reads it twice more: the audit says so on stderr, in
    English or Dutch, with the command that records it; after that command it says nothing."""
    store = _foreign_store([Path("data/cases/FX-011.ttl")], tmp_path / "store")
    for lang, words in (("en", "has no record of 'chaingraph load'"),
                        ("nl", "heeft geen vastlegging van 'chaingraph load'")):
        assert main(["audit", "--store", str(store), "--lang", lang]) == 0  # FX-011 is sound
        err = capsys.readouterr().err
        assert words in err and f"chaingraph load --store {store} --reindex" in err, err
    assert main(["load", "--store", str(store), "--reindex"]) == 0
    capsys.readouterr()
    assert main(["audit", "--store", str(store)]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("name", list(_MISPLACED)[:3])
def test_a_node_another_tool_adds_to_a_loaded_store_is_audited_as_the_reference_does(
        name, tmp_path, capsys):
    """chaingraph load recorded the store's members; another tool then added a node a read by
    cg:inCase misses. The record stayed, so the audit trusted it and left the node out
    (fewer findings than the audit of the same files, without a word). The record now holds
    the default graph's number of triples: another, and the store is checked as one that
    another tool made, and the audit says so. A case written by chaingraph keeps the record."""
    names, text = _MISPLACED[name]
    extra = tmp_path / "extra.ttl"
    extra.write_text(_PREFIXES + text, encoding="utf-8")
    paths = [Path(f"data/cases/{n}.ttl") for n in names]
    at = date(2022, 4, 1)
    reference = _unlabelled(audit(load([*paths, extra]), at=at))
    store = tmp_path / "store"
    assert main(["load", *map(str, paths), "--store", str(store)]) == 0
    written = pyoxigraph.Store(str(store))  # another tool, with Oxigraph's own load
    written.load(path=str(extra), format=pyoxigraph.RdfFormat.TURTLE)
    written.flush()
    del written
    found = audit_compiled(open_store(store, read_only=True), at=at, workers=2, location=store)
    assert _unlabelled(found) == reference
    capsys.readouterr()
    assert main(["audit", "--store", str(store), "--at", "2022-04-01"]) == 1
    assert "has no record of 'chaingraph load', or another tool wrote to it since" in \
        capsys.readouterr().err
    # a later load records what it loads, not the node another tool wrote: still checked
    other = Path("data/cases/FX-002.ttl")
    assert main(["load", str(other), "--store", str(store)]) == 0
    capsys.readouterr()
    found = audit_compiled(open_store(store, read_only=True), at=at, workers=2, location=store)
    assert _unlabelled(found) == _unlabelled(audit(load([*paths, extra, other]), at=at))
    assert main(["load", "--store", str(store), "--reindex"]) == 0  # recorded again
    capsys.readouterr()
    form = tmp_path / "FX-060.yaml"
    assert main(["case", "show", "FX-011", "--store", str(store)]) == 0
    form.write_text(capsys.readouterr().out.replace("id: FX-011", "id: FX-060"),
                    encoding="utf-8")
    # (written, with findings or none: exit 1 or 0)
    assert main(["case", "new", str(form), "--store", str(store), "--by", "P-7K3M9"]) in (0, 1)
    # ... and replaces a case (its old triples out, the new in): the record's number follows
    capsys.readouterr()
    assert main(["case", "show", "FX-011", "--store", str(store)]) == 0
    form.write_text(capsys.readouterr().out.replace("2021-", "2020-"), encoding="utf-8")
    assert main(["case", "update", str(form), "--store", str(store), "--by", "P-7K3M9"]) in (0, 1)
    capsys.readouterr()
    assert main(["audit", "--store", str(store), "--at", "2022-04-01"]) in (0, 1)
    assert "has no record" not in capsys.readouterr().err  # chaingraph's own writes
    from chaingraph.storewrite import is_recorded, recorded_triples

    opened = pyoxigraph.Store.read_only(str(store))
    assert is_recorded(opened) and recorded_triples(opened) == len(list(
        opened.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph())))


def test_a_large_store_with_such_a_node_is_refused_naming_it(tmp_path, monkeypatch, capsys):
    """Above fastaudit.WHOLE triples the data is not read whole: exit 2, one sentence naming
    the store, the node and its case, in English or Dutch."""
    from chaingraph import fastaudit

    names, text = _MISPLACED["a node under a case's IRI without cg:inCase"]
    extra = tmp_path / "extra.ttl"
    extra.write_text(_PREFIXES + text, encoding="utf-8")
    store = _foreign_store([Path("data/cases/FX-011.ttl"), extra], tmp_path / "store")
    monkeypatch.setattr(fastaudit, "WHOLE", 100)
    for lang, words in (("en", "in a way that a read by cg:inCase does not follow"),
                        ("nl", "op een manier die lezen via cg:inCase niet volgt")):
        assert main(["audit", "--store", str(store), "--lang", lang]) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and words in err, err
        assert f"{_FX011}own-risk-x" in err and f"<{_FX011}case>" in err, err


_A05, _A11 = "https://w3id.org/chaingraph/case/FX-005/", _FX011
_BLANKS_OF_TWO = {  # found by auditing hostile data through every path (memory and store)
    "under a node cg:inCase one case and under the other's IRI": (
        f"<{_A05}lie> a cg:PhaseOwnership ; cg:inCase <{_A11}case> ;"
        ' cg:phase cg:PhaseCollaboration ; cg:startDate "2022-02-01"^^xsd:date ;'
        ' cg:endDate "2022-02-10"^^xsd:date ;\n  cg:relatedMeasure [ a cg:PhaseOwnership ;'
        ' cg:phase cg:PhaseRecognition ; cg:startDate "2021-06-10"^^xsd:date ;'
        ' cg:endDate "2021-06-01"^^xsd:date ] .\n'),
    "reached from one case directly and from the other through a blank node": (
        '_:x a cg:PhaseOwnership ; cg:phase cg:PhaseRiskAssessment ;'
        ' cg:startDate "2022-03-10"^^xsd:date ; cg:endDate "2022-03-01"^^xsd:date .\n'
        '_:y a cg:RoleAssignment ; cg:startDate "2021-06-10"^^xsd:date ;'
        ' cg:endDate "2021-06-01"^^xsd:date ; cg:relatedMeasure _:x .\n'
        f"<{_A11}sash> cg:relatedMeasure _:x .\n<{_A05}own-risk-2> cg:relatedMeasure _:y .\n"),
}


@pytest.mark.parametrize("name", list(_BLANKS_OF_TWO))
def test_the_blank_nodes_a_node_of_two_cases_reaches_are_audited_with_both(name, tmp_path):
    """A store and a copy in memory recorded the blank nodes under a node of two cases with
    the case it says cg:inCase only, and a blank node reached from both cases through another
    blank node with whichever case the triples came in first (it changed from run to run).
    The cases of every blank node are now followed to the end before any is recorded."""
    extra = tmp_path / "extra.ttl"
    extra.write_text(_PREFIXES + _BLANKS_OF_TWO[name], encoding="utf-8")
    paths = [Path("data/cases/FX-011.ttl"), Path("data/cases/FX-005.ttl"), extra]
    reference = _as_the_reference(paths, date(2022, 4, 1), tmp_path)
    for _ in range(4):  # a copy in memory names its blank nodes anew each time
        memory = audit_compiled(load(paths), at=date(2022, 4, 1), workers=1)
        assert _unlabelled(memory) == _unlabelled(reference)


def test_a_node_cg_in_case_of_a_blank_case_is_loaded_and_audited_as_the_reference_does(tmp_path):
    """cg:inCase of a case written as a blank node made chaingraph load stop with a raw
    "No scheme found in an absolute IRI": such a case is shared data, as the reference has it."""
    extra = tmp_path / "extra.ttl"
    extra.write_text(_PREFIXES + '_:bc a cg:Case ; cg:caseId "FX-701" ;'
                     ' cg:startDate "2021-06-01"^^xsd:date .\n<https://example.org/own-c>'
                     ' a cg:PhaseOwnership ; cg:inCase _:bc ; cg:startDate "2021-06-10"^^xsd:date ;'
                     ' cg:endDate "2021-06-01"^^xsd:date .\n', encoding="utf-8")
    _as_the_reference([Path("data/cases/FX-011.ttl"), extra], date(2022, 4, 1), tmp_path)


@pytest.mark.parametrize("zone", ["Z", "-14:00"])
def test_a_date_with_a_time_zone_on_an_endpoint_is_refused_as_in_a_file(zone, tmp_path, capsys):
    """Found by auditing hostile data through every path: the endpoint's rows went through
    rdflib, which dropped the zone, so "2021-06-20Z" closed FX-005's gap there while every other
    path refused it. The endpoint's values are now read as written: exit 2, naming the
    endpoint and the node."""
    from chaingraph.graph import monitor_files, ontology_files

    text = Path("data/cases/FX-005.ttl").read_text(encoding="utf-8")
    path = tmp_path / "FX-005.ttl"
    path.write_text(text.replace('cg:endDate "2021-06-11"^^xsd:date',
                                 f'cg:endDate "2021-07-04{zone}"^^xsd:date'), encoding="utf-8")
    server, url = start(tmp_path / "server", ontology_files() + monitor_files() + [path])
    try:
        for copy in (True, False):  # copied into memory; read chunk by chunk
            code = _chunk_by_chunk(lambda: main(["audit", "--endpoint", url, "--at",
                                                 "2022-01-01"]), not copy)
            err = capsys.readouterr().err
            assert code == 2, err
            assert f'cg:endDate takes a date, not "2021-07-04{zone}"^^xsd:date' in err, err
            assert url in err and "FX-005/own-risk-1" in err and "Traceback" not in err, err
    finally:
        stop(server)
