"""The compiled audit finds exactly what pySHACL (the reference) finds.

Compared on: the compiler's own fixture shapes (every construct it supports), the
project's shapes on every shape fixture, every example case and generated cases with
seeded flaws; and per case (the re-audit) against the whole-graph audit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from chaingraph import backends, fastaudit
from chaingraph.fastaudit import UnsupportedShape, key
from chaingraph.generator import flaws_path, generate
from chaingraph.graph import case_files, load
from chaingraph.resources import SHAPES_DIR

FIXTURES = Path(__file__).parent / "fixtures" / "fastaudit"
SHAPE_FIXTURES = sorted((Path(__file__).parent / "fixtures" / "shapes").glob("*.ttl"))
SHAPE_FILES = sorted(SHAPES_DIR.glob("*.ttl"))
CASE_FILES = case_files()


def describe(found) -> str:
    return "\n".join(sorted(" ".join(str(t) for t in k) for k in found))


def assert_same(data: Graph, shapes: Graph, fast_data=None) -> set:
    reference = {key(v) for v in fastaudit.reference(data, shapes)}
    fast = {key(v) for v in fastaudit.validate(data if fast_data is None else fast_data, shapes)}
    assert fast == reference, (f"only pyshacl:\n{describe(reference - fast)}\n"
                               f"only fast:\n{describe(fast - reference)}")
    return reference


# --- the compiler on its own fixtures -------------------------------------------------


@pytest.fixture(scope="module")
def fixture_shapes() -> Graph:
    return Graph().parse(FIXTURES / "shapes.ttl")


def test_fixture_shapes_find_the_same_as_pyshacl(fixture_shapes):
    data = load([FIXTURES / "data.ttl"], check=False)
    found = assert_same(data, fixture_shapes)
    components = {k[2] for k in found}
    assert len(found) >= 15 and len(components) >= 12, describe(found)


def test_fixture_shapes_on_generated_cases(fixture_shapes, generated):
    data, store, _ = generated
    found = assert_same(data, fixture_shapes, store)
    assert found


def test_deactivated_shape_is_not_run(fixture_shapes):
    compiled = fastaudit.compile_shapes(fixture_shapes)
    shapes = {c.shape for c in compiled.checks}
    assert URIRef("https://example.org/shapes#OffShape") not in shapes
    assert URIRef("https://example.org/shapes#CaseShape") in shapes


@pytest.mark.parametrize("name, construct", [("unsupported-uniquelang.ttl", "sh:uniqueLang"),
                                             ("unsupported-xone.ttl", "sh:xone")])
def test_unsupported_construct_names_shape_and_construct(name, construct):
    shapes = Graph().parse(FIXTURES / name)
    with pytest.raises(UnsupportedShape) as info:
        fastaudit.compile_shapes(shapes)
    assert construct in str(info.value)
    assert ("UniqueLangRole" if "unique" in name else "anonymous") in str(info.value)


def test_paths_compile_to_sparql_paths():
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://x/> .
        ex:s sh:path ( ex:a [ sh:alternativePath ( ex:b [ sh:zeroOrMorePath ex:c ] ) ] ) .""",
        format="turtle")
    path = shapes.value(URIRef("http://x/s"), URIRef("http://www.w3.org/ns/shacl#path"))
    assert fastaudit.compile_path(shapes, path, URIRef("http://x/s")) == \
        "(<http://x/a>/(<http://x/b>|(<http://x/c>*)))"


# --- the project's shapes ------------------------------------------------------------------


@pytest.fixture(scope="module")
def shapes() -> Graph:
    assert SHAPE_FILES, "no shapes/*.ttl found"
    return fastaudit.load_shapes()


def test_project_shapes_compile(shapes):
    compiled = fastaudit.compile_shapes(shapes)
    assert compiled.checks
    assert {c.shape for c in compiled.checks}


def test_there_are_shape_fixtures_and_cases():
    assert SHAPE_FIXTURES, "no tests/fixtures/shapes/*.ttl"
    assert CASE_FILES, "no data/cases/*.ttl"


@pytest.mark.parametrize("path", SHAPE_FIXTURES, ids=[p.name for p in SHAPE_FIXTURES])
def test_shape_fixture_same_as_pyshacl(path, shapes):
    assert_same(load([path], check=False), shapes)


@pytest.fixture(scope="module")
def examples(shapes):
    """pySHACL and the compiled audit on all example cases at once (pySHACL is slow)."""
    data = load()
    return ({key(v) for v in fastaudit.reference(data, shapes)},
            {key(v) for v in fastaudit.validate(data, shapes)})


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_example_case_same_as_pyshacl(path, examples):
    namespace = f"https://w3id.org/chaingraph/case/{path.stem}/"
    reference, fast = ({k for k in found if str(k[0]).startswith(namespace)} for found in examples)
    assert fast == reference, (f"only pyshacl:\n{describe(reference - fast)}\n"
                               f"only fast:\n{describe(fast - reference)}")


def test_examples_outside_cases_same_as_pyshacl(examples):
    reference, fast = examples
    assert fast == reference


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """24 generated cases with every flaw at 30 %: an rdflib graph, a pyoxigraph store, the file.

    All closed: these tests hold the compiler to pySHACL on the data as it stands, without an
    audit date; running cases, cut at the audit date, are tested in test_one_audit.py.
    """
    out = tmp_path_factory.mktemp("fastaudit") / "cases.ttl"
    generate(24, out, seed=21, flaw_rate=0.3, running=0)
    data = load([out])
    store = backends.native_store(backends.open_oxigraph([out], progress=False))
    return data, store, out


def test_generated_cases_same_as_pyshacl(generated, shapes):
    data, store, path = generated
    found = assert_same(data, shapes, store)
    assert found, "seeded flaws should be found"
    chunked = fastaudit.scan_violations([path], shapes=shapes, chunk=3, workers=2, progress=False)
    assert {key(v) for v in chunked} == found


def test_every_seeded_flaw_is_found_and_nothing_else(generated, shapes):
    _, store, path = generated
    notation = {s: str(o) for s, o in shapes.subject_objects(SKOS.notation)}
    got = set()
    for v in fastaudit.validate(store, shapes):
        case = str(v.focus).split("/case/")[1].split("/")[0] if "/case/" in str(v.focus) else None
        if case:
            got.add((case, notation[v.shape]))
    seeded = json.loads(flaws_path(path).read_text())
    expected = {(case, f["rule"]) for case, items in seeded.items() for f in items}
    assert expected and got == expected


def test_reaudit_of_one_case_matches_the_whole_audit(generated, shapes):
    _, store, _ = generated
    compiled = fastaudit.compile_shapes(shapes)
    everything = fastaudit.validate(store, compiled)
    flawed = sorted({v.focus for v in everything}, key=str)
    assert flawed
    checks = fastaudit.instantiate(compiled, fastaudit.runner_for(store))
    for i in range(1, 25):
        case = URIRef(f"https://w3id.org/chaingraph/case/GX-{i:05d}/case")
        nodes = fastaudit.case_nodes(store, case)
        assert case in nodes and len(nodes) > 10
        expected = {key(v) for v in everything if v.focus in set(nodes)}
        alone = fastaudit.validate(store, compiled, focus=nodes)
        assert {key(v) for v in alone} == expected
        assert {key(v) for v in fastaudit.audit_case(store, case, checks)} == expected


def test_audit_runs_on_every_backend(shapes, tmp_path):
    memory = load()
    expected = {key(v) for v in fastaudit.validate(memory, shapes)}
    on_oxigraph = {key(v) for v in fastaudit.validate(backends.open_oxigraph(progress=False),
                                                      shapes)}
    assert on_oxigraph == expected


# ------------------------------------------------------------------ files, case by case


def _findings(report) -> list:
    return sorted((f.case, f.rule, f.focus, f.phase, f.start, f.end, f.value, f.message)
                  for f in report.findings)


@pytest.fixture(scope="module")
def named_person(generated, tmp_path_factory):
    """The generated cases with one professional's pseudonym replaced by a name."""
    text = generated[2].read_text()
    persons = text.index("\nprs:")  # the persons are written once, after the cases
    line = text[persons + 1:text.index("\n", persons + 1)]
    pseudonym = line.split('cg:pseudonym "')[1].split('"')[0]
    out = tmp_path_factory.mktemp("persons") / "cases.ttl"
    out.write_text(text[:persons] + text[persons:].replace(f'"{pseudonym}"', '"Jan de Vries"', 1))
    return out, line.split()[0].replace("prs:", "https://w3id.org/chaingraph/person/")


@pytest.mark.parametrize("name", ["examples", "generated", "persons"])
def test_audit_of_files_equals_the_compiled_audit_of_the_loaded_graph(name, generated,
                                                                     named_person):
    """The chunked audit of files gives the findings (cases, phases, texts) of audit_compiled."""
    from chaingraph.audit import audit_compiled, audit_files

    paths = {"examples": CASE_FILES, "generated": [generated[2]],
             "persons": [named_person[0]]}[name]
    on_files = audit_files(paths, workers=2, progress=False)
    loaded = audit_compiled(load(paths, check=False))
    assert _findings(on_files) == _findings(loaded) and on_files.findings
    assert on_files.cases == loaded.cases
    if name == "persons":
        # the person is written outside the cases, in another chunk: the finding still
        # belongs to the case that names the person, and does not repeat the name
        named = [f for f in on_files.findings if f.rule == "not-pseudonymous"]
        assert named and all(f.focus == named_person[1] and f.case for f in named)
        assert "Jan de Vries" not in on_files.render_text()


def test_scan_of_files_cuts_them_into_chunks_at_case_blocks(generated):
    path = generated[2]
    one = fastaudit.scan_files([path], chunk=1000, workers=1, progress=False)
    many = fastaudit.scan_files([path], chunk=5, workers=2, progress=False)
    assert len(fastaudit._pieces([path], 5)) == 5  # 24 cases and the persons' block
    assert many.violations == one.violations and many.focus_cases == one.focus_cases
    assert many.cases == one.cases == [f"GX-{i:05d}" for i in range(1, 25)]



@pytest.mark.parametrize("broken", [("middle", "persons"), ("persons",)])
def test_the_first_broken_line_is_named_though_the_largest_part_is_audited_first(
        generated, tmp_path, broken):
    """The workers take the largest part first (the last one, with the persons); the error
    said is still the first in the file, as when the parts ran in file order."""
    from chaingraph.errors import SourceError

    lines = generated[2].read_text().splitlines()
    persons = next(i for i, line in enumerate(lines) if "/chaingraph/person/>" in line
                   and line.startswith("@prefix :"))
    targets = {"middle": next(i for i, line in enumerate(lines)
                              if i > len(lines) // 3 and "cg:phase" in line),
               "persons": next(i for i, line in enumerate(lines)
                               if i > persons and "cg:pseudonym" in line)}
    for where in broken:
        lines[targets[where]] = lines[targets[where]] + " ; ; broken <<"
    bad = tmp_path / "bad.ttl"
    bad.write_text("\n".join(lines) + "\n")
    tasks = fastaudit._pieces([bad], 3)
    assert fastaudit._largest_first(tasks)[0] == len(tasks) - 1  # the persons' part
    with pytest.raises(SourceError) as caught:
        fastaudit.scan_files([bad], chunk=3, workers=2, progress=False)
    assert caught.value.line == targets[broken[0]] + 1

# chunk 1: each case alone in its part, the file's header put in front of it unsplit;
# chunk 3: several cases per part, split there
@pytest.mark.parametrize("chunk", [1, 3])
@pytest.mark.parametrize("where", ["header", "middle"])
def test_a_broken_line_in_a_large_file_is_named_by_the_files_own_line(generated, tmp_path, chunk,
                                                                      where):
    from chaingraph.errors import SourceError

    lines = generated[2].read_text().splitlines()
    if where == "header":
        target = 1
        lines[target] = "@prefix broken <nowhere> ."
    else:
        target = next(i for i, line in enumerate(lines)
                      if i > len(lines) // 8 and "cg:phase" in line)
        lines[target] = "    cg:phase cg:PhaseRecognition ; ; broken <<"
    bad = tmp_path / "bad.ttl"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(SourceError) as caught:
        fastaudit.scan_files([bad], chunk=chunk, workers=2, progress=False)
    assert caught.value.line == target + 1 and caught.value.path == str(bad)


def test_a_store_audited_beside_other_threads_spawns_its_workers(generated, tmp_path,
                                                                 monkeypatch):
    """The web app makes the new day's audit in a thread beside the server's: the workers
    that read the store are spawned there (a fork copies the locks the other threads hold at
    that moment, and a worker could wait on one forever), and find the same."""
    import threading

    from chaingraph.backends import load_store, open_store

    directory = tmp_path / "store"
    load_store([generated[2]], directory, progress=False)
    graph = open_store(directory, read_only=True)

    def scan():
        return fastaudit.scan_source(graph, chunk=5, workers=2, progress=False,
                                     location=directory)

    chosen: list[str | None] = []
    real = fastaudit._start_method
    monkeypatch.setattr(fastaudit, "_start_method",
                        lambda work: chosen.append(real(work)) or chosen[-1])
    alone = scan() if threading.active_count() == 1 else None  # other tests may leave threads
    done = threading.Event()
    beside = threading.Thread(target=done.wait, daemon=True)  # the server's thread, say
    beside.start()
    found: dict = {}
    try:
        thread = threading.Thread(target=lambda: found.update(scan=scan()))
        thread.start()
        thread.join()
    finally:
        done.set()
    assert chosen[-1] == "spawn" and (alone is None or chosen[0] is None)
    expected = alone or scan()
    assert found["scan"].violations == expected.violations and found["scan"].violations
    assert found["scan"].cases == expected.cases
