"""Malformed input, bad arguments and misbehaving servers: one sentence, exit 2, nothing changed.

Each family of issue 16 is built from a real example case, run through the commands that
read it on each way of reading (rdflib in memory, Oxigraph in memory, the file audit, a
store load), and must give exit code 2, one line on stderr that names the file and says
what to do (in English and Dutch), no traceback, and no store or file changed.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from chaingraph.cli import main
from chaingraph.graph import case_files

CASE = next(p for p in case_files() if p.name == "FX-001.ttl")
GOOD = CASE.read_bytes()


def _swap(old: bytes, new: bytes) -> Callable[[Path], bytes]:
    def build(_: Path) -> bytes:
        assert old in GOOD, old
        return GOOD.replace(old, new, 1)
    return build


_START = b'cg:startDate "2021-03-01"^^xsd:date'
_LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
           + "".join(f' <!ENTITY lol{i} "{("&lol" + str(i - 1 if i > 1 else "") + ";") * 10}">\n'
                     for i in range(1, 10))
           + ']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
           ' xmlns:cg="https://w3id.org/chaingraph/ontology#">\n'
           '<rdf:Description rdf:about="urn:x"><cg:caseId>&lol9;</cg:caseId></rdf:Description>\n'
           "</rdf:RDF>\n").encode()

# name: (file name, content, what the English sentence says, what the Dutch one says)
FAMILIES: dict[str, tuple[str, Callable[[Path], bytes], str, str]] = {
    "truncated-utf8": ("cut.ttl", lambda _: GOOD[:GOOD.index("—".encode()) + 1],
                       "is not UTF-8 text (byte 25); save it as UTF-8", "sla het op als UTF-8"),
    "latin-1": ("latin1.ttl", _swap("—".encode(), b"\xe9"),
                "is not UTF-8 text (byte 25); save it as UTF-8", "is geen UTF-8-tekst"),
    "binary": ("garbage.ttl", lambda _: bytes(range(256)) * 8, "is not a text file",
               "is geen tekstbestand"),
    "nul-in-literal": ("nul.ttl", _swap(b'"FX-001"', b'"FX-\x00001"'),
                       "holds a NUL byte", "bevat een NUL-byte"),
    "utf-16": ("utf16.ttl", lambda _: GOOD.decode().encode("utf-16"),
               "is UTF-16 text; save it as UTF-8", "is UTF-16-tekst"),
    "json-behind-ttl": ("json.ttl", lambda _: json.dumps({"@id": "urn:x"}).encode(),
                        "holds JSON-LD, not the Turtle its name (.ttl) says; rename it to end "
                        "in .jsonld", "hernoem het"),
    "xml-behind-ttl": ("xml.ttl", lambda _: b'<?xml version="1.0"?>\n<rdf:RDF/>\n',
                       "holds RDF/XML, not the Turtle", "bevat RDF/XML"),
    "impossible-date": ("feb30.ttl", _swap(_START, b'cg:startDate "2021-02-30"^^xsd:date'),
                        'line 35: cg:startDate takes a date, not "2021-02-30"^^xsd:date',
                        "regel 35: cg:startDate neemt een datum"),
    "month-13": ("month13.ttl", _swap(_START, b'cg:startDate "2021-13-01"^^xsd:date'),
                 'not "2021-13-01"^^xsd:date', "neemt een datum"),
    "yesterday": ("yesterday.ttl", _swap(_START, b'cg:startDate "yesterday"^^xsd:date'),
                  'not "yesterday"^^xsd:date', "neemt een datum"),
    "date-without-datatype": ("untyped.ttl", _swap(_START, b'cg:startDate "2021-03-01"'),
                              'line 35: cg:startDate takes a date, not "2021-03-01"; write a '
                              'real date as YYYY-MM-DD with its datatype, e.g. '
                              '"2021-03-01"^^xsd:date', "met het datatype"),
    "boolean-as-text": ("bool.ttl", _swap(b"cg:fictional true", b'cg:fictional "yes"'),
                        'line 35: cg:fictional takes true or false, not "yes"',
                        "neemt true of false"),
    "text-for-iri": ("iri.ttl", _swap(b"cg:riskLevel cg:RiskHigh", b'cg:riskLevel "high"'),
                     'cg:riskLevel takes a resource', "neemt een resource"),
    "iri-with-space": ("space.ttl", _swap(b"case/FX-001/>", b"case/FX 001/>"),
                       "line 30: ", "kan bevatten; schrijf"),
    "lone-surrogate": ("surrogate.ttl", _swap(b'"FX-001"', b'"FX-\\uD800"'),
                       "line 35: holds an escape of half a UTF-16 surrogate pair",
                       "regel 35: bevat een escape van een half UTF-16-surrogaatpaar"),
    "remote-context": ("remote.jsonld", lambda _: json.dumps(
        {"@context": "http://127.0.0.1:9/context.jsonld", "@id": "urn:x"}).encode(),
        "its JSON-LD @context is http://127.0.0.1:9/context.jsonld, which chaingraph does "
        "not fetch", "die chaingraph niet ophaalt"),
    "billion-laughs": ("laughs.rdf", lambda _: _LAUGHS, "line 4: declares the XML entity lol1 "
                       "built from other entities", "opgebouwd uit andere entiteiten"),
}

# Every family on both in-memory ways of reading; these also through the file audit and a load.
EVERYWHERE = ("latin-1", "nul-in-literal", "json-behind-ttl", "impossible-date",
              "date-without-datatype", "text-for-iri", "remote-context", "billion-laughs")


def _make(tmp_path: Path, family: str) -> Path:
    name, build, _, _ = FAMILIES[family]
    path = tmp_path / name
    path.write_bytes(build(tmp_path))
    return path


def _run(capsys, argv: list[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(argv)
    return code, capsys.readouterr().err


def _one_sentence(err: str) -> str:
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("how", ["memory", "oxigraph"])
def test_malformed_file_is_one_sentence_and_exit_2(tmp_path, capsys, family, how):
    path = _make(tmp_path, family)
    _, _, english, dutch = FAMILIES[family]
    argv = (["info", str(path)] if how == "memory" else
            ["export", "collaboration", "--format", "csv", "--backend", "oxigraph", str(path)])
    before = _tree(tmp_path)
    code, err = _run(capsys, argv)
    line = _one_sentence(err)
    assert code == 2, err
    assert str(path) in line and english in line, line
    if family == "iri-with-space":  # the same advice from either parser
        assert "holds the character ' ', which an IRI cannot hold" in line
    if dutch and how == "memory":
        code, err = _run(capsys, [*argv, "--lang", "nl"])
        assert code == 2 and dutch in _one_sentence(err), err
    assert _tree(tmp_path) == before


@pytest.mark.parametrize("family", EVERYWHERE)
def test_malformed_file_is_refused_by_the_file_audit(tmp_path, capsys, family):
    path = _make(tmp_path, family)
    code, err = _run(capsys, ["audit", str(path), "--engine", "sparql"])
    assert code == 2, err
    assert FAMILIES[family][2] in _one_sentence(err)


@pytest.mark.parametrize("family", EVERYWHERE)
def test_malformed_file_leaves_the_store_as_it_was(tmp_path, capsys, family):
    (tmp_path / "in").mkdir()
    path = _make(tmp_path / "in", family)
    store = tmp_path / "store"
    assert main(["load", "--store", str(store), "--no-base", str(CASE)]) == 0
    before = _tree(store)
    code, err = _run(capsys, ["load", "--store", str(store), str(path)])
    assert code == 2, err
    assert FAMILIES[family][2] in _one_sentence(err)
    assert _tree(store) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "store"]  # no temporary left


def test_end_before_start_is_a_finding_not_a_refusal(tmp_path, capsys):
    path = tmp_path / "backwards.ttl"
    path.write_bytes(GOOD.replace(b'cg:endDate "2021-10-29"^^xsd:date ; cg:riskLevel',
                                  b'cg:endDate "2021-01-29"^^xsd:date ; cg:riskLevel', 1))
    capsys.readouterr()
    assert main(["audit", str(path)]) == 1
    assert "dates-out-of-order" in capsys.readouterr().out


def test_upper_case_suffix_is_read_not_skipped(tmp_path, capsys):
    (tmp_path / "FX-901.TTL").write_bytes(GOOD.replace(b"FX-001", b"FX-901"))
    code, _ = _run(capsys, ["who", "FX-901", "--data", str(tmp_path)])
    assert code == 0


def test_dangling_symlink_says_where_it_points(tmp_path, capsys):
    link = tmp_path / "gone.ttl"
    link.symlink_to(tmp_path / "nowhere" / "x.ttl")
    for argv in (["info", str(link)], ["load", "--store", str(tmp_path / "s"), str(link)]):
        code, err = _run(capsys, argv)
        assert code == 2
        assert "is a symbolic link to" in _one_sentence(err) and "nowhere" in err
    assert not (tmp_path / "s").exists()


def test_a_pipe_as_input_is_refused_not_waited_on(tmp_path, capsys):
    fifo = tmp_path / "cases.ttl"
    os.mkfifo(fifo)
    code, err = _run(capsys, ["info", str(fifo)])
    assert code == 2 and "is not a regular file" in _one_sentence(err)


@pytest.mark.parametrize("how", ["memory", "oxigraph", "audit"])
def test_duplicate_case_ids_name_both_files(tmp_path, capsys, how):
    copy = tmp_path / "copy.ttl"
    copy.write_bytes(GOOD.replace(b"case/FX-001/", b"case/FX-001-copy/"))
    argv = {"memory": ["who", "FX-001", "--data", str(CASE), "--data", str(copy)],
            "oxigraph": ["who", "FX-001", "--backend", "oxigraph", "--data", str(CASE),
                         "--data", str(copy)],
            "audit": ["audit", str(CASE), str(copy), "--engine", "sparql"]}[how]
    code, err = _run(capsys, argv)
    line = _one_sentence(err)
    assert code == 2
    assert "case id FX-001 is also used in" in line
    assert str(CASE) in line and str(copy) in line


def test_a_huge_literal_is_bounded(tmp_path, capsys):
    path = tmp_path / "huge.ttl"
    path.write_bytes(GOOD.replace(b'cg:caseId "FX-001"', b'cg:caseId "FX-001" ; cg:periodNote "'
                                  + b"a" * (17 << 20) + b'"@en', 1))
    for argv in (["info", str(path)], ["load", "--store", str(tmp_path / "s"), str(path)]):
        code, err = _run(capsys, argv)
        assert code == 2
        assert "holds a value longer than 16 MiB" in _one_sentence(err)


def test_a_query_file_that_is_not_sparql_quotes_none_of_it(tmp_path, capsys):
    path = tmp_path / "secret.rq"
    path.write_text("# what it answers\nSELECT hunter2 password WHERE {{{\n")
    code, err = _run(capsys, ["query", str(path)])
    line = _one_sentence(err)
    assert code == 2 and "line 2: is not a SPARQL query" in line
    assert "hunter2" not in err and "password" not in err
    path.write_bytes(b"# what it answers\n\xff\xfe SELECT")
    code, err = _run(capsys, ["query", str(path)])
    assert code == 2 and "is not UTF-8 text" in _one_sentence(err)


# --- bad arguments ------------------------------------------------------------------------

WRITERS = {
    "monitor": ["monitor"],
    "audit": ["audit", str(CASE)],
    "query": ["query", "cases"],
    "raci": ["raci", "FX-001"],
    "export": ["export", "chain", "--format", "csv"],
    "generate": ["generate", "--cases", "2"],
}


@pytest.mark.parametrize("command", sorted(WRITERS))
@pytest.mark.parametrize("target", ["folder", "empty", "slash", "proc"])
def test_output_that_cannot_be_a_file_is_one_sentence(tmp_path, capsys, command, target):
    output = {"folder": str(tmp_path), "empty": "", "slash": str(tmp_path / "new") + "/",
              "proc": "/proc/chaingraph-test/out.txt"}[target]
    before = _tree(tmp_path)
    code, err = _run(capsys, [*WRITERS[command], "--output", output])
    line = _one_sentence(err)
    assert code == 2, err
    expected = {"folder": "is a folder; name a file in it", "empty": "--output is empty",
                "slash": "is a folder; name a file in it", "proc": "cannot write"}[target]
    assert expected in line
    assert _tree(tmp_path) == before and not (tmp_path / "new").exists()


def test_output_to_a_device_or_fifo_writes_through(tmp_path, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, _ = _run(capsys, ["query", "cases", "--format", "csv", "--output", str(fifo)])
    reader.join(30)
    assert code == 0 and got and got[0].startswith(b"case")
    assert fifo.is_fifo()
    if os.access("/dev/null", os.W_OK):
        code, _ = _run(capsys, ["query", "cases", "--output", "/dev/null"])
        assert code == 0 and Path("/dev/null").is_char_device()


def test_output_to_a_symlink_writes_its_target_and_says_so(tmp_path, capsys):
    target = tmp_path / "real.csv"
    target.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    code, err = _run(capsys, ["query", "cases", "--format", "csv", "--output", str(link)])
    assert code == 0
    assert link.is_symlink() and target.read_text().startswith("case")
    assert f"{link} is a symbolic link: writing its target {target}" in _one_sentence(err)


@pytest.mark.parametrize("argv", [
    ["who", "FX-001", "--store", ""], ["who", "FX-001", "--endpoint", ""],
    ["who", "FX-001", "--at", ""], ["chain", "FX-001", "--at", ""], ["audit", "--at", ""],
    ["raci", "FX-001", "--at", ""], ["export", "chain", "--format", "csv", "--store", " "],
])
def test_empty_values_are_refused_not_taken_for_the_default(capsys, argv):
    code, err = _run(capsys, argv)
    assert code == 2
    option = next(a for a in argv if a.startswith("--") and a != "--format")
    assert f"{option} is empty" in _one_sentence(err)


@pytest.mark.parametrize("url", ["http://[::1", "http://host:99999/sparql", "http://a b/sparql",
                                 "ftp://example.org/sparql", "sparql"])
def test_endpoint_that_is_no_url_is_one_sentence(capsys, url):
    code, err = _run(capsys, ["who", "FX-001", "--endpoint", url])
    assert code == 2 and "the endpoint must be an http:// or https:// URL" in _one_sentence(err)


def test_store_option_on_a_folder_that_is_no_store(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("not a store")
    before = _tree(tmp_path)
    for argv in (["who", "FX-001", "--store", str(tmp_path)],
                 ["load", "--store", str(tmp_path), str(CASE)]):
        code, err = _run(capsys, argv)
        assert code == 2 and "is not a store folder" in _one_sentence(err)
    assert _tree(tmp_path) == before


def test_generate_cases_is_bounded(tmp_path, capsys):
    out = tmp_path / "cases.ttl"
    code, err = _run(capsys, ["generate", "--cases", "99999999999999999999999",
                              "--output", str(out)])
    assert code == 2 and "must be at most 10000000" in _one_sentence(err)
    code, err = _run(capsys, ["generate", "--cases", "99999999999999999999999", "--lang", "nl"])
    assert code == 2 and "mag hoogstens 10000000" in _one_sentence(err)
    assert list(tmp_path.iterdir()) == []


# --- servers that misbehave -----------------------------------------------------------------


@contextlib.contextmanager
def _silent_server(answer_ask: bool) -> Iterator[str]:
    """A server on 127.0.0.1 that accepts and never answers (after ASK {}, if ``answer_ask``)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        answered = not answer_ask
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            held.append(conn)
            if not answered:
                answered = True
                conn.recv(65536)
                body = b'{"head": {}, "boolean": true}'
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json"
                             b"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
                             % (len(body), body))
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    finally:
        stop.set()
        listener.close()
        for conn in held:
            conn.close()


@pytest.mark.parametrize("answer_ask", [False, True])
def test_a_server_that_never_answers_times_out(capsys, answer_ask):
    with _silent_server(answer_ask) as url:
        started = time.monotonic()
        code, err = _run(capsys, ["who", "FX-001", "--endpoint", url, "--timeout", "1"])
        waited = time.monotonic() - started
    assert code == 2
    assert f"the SPARQL endpoint at {url} did not answer within 1 s" in _one_sentence(err)
    assert waited < 30  # bounded: the test itself must end


def test_the_timeout_comes_from_the_environment(capsys, monkeypatch):
    monkeypatch.setenv("CHAINGRAPH_TIMEOUT", "0.5")
    with _silent_server(False) as url:
        code, err = _run(capsys, ["who", "FX-001", "--endpoint", url, "--lang", "nl"])
    assert code == 2 and "antwoordde niet binnen 0.5 s" in _one_sentence(err)
    monkeypatch.setenv("CHAINGRAPH_TIMEOUT", "never")
    code, err = _run(capsys, ["who", "FX-001", "--endpoint", "http://127.0.0.1:9/sparql"])
    assert code == 2 and "the timeout 'never' is not a number" in _one_sentence(err)


class _NoData(BaseHTTPRequestHandler):
    """A SPARQL endpoint that holds nothing: every ASK is false."""

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b'{"head": {}, "boolean": false}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def _serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A fake SPARQL endpoint answered by ``handler`` on 127.0.0.1: its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()
        server.server_close()


def test_audit_of_an_endpoint_or_store_without_cases_says_so(tmp_path, capsys):
    with _serving(_NoData) as url:
        code, err = _run(capsys, ["audit", "--endpoint", url, "--timeout", "10"])
    assert code == 2 and f"{url} holds no cases, so there is nothing to audit" in _one_sentence(err)
    store = tmp_path / "store"
    assert main(["load", "--store", str(store), "--no-base",
                 *[str(p) for p in sorted((CASE.parents[1] / "monitor").glob("*.ttl"))]]) == 0
    code, err = _run(capsys, ["audit", "--store", str(store), "--lang", "nl"])
    assert code == 2 and "bevat geen casussen" in _one_sentence(err)


def test_writing_where_nothing_can_be_written_is_one_sentence(tmp_path):
    from chaingraph.errors import BadParameter
    from chaingraph.output import write_atomic

    with pytest.raises(BadParameter, match=r"^cannot write /proc/chaingraph-test/x\.txt \("):
        write_atomic("/proc/chaingraph-test/x.txt", "x")
    blocker = tmp_path / "file"
    blocker.write_text("a file, not a folder")
    with pytest.raises(BadParameter, match="cannot write"):
        write_atomic(blocker / "x.txt", "x")
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_utf8_with_a_byte_order_mark_is_read_everywhere(tmp_path, capsys):
    path = tmp_path / "notepad.ttl"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD)
    for argv in (["who", "FX-001", "--data", str(path)],
                 ["who", "FX-001", "--backend", "oxigraph", "--data", str(path)],
                 ["audit", str(path), "--engine", "sparql", "--at", "2021-06-01"]):
        code, err = _run(capsys, argv)
        assert code == 0, err


def test_a_killed_generate_leaves_a_file_the_next_run_removes_and_names(tmp_path, capsys):
    """SIGKILL leaves `generate`'s temporary file (nothing can remove it then); the next write
    to the same file removes it, says so on stderr, and leaves a live run's file alone."""
    import signal
    import subprocess
    import sys

    target = tmp_path / "cases.ttl"
    child = subprocess.Popen([sys.executable, "-m", "chaingraph", "generate", "--cases", "200000",
                              "--output", str(target)], stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".cases.ttl.*.tmp")) and time.monotonic() < deadline:
            time.sleep(0.05)
        [left] = tmp_path.glob(".cases.ttl.*.tmp")
        assert f".cases.ttl.{child.pid}." in left.name
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert left.exists() and not target.exists()  # what SIGKILL leaves behind
    live = tmp_path / f".cases.ttl.{os.getpid()}.abc123.tmp"  # a run still writing
    live.write_text("")
    assert main(["generate", "--cases", "2", "--output", str(target)]) == 0
    err = capsys.readouterr().err
    assert not left.exists() and live.exists() and target.exists()
    assert str(left) in err and f"pid {child.pid}" in err


def test_generate_to_dev_null_writes_no_flaws_file_into_dev(capsys):
    before = set(os.listdir("/dev"))
    assert main(["generate", "--cases", "3", "--output", "/dev/null"]) == 0
    assert not Path("/dev/null.flaws.json").exists() and set(os.listdir("/dev")) <= before


def test_an_impossible_date_already_in_a_store_is_one_sentence_in_who(tmp_path, capsys):
    """A store written by another tool can hold 2021-02-30 (no file check saw it): `who`
    names the node and the date instead of crashing with a TypeError."""
    import pyoxigraph as ox

    from chaingraph.backends import load_store

    store = tmp_path / "store"
    load_store([next(p for p in case_files() if p.stem == "FX-005")], store, progress=False)
    native = ox.Store(str(store))
    start = ox.NamedNode("https://w3id.org/chaingraph/ontology#startDate")
    node = ox.NamedNode("https://w3id.org/chaingraph/case/FX-005/own-risk-1")
    [old] = list(native.quads_for_pattern(node, start, None, ox.DefaultGraph()))
    native.remove(old)
    native.add(ox.Quad(node, start, ox.Literal("2021-02-30", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#date"))))
    native.flush()
    del native
    assert main(["who", "FX-005", "--store", str(store), "--at", "2021-06-20"]) == 2
    err = capsys.readouterr().err
    assert "own-risk-1" in err and '"2021-02-30"' in err and "takes a date" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_query_file_with_service_is_refused_before_any_network_call(tmp_path, capsys):
    query = tmp_path / "elsewhere.rq"
    query.write_text("# Owners from elsewhere\nSELECT * WHERE {\n"
                     "  SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o }\n}\n", encoding="utf-8")
    assert main(["query", str(query)]) == 2
    err = capsys.readouterr().err
    assert "uses SERVICE" in err and len(err.strip().splitlines()) == 1
    allowed = tmp_path / "fine.rq"  # the word in a comment or string is no SERVICE call
    allowed.write_text('# Not a SERVICE\nSELECT ?x WHERE { BIND("SERVICE" AS ?x) }\n',
                       encoding="utf-8")
    assert main(["query", str(allowed)]) == 0



class _Copied(BaseHTTPRequestHandler):
    """A SPARQL endpoint that says it holds ``triples`` triples and answers a CONSTRUCT with
    ``answer`` (its body and content type)."""

    answer: tuple[bytes, str] = (b"", "text/plain")
    triples = 10

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        from urllib.parse import parse_qs

        form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode())
        query = form.get("query", [""])[0]
        kind = "application/sparql-results+json"
        if "n-triples" in (self.headers.get("Accept") or ""):
            body, kind = self.answer
        elif query.lstrip().upper().startswith("ASK") or "\nASK" in query:
            body = b'{"head": {}, "boolean": true}'
        elif "COUNT" in query:
            body = (b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": '
                    b'"literal", "value": "%d", "datatype": '
                    b'"http://www.w3.org/2001/XMLSchema#integer"}}]}}' % self.triples)
        else:
            body = b'{"head": {"vars": []}, "results": {"bindings": []}}'
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


_NO_RDF = (b"<html><body>Welcome to nginx!</body></html>", "text/html")
_SHORT = (b"<urn:x:a> <urn:x:p> <urn:x:b> .\n<urn:x:a> <urn:x:p> <urn:x:c> .\n",
          "application/n-triples")


@pytest.mark.parametrize(("answer", "lang", "words"), [
    (_NO_RDF, "en", "answered it with something that is not SPARQL"),
    (_SHORT, "en", "gave 2 triples in one answer where it holds 10, so the audit would be "
                   "incomplete"),
    (_SHORT, "nl", "gaf 2 triples in één antwoord terwijl het er 10 bevat")])
def test_an_endpoint_copy_that_is_no_rdf_or_cut_short_is_one_sentence(answer, lang, words,
                                                                      capsys):
    """The audit copies an endpoint of a few million triples into memory in one answer: an
    answer that is no RDF, or holds fewer triples than the endpoint counts (a server may cut
    an answer short without a word), is refused in one sentence, never audited in part."""
    with _serving(type("Handler", (_Copied,), {"answer": answer})) as url:
        code, err = _run(capsys, ["audit", "--endpoint", url, "--timeout", "10",
                                  "--lang", lang])
    assert code == 2 and url in _one_sentence(err) and words in err, err


def test_an_endpoint_that_answers_the_copy_in_turtle_is_audited_as_its_file(capsys):
    """A server may answer a CONSTRUCT in Turtle rather than N-Triples: the copy reads it as
    written, and the audit gives the findings of the same case read from its file."""
    import pyoxigraph

    case = next(p for p in case_files() if p.name == "FX-005.ttl")  # a gap: findings
    text = case.read_bytes()
    triples = len(pyoxigraph.Dataset(pyoxigraph.parse(text, pyoxigraph.RdfFormat.TURTLE)))
    handler = type("Handler", (_Copied,), {"answer": (text, "text/turtle"), "triples": triples})
    with _serving(handler) as url:
        capsys.readouterr()
        code = main(["audit", "--endpoint", url, "--at", "2022-04-01", "--format", "json"])
        found, err = capsys.readouterr()
    assert "Traceback" not in err, err
    assert main(["audit", str(case), "--at", "2022-04-01", "--format", "json"]) == 1
    expected = capsys.readouterr().out
    assert code == 1, err
    assert json.loads(found)["cases"] == json.loads(expected)["cases"], err
