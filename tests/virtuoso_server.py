"""A real Virtuoso 7 SPARQL server for the tests, on 127.0.0.1 and free ports.

Virtuoso comes from Debian's package ``virtuoso-opensource-7-bin`` (the server
``virtuoso-t`` and its SQL client ``isql-vt``; ``make test`` installs it through
``.ci/system-deps``). No system service is used: :func:`start` writes a ``virtuoso.ini``
of its own in a temporary directory (database, log and lock files there, both ports on
127.0.0.1), starts the server in the foreground, loads the files into one named graph
with ``DB.DBA.TTLP_MT`` and returns the SPARQL endpoint URL with
``?default-graph-uri=<that graph>``, so a query without ``FROM`` sees the data as it
does on rdflib and Oxigraph. :func:`stop` stops the server by its process id.

The fixtures :func:`virtuoso` (the server) and :func:`virtuoso_endpoint` (its URL), both
of session scope, are registered in ``conftest.py``: every test module asks for them by
name (without importing them) and the server starts once per session. If Virtuoso is
missing or does not start, the tests that use it fail with the reason: they are never
skipped.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import oxigraph_server
import pytest

from chaingraph.graph import sources

GRAPH = "https://w3id.org/chaingraph/test-data"
"""The named graph the data goes into."""

SERVER, CLIENT = "virtuoso-t", "isql-vt"  # the names of Debian's binaries
INSTALL = ("install Debian's package virtuoso-opensource-7-bin (make system-deps, or "
           "apt-get install virtuoso-opensource-7-bin)")

# CaseMode = 2 is what Debian's own virtuoso.ini sets; without it (1, upper case) the
# SPARQL endpoint answers ASK as a one-row SELECT of __ASK_RETVAL instead of a boolean.
# ResultSetMaxRows is raised from Debian's 10,000 so that no answer is cut short.
INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort         = 127.0.0.1:{sql_port}
DisableUnixSocket  = 1
DisableTcpSocket   = 0
CaseMode           = 2
MaxClientConnections = 10
CheckpointInterval = 0
NumberOfBuffers    = 10000
MaxDirtyBuffers    = 6000
ThreadsPerQuery    = 2
DirsAllowed        = ., {dir}
ThreadCleanupInterval = 0
ResourcesCleanupInterval = 0
AllowOSCalls       = 0

[HTTPServer]
ServerPort         = 127.0.0.1:{http_port}
ServerThreads      = 4
MaxClientConnections = 4
EnabledDavVSP      = 0
Charset            = UTF-8

[SPARQL]
ResultSetMaxRows   = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 0
"""


class VirtuosoError(RuntimeError):
    """Virtuoso is not installed, does not start, or does not load the data."""


@dataclass
class Server:
    """A running Virtuoso: its process, folder, SPARQL URL (with the graph) and ports."""

    process: subprocess.Popen
    directory: Path
    url: str
    sql_port: int
    http_port: int
    graphs: int = 0

    def endpoint(self, graph: str) -> str:
        """The SPARQL URL whose default graph is ``graph``."""
        query = urllib.parse.urlencode({"default-graph-uri": graph})
        return f"http://127.0.0.1:{self.http_port}/sparql?{query}"

    def load(self, files: Sequence[Path], graph: str | None = None) -> str:
        """Load ``files`` into ``graph`` (default: a new named graph); return its endpoint URL.

        For tests that need other data than the bundled cases beside them, e.g.
        ``server.load(sources([fixture]))`` for the ontology, monitor and one fixture.
        """
        if graph is None:
            self.graphs += 1
            graph = f"{GRAPH}/{self.graphs}"
        _load(self, files, graph)
        return self.endpoint(graph)

    def log(self, lines: int = 5) -> str:
        """The last lines of the server's log (or of its output), for a failure message."""
        for name in ("virtuoso.log", "virtuoso.out"):
            path = self.directory / name
            text = path.read_text(errors="replace").strip() if path.exists() else ""
            if text:
                return " | ".join(line.strip() for line in text.splitlines()[-lines:])
        return "(no log)"


def binaries() -> tuple[str, str]:
    """The paths of ``virtuoso-t`` and ``isql-vt``; VirtuosoError says how to install them."""
    server, client = shutil.which(SERVER), shutil.which(CLIENT)
    if not server or not client:
        missing = " and ".join(name for name, path in ((SERVER, server), (CLIENT, client))
                               if not path)
        raise VirtuosoError(f"Virtuoso is not installed ({missing} not found): {INSTALL}")
    return server, client


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ask(url: str, query: str, timeout: float = 5) -> dict:
    """POST ``query`` to the SPARQL endpoint ``url``; return the JSON answer."""
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode({"query": query}).encode(),
        headers={"Accept": "application/sparql-results+json",
                 "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def start(directory: Path, files: Sequence[Path], graph: str = GRAPH,
          timeout: float = 60) -> Server:
    """Start Virtuoso with its own ini in ``directory``, load ``files`` into ``graph``.

    Raises:
        VirtuosoError: not installed, did not start within ``timeout`` seconds, or a
            file did not load (with Virtuoso's own message).
    """
    server_binary, _ = binaries()
    directory = Path(directory).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(INI.format(dir=directory, sql_port=sql_port, http_port=http_port))
    with open(directory / "virtuoso.out", "wb") as output:  # the child keeps its own handle
        process = subprocess.Popen([server_binary, "+foreground", "+configfile", str(ini)],
                                   cwd=directory, stdin=subprocess.DEVNULL,
                                   stdout=output, stderr=subprocess.STDOUT)
    server = Server(process, directory, "", sql_port, http_port)
    server.url = server.endpoint(graph)
    try:
        _wait(server, f"http://127.0.0.1:{http_port}/sparql", timeout)
        _load(server, files, graph)
    except BaseException:
        stop(server)
        raise
    return server


def _wait(server: Server, base: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise VirtuosoError(f"Virtuoso exited with code {server.process.returncode} on start: "
                                f"{server.log()}")
        try:
            if ask(base, "ASK {}", timeout=2).get("boolean") is True:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
            pass
        time.sleep(0.2)
    raise VirtuosoError(f"Virtuoso did not answer SPARQL within {timeout:.0f} s: {server.log()}")


def _load(server: Server, files: Sequence[Path], graph: str) -> None:
    """Copy the files into the server's folder (the only one it may read) and load them."""
    _, client = binaries()
    data = server.directory / "data" / f"{server.graphs:03d}"
    data.mkdir(parents=True, exist_ok=True)
    statements = []
    for number, path in enumerate(files):
        copy = data / f"{number:03d}-{Path(path).name}"
        shutil.copyfile(path, copy)
        # One call per file: blank node labels are scoped to the file, as in rdflib and Oxigraph.
        statements.append(f"DB.DBA.TTLP_MT(file_to_string_output({_sql(str(copy))}), '', "
                          f"{_sql(graph)}, 0);")
    script = data / "load.sql"
    script.write_text("\n".join(statements + ["checkpoint;", ""]))
    done = subprocess.run([client, f"127.0.0.1:{server.sql_port}", "dba", "dba", str(script)],
                          capture_output=True, text=True, timeout=300, check=False)
    errors = [line for line in (done.stdout + done.stderr).splitlines() if "*** Error" in line]
    if done.returncode or errors:
        reason = errors[0] if errors else done.stderr.strip()
        raise VirtuosoError(f"Virtuoso did not load the data: {reason}")
    count = ask(server.endpoint(graph), "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    if files and int(count["results"]["bindings"][0]["n"]["value"]) == 0:
        raise VirtuosoError(f"Virtuoso loaded no triples into <{graph}>: {server.log()}")


def _sql(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def stop(server: Server) -> None:
    """Stop the server by its process id."""
    oxigraph_server.stop(server.process, timeout=30)


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A Virtuoso server holding the bundled ontology, monitor and example cases in :data:`GRAPH`.

    The data is :func:`chaingraph.graph.sources`, the same as ``chaingraph.load()`` and the
    Oxigraph server fixture hold; ``server.url`` is its endpoint, and ``server.load(files)``
    puts other data in a graph of its own and returns that graph's endpoint.
    """
    problem = None
    try:
        server = start(tmp_path_factory.mktemp("virtuoso"), sources())
    except (VirtuosoError, OSError, subprocess.SubprocessError) as exc:
        problem = str(exc)
    if problem is not None:  # a failure, never a skip: Virtuoso is part of the test setup
        pytest.fail(f"the Virtuoso server for the tests: {problem}", pytrace=False)
    try:
        yield server
    finally:
        stop(server)


@pytest.fixture(scope="session")
def virtuoso_endpoint(virtuoso: Server) -> str:
    """The SPARQL URL (``?default-graph-uri=`` included) of Virtuoso with the bundled data."""
    return virtuoso.url
