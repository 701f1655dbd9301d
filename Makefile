# cityops — two commands: `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
SPEED ?= 60
DATA ?= $(abspath ../shared/data)
# the database `cityops` itself uses by default (Settings.database_url), so that the command line
# run in the checkout and the server of `make demo`/`make serve` work on one database
export CITYOPS_DATABASE_URL ?= sqlite:///$(abspath var/cityops.db)

.PHONY: demo test coverage lint unit integration e2e assets browser wrk serve bench clean format venv ngsildclient

$(STAMP): pyproject.toml
	test -x $(BIN)/pip || $(PY) -m venv --clear $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

# Front-end libraries come from the npm registry with a lock file and are served locally.
assets: src/cityops/web/static/vendor/.stamp
src/cityops/web/static/vendor/.stamp: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	node frontend/copy-vendor.mjs
	touch $@

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

# The PyPI NGSI-LD client of the contract test, in an environment of its own: it pins httpx<0.24
# and rich<13, which cityops' own environment excludes (tests/contract/test_ngsi_ld.py).
NGSILD := var/ngsildclient/.installed
$(NGSILD):
	$(PY) -m venv --clear var/ngsildclient
	var/ngsildclient/bin/pip install -q ngsildclient==0.5.2
	touch $@

ngsildclient: $(NGSILD)

# wrk, the load generator of the HTTP benchmarks.
wrk:
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

PYTEST := $(BIN)/pytest -n 2 --dist loadfile -q

# The whole suite: what CI runs (.ci/run), and what must pass before a change lands.
test: $(STAMP) assets browser $(NGSILD) lint
	$(PYTEST)

# The whole suite with line coverage of src/cityops: below the floor in pyproject.toml
# ([tool.coverage.report] fail_under) it fails. Not part of `make test`: measured on a quiet
# two-core machine, coverage made the suite about a quarter slower (958 s against 767 s), and
# CI must finish within 30 minutes.
coverage: $(STAMP) assets browser $(NGSILD)
	$(PYTEST) --cov=cityops --cov-report=term:skip-covered

# Parts of the suite (no lint first): pure logic and the architecture rules; stores, handlers
# and the API on SQLite and PostgreSQL, with the Open311 contract; the browser tests.
unit: $(STAMP)
	$(PYTEST) tests/unit tests/architecture

integration: $(STAMP) $(NGSILD)
	$(PYTEST) tests/integration tests/contract

e2e: $(STAMP) assets browser
	$(PYTEST) tests/e2e

format: $(STAMP)
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

# the sensing simulator (docs/sensing/simulator.md) runs beside the server and stops with it
demo: $(STAMP) assets
	mkdir -p var
	$(BIN)/cityops demo $(if $(wildcard $(DATA)),--data $(DATA),) --reset
	$(BIN)/cityops sensing simulate --url http://127.0.0.1:$(PORT) --speed $(SPEED) \
	  $(if $(wildcard $(DATA)),--data $(DATA),) > var/simulator.log 2>&1 & sim=$$!; \
	trap 'kill $$sim 2>/dev/null; wait $$sim' EXIT; \
	$(BIN)/cityops serve --port $(PORT)

serve: $(STAMP) assets
	$(BIN)/cityops serve --port $(PORT)

# Every benchmark on a short budget (results in bench/results/quick/, not kept); FULL=1 for the
# full runs that write bench/results/*.json; ONLY="http_load routing" for some of them.
bench: $(STAMP) wrk
	$(BIN)/python -m bench.run_all $(if $(FULL),--full) $(foreach name,$(ONLY),--only $(name))

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache .coverage .coverage.* src/cityops/web/static/vendor frontend/node_modules
