# Polis: every target does its own set-up on a fresh machine (venv, pip, npm).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP_PY := $(VENV)/.installed
STAMP_JS := devnet/node_modules/.installed
STAMP_ORACLES := tests/js/node_modules/.installed
PYTEST_ARGS ?=
BINDIR ?= $(HOME)/.local/bin

.PHONY: setup bytecode install demo demo-headless test lint bench clean

setup: $(STAMP_PY) $(STAMP_JS) $(STAMP_ORACLES)

$(STAMP_PY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	# compat: the checkout on sys.path by a plain .pth, as an installed copy's imports go (setuptools' default
	# editable finder sits in front of every import: ~25 ms of each command's start-up, ~60 ms of a sync's)
	PYTHONWARNINGS=ignore $(PIP) install -q -e '.[dev]' --config-settings editable_mode=compat
	touch $@

$(STAMP_JS): devnet/package.json devnet/package-lock.json
	cd devnet && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# cosmjs, @polkadot/types and snapshot.js: the reference libraries the oracle tests check Polis's bytes with;
# @uniswap/governance: Uniswap's published GovernorAlpha, UNI and Timelock bytecode (tests/test_uniswap_alpha.py)
# @nouns/contracts: Nouns DAO's published governor (V1, V2), executor and NounsToken bytecode (tests/test_nouns.py)
$(STAMP_ORACLES): tests/js/package.json tests/js/package-lock.json
	cd tests/js && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# `polis` on the PATH: the venv's entry point linked into $(BINDIR) (~/.local/bin unless given).
install: $(STAMP_PY)
	mkdir -p "$(BINDIR)"
	ln -sfn "$(CURDIR)/$(VENV)/bin/polis" "$(BINDIR)/polis"
	@echo "installed: $(BINDIR)/polis"
	@case ":$$PATH:" in *":$(BINDIR):"*) ;; *) echo "note: $(BINDIR) is not on your PATH; add it (export PATH=\"$(BINDIR):\$$PATH\" in ~/.profile) or run: source $(VENV)/bin/activate";; esac

# The checkout's bytecode, as pip writes it for an installed copy: where PYTHONDONTWRITEBYTECODE is set (many
# container images set it) every `polis` the demo or a test starts would compile ~50 modules again, ~90 ms each.
bytecode: $(STAMP_PY)
	$(PY) -m compileall -q wallet screens themes > /dev/null

demo: setup bytecode
	$(VENV)/bin/polis demo

demo-headless: setup bytecode
	$(VENV)/bin/polis demo --headless

test: setup bytecode
	$(PY) -m pytest -n 2 -q $(PYTEST_ARGS)

lint: $(STAMP_PY)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench/.venv/.installed:
	$(PYTHON) -m venv bench/.venv
	bench/.venv/bin/pip install -q bittensor-cli
	touch $@

bench: setup bench/.venv/.installed
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) devnet/node_modules tests/js/node_modules devnet/build .pytest_cache
