"""Where the product files are: the only module that knows.

The ontology, shapes, queries and data live at the top of the source tree, where
people who are not Python programmers edit them. An installed wheel carries a copy
inside the package (``chaingraph/_bundled``). Every public function elsewhere also
accepts explicit paths or graphs, so these locations are only defaults.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _root() -> Path:
    bundled = _PACKAGE / "_bundled"
    if bundled.is_dir():
        return bundled
    return _PACKAGE.parents[1]  # src/chaingraph -> the source tree


ROOT = _root()
ONTOLOGY_DIR = ROOT / "ontology"
SHAPES_DIR = ROOT / "shapes"
QUERIES_DIR = ROOT / "queries"
DATA_DIR = ROOT / "data"
MONITOR_DIR = DATA_DIR / "monitor"
CASES_DIR = DATA_DIR / "cases"


def turtle_files(folder: Path) -> list[Path]:
    """Return the Turtle files of a folder (recursively), sorted, for reproducible loads."""
    return sorted(folder.rglob("*.ttl"))
