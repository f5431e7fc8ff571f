# The two commands a new user needs (see README.md): `make run` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test setup lint dist dist-selftest clean

$(STAMP): pyproject.toml scripts/setup.sh
	bash scripts/setup.sh

setup: $(STAMP)

## Start a local central record (embedded SQLite) and the kiosk against it.
run: $(STAMP)
	$(PY) -m kiosk.devrun

## The whole test suite (what CI runs through .ci/run), one worker per core (pytest-xdist).
test: $(STAMP)
	$(PY) -m pytest -n auto --dist worksteal --durations=15

lint: $(STAMP)
	$(VENV)/bin/ruff check kiosk sync central screens tests bench

## The one-folder kiosk bundle (PyInstaller, kiosk.spec) in dist/kiosk/.
dist: $(STAMP)
	bash scripts/build-dist.sh

## Build, then run the frozen `kiosk selftest` offscreen against a throwaway config.
dist-selftest: $(STAMP)
	bash scripts/build-dist.sh --selftest

clean:
	rm -rf $(VENV) .run test-artifacts build dist
