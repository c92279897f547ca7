"""A real, non-editable install: build the wheel, install it into a fresh virtual
environment and run ``chaingraph`` from another directory.

The new environment gets chaingraph only from the wheel (``--no-deps``); its
dependencies (rdflib, owlready2, ...) come from the project's ``.venv`` through a
``.pth`` line, which puts that folder on ``sys.path`` without processing the ``.pth``
files in it, so the editable install of ``src/`` there stays invisible.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from chaingraph import load
from chaingraph.graph import case_files
from chaingraph.info import summarise
from chaingraph.monitor import sections

ROOT = Path(__file__).resolve().parents[1]
PRODUCT_DIRS = ("ontology", "shapes", "queries", "data")

pytestmark = pytest.mark.slow


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)])
    wheels = list(out.glob("chaingraph-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel installed; returns its folder."""
    env_dir = tmp_path_factory.mktemp("venv") / "env"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]
    ).stdout.strip()
    deps = sysconfig.get_path("purelib")  # the project's .venv, where the dependencies are
    Path(site, "chaingraph_test_deps.pth").write_text(deps + "\n")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--quiet",
            str(wheel),
        ]
    )
    return env_dir


def _clean_env(env_dir: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def test_wheel_carries_every_product_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = sorted(
        "chaingraph/_bundled/" + path.relative_to(ROOT).as_posix()
        for folder in PRODUCT_DIRS
        if (ROOT / folder).is_dir()
        for path in (ROOT / folder).rglob("*")
        if path.is_file()
    )
    assert any(name.endswith(".ttl") for name in expected), "no product files found"
    missing = [name for name in expected if name not in names]
    assert not missing, missing


def test_installed_package_is_the_wheel_not_the_source_tree(installed, tmp_path):
    python = installed / "bin" / "python"
    out = _run(
        [
            str(python),
            "-c",
            "import chaingraph, chaingraph.resources as r\n"
            "print(chaingraph.__file__)\nprint(r.ROOT)",
        ],
        cwd=tmp_path,
        env=_clean_env(installed),
    ).stdout.split("\n")
    package_file, root = Path(out[0]), Path(out[1])
    assert installed in package_file.parents, package_file
    assert ROOT / "src" not in package_file.parents
    assert root.name == "_bundled" and installed in root.parents, root


def test_installed_info_from_another_directory(installed, tmp_path):
    result = _run(
        [str(installed / "bin" / "chaingraph"), "info", "--format", "json"],
        cwd=tmp_path,
        env=_clean_env(installed),
    )
    summary = json.loads(result.stdout)
    expected = summarise(load())
    cases = [p.stem for p in case_files()]
    assert cases, "no example cases in data/cases"
    assert sorted(summary["cases"]) == sorted(expected.cases)
    assert len(summary["cases"]) == len(cases)
    assert summary["measures"] == expected.measures > 0
    assert summary["triples"] == expected.triples


def test_installed_monitor_from_another_directory(installed, tmp_path):
    target = tmp_path / "out" / "monitor.md"
    _run(
        [str(installed / "bin" / "chaingraph"), "monitor", "--output", str(target)],
        cwd=tmp_path,
        env=_clean_env(installed),
    )
    text = target.read_text(encoding="utf-8")
    expected = sections(load())
    assert sum(len(s.items) for s in expected) > 0
    for section in expected:
        assert f"\n### {section.notation} " in text, section.notation
        for item in section.items:
            assert f"\n#### {item.notation} {item.title}\n" in text, item.notation
