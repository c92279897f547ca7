"""Write the generated pages into the site at build time (run by mkdocs-gen-files, see mkdocs.yml).

The pages live only in the build: the ontology from ``ontology/``, the rules from ``shapes/``,
the named queries from ``queries/``, the Python API from the docstrings and the benchmark from
``benchmarks/RESULTS.md``. ``pages.py`` beside this file builds them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import mkdocs_gen_files

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

import pages  # noqa: E402  # beside this script, which mkdocs-gen-files runs by path

WRITTEN = {
    "reference/ontology.md": lambda: pages.ontology_page(ROOT),
    "reference/rules.md": lambda: pages.rules_page(ROOT),
    "reference/queries.md": lambda: pages.queries_page(ROOT),
    "reference/api.md": pages.api_page,
    "benchmark.md": lambda: pages.benchmark_page(ROOT),
}



def main() -> None:
    """Write every generated page into the build (never into the repository)."""
    for name, build in WRITTEN.items():
        with mkdocs_gen_files.open(name, "w") as page:
            page.write(build())


# mkdocs-gen-files runs this file with runpy.run_path ("<run_path>"); imported (by pytest's
# --doctest-modules, say) it writes nothing.
if __name__ == "<run_path>":
    main()
