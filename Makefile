# Micro-work compendium. `make help` lists the targets; `make reproduce` and `make test`
# are the two commands a reviewer needs (Python 3.11 and PyPI, nothing installed by hand).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_HOME := .uv
UV := $(UV_HOME)/bin/uv
# Every package comes from uv.lock, exactly (versions and hashes); the readers' runtime and the
# test tooling (the `test` extra) are installed by separate stamps. Bytecode is written by Python
# on first import, for the modules used, rather than by uv for all 130 packages at install (20 s
# on 2 cores); so a PYTHONDONTWRITEBYTECODE in the caller's environment is not passed on.
SYNC := $(UV) sync --frozen --python $(PYTHON)
unexport PYTHONDONTWRITEBYTECODE
RUNTIME := $(VENV)/.runtime-installed
TESTING := $(VENV)/.test-installed

.DEFAULT_GOAL := help
.PHONY: help env lock reproduce verify lint test list check-data benchmark lab site clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-11s %s\n", $$1, $$2}'

$(UV): requirements/uv.txt  # uv's wheel into .uv/ (no virtual environment needed for one binary)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-compile --upgrade --require-hashes --target $(UV_HOME) -r requirements/uv.txt
	@touch $@

$(RUNTIME): $(UV) pyproject.toml uv.lock
	$(SYNC) --inexact
	@touch $@

$(TESTING): $(UV) pyproject.toml uv.lock
	$(SYNC) --extra test
	@touch $@ $(RUNTIME)

env: $(RUNTIME) ## create .venv with the locked runtime (uv.lock; uv itself from requirements/uv.txt, with hashes)

lock: $(UV) ## re-resolve uv.lock after editing pyproject.toml, and regenerate binder/requirements.txt from it
	$(UV) lock
	$(UV) export --frozen --no-emit-project --format requirements-txt -o binder/requirements.txt --quiet

reproduce: $(RUNTIME) ## execute every notebook (papermill), write figures/, results/ and the README results table
	$(BIN)/python -m analysis reproduce

verify: $(RUNTIME) ## rebuild into a scratch folder; compare every result, figure and notebook with the committed one
	$(BIN)/python -m analysis verify

lint: $(TESTING) ## ruff on the package, the tests and the benchmarks (its rules are in pyproject.toml)
	$(BIN)/ruff check .

test: $(TESTING) lint ## the linter, then the full suite: unit tests, data checks, nbval on every notebook
	$(BIN)/python -m pytest -n auto --dist loadfile

list: $(RUNTIME) ## the notebooks and their parameters with defaults
	$(BIN)/python -m analysis list

check-data: $(RUNTIME) ## verify checksum, schema and provenance of every data file
	$(BIN)/python -m analysis check-data

benchmark: $(RUNTIME) ## performance benchmarks (capture-recapture fits, Monte Carlo funnel) with their targets
	$(BIN)/python benchmarks/capture_models.py
	$(BIN)/python benchmarks/uncertainty_funnel.py

lab: $(RUNTIME) ## open JupyterLab on the notebooks
	$(BIN)/jupyter lab notebooks/

site: $(RUNTIME) ## render the executed notebooks and the results to a static HTML site (site/, git-ignored)
	$(BIN)/python -m analysis site

clean: ## remove custom runs, the site and caches (keeps .venv and every committed output)
	rm -rf runs/ site/ .pytest_cache/
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
