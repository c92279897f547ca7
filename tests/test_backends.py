"""The three backends answer the same queries the same way; loading a store is atomic.

``backend_graph`` is parametrised over rdflib in memory, Oxigraph in memory and a real
Oxigraph SPARQL server on 127.0.0.1: a test that takes it runs on all three. To run a
command on all three, call it with the graph (or with ``--store``/``--endpoint``).
"""

from __future__ import annotations

import argparse
import http.server
import re
import threading
from collections import Counter
from pathlib import Path

import pytest
from oxigraph_server import oxigraph_endpoint  # noqa: F401 - a fixture
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF

from chaingraph import backends
from chaingraph.backends import BackendError, native_store, open_graph
from chaingraph.cli import main
from chaingraph.errors import BadParameter, MissingPath
from chaingraph.generator import generate
from chaingraph.graph import load
from chaingraph.namespace import CG
from chaingraph.resources import QUERIES_DIR

XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")
QUERY_FILES = sorted(QUERIES_DIR.glob("*.rq"))


@pytest.fixture(scope="session")
def memory_graph() -> Graph:
    return load()


@pytest.fixture(scope="session")
def oxigraph_memory_graph() -> Graph:
    return backends.open_oxigraph(progress=False)


@pytest.fixture(scope="session")
def endpoint_graph(oxigraph_endpoint) -> Graph:  # noqa: F811
    return backends.open_endpoint(oxigraph_endpoint)


@pytest.fixture(params=backends.BACKENDS)
def backend_graph(request) -> Graph:
    """The bundled data on each backend in turn: memory, oxigraph, endpoint."""
    name = {"memory": "memory_graph", "oxigraph": "oxigraph_memory_graph",
            "endpoint": "endpoint_graph"}[request.param]
    return request.getfixturevalue(name)


def rows(result, text: str = "") -> Counter:
    """A query result as a multiset of rows, blank nodes made anonymous.

    A simple literal and an ``xsd:string`` literal are the same term in RDF 1.1; rdflib
    keeps them apart, Oxigraph does not, so both are written as ``xsd:string`` here.
    The order inside a ``GROUP_CONCAT`` is undefined in SPARQL, so its parts are sorted.
    """
    concatenated = set(re.findall(r"GROUP_CONCAT\(.*?\)\s+AS\s+\?(\w+)", text, re.S | re.I))

    def term(value, name):
        if name in concatenated and isinstance(value, Literal):
            value = Literal(" ".join(sorted(str(value).split())), datatype=value.datatype)
        if isinstance(value, BNode):
            return "_:"
        if isinstance(value, Literal) and value.datatype is None and value.language is None:
            value = Literal(str(value), datatype=XSD_STRING)
        return None if value is None else value.n3()
    return Counter(tuple(term(row[v], str(v)) for v in result.vars) for row in result)


def test_backend_graph_is_the_backend_it_claims(backend_graph, request):
    expected = request.node.callspec.params["backend_graph"]
    assert backends.backend_of(backend_graph) == expected
    assert (native_store(backend_graph) is not None) == (expected == "oxigraph")


def test_graph_api_works_on_every_backend(backend_graph, memory_graph):
    organisations = set(backend_graph.subjects(RDF.type, CG.Organisation))
    assert organisations
    assert organisations == set(memory_graph.subjects(RDF.type, CG.Organisation))


def test_there_are_named_queries():
    assert QUERY_FILES, "no queries/*.rq found"


@pytest.mark.parametrize("path", QUERY_FILES, ids=[p.stem for p in QUERY_FILES])
def test_named_query_answers_the_same_on_every_backend(path, backend_graph, memory_graph):
    text = path.read_text(encoding="utf-8")
    expected = rows(memory_graph.query(text), text)
    assert rows(backend_graph.query(text), text) == expected


def test_organisation_count_query_agrees(backend_graph):
    query = ("PREFIX cg: <https://w3id.org/chaingraph/ontology#> "
             "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a cg:Organisation }")
    (n,) = next(iter(backend_graph.query(query)))
    assert int(n) >= 10


# --- endpoints that do not work -------------------------------------------------------


def test_endpoint_that_is_down_is_one_sentence():
    with pytest.raises(BackendError, match=r"^the SPARQL endpoint at .* does not answer"):
        backends.open_endpoint("http://127.0.0.1:9/sparql", timeout=2)


class _Garbage(http.server.BaseHTTPRequestHandler):
    def _answer(self):
        body = b"<html><body>Welcome to nginx!</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def garbage_url():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Garbage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()
        server.server_close()


def test_endpoint_that_answers_garbage_is_one_sentence(garbage_url):
    with pytest.raises(BackendError, match="not a SPARQL result"):
        backends.open_endpoint(garbage_url)


def test_endpoint_error_is_a_chaingraph_error_for_exit_2(garbage_url):
    with pytest.raises(BackendError) as info:
        open_graph(endpoint=garbage_url, backend="memory")
    assert "\n" not in str(info.value)


def test_endpoint_that_rejects_a_query_is_one_sentence(endpoint_graph):
    with pytest.raises(BackendError, match="rejected a query"):
        endpoint_graph.query("SELECT ?x WHERE { ?x ?y }")


@pytest.mark.parametrize("url", ["ftp://example.org/sparql", "localhost:7878"])
def test_endpoint_must_be_http(url):
    with pytest.raises(BadParameter):
        backends.open_endpoint(url)


def test_files_and_endpoint_together_are_refused():
    with pytest.raises(BadParameter, match="either files or --endpoint"):
        open_graph(paths=["x.ttl"], endpoint="http://127.0.0.1:1/")


def test_backend_arguments_parse():
    from chaingraph.cli.options import add_backend

    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="*")
    add_backend(parser, "en")
    assert parser.parse_args(["--store", "s"]).store == "s"
    assert parser.parse_args(["--backend", "oxigraph"]).backend == "oxigraph"
    with pytest.raises(SystemExit):
        parser.parse_args(["--store", "s", "--endpoint", "http://x/"])


# --- persistent stores: chaingraph load -------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("load") / "cases.ttl"
    generate(30, out, seed=5)
    return out


def _case_count(graph: Graph) -> int:
    query = ("PREFIX cg: <https://w3id.org/chaingraph/ontology#> "
             "SELECT (COUNT(?c) AS ?n) WHERE { ?c a cg:Case }")
    return int(next(iter(graph.query(query)))[0])


def _triples(directory: Path) -> int:
    graph = backends.open_store(directory, read_only=True)
    return backends._count(native_store(graph))


def test_load_makes_a_store_that_answers_like_memory(tmp_path, generated, capsys):
    store = tmp_path / "store"
    assert main(["load", str(generated), "--store", str(store)]) == 0
    assert "triples" in capsys.readouterr().out
    on_disk = backends.open_store(store, read_only=True)
    in_memory = load([generated])
    assert _case_count(on_disk) == _case_count(in_memory) == 30
    assert set(on_disk.subjects(RDF.type, CG.Organisation)) == \
        set(in_memory.subjects(RDF.type, CG.Organisation))
    assert _case_count(open_graph(store=str(store))) == 30


def test_load_adds_to_a_store_without_duplicating_the_ontology(tmp_path, generated):
    store = tmp_path / "store"
    backends.load_store([generated], store, progress=False)
    before = _triples(store)
    backends.load_store([generated], store, progress=False)
    assert _triples(store) == before


def test_a_load_of_a_large_part_of_the_store_compacts_it(tmp_path, generated, monkeypatch):
    """A bulk load leaves overlapping files that every read looks in: a load that brings in a
    quarter or more of the store's cases compacts the store (the first load always); one case
    added to thirty does not, and the answers are the same either way."""
    from chaingraph.graph import case_files

    compacted: list[int] = []
    real = backends._compact

    def spy(store, progress):
        compacted.append(backends._count(store, backends._CASES))
        real(store, progress)

    monkeypatch.setattr(backends, "_compact", spy)
    store = tmp_path / "store"
    backends.load_store([generated], store, progress=False)
    assert compacted == [30]
    before = _triples(store)
    backends.load_store([generated], store, progress=False)  # the thirty again: replaced
    assert compacted == [30, 30] and _triples(store) == before
    backends.load_store(case_files()[:1], store, progress=False)  # one case more
    assert compacted == [30, 30] and _case_count(backends.open_store(store)) == 31


def _broken_copy(generated: Path, tmp_path: Path) -> tuple[Path, int]:
    lines = generated.read_text().splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if "cg:caseId" in line and i > 200)
    lines[number] = '    cg:caseId "never closed ;\n'
    broken = tmp_path / "broken.ttl"
    broken.write_text("".join(lines))
    return broken, number + 1


def test_broken_line_stops_cleanly_and_leaves_the_store(tmp_path, generated, capsys):
    store = tmp_path / "store"
    backends.load_store([generated], store, progress=False)
    before = _triples(store)
    broken, line = _broken_copy(generated, tmp_path)
    assert main(["load", str(broken), "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert f"broken.ttl, line {line}" in err and err.count("\n") == 1
    assert _triples(store) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.ttl", "store"]


def test_broken_line_is_skipped_when_asked(tmp_path, generated, capsys):
    store = tmp_path / "store"
    broken, line = _broken_copy(generated, tmp_path)
    assert main(["load", str(broken), "--store", str(store), "--skip-bad-lines"]) == 0
    err = capsys.readouterr().err
    assert "Skipped 1 statement(s)" in err
    assert _case_count(backends.open_store(store)) == 29  # the broken case's own statement


def test_interrupted_load_leaves_the_store_as_it_was(tmp_path, generated, monkeypatch):
    store = tmp_path / "store"
    backends.load_store([generated], store, progress=False)
    before = _triples(store)
    real = backends.load_files

    def interrupted(target, files, **kwargs):
        real(target, list(files)[:1], **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(backends, "load_files", interrupted)
    with pytest.raises(KeyboardInterrupt):
        backends.load_store([generated], store, replace=True, progress=False)
    assert _triples(store) == before
    assert [p.name for p in tmp_path.iterdir()] == ["store"]


def test_missing_store_is_named(tmp_path):
    with pytest.raises(MissingPath):
        backends.open_store(tmp_path / "nothing")


def test_missing_file_is_named(tmp_path, capsys):
    assert main(["load", str(tmp_path / "nope.ttl"), "--store", str(tmp_path / "s")]) == 2
    assert "nope.ttl: no such file" in capsys.readouterr().err
