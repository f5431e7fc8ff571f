# The two commands a new user needs (see README.md): `make run` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test setup lint dist clean

$(STAMP): pyproject.toml scripts/setup.sh
	bash scripts/setup.sh

setup: $(STAMP)

## Start a local central record (embedded SQLite) and the kiosk against it.
run: $(STAMP)
	$(PY) -m kiosk.devrun

## The whole test suite (what CI runs through .ci/run).
test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check kiosk sync central screens tests bench

clean:
	rm -rf $(VENV) .run test-artifacts build dist
