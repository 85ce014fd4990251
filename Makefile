# The two commands of the README: `make book` and `make test`. Both create .venv when it is missing.
#   make book     execute every notebook and render _build/html (warnings and cell errors fail)
#   make test     lint, unit tests with coverage on this machine's CPU kernels, the unit tests
#                 again and nbval on every notebook under another CPU (OTHER_CPU below), the
#                 wheel and the notebooks' install cell in fresh venvs (make package), the
#                 book from the outputs nbval has just checked (warnings fail), and that book
#                 in a browser
#   make browser  the built site in headless Chromium (part of make test; needs Debian's chromium)
#   make execute  re-execute notebooks in place for authors (NOTEBOOKS=book/x.ipynb for one)
#   make package  build the wheel and install it, and the notebooks' install cell, in fresh venvs
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

# Another CPU, simulated. PyTorch picks its elementwise kernels by the processor (AVX-512, AVX2
# or scalar) and ATEN_CPU_CAPABILITY overrides the choice; MKL_CBWR=COMPATIBLE makes MKL's matrix
# products round as on another processor. A test or a stored notebook output that holds on one
# kind of CPU only then fails here, not on a reader's machine. Inductor's disk cache ignores
# both settings, so each capability compiles into a cache of its own.
OTHER_CAPABILITY ?= default
OTHER_CPU       = ATEN_CPU_CAPABILITY=$(OTHER_CAPABILITY) MKL_CBWR=COMPATIBLE \
                  TORCHINDUCTOR_CACHE_DIR=$(INDUCTOR_CACHE)/$(OTHER_CAPABILITY)-compatible
THIS_CPU        = TORCHINDUCTOR_CACHE_DIR=$(INDUCTOR_CACHE)/$(capability)
INDUCTOR_CACHE := $(CURDIR)/_build/inductor-cache
capability      = $(shell $(PY) -c 'import torch; print(torch.backends.cpu.get_cpu_capability().lower())')

.PHONY: book book-stored browser test unit unit-other-cpu package nbval lint execute clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet pip==26.3
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test,book]'
	# timm, a test dependency, without its dependency torchvision: PyPI's torchvision is built
	# for the CUDA PyTorch and cannot load beside the CPU build pinned here
	# (tests/_torchvision_stub.py gives timm the names it imports)
	$(PY) -m pip install --quiet --no-deps -c constraints.txt timm
	touch $(STAMP)

lint: $(STAMP)
	$(PY) -m ruff check .

# The unit tests run in two processes (pytest-xdist): much of their time is single-threaded
# (Python, Inductor's code generation), so two workers finish sooner on two cores. nbval runs in
# one: a notebook's cells share a kernel, and two kernels slow each other's timed cells.
XDIST := -n 2

unit: $(STAMP)
	$(THIS_CPU) $(PY) -m pytest -q $(XDIST) --cov=actbook --cov-report=term-missing:skip-covered \
		--cov-fail-under=90 tests

unit-other-cpu: $(STAMP)
	$(OTHER_CPU) $(PY) -m pytest -q $(XDIST) -p no:cacheprovider tests

# Once, under the other CPU: the stored outputs come from the authors' machines.
nbval: $(STAMP)
	@test -n "$(NOTEBOOKS)" || { echo "no notebooks under book/"; exit 1; }
	$(OTHER_CPU) $(PY) -m pytest -q -p no:cacheprovider --nbval --nbval-current-env \
		--nbval-cell-timeout=300 --nbval-sanitize-with $(NBVAL_SANITIZE) $(NOTEBOOKS)

test: lint unit unit-other-cpu package nbval book-stored browser

# Once: the wheel and sdist from python -m build, and the notebooks' install cell, each in a
# fresh virtual environment with only torch and actbook's runtime dependencies.
package: $(STAMP)
	ACTBOOK_PACKAGE_TEST=1 $(PY) -m pytest -q -p no:cacheprovider tests/test_packaging.py

# The built site in headless Chromium (tests/test_site.py): offline, no console errors, math
# typeset, images, links and anchors, no page wider than a phone. Debian's chromium package;
# .ci/run installs it. Without it the test does not run, and says so.
CHROMIUM ?= $(shell command -v chromium 2>/dev/null)
browser: $(STAMP)
	@if [ -z "$(CHROMIUM)" ]; then \
		echo "*** browser test NOT RUN: no Chromium on this machine (apt-get install chromium) ***"; \
	else \
		ACTBOOK_SITE=_build/html ACTBOOK_CHROMIUM=$(CHROMIUM) $(PY) -m pytest -q -p no:cacheprovider \
			tests/test_site.py; \
	fi

book: $(STAMP)
	$(THIS_CPU) $(JB) build . $(JB_FLAGS)

book-stored: $(STAMP)
	$(PY) scripts/book_config.py $(STORED_CONFIG)
	$(JB) build . $(JB_FLAGS) --config $(STORED_CONFIG)

execute: $(STAMP)
	$(THIS_CPU) $(PY) scripts/execute_notebooks.py $(NOTEBOOKS)

clean:
	rm -rf _build .pytest_cache .ruff_cache .coverage
	find . -name __pycache__ -not -path './.venv/*' -prune -exec rm -rf {} +
