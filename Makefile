# Two commands for a fresh machine: `make run` and `make test`.
# Both build .venv from requirements.lock first (exact versions, same on every machine).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < requirements.lock | cut -d' ' -f1)

.PHONY: run webhook test test-fast lint diagrams lock clean

run: $(STAMP)
	$(BIN)/python -m bot

webhook: $(STAMP)
	$(BIN)/python -m bot webhook

# The end-to-end tests mostly wait on sockets and subprocesses: three at a time
# use two cores well (TEST_WORKERS=0 runs them one by one).
TEST_WORKERS ?= 3

test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The edit-test loop: everything but the crash, fault and many-worker runs.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not slow" $(PYTEST_ARGS)

# mypy reads its files and strictness from [tool.mypy] in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

diagrams: $(STAMP)
	$(BIN)/python -m flows.diagram

$(STAMP): requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --requirement requirements.lock
	rm -f $(VENV)/.installed-*
	touch $@

# Re-pin after changing pyproject.toml: installs the declared versions, then freezes.
lock:
	rm -rf /tmp/kintsugi-lock && $(PYTHON) -m venv /tmp/kintsugi-lock
	/tmp/kintsugi-lock/bin/pip install --quiet ".[test]"
	/tmp/kintsugi-lock/bin/pip freeze --exclude-editable | grep -v '^kintsugi' > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
