# SongProof. `make demo` and `make test` set everything up themselves on a fresh machine.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test lint run bench system-deps system-deps-dev clean

demo: $(VENV)/.runtime system-deps
	$(PY) manage.py demo

test: $(VENV)/.dev system-deps-dev lint
	$(PY) -m pytest

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

run: $(VENV)/.runtime system-deps
	scripts/run

bench: $(VENV)/.dev system-deps
	scripts/bench

system-deps:
	scripts/install-system-deps

system-deps-dev:
	scripts/install-system-deps --dev

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-output
