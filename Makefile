# newsflow's developer entry points. `make demo` and `make test` are the two commands the README promises.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup demo test test-unit lint bench clean

setup: $(VENV)/.installed ## create the virtualenv and install newsflow with its dev tools

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: setup ## start the local Kafka, run the pipeline on the seeds and print the enriched records
	$(BIN)/newsflow run --seeds --until-done

test: setup ## the whole suite: unit tests and integration tests against a real Kafka broker
	$(BIN)/pytest

test-unit: setup ## only the tests that need no broker
	$(BIN)/pytest tests/unit

lint: setup ## ruff and mypy, as CI runs them
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: setup ## throughput, latency and memory figures (see docs/benchmarks.md)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
