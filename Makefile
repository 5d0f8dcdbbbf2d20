# The two commands (README): `make run` runs Accord's main job on SQLite; `make test` runs the
# whole test suite. Each creates the virtualenv in .venv and installs what it needs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Accord needs Python 3.11 or newer: set PYTHON=python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

# Accord's main job on its embedded default (SQLite in ACCORD_HOME, ~/.accord unless set):
# initialise the node's data, then show the register, its timeline and what is in force today,
# and decide two releases: one the 2020-2023 CISMOA lapse denies (exit 3 is the expected answer),
# one BECA permits.
run: $(STAMP)
	$(BIN)/accord init
	$(BIN)/accord agreements list
	$(BIN)/accord agreements timeline
	$(BIN)/accord agreements status USA PAK
	$(BIN)/accord agreements status USA IND
	$(BIN)/accord agreements capabilities USA PAK --activity joint-exercises
	$(BIN)/accord agreements expiring --within 2y
	$(BIN)/accord channels USA PAK --on 2021-06-01
	$(BIN)/accord decide --from USA --to PAK --label "UNCLASSIFIED" --capability secure-communications \
		--activity joint-exercises --clearance SECRET --on 2021-06-01 || test $$? -eq 3
	$(BIN)/accord decide --from USA --to IND --label "SECRET//REL TO USA, IND" \
		--capability geospatial-intelligence --activity operations --clearance SECRET --on 2021-06-01

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# The whole suite: lint, types, unit, property, integration (SQLite and PostgreSQL: PostgreSQL
# is required, not skipped) and CLI tests.
test: lint
	@scripts/ensure-postgresql
	ACCORD_REQUIRE_POSTGRESQL=1 $(BIN)/pytest -n 2 -p no:cacheprovider

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .hypothesis
