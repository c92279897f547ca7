"""Shared fixtures: the real ontology, monitor data and cases, loaded once per session."""

from __future__ import annotations

import pytest
from rdflib import Graph

from chaingraph import load
from chaingraph.graph import case_files


@pytest.fixture(scope="session")
def graph() -> Graph:
    """The bundled ontology, monitor data and example cases in one graph (read-only!)."""
    return load()


@pytest.fixture(scope="session")
def case_paths():
    paths = case_files()
    assert paths, "no example cases found in data/cases"
    return paths


# A Virtuoso 7 SPARQL server (tests/virtuoso_server.py), started once per session by the
# first test that asks for ``virtuoso`` or ``virtuoso_endpoint``; registered here so that
# every module can use them by name without importing them (an import would start a
# server per module).
# Headless Chromium for the browser tests (tests/chromium.py), one for the session.
from chromium import browser  # noqa: E402, F401 - fixture
from virtuoso_server import virtuoso, virtuoso_endpoint  # noqa: E402, F401 - fixtures
