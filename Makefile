# Two commands on a fresh machine: `make run` (the demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint install clean-demo check-deploy

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# The demo and the tests run with DEBUG on (and its well-known development secrets) because these targets say so,
# not because of a file: a server set up with `make install` stays a production checkout.
run: install
	DEBUG=true $(BIN)/python manage.py run_demo

test: install
	DEBUG=true $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

clean-demo:
	rm -rf var/demo

# The deployment checks under deploy/production.env.example (fresh secrets for its blank ones).
check-deploy: install
	PYTHON=$(BIN)/python deploy/check-deploy
