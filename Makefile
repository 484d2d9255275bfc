# The two commands: `make run` (set up, migrate, load and score the demo, serve) and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin
PLAN := criteria/plans/tuyen-quang-de-an-06-2022-2025.toml
DEMO := var/demo
PERIOD ?= 2024

.PHONY: run score-files test setup lint bench clean

setup:
	@VENV=$(VENV) ./scripts/setup.sh

run: setup
	$(BIN)/thidua plan check $(PLAN)
	$(BIN)/thidua db migrate
	$(BIN)/thidua demo load
	$(BIN)/thidua serve

# The offline path of the core issue: score the demo files without a database.
score-files: setup
	$(BIN)/thidua demo --out $(DEMO)
	$(BIN)/thidua score $(PLAN) --units $(DEMO)/units.json --data $(DEMO)/$(PERIOD) --period $(PERIOD)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

# The whole suite on SQLite, then every database test again on PostgreSQL
# (127.0.0.1:5432; those tests skip, saying why, only if no server answers).
test: lint
	@VENV=$(VENV) ./scripts/setup.sh --browser
	$(BIN)/pytest -q
	THIDUA_TEST_DATABASE=postgres $(BIN)/pytest -q -m db

bench: setup
	$(BIN)/python benchmarks/bench_scoring.py

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
