# Two entry points: `make plugin` builds dist/, `make test` runs every test.
# `make bench` runs every benchmark; `make bench BENCH="build hooks"` runs some.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CLAUDE_CODE_VERSION := 2.1.197
E2E_DIR := .e2e
CLAUDE := $(E2E_DIR)/node_modules/.bin/claude
CLAUDE_STAMP := $(E2E_DIR)/.claude-code-$(CLAUDE_CODE_VERSION)

.PHONY: plugin validate test lint unit e2e bench clean

plugin: $(VENV)/.build-deps
	$(BIN)/pact-plugin build --out dist

validate: $(VENV)/.build-deps
	$(BIN)/pact-plugin validate --strict

test: $(VENV)/.dev-deps $(CLAUDE_STAMP)
	$(BIN)/pact-plugin build --out dist
	$(BIN)/ruff check scripts tests bench
	$(BIN)/mypy
	PACT_CLAUDE_BIN="$(CURDIR)/$(CLAUDE)" $(BIN)/python -m pytest

unit: $(VENV)/.dev-deps
	$(BIN)/python -m pytest -m "not e2e"

e2e: $(VENV)/.dev-deps $(CLAUDE_STAMP)
	$(BIN)/pact-plugin build --out dist
	PACT_CLAUDE_BIN="$(CURDIR)/$(CLAUDE)" $(BIN)/python -m pytest -m e2e

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check scripts tests bench
	$(BIN)/mypy

bench: $(VENV)/.dev-deps
	$(BIN)/pact-plugin build --out dist
	$(BIN)/python -m bench $(BENCH)

clean:
	rm -rf dist $(VENV) $(E2E_DIR) bench/results

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.build-deps: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.dev-deps: pyproject.toml $(VENV)/.build-deps
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

# The pinned real client, installed into a project-local, git-ignored folder.
$(CLAUDE_STAMP):
	rm -rf $(E2E_DIR)
	mkdir -p $(E2E_DIR)
	npm install --prefix $(E2E_DIR) --no-audit --no-fund --loglevel=error @anthropic-ai/claude-code@$(CLAUDE_CODE_VERSION)
	$(CLAUDE) --version | grep -q '^$(CLAUDE_CODE_VERSION) '
	touch $@
