# newsflow's developer entry points. `make demo` and `make test` are the two commands the README promises.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup demo test test-unit test-kafka4 lint bench clean

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

KAFKA4_VERSION ?= 4.4.0
test-kafka4: setup ## the integration tests again, against a local Kafka 4.x broker (KAFKA4_VERSION)
	NEWSFLOW_KAFKA_VERSION=$(KAFKA4_VERSION) $(BIN)/pytest -m integration tests/integration

lint: setup ## ruff and mypy, as CI runs them
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: setup ## throughput, latency and memory figures (see docs/benchmarks.md)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
