# Set-up and everyday commands. Every target installs what it needs into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-pg check fix mypy-baseline bench bench-load demo clean messages compile-messages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

# Open the console on an embedded SQLite database filled with demo data.
run: $(STAMP)
	$(BIN)/support24 demo --scale small --if-empty
	$(BIN)/support24

# The gates CI runs before the tests (docs/architecture.md): import layers, lint, format, types.
check: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python .ci/mypy_baseline.py check

# What ruff can repair by itself: import order, pyupgrade, formatting.
fix: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# After fixing type errors (or, reviewed, after a merge): today's mypy errors become the baseline.
mypy-baseline: $(STAMP)
	$(BIN)/python .ci/mypy_baseline.py update

# The whole test suite on SQLite.
test: $(STAMP)
	$(BIN)/python -m pytest -n auto

# The same suite against PostgreSQL (127.0.0.1:5432, database test).
test-pg: $(STAMP)
	SUPPORT24_TEST_BACKEND=postgresql $(BIN)/python -m pytest -n auto

# Every figure on both backends, then one table with SQLite and PostgreSQL side by side
# (.bench/sqlite.json, .bench/postgresql.json). Makes what is missing first: .bench/large.db
# (about 4 minutes, 1.6 GB) and the PostgreSQL demo of BENCH_PG_SCALE in schema
# s24bench_<scale> of BENCH_PG (once; the large one takes tens of minutes on this machine).
# A run that dies leaves its column empty in the side-by-side table instead of stopping make.
BENCH_PG ?= postgresql://127.0.0.1:5432/test
BENCH_PG_SCALE ?= large
bench: $(STAMP)
	mkdir -p .bench && test -f .bench/large.db || $(BIN)/support24 demo --scale large --database sqlite:///.bench/large.db \
		--data-dir .bench/data --json > .bench/generate.json
	rm -f .bench/sqlite.json .bench/postgresql.json
	-$(BIN)/python -m benchmarks --json-out .bench/sqlite.json
	-$(BIN)/python -m benchmarks --database $(BENCH_PG) --pg-scale $(BENCH_PG_SCALE) \
		--pg-data-dir .bench/pg-$(BENCH_PG_SCALE)-data --json-out .bench/postgresql.json
	$(BIN)/python -m benchmarks.report --side-by-side .bench/sqlite.json .bench/postgresql.json
	$(MAKE) bench-load

# Many operators at once (benchmarks/bench_load.py): 20 desks for 60 s beside the long jobs, on both backends.
BENCH_LOAD_JOBS ?= purge,billing,import
bench-load: $(STAMP)
	$(BIN)/python -m benchmarks.bench_load --jobs $(BENCH_LOAD_JOBS)
	$(BIN)/python -m benchmarks.bench_load --jobs $(BENCH_LOAD_JOBS) --database $(BENCH_PG)

# The German catalogue: extract every _()/N_()/ngettext() string and merge it into the .po
# (new and changed strings arrive with an empty msgstr; locations name files only, so moved lines change nothing). translate them, then compile.
LOCALE := models/core/locale
POT := $(LOCALE)/support24.pot

messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k ngettext:1,2 --no-wrap --sort-by-file --add-location=file --project support24 -o $(POT) .
	$(BIN)/pybabel update -i $(POT) -d $(LOCALE) -D support24 -l de --no-wrap --ignore-obsolete --no-fuzzy-matching
	rm -f $(POT)

# Compiles the .po to the .mo that is committed beside it (the tests check they agree).
compile-messages: $(STAMP)
	$(BIN)/pybabel compile -d $(LOCALE) -D support24 -l de --statistics

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .mypy_cache .ruff_cache .import_linter_cache
