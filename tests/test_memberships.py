"""The case-membership index of a store: the same answer as the data, rebuilt by every load.

``chaingraph load`` indexes which organisations take part in which case, so the region's
collaboration graph does not join millions of statements with their cases each time. The
index must say exactly what the data says; it goes stale only when another tool writes
to the store, and ``--reindex`` mends that.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest

from chaingraph import backends, fastaudit, memberships
from chaingraph.backends import native_store
from chaingraph.cli import main
from chaingraph.export import views
from chaingraph.generator import generate
from chaingraph.graph import case_files, load
from chaingraph.queryfiles import internal

CG = "https://w3id.org/chaingraph/ontology#"
MON = "https://w3id.org/chaingraph/monitor/"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("memberships") / "cases.ttl"
    generate(40, out, seed=8, flaw_rate=0.2)
    return out


@pytest.fixture
def loaded(tmp_path, generated) -> Path:
    """A store made by ``chaingraph load`` from the generated cases."""
    directory = tmp_path / "store"
    backends.load_store([generated], directory, progress=False)
    return directory


def _members(graph, query: str) -> dict[str, set[str]]:
    return dict(views._members(graph, native_store(graph), query))


def _from_data(graph) -> dict[str, set[str]]:
    return _members(graph, internal("members-case-oxigraph").text)


def _picture(view) -> tuple[dict, dict]:
    """A collaboration graph's nodes and edges with their data, without its graph attributes."""
    return (dict(view.nodes(data=True)),
            {tuple(sorted(e)): d for *e, d in view.edges(data=True)})


def test_load_indexes_what_the_data_says(loaded, generated):
    graph = backends.open_store(loaded, read_only=True)
    indexed = _members(graph, memberships.READ)
    assert len(indexed) == 40 and sum(map(len, indexed.values())) > 40 * 3
    assert indexed == _from_data(graph)
    assert memberships.state(native_store(graph))[0] == "usable"


def test_collaboration_from_the_index_is_the_picture_from_the_data(loaded, generated):
    graph = backends.open_store(loaded, read_only=True)
    view = views.collaboration(graph)
    assert view.graph["memberships_indexed"].endswith("Z")
    live = views.collaboration(graph, index=False)
    assert "memberships_indexed" not in live.graph
    assert _picture(view) == _picture(live) == _picture(views.collaboration(load([generated])))
    assert view.number_of_edges() > 10


def test_one_case_is_drawn_from_the_data(loaded):
    graph = backends.open_store(loaded, read_only=True)
    view = views.collaboration(graph, cases=["GX-00003"])
    assert "memberships_indexed" not in view.graph and view.graph["case"] == "GX-00003"


def test_loading_more_files_rebuilds_the_index(loaded):
    before = memberships.count(native_store(backends.open_store(loaded, read_only=True)))
    backends.load_store(case_files(), loaded, progress=False)
    graph = backends.open_store(loaded, read_only=True)
    indexed = _members(graph, memberships.READ)
    assert len(indexed) == 40 + len(case_files()) and sum(map(len, indexed.values())) > before
    assert indexed == _from_data(graph)


def _other_tool_adds_an_organisation(directory: Path) -> str:
    """Write to the store as another tool would: a new organisation in the first case."""
    store = pyoxigraph.Store(str(directory))
    case = "<https://w3id.org/chaingraph/case/GX-00001/case>"
    store.update(f"INSERT DATA {{ <urn:example:assignment> <{CG}inCase> {case} ; "
                 f"<{CG}organisation> <{MON}org-example> . }}")
    store.flush()
    return case


def test_reindex_mends_an_index_another_tool_made_stale(loaded, capsys):
    case = _other_tool_adds_an_organisation(loaded)
    graph = backends.open_store(loaded, read_only=True)
    assert f"{MON}org-example" in _from_data(graph)[case]
    assert f"{MON}org-example" not in _members(graph,
                                               memberships.READ)[case]  # stale, as documented
    del graph
    assert main(["load", "--store", str(loaded), "--reindex"]) == 0
    assert "case memberships in" in capsys.readouterr().out
    graph = backends.open_store(loaded, read_only=True)
    assert _members(graph, memberships.READ) == _from_data(graph)


def test_export_says_it_used_the_index(loaded, capsys):
    assert main(["export", "collaboration", "--format", "csv", "--store", str(loaded)]) == 0
    captured = capsys.readouterr()
    assert "case memberships from the store's index, built 20" in captured.err
    assert f"chaingraph load --store {loaded} --reindex" in captured.err
    assert captured.out.startswith("source,target")
    assert main(["export", "collaboration", "--format", "csv", "--case", "GX-00002",
                 "--store", str(loaded)]) == 0
    assert capsys.readouterr().err == ""


def test_an_index_of_another_query_is_not_read(loaded, capsys):
    store = pyoxigraph.Store(str(loaded))
    store.update(f"""DELETE {{ GRAPH <{memberships.GRAPH}> {{ ?g ?p ?q }} }}
                     INSERT {{ GRAPH <{memberships.GRAPH}> {{ ?g ?p "0000" }} }}
                     WHERE {{ GRAPH <{memberships.GRAPH}> {{ ?g ?p ?q }}
                              FILTER(?p = <https://w3id.org/chaingraph/index#query>) }}""")
    store.flush()
    del store
    graph = backends.open_store(loaded, read_only=True)
    assert memberships.state(native_store(graph))[0] == "outdated"
    assert "memberships_indexed" not in views.collaboration(graph).graph
    del graph
    assert main(["export", "collaboration", "--format", "csv", "--store", str(loaded)]) == 0
    assert "is from another chaingraph version and is not used" in capsys.readouterr().err


def test_an_index_that_files_bring_along_is_dropped(loaded, tmp_path):
    dump = tmp_path / "dump.nq"
    store = native_store(backends.open_store(loaded, read_only=True))
    store.dump(output=str(dump), format=pyoxigraph.RdfFormat.N_QUADS)
    assert f"<{memberships.GRAPH}>" in dump.read_text()
    del store
    in_memory = native_store(backends.open_oxigraph([dump], base=False, progress=False))
    assert memberships.state(in_memory) == ("none", None)


@pytest.mark.parametrize("argv", [["x.ttl"], ["--replace"], ["--skip-bad-lines"]])
def test_reindex_takes_nothing_else(loaded, argv, capsys):
    assert main(["load", "--store", str(loaded), "--reindex", *argv]) == 2
    assert "--reindex rebuilds the index of the store as it is" in capsys.readouterr().err


def test_reindex_of_a_missing_store_is_named(tmp_path, capsys):
    assert main(["load", "--store", str(tmp_path / "none"), "--reindex"]) == 2
    assert "none: no such file or directory" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_reaudit_of_a_case_ignores_the_index(generated):
    store = native_store(backends.open_oxigraph([generated], progress=False))
    checks = fastaudit.instantiate(fastaudit.compile_shapes(fastaudit.load_shapes()),
                                   fastaudit.runner_for(store))
    from rdflib import URIRef

    cases = [URIRef(f"https://w3id.org/chaingraph/case/GX-{i:05d}/case") for i in range(1, 41)]
    before = [fastaudit.audit_case(store, case, checks) for case in cases]
    sizes = [len(fastaudit.case_subgraph(store, case)) for case in cases]
    assert any(before)
    memberships.build(store)
    assert [fastaudit.audit_case(store, case, checks) for case in cases] == before
    assert [len(fastaudit.case_subgraph(store, case)) for case in cases] == sizes


def test_export_from_a_store_without_an_index_says_how_to_add_one(loaded, capsys):
    store = pyoxigraph.Store(str(loaded))
    memberships.drop(store)
    store.flush()
    del store
    assert main(["export", "collaboration", "--format", "csv", "--store", str(loaded)]) == 0
    assert "this store has no index of case memberships" in capsys.readouterr().err
    assert main(["export", "collaboration", "--format", "csv", "--backend", "oxigraph"]) == 0
    assert capsys.readouterr().err == ""  # files loaded for one command: nothing to say
