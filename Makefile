# chaingraph: `make demo` sets everything up and shows the chain; `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
CG     := $(VENV)/bin/chaingraph

.PHONY: demo test lint bench docs system-deps venv clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

# Java (HermiT reasoner), Graphviz (DOT rendering), Chromium (HTML export check) and
# Virtuoso 7 (the second SPARQL server of the tests) come from Debian's packages; the script installs only what is missing.
system-deps:
	@sh .ci/system-deps

# The main job on the bundled data: what is loaded, the audit of every example case
# (exit 1 = it found the known flaws, which is expected), who is responsible in one case,
# and the reports and pictures written to out/.
demo: $(STAMP) system-deps
	$(CG) info
	@echo; $(CG) audit --output out/audit.html --format html; \
	  $(CG) audit; test $$? -le 1
	@echo; $(CG) who FX-005 --at 2021-06-20
	@echo; $(CG) chain FX-001
	@echo; $(CG) reason
	$(CG) monitor --format html --output out/monitor.html
	$(CG) export collaboration --format svg --output out/collaboration.svg
	$(CG) export timeline --case FX-005 --format html --output out/FX-005-timeline.html
	@echo; echo "Written: out/audit.html out/monitor.html out/collaboration.svg out/FX-005-timeline.html"

# The static checks: ruff with the rule set stated in pyproject.toml, mypy on the package.
lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks docs
	$(VENV)/bin/mypy src/chaingraph

test: $(STAMP) system-deps
	$(VENV)/bin/ruff check src tests benchmarks docs
	$(VENV)/bin/mypy src/chaingraph
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) benchmarks/run.py

# The documentation site (MkDocs, Material theme) into site/, with --strict: a broken link or
# a docstring mkdocstrings cannot read fails the build. The reference pages are generated from
# ontology/, shapes/, queries/ and the docstrings at build time; nothing is fetched.
DOCS_STAMP := $(VENV)/.installed-docs
$(DOCS_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e '.[docs]'
	touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 DISABLE_MKDOCS_2_WARNING=true \
	  $(VENV)/bin/mkdocs build --strict --clean --site-dir site
	@echo "Written: site/index.html"

clean:
	rm -rf $(VENV) out build dist site
