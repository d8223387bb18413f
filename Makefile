# plananalysis — every target installs what it needs first (venv, fonts, browser).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
AS_OF ?=
PLAN ?=
JOBS ?=
HOST ?= 127.0.0.1
PORT ?= 8866
LAB_PORT ?= 8888
REPORTS ?=
# the test suite's pytest-xdist workers (tests/conftest.py: the longest modules first; 0: none)
TEST_WORKERS ?= 2

# $(call q,VALUE): VALUE as one single-quoted shell word, taken as written ($(value …): never
# expanded by make), so PLAN='x; touch /tmp/PWNED' is a plan name, not a command, and a folder
# with a space in its name stays one argument.  The recipes `exec` the command: make's child is
# the command itself, which ends when make is signalled or killed (plananalysis.run.processes).
q = '$(subst ','\'',$(1))'
arg = $(if $(value $(2)),$(1) $(call q,$(value $(2))),)
# Not exported either: make would expand a value set on its command line to put it in the
# recipe's environment (PLAN='$(shell …)' would run).
unexport PLAN AS_OF JOBS HOST PORT LAB_PORT REPORTS TEST_WORKERS

.PHONY: review test fuzz app bench lab venv bytecode system fonts browser viewers clean

## review: every review that is due (mid-term and final) of the default plan into reports/<plan>/<as_of>/;
##         PLAN=<id|folder|all> for another plan or all of them, AS_OF=<year> for one review,
##         REPORTS=<folder> for another reports folder
##         (the browser prints the review's PDF)
review: $(STAMP) bytecode fonts browser
	exec $(BIN)/plananalysis review $(call arg,--plan,PLAN) $(call arg,--as-of,AS_OF) $(call arg,--jobs,JOBS) $(call arg,--reports-dir,REPORTS)

## test: install what is missing, then run every test
test: $(STAMP) bytecode fonts browser viewers
	$(BIN)/python -m pytest -n $(call q,$(value TEST_WORKERS)) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

## fuzz: install what is missing, then a long random run of the fuzz tests (hypothesis profile
##       "fuzz"; `make test` runs a fixed set of their examples); PLANANALYSIS_FUZZ_EXAMPLES=<n> a test
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -m fuzz tests $(PYTEST_ARGS)

## app: serve the Voilà apps on $(HOST):$(PORT)
app: $(STAMP) bytecode fonts
	exec $(BIN)/plananalysis app $(call arg,--host,HOST) $(call arg,--port,PORT) $(call arg,--plan,PLAN) $(call arg,--reports-dir,REPORTS)

## lab: JupyterLab for analysts, with the project kernel
lab: $(STAMP) bytecode fonts
	exec $(BIN)/plananalysis lab $(call arg,--host,HOST) $(call arg,--port,LAB_PORT) $(call arg,--plan,PLAN)

## bench: speed figures (medians and ratios)
bench: $(STAMP) bytecode fonts browser
	$(BIN)/python bench/run_all.py

venv: $(STAMP)

# The package's bytecode, written ahead (quick when it is up to date): every process of a review or
# of the tests (kernels, workers, the command) then reads it instead of compiling the package's
# sources again — where PYTHONDONTWRITEBYTECODE is set, Python never writes it itself.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q plananalysis

# The stamp names the hash of pyproject.toml: editing it reinstalls.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@# rfc3987-syntax (pulled in by jupyter-events via jsonschema) costs ~2.3 s of import
	@# in every kernel and CLI process; nothing we use needs it (see docs/performance.md).
	$(BIN)/python -m pip uninstall --quiet -y rfc3987-syntax || true
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (plananalysis)" >/dev/null
	rm -f $(VENV)/.installed-*
	touch $@

system: fonts browser

fonts:
	@bash tools/ensure-system.sh fonts

browser:
	@bash tools/ensure-system.sh browser

viewers:
	@bash tools/ensure-system.sh viewers

clean:
	rm -rf $(VENV) reports/.tmp-*
