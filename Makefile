# score-analysis — run `make help` for the list of targets.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# the first Python 3.11+ found on PATH (override: make PYTHON=python3.12)
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	  command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  2>/dev/null && { echo $$p; break; }; done)

.DEFAULT_GOAL := help
.PHONY: messages help install reports test test-fast lint lab validate data bench bench-analysis calibrate clean browser-deps

## Show this list of targets
help:
	@awk 'BEGIN {FS = ":.*"} /^## / {doc = substr($$0, 4); next} \
	  /^[a-zA-Z_-]+:/ && doc {printf "  \033[1m%-14s\033[0m %s\n", $$1, doc; doc = ""} \
	  {if ($$0 !~ /^## /) doc = ""}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed (none found on PATH)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name score-analysis \
	  --display-name "Python 3 (score-analysis)" >/dev/null
	$(BIN)/pybabel compile --statistics -d score_analysis/locale -D messages >/dev/null
	@touch $(STAMP)

## Create the virtual environment .venv with the pinned versions
install: $(STAMP)

## Build every report from the shipped data in data/raw (sets everything up first)
reports: $(STAMP)
	$(BIN)/score-analysis run

## Check the data in data/raw against the contract
validate: $(STAMP)
	$(BIN)/score-analysis validate

## Regenerate the simulated demonstration data in data/raw
data: $(STAMP)
	$(BIN)/score-analysis demo-data data/raw

# two processes (pytest-xdist), the whole-pipeline builds shared between them (tests/conftest.py)
PYTEST := $(BIN)/python -m pytest -q -n 2 --dist worksteal --durations=15

## Run every test, browser tests included (sets everything up first)
test: $(STAMP) browser-deps
	$(PYTEST)

## Run the tests that start no notebook kernel and no browser
test-fast: $(STAMP)
	$(PYTEST) -m "not slow and not browser"

## Check the code style (ruff)
lint: $(STAMP)
	$(BIN)/ruff check score_analysis tests benchmarks

## Open JupyterLab on the project's kernel
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks

## Measure the speed of reports against the notebook floor, and the analysis's CPU cost
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

## Measure only the analysis's CPU seconds per programme enterprise, with and without comparison enterprises
bench-analysis: $(STAMP)
	$(BIN)/python -m benchmarks.run --analysis-only

## Simulate enterprises with known effects and rewrite the shipped calibration table
calibrate: $(STAMP)
	$(BIN)/score-analysis calibrate --grid default --out score_analysis/calibration/default_grid.csv

## Extract the messages of code and templates and update the translation catalogs
messages: $(STAMP)
	$(BIN)/pybabel --quiet extract -F babel.cfg --no-location --sort-output -o score_analysis/locale/messages.pot .
	$(BIN)/pybabel --quiet update --no-fuzzy-matching --ignore-obsolete -D messages -i score_analysis/locale/messages.pot -d score_analysis/locale
	$(BIN)/pybabel compile --statistics -d score_analysis/locale -D messages

## Install what the browser tests need: Debian's chromium, axe-core, LibreOffice Impress (the deck)
browser-deps:
	@command -v chromium >/dev/null 2>&1 || bash .ci/install-chromium
	@bash .ci/install-axe
	@bash .ci/install-libreoffice

## Remove the virtual environment, built reports and processed tables
clean:
	rm -rf $(VENV) reports/* data/processed/* .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
