"""The command line is a package of its own: one module per command, the only one that prints.

Every command's ``--help`` exists in English and Dutch; ``--lang nl`` anywhere on the command
line gives the whole help, argparse's own phrases included, in Dutch.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import chaingraph
from chaingraph import cli
from chaingraph.cli import COMMANDS, main
from chaingraph.errors import ChaingraphError

PACKAGE = Path(chaingraph.__file__).resolve().parent
LIBRARY = sorted(p for p in PACKAGE.rglob("*.py") if "cli" not in p.relative_to(PACKAGE).parts)
# The progress bars draw on stderr from inside the library, as they may.
STREAMS_ALLOWED = {"progress.py"}


def test_the_library_is_there_to_check():
    assert len(LIBRARY) > 20 and PACKAGE / "backends.py" in LIBRARY


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_library_module_reads_the_command_line_or_prints(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names
                      if a.name.split(".")[0] == "argparse"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "argparse":
            found.append(f"line {node.lineno}: from argparse import ...")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "print":
            found.append(f"line {node.lineno}: print(...)")
        elif isinstance(node, ast.Attribute) and node.attr in ("stdout", "stderr") \
                and isinstance(node.value, ast.Name) and node.value.id == "sys" \
                and path.name not in STREAMS_ALLOWED:
            found.append(f"line {node.lineno}: sys.{node.attr}")
    assert not found, f"{path.name}: " + "; ".join(found)


def test_commands_are_not_empty():
    assert set(COMMANDS) >= {"info", "monitor", "reason", "audit", "query", "who", "chain", "raci",
                             "export", "generate", "load", "serve", "users", "case"}
    assert len(set(COMMANDS)) == len(COMMANDS) and set(cli.available()) == set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_is_the_module_of_its_name(name):
    module = importlib.import_module(f"chaingraph.cli.{name}")
    assert callable(module.add_arguments) and callable(module.run)
    assert cli.module_name(name) == module.__name__
    parser = argparse.ArgumentParser()
    module.add_arguments(parser)  # English by default, as the brief form add_arguments(parser)


def _help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


@pytest.mark.parametrize("name", COMMANDS)
def test_every_help_in_english_and_dutch(name, capsys):
    english = _help([name, "--help"], capsys)
    dutch = _help([name, "--help", "--lang", "nl"], capsys)
    assert english != dutch
    assert english.startswith("usage: chaingraph " + name)
    assert dutch.startswith("gebruik: chaingraph " + name)
    assert "options:" in english and "opties:" in dutch
    assert "show this help message" not in dutch and "toon deze hulp" in dutch
    assert _help(["--lang", "nl", name, "--help"], capsys) == dutch  # --lang anywhere


def test_the_program_help_in_dutch_lists_the_commands_in_dutch(capsys):
    english = _help(["--help"], capsys)
    dutch = _help(["--lang=nl", "--help"], capsys)
    assert "who is responsible for what in a case" in english
    assert "wie waarvoor verantwoordelijk is in een casus" in dutch
    assert "Exit codes: 0 fine, 1 findings, 2" in english
    assert "Exitcodes: 0 in orde, 1 bevindingen, 2" in dutch
    assert "OPDRACHT" in dutch and "COMMAND" not in dutch


def test_the_shared_option_groups_are_translated_too(capsys):
    dutch = _help(["who", "--help", "--lang", "nl"], capsys)
    assert "waar de graaf staat" in dutch and "het casusnummer" in dutch


@pytest.mark.parametrize(("argv", "english", "dutch"), [
    (["frobnicate"], "invalid choice: 'frobnicate'", "ongeldige keuze: 'frobnicate'"),
    (["who"], "the following arguments are required: CASE",
     "deze argumenten zijn verplicht: CASUS"),
    (["who", "FX-001", "--format", "xml"], "invalid choice: 'xml'", "ongeldige keuze: 'xml'"),
    (["who", "FX-001", "FX-002"], "unrecognized arguments: FX-002", "onbekende argumenten: FX-002"),
])
def test_usage_errors_are_one_line_and_exit_2_in_either_language(argv, english, dutch, capsys):
    for lang, says in (("en", english), ("nl", dutch)):
        assert main([*argv, "--lang", lang]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert says in captured.err, captured.err
        assert captured.err.count("\n") == 1, captured.err


def test_argparse_speaks_english_again_after_a_dutch_run(capsys):
    assert main(["who", "--lang", "nl"]) == 2
    capsys.readouterr()
    assert main(["who"]) == 2
    assert "the following arguments are required" in capsys.readouterr().err


def test_an_error_says_its_sentence_in_the_chosen_language():
    class Translated(ChaingraphError):
        def text(self, lang: str) -> str:
            return {"en": "in English", "nl": "in het Nederlands"}[lang]

    assert cli.message(Translated("plain"), "nl") == "in het Nederlands"
    assert cli.message(ChaingraphError("plain"), "nl") == "plain"  # str(exc) when it cannot


def test_a_bad_date_is_one_sentence_naming_the_command(capsys):
    assert main(["who", "FX-001", "--at", "2024-13-01"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("chaingraph who: ") and err.count("\n") == 1


def test_a_command_imports_only_its_own_module():
    code = ("import sys; from chaingraph.cli import main; main(['info', '--help']); "
            "print(sorted(m for m in sys.modules if m.startswith('chaingraph.cli.')), "
            "'networkx' in sys.modules, 'chaingraph.export' in sys.modules, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr.strip() == ("['chaingraph.cli.console', 'chaingraph.cli.info', "
                                   "'chaingraph.cli.options'] False False"), done.stderr


def test_a_bug_is_one_sentence_and_the_traceback_is_there_on_request(monkeypatch, capsys):
    """Never a traceback, even for a bug of ours; CHAINGRAPH_DEBUG=1 shows where it was."""
    import chaingraph.cli.info as info_command

    def broken(args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(info_command, "run", broken)
    monkeypatch.delenv("CHAINGRAPH_DEBUG", raising=False)
    assert cli.main(["info"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("chaingraph info: internal error (ZeroDivisionError: division by zero)")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert cli.main(["info", "--lang", "nl"]) == 2
    assert "interne fout" in capsys.readouterr().err
    monkeypatch.setenv("CHAINGRAPH_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        cli.main(["info"])
