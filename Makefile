# chaingraph: `make demo` sets everything up and shows the chain; `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test bench system-deps venv clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

# Java (HermiT reasoner), Graphviz (DOT rendering) and Chromium (HTML export check)
# come from Debian's packages; the script installs only what is missing.
system-deps:
	@sh .ci/system-deps

demo: $(STAMP) system-deps
	$(VENV)/bin/chaingraph info
	$(VENV)/bin/chaingraph monitor --format markdown --output out/monitor.md
	$(VENV)/bin/chaingraph reason

test: $(STAMP) system-deps
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) out build dist
