# chaingraph: `make demo` sets everything up and shows the chain; `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
CG     := $(VENV)/bin/chaingraph

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

test: $(STAMP) system-deps
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) out build dist
