# Parlor: `make run` serves the platform with a demo; `make test` runs every test.
# Each target installs what it needs: a virtualenv, the Python packages, and Chromium for
# the browser tests (from the system's package manager).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PYTHONPATH := $(CURDIR):$(CURDIR)/platform

.PHONY: run test lint format bench install browser nginx soak stop-db clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# DEBUG is on here and nowhere else unless the environment says so (README: Configuration).
run: $(STAMP)
	DEBUG=true DJANGO_SETTINGS_MODULE=parlor.settings.local $(PY) manage.py rundemo

test: lint browser nginx
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

browser:
	@bash scripts/ensure-browser.sh

# nginx for the production topology test (test_topology.py), from the system's packages.
nginx:
	@bash scripts/ensure-nginx.sh

bench: $(STAMP)
	$(PY) -m benchmarks $(BENCH_ARGS)

# The production topology under steady load (not part of `make test`): SOAK_MINUTES (default
# 30), SOAK_CLIENTS, SOAK_INTERVAL; needs DATABASE_URL and REDIS_URL (parlor/testing/soak.py).
soak: $(STAMP) nginx
	$(PY) -m parlor.testing.soak

# Stops the embedded PostgreSQL, or says which live processes still use it.
stop-db: $(STAMP)
	$(PY) -m parlor.embedded stop

clean: stop-db
	rm -rf $(VENV) .parlor
