# Two commands on a fresh machine with Python 3.11+ and make:
#   make demo   — build an example register, import it, close 2023–2025, print a summary
#   make test   — format and lint checks, type checks and the whole test suite, on SQLite
#                 and on a PostgreSQL server the tests start, pages in Debian's Chromium
#                 (both installed when missing)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB := demo/urpaq.db

.PHONY: demo test install lint typecheck postgresql chromium pytest benchmark constraints clean

$(BIN)/urpaq: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(BIN)/urpaq

demo: install
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm demo/urpaq-serving.db*
	$(BIN)/urpaq demo --db sqlite:///./$(DEMO_DB) --workdir demo

lint: install
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/ruff check src tests benchmarks

typecheck: install
	$(BIN)/mypy

postgresql:
	scripts/ensure-postgresql

chromium:
	scripts/ensure-chromium

pytest: install postgresql chromium
	$(BIN)/pytest

test: lint typecheck pytest

benchmark: install
	$(BIN)/python benchmarks/national_close.py

# After upgrading a dependency in .venv: pin what .venv holds, then run `make test`
# (docs/operations.md, "Installing").
constraints: install
	{ sed -n '1,3p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable \
	    | grep -v '^urpaq=='; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

clean:
	rm -rf $(VENV) demo .pytest_cache .mypy_cache .ruff_cache
