# pywry: the two set-up commands of the README are `make demo` and `make test`.
# Both create .venv when needed, install what they need, and work again on a machine where
# they already ran (every step checks before it acts).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
APT := DEBIAN_FRONTEND=noninteractive apt-get
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test lint docs check bench scale soak soak-deploy system-deps clean

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  rm -rf $(VENV); echo "installing python3-venv (Debian)"; \
	  $(SUDO) $(APT) update -q && $(SUDO) $(APT) install -y -q python3-venv && \
	  $(PYTHON) -m venv $(VENV); }
	@$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@ $(VENV)/.runtime

$(VENV)/.docs: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[docs]'
	@touch $@ $(VENV)/.runtime

# Wheels of pywry's dependencies, pytest and the build backend: the test of the pytest plugin
# installs pywry into a fresh virtual environment from them, without a network.
$(VENV)/wheelhouse/.done: pyproject.toml | $(BIN)/python
	$(BIN)/pip wheel -q --wheel-dir $(VENV)/wheelhouse . pytest hatchling
	@rm -f $(VENV)/wheelhouse/pywry-*.whl
	@touch $@

# Chromium for the end-to-end tests and redis-server for deploy mode, from Debian's packages.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v redis-server >/dev/null 2>&1; then \
	  echo "installing chromium and redis-server (Debian packages)"; \
	  $(SUDO) $(APT) update -q && $(SUDO) $(APT) install -y -q chromium redis-server; \
	fi

# The live dashboard: prints "pywry demo: <url>" and streams to the page until its tab closes.
demo: $(VENV)/.runtime
	$(BIN)/python examples/live_dashboard.py

test: system-deps $(VENV)/.dev $(VENV)/wheelhouse/.done
	$(BIN)/python -m pytest

# The documentation site, into site/; --strict turns every broken link into a failure.
docs: $(VENV)/.docs
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

# The docs build is part of lint, so CI (.ci/run) catches a broken page or link.
lint: $(VENV)/.dev docs
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict src

check: lint test

bench: system-deps $(VENV)/.dev
	$(BIN)/python bench/run.py
	$(BIN)/python bench/pingpong.py
	$(BIN)/python bench/calls.py
	$(BIN)/python bench/page_route.py
	$(BIN)/python bench/payloads.py

# Issue 4's scale run (1,000 WebSocket pages on 100 widgets) and 10-minute soak; each
# rewrites its block of docs/scale-and-soak.md.
scale: $(VENV)/.dev
	$(BIN)/python bench/scale.py

soak: $(VENV)/.dev
	$(BIN)/python bench/soak.py --minutes 10

# Deploy mode's 10-minute soak: two workers on a real redis-server (started by the script),
# pages cut every 30 s, one Redis restart and one worker killed; rewrites its block of
# docs/scale-and-soak.md.
soak-deploy: system-deps $(VENV)/.dev
	$(BIN)/python bench/soak_deploy.py --minutes 10

clean:
	rm -rf $(VENV) site .pytest_cache .mypy_cache .ruff_cache bench/.cache
