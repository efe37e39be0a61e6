# The README's two commands: `make run` (dashboard on the bundled data) and `make test` (the whole suite).
# Each does its own set-up on a fresh machine with Python 3.11+ and access to the package index.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8501
WAREHOUSE := data/warehouse.duckdb

AXE := tools/node_modules/axe-core/axe.min.js

.PHONY: run test lint format bench snapshot clean warehouse

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

# Builds from the snapshot only when there is no warehouse or it came from another snapshot: a refreshed
# warehouse is never replaced (file times do not decide, so a `git pull` cannot throw refreshed data away).
warehouse: $(STAMP)
	$(BIN)/aiplan build --from-snapshot --if-needed

run: $(STAMP) warehouse
	$(BIN)/streamlit run dashboard/app.py --server.port $(PORT) --browser.gatherUsageStats false

# axe-core (npm registry) for the accessibility checks of the browser tests; skipped where npm is absent.
$(AXE): tools/package.json tools/package-lock.json
	if command -v npm >/dev/null 2>&1; then cd tools && npm ci --no-audit --no-fund --loglevel=error; fi

test: $(STAMP) $(AXE)
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
	$(BIN)/python bench/app.py
	$(BIN)/python bench/refresh.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/load.py

# Rebuild the committed snapshot from the real upstream payloads (needs ../shared). A file no reader takes is
# named by `import` (exit 1) and left out; anything worse (exit 2) stops here.
snapshot: $(STAMP)
	$(BIN)/aiplan import ../shared/data/raw || test $$? -eq 1
	$(BIN)/aiplan build --from-raw data/raw
	$(BIN)/aiplan snapshot

clean:
	rm -rf $(VENV) data/raw $(WAREHOUSE) .pytest_cache .ruff_cache tools/node_modules
