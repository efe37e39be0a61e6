# The README's two commands: `make run` (dashboard on the bundled data) and `make test` (the whole suite).
# Each does its own set-up on a fresh machine with Python 3.11+ and access to the package index.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8501
WAREHOUSE := data/warehouse.duckdb
SNAPSHOT  := $(wildcard data/snapshot/manifest.json data/snapshot/*/*.parquet data/snapshot/*.parquet)

.PHONY: run test lint format bench snapshot clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

$(WAREHOUSE): $(STAMP) $(SNAPSHOT)
	$(BIN)/aiplan build --from-snapshot

run: $(STAMP) $(WAREHOUSE)
	$(BIN)/streamlit run dashboard/app.py --server.port $(PORT) --browser.gatherUsageStats false

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python bench/build.py

# Rebuild the committed snapshot from the real upstream payloads (needs ../shared).
snapshot: $(STAMP)
	$(BIN)/aiplan import ../shared/data/raw
	$(BIN)/aiplan build --from-raw data/raw
	$(BIN)/aiplan snapshot

clean:
	rm -rf $(VENV) data/raw $(WAREHOUSE) .pytest_cache .ruff_cache
