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

# Accord's main job on its embedded default (SQLite): the register and its timeline on this
# machine's node (ACCORD_HOME, ~/.accord unless set), then the demonstration: three nations'
# nodes (USA, PAK, IND) as real processes on loopback, each with SQLite in a temporary directory,
# federating over HTTP while they replay the public record from 2006 to 2023 (accord demo exits
# non-zero if any outcome or receipt does not match).
run: $(STAMP)
	$(BIN)/accord init
	$(BIN)/accord agreements timeline
	$(BIN)/accord agreements status USA PAK
	$(BIN)/accord demo
	@echo "accord is in $(BIN): 'source $(BIN)/activate' puts it on your PATH; then the README's First hour"

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# The whole suite: lint, types, unit, property, integration (SQLite and PostgreSQL: PostgreSQL
# is required, not skipped), CLI tests and the console's in Debian's chromium (installed when
# missing, with axe-core for the accessibility checks).
test: lint
	@scripts/ensure-postgresql
	@scripts/ensure-browser
	ACCORD_REQUIRE_POSTGRESQL=1 $(BIN)/pytest -n 2 --dist worksteal -p no:cacheprovider

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .hypothesis
