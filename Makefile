# The two commands of the README: `make book` and `make test`. Both create .venv when it is missing.
#   make book     execute every notebook and render _build/html (warnings and cell errors fail)
#   make test     lint, unit tests with coverage, nbval on every notebook, the book from the
#                 outputs nbval has just checked (warnings fail)
#   make execute  re-execute notebooks in place for authors (NOTEBOOKS=book/x.ipynb for one)
#   make lint, make unit, make nbval, make clean
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
JB     := $(VENV)/bin/jupyter-book

NOTEBOOKS      ?= $(sort $(wildcard book/*.ipynb))
NBVAL_SANITIZE := book/nbval_sanitize.cfg
STORED_CONFIG  := _build/config-stored-outputs.yml
JB_FLAGS       := --all -W --keep-going --builder html

.PHONY: book book-stored test unit nbval lint execute clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet pip==26.3
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test,book]'
	touch $(STAMP)

lint: $(STAMP)
	$(PY) -m ruff check .

unit: $(STAMP)
	$(PY) -m pytest -q --cov=actbook --cov-report=term-missing:skip-covered --cov-fail-under=90 tests

nbval: $(STAMP)
	@test -n "$(NOTEBOOKS)" || { echo "no notebooks under book/"; exit 1; }
	$(PY) -m pytest -q -p no:cacheprovider --nbval --nbval-current-env \
		--nbval-cell-timeout=300 --nbval-sanitize-with $(NBVAL_SANITIZE) $(NOTEBOOKS)

test: lint unit nbval book-stored

book: $(STAMP)
	$(JB) build . $(JB_FLAGS)

book-stored: $(STAMP)
	$(PY) scripts/book_config.py $(STORED_CONFIG)
	$(JB) build . $(JB_FLAGS) --config $(STORED_CONFIG)

execute: $(STAMP)
	$(PY) scripts/execute_notebooks.py $(NOTEBOOKS)

clean:
	rm -rf _build .pytest_cache .ruff_cache .coverage
	find . -name __pycache__ -not -path './.venv/*' -prune -exec rm -rf {} +
