# Two commands: `make run` (the whole platform, data under var/) and `make test` (every test,
# against servers it starts itself on free ports). Both install what is missing first.
SHELL := /bin/bash
PYTHON ?= python3
VENV = $(shell $(PYTHON) -m infra.install --venv)

.PHONY: install run admin test test-unit lint clean-var contracts

install:
	@$(PYTHON) -m infra.install

run: install
	@$(VENV)/bin/python -m infra.run

admin: install
	@$(VENV)/bin/python -m infra.admin

test: install
	@$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

test-unit: install
	@$(VENV)/bin/python -m pytest tests/unit $(PYTEST_ARGS)

lint: install
	@$(VENV)/bin/ruff check .

contracts: install
	@$(VENV)/bin/python scripts/extract_contracts.py

clean-var:
	rm -rf var/
