"""The front door and the documentation site.

The README stays a front door (short, the two commands, real output); the generated reference
pages list every rule, query and ontology term from the files themselves; and the site builds
with ``mkdocs build --strict``. The Python examples of the README and of ``docs/`` run as
doctests through pytest's ``--doctest-glob`` (see pyproject.toml).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from chaingraph.shapes import load_shapes, rules

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def _load_pages():
    spec = importlib.util.spec_from_file_location("chaingraph_docs_pages",
                                                  ROOT / "docs/gen/pages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pages = _load_pages()


# --------------------------------------------------------------------------- the README


def test_readme_is_a_front_door():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 220, "the README is a front door; the manual is in docs/"
    assert "make demo" in text and "make test" in text
    assert ">>> " in text, "the README keeps at least one Python example that runs as a doctest"
    assert "--lang nl" in text and "make docs" in text


def test_readme_links_point_at_pages_that_exist():
    text = README.read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text)
    assert links, "the README links into the documentation"
    for link in links:
        assert (ROOT / link).is_file(), f"README links to {link}, which does not exist"


def _readme_commands() -> list[tuple[str, str]]:
    """Every ``$ chaingraph ...`` line of the README's text blocks with the output below it."""
    text = README.read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"```text\n(.*?)```", text, flags=re.S):
        lines = block.rstrip("\n").split("\n")
        starts = [i for i, line in enumerate(lines) if line.startswith("$ chaingraph ")]
        for n, start in enumerate(starts):
            end = starts[n + 1] if n + 1 < len(starts) else len(lines)
            found.append((lines[start][2:], "\n".join(lines[start + 1:end]).rstrip()))
    return found


README_COMMANDS = _readme_commands()


def test_readme_shows_commands():
    shown = [command for command, _ in README_COMMANDS]
    assert "chaingraph who FX-005 --at 2021-06-20" in shown
    assert any(command.startswith("chaingraph audit") for command in shown)


@pytest.mark.parametrize(("command", "expected"), README_COMMANDS,
                         ids=[command for command, _ in README_COMMANDS])
def test_readme_output_is_real(command, expected):
    """What the README shows a command print is what it prints (stdout, then stderr)."""
    argv = shlex.split(command)[1:]
    done = subprocess.run([sys.executable, "-m", "chaingraph", *argv], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1, 2), done.stderr
    if done.returncode == 2:
        assert "Traceback" not in done.stderr
    shown = (done.stdout + done.stderr).rstrip()
    assert shown == expected, f"README output of '{command}' is out of date:\n{shown}"


def test_readme_bad_input_is_exit_code_2():
    done = subprocess.run([sys.executable, "-m", "chaingraph", "who", "FX-05"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert done.stdout == "" and "FX-05" in done.stderr and "Traceback" not in done.stderr


# --------------------------------------------------------------------------- generated pages


def test_rule_catalogue_lists_every_rule_in_both_languages():
    page = pages.rules_page(ROOT)
    found = rules(load_shapes())
    assert found, "no rules read from shapes/"
    for rule in found.values():
        assert f"`{rule.name}`" in page, rule.name
        for lang in ("en", "nl"):
            for texts in (rule.labels, rule.messages, rule.actions):
                assert lang in texts, f"{rule.name} has no {lang} text"
                assert pages.escape(texts[lang]) in page, f"{rule.name}: {texts[lang]}"


def test_query_page_lists_every_query():
    page = pages.queries_page(ROOT)
    files = sorted((ROOT / "queries").glob("*.rq"))
    assert files, "no queries read from queries/"
    for path in files:
        description, params = pages.query_headers(path)
        assert description, f"{path.name} has no first-line description"
        assert f"## `{path.stem}`" in page
        assert pages.escape(description) in page
        for name, _what, _kind in params:
            assert f"`{name}`" in page


def test_ontology_page_lists_every_term_in_both_languages():
    page = pages.ontology_page(ROOT)
    graph = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        graph.parse(path)
    cg = "https://w3id.org/chaingraph/ontology#"
    terms = {s for s in graph.subjects(RDFS.label, None)
             if isinstance(s, URIRef) and str(s).startswith(cg)}
    assert len(terms) > 50
    for term in terms:
        if f"`cg:{term[len(cg):]}`" not in page:
            raise AssertionError(f"cg:{term[len(cg):]} is not on the ontology page")
        for label in graph.objects(term, RDFS.label):
            assert isinstance(label, Literal) and pages.escape(label) in page, label


def test_api_page_names_modules_that_exist():
    for module in pages.API_MODULES:
        assert importlib.util.find_spec(module) is not None, f"{module} is gone: update docs/gen"


@pytest.mark.slow
def test_site_builds_strict(tmp_path):
    """``make docs``: the whole site builds with --strict (no broken link, no bad docstring)."""
    site = tmp_path / "site"
    quiet = {"NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}  # banners
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                           str(site)], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, **quiet})
    assert done.returncode == 0, done.stderr[-4000:]
    rules_html = (site / "reference" / "rules" / "index.html").read_text(encoding="utf-8")
    for rule in rules(load_shapes()).values():
        assert rule.name in rules_html
    queries_html = (site / "reference" / "queries" / "index.html").read_text(encoding="utf-8")
    for path in (ROOT / "queries").glob("*.rq"):
        assert path.stem in queries_html
    assert (site / "reference" / "api" / "index.html").is_file()
    assert (site / "benchmark" / "index.html").is_file()
    assert not list(ROOT.glob("docs/reference/*.md")), "generated pages are never written to docs/"
