"""The SHACL-to-SPARQL compiler is a package of its own, laid out like the SHACL specification.

Read from the package's source: every module names the section of SHACL it compiles, and
together they cover the specification's sections; no module knows chaingraph's vocabulary
(no ontology, case, person or shapes IRI, no ``cg:``) or imports chaingraph beyond its
error base and the SPARQL tokenizer; no module uses a private name of another library
(oxrdflib's ``_converter`` and the like); the public API is ``__all__``, sorted.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

import chaingraph.shacl2sparql as compiler
from chaingraph.namespace import CASE, PREFIXES

PACKAGE = Path(compiler.__file__).parent
MODULES = sorted(PACKAGE.glob("*.py"))
SECTIONS = sorted(p for p in MODULES if p.name != "__init__.py")

# A section of https://www.w3.org/TR/shacl/ as a docstring names it: "SHACL 4.2 (...)",
# "SHACL 2.1.3 (...)", "SHACL Appendix A (...)".
SECTION = re.compile(r"SHACL (\d+(?:\.\d+)*|Appendix [A-D]) \(")

# The chaingraph modules the compiler may import: its error base and the message catalogue (a
# refusal is one sentence from the catalogue, its construct a phrase of compiler.toml) and
# the reader of SPARQL text.
ALLOWED_CHAINGRAPH = {"chaingraph.catalogue", "chaingraph.errors", "chaingraph.sparql_tokens"}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_the_package_has_its_modules():
    assert len(SECTIONS) >= 15, [p.name for p in SECTIONS]


@pytest.mark.parametrize("path", SECTIONS, ids=lambda p: p.stem)
def test_each_module_names_its_section_of_the_specification(path):
    docstring = ast.get_docstring(_tree(path)) or ""
    assert SECTION.search(" ".join(docstring.split())), (
        f"{path.name}: the module docstring names no section of SHACL:\n{docstring}")


def test_the_modules_cover_the_specification():
    named: set[str] = set()
    for path in SECTIONS:
        docstring = " ".join((ast.get_docstring(_tree(path)) or "").split())
        named |= set(SECTION.findall(docstring))
    expected = {"2.1", "2.1.3", "2.2", "2.3", "2.3.1", "3.2", "3.4", "3.4.2", "3.6",
                "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "4.8", "5", "6", "Appendix A"}
    assert expected <= named, sorted(expected - named)


def _chaingraph_iris() -> list[str]:
    iris = [str(namespace) for namespace in PREFIXES.values()] + [str(CASE)]
    chaingraph = [iri for iri in iris if "chaingraph" in iri]
    assert len(chaingraph) >= 4, iris  # the ontology, monitor, person and case namespaces
    return chaingraph + ["w3id.org/chaingraph", "urn:chaingraph"]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_no_module_knows_chaingraphs_vocabulary(path):
    text = path.read_text(encoding="utf-8")
    for iri in _chaingraph_iris():
        assert iri not in text, f"{path.name} names {iri}"
    assert not re.search(r"\bcg:", text), f"{path.name} names a cg: term"


def _imports(tree: ast.Module) -> list[tuple[str, list[str]]]:
    """(module, imported names) of every import of a module, also inside functions."""
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_chaingraph_is_imported_only_for_errors_texts_and_sparql_tokens(path):
    outside = {module for module, _ in _imports(_tree(path))
               if module.split(".")[0] == "chaingraph"
               and not module.startswith("chaingraph.shacl2sparql")}
    assert outside <= ALLOWED_CHAINGRAPH, f"{path.name} imports {sorted(outside)}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_no_private_name_of_another_library(path):
    tree = _tree(path)
    text = path.read_text(encoding="utf-8")
    assert "_converter" not in text, path.name
    libraries: set[str] = set()
    for module, names in _imports(tree):
        if module.startswith("chaingraph.shacl2sparql"):
            continue
        private = [n for n in names if n.startswith("_") and not n.startswith("__")]
        assert not private, f"{path.name} imports {private} from {module}"
        assert "._" not in module, f"{path.name} imports the private module {module}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            libraries |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id in libraries:
            assert not (node.attr.startswith("_") and not node.attr.startswith("__")), (
                f"{path.name}:{node.lineno} reads {node.value.id}.{node.attr}")


def test_the_public_api_is_all_sorted_and_importable():
    assert compiler.__all__ == sorted(compiler.__all__)
    for name in compiler.__all__:
        assert hasattr(compiler, name), name
    # What the rest of chaingraph imports from the compiler is public.
    used = {"Check", "CompiledShapes", "IllFormedShape", "Runner", "UnsupportedShape",
            "Violation", "combine", "compile_path", "compile_shapes", "instantiate", "key",
            "reference", "runner_for", "to_ox", "to_oxigraph", "validate"}
    assert used <= set(compiler.__all__), sorted(used - set(compiler.__all__))


@pytest.mark.parametrize("path", SECTIONS, ids=lambda p: p.stem)
def test_every_module_imports_on_its_own(path):
    module = importlib.import_module(f"chaingraph.shacl2sparql.{path.stem}")
    assert module.__doc__


def test_the_bundled_shapes_compile_to_the_same_text_in_every_process():
    """rdflib hands a parsed graph's triples back in an order that follows Python's string
    hashing: 16 of the 48 compiled checks had their patterns (and prefixes) in another order
    in each process. Two processes with other hash seeds now give the same text."""
    import os
    import subprocess
    import sys

    script = ("import hashlib\nfrom chaingraph.fastaudit import compile_case_by_case, load_shapes\n"
              "checks = compile_case_by_case(load_shapes()).checks\n"
              "print(len(checks), hashlib.sha256('\\n'.join(c.query for c in checks)"
              ".encode()).hexdigest())\n")
    outputs = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
               for seed in ("1", "2", "3")}
    assert len(outputs) == 1, outputs
    assert int(outputs.pop().split()[0]) > 40
