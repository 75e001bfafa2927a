# Micro-work compendium. `make help` lists the targets; `make reproduce` and `make test`
# are the two commands a reviewer needs (Python 3.11 and PyPI, nothing installed by hand).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help env reproduce test list check-data benchmark lab site clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-11s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

env: $(INSTALLED) ## create .venv (python3 -m venv) and install the pinned dependencies and the package

reproduce: $(INSTALLED) ## execute every notebook (papermill), write figures/, results/ and the README results table
	$(BIN)/python -m analysis reproduce

test: $(INSTALLED) ## the full test suite: unit tests, data checks, nbval on every notebook
	$(BIN)/python -m pytest

list: $(INSTALLED) ## the notebooks and their parameters with defaults
	$(BIN)/python -m analysis list

check-data: $(INSTALLED) ## verify checksum, schema and provenance of every data file
	$(BIN)/python -m analysis check-data

benchmark: $(INSTALLED) ## performance benchmarks (capture-recapture fits, Monte Carlo funnel) with their targets
	$(BIN)/python benchmarks/capture_models.py
	$(BIN)/python benchmarks/uncertainty_funnel.py

lab: $(INSTALLED) ## open JupyterLab on the notebooks
	$(BIN)/jupyter lab notebooks/

site: $(INSTALLED) ## render the executed notebooks and the results to a static HTML site (site/, git-ignored)
	$(BIN)/python -m analysis site

clean: ## remove custom runs, the site and caches (keeps .venv and every committed output)
	rm -rf runs/ site/ .pytest_cache/
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
