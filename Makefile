# cityops — two commands: `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
DATA ?= $(abspath ../shared/data)
export CITYOPS_DATABASE_URL ?= sqlite:///$(abspath var/demo.db)

.PHONY: demo test lint unit integration e2e assets browser serve bench clean format

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

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: $(STAMP) assets browser lint
	$(BIN)/pytest -n 2 --dist loadfile -q

format: $(STAMP)
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

demo: $(STAMP) assets
	mkdir -p var
	$(BIN)/cityops demo $(if $(wildcard $(DATA)),--data $(DATA),) --reset
	$(BIN)/cityops serve --port $(PORT)

serve: $(STAMP) assets
	$(BIN)/cityops serve --port $(PORT)

bench: $(STAMP)
	$(BIN)/python -m bench.run_all

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache src/cityops/web/static/vendor frontend/node_modules
