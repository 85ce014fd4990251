# The two commands of the README: `make book` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: book test unit lint clean venv

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

test: lint unit

book: $(STAMP)
	@echo "The book pipeline is not built yet."

clean:
	rm -rf _build .pytest_cache .ruff_cache .coverage
	find . -name __pycache__ -not -path './.venv/*' -prune -exec rm -rf {} +
