"""Bad input gets one clear sentence and exit code 2, never a traceback."""

from __future__ import annotations

import chaingraph
from chaingraph import __all__ as public
from chaingraph.cli import main


def test_version_and_help(capsys):
    assert main(["--version"]) == 0
    assert "chaingraph" in capsys.readouterr().out
    assert main(["--help"]) == 0
    assert "info" in capsys.readouterr().out


def test_no_command_is_usage_error(capsys):
    assert main([]) == 2


def test_unknown_command_is_usage_error(capsys):
    assert main(["frobnicate"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_files_may_follow_the_options(capsys):
    from chaingraph.graph import case_files

    paths = [str(p) for p in case_files()]
    assert main(["export", "collaboration", *paths, "--format", "csv"]) == 0
    before = capsys.readouterr().out
    assert main(["export", "collaboration", "--format", "csv", *paths]) == 0
    assert capsys.readouterr().out == before
    # what is neither a file of a command that takes files nor an option stays an error
    assert main(["who", "FX-001", "FX-002"]) == 2
    assert main(["export", "collaboration", "--format", "csv", paths[0], "--frobnicate"]) == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def test_info_on_bundled_data(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "Organisations:" in out and "Cases:" in out


def test_info_in_dutch(capsys):
    assert main(["info", "--lang", "nl"]) == 0
    assert "Organisaties:" in capsys.readouterr().out


def test_broken_turtle_names_file_and_line(tmp_path, capsys):
    bad = tmp_path / "broken.ttl"
    bad.write_text("@prefix cg: <https://w3id.org/chaingraph/ontology#> .\n\n"
                   "<urn:x> a cg:Case ;\n    cg:caseId \"X\" \n<urn:y> a cg:Case .\n")
    assert main(["info", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "broken.ttl, line 5" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_missing_path(tmp_path, capsys):
    assert main(["info", str(tmp_path / "nope.ttl")]) == 2
    err = capsys.readouterr().err
    assert "nope.ttl: no such file or directory" in err


def test_unknown_term_is_named_with_a_suggestion(tmp_path, capsys):
    bad = tmp_path / "typo.ttl"
    bad.write_text("@prefix cg: <https://w3id.org/chaingraph/ontology#> .\n"
                   "<urn:x> a cg:Case ; cg:riskLevel cg:RiskHihg .\n")
    assert main(["info", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "typo.ttl: uses cg:RiskHihg, which the ontology does not declare" in err
    assert "cg:RiskHigh" in err


def test_public_api_is_exactly_all():
    exposed = {name for name in vars(chaingraph) if not name.startswith("_")} | {"__version__"}
    modules = {name for name, value in vars(chaingraph).items() if type(value).__name__ == "module"}
    assert public == sorted(public)
    eager = exposed - modules - {"__getattr__", "__dir__"}
    assert set(public) == eager | set(chaingraph._LAZY)
    for name in public:
        assert getattr(chaingraph, name) is not None


def test_importing_chaingraph_loads_no_heavy_library():
    import subprocess
    import sys

    code = ("import sys, chaingraph; heavy = [m for m in ('pyshacl', 'owlready2', 'networkx') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
