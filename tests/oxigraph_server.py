"""A real Oxigraph SPARQL server for the tests, on 127.0.0.1 and a free port.

The ``oxigraph`` package (a test dependency) ships the server binary. The data is
loaded with ``oxigraph load`` before the server starts; the server is stopped by its
process id. Import the fixture into a test module: ``from oxigraph_server import
oxigraph_endpoint``.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from chaingraph.graph import sources


def oxigraph_binary() -> str:
    """The ``oxigraph`` command of this environment."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    assert found, "the oxigraph server is not installed (pip install oxigraph)"
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(location: Path, files: Sequence[Path]) -> tuple[subprocess.Popen, str]:
    """Load ``files`` into a new store at ``location``, serve it; return (process, query URL)."""
    binary = oxigraph_binary()
    for path in files:
        subprocess.run([binary, "load", "--location", str(location), "--file", str(path)],
                       check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen([binary, "serve-read-only", "--location", str(location),
                                "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"oxigraph serve exited: {process.stderr.read().decode()}")
        try:
            with urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=1):
                return process, url
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    stop(process)
    raise RuntimeError("oxigraph serve did not answer within 30 s")


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    """Stop a server by its process id (killed after ``timeout`` seconds)."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def oxigraph_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The SPARQL query URL of an Oxigraph server with the bundled ontology, monitor and cases."""
    location = tmp_path_factory.mktemp("oxigraph-server") / "store"
    process, url = start(location, sources())
    try:
        yield url
    finally:
        stop(process)
