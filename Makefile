# The two commands: `make run` (set up, build the demo province, score it) and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin
PLAN := criteria/plans/tuyen-quang-de-an-06-2022-2025.toml
DEMO := var/demo
PERIOD ?= 2024

.PHONY: run test setup lint bench clean

setup:
	@VENV=$(VENV) ./scripts/setup.sh

run: setup
	$(BIN)/thidua plan check $(PLAN)
	$(BIN)/thidua demo --out $(DEMO)
	$(BIN)/thidua score $(PLAN) --units $(DEMO)/units.json \
	  --data $(DEMO)/$(PERIOD) --period $(PERIOD) --format json --out $(DEMO)/ket-qua-$(PERIOD).json
	$(BIN)/thidua score $(PLAN) --units $(DEMO)/units.json \
	  --data $(DEMO)/$(PERIOD) --period $(PERIOD)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q

bench: setup
	$(BIN)/python benchmarks/bench_scoring.py

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
