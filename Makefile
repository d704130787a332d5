# Starform's two commands (INTERFACES.md):
#   make up    install what is missing, migrate, and run the whole platform on this machine
#   make test  install what is missing (Python deps, bun, PostgreSQL) and run every test
# Each step installs only what is missing, so a second run starts at once.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON      ?= python3
TOOLS       := .tools
UV_VERSION  := 0.13.9
UV          := $(TOOLS)/uv/bin/uv
VENV        := .venv
BUN_VERSION := 1.4.4
BUN         := $(TOOLS)/bun/node_modules/@oven/bun-linux-x64/bin/bun
PG_BIN      := /usr/lib/postgresql/15/bin
SUDO        := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export NPM_CONFIG_REGISTRY ?= https://registry.npmjs.org
export REFLEX_BUN_PATH := $(abspath $(BUN))
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false
export REFLEX_HTTP_CLIENT_BIND_ADDRESS := 0.0.0.0

.PHONY: help up test bench install system-packages kube-apiserver lint clean

help:
	@echo "make up    - run Starform on this machine (embedded mode) at http://localhost:3000"
	@echo "make test  - run every test (unit, integration against real servers, e2e)"
	@echo "make bench - print speed and memory figures"

up: install
	$(VENV)/bin/starform up

test: install system-packages kube-apiserver
	$(VENV)/bin/pytest

# Speed and memory figures (bench/*.py print them); wrk is the load generator of bench/desired_state.py.
bench: install
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk; }
	$(VENV)/bin/python bench/startup.py
	$(VENV)/bin/python bench/sealing.py
	$(VENV)/bin/python bench/desired_state.py
	$(VENV)/bin/python bench/build_overhead.py
	$(VENV)/bin/python bench/rollout.py
	$(VENV)/bin/python bench/ui.py
	$(VENV)/bin/python bench/reconcile.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

install: $(VENV)/.installed $(BUN)

$(UV):
	$(PYTHON) -m venv $(TOOLS)/uv
	$(TOOLS)/uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Locked, reproducible install (uv.lock); re-synced only when pyproject.toml or uv.lock change.
$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --extra dev --python $(PYTHON)
	touch $@

# Reflex's frontend needs bun >= 1.4.4; it comes from the npm registry (INFRA.md).
$(BUN):
	mkdir -p $(TOOLS)/bun
	npm install --prefix $(TOOLS)/bun --ignore-scripts --no-audit --no-fund @oven/bun-linux-x64@$(BUN_VERSION)
	$(BUN) --version

# What the tests start themselves: PostgreSQL 15 and Chromium (driven by Playwright) from Debian.
system-packages:
	@missing=""; \
	[ -x $(PG_BIN)/initdb ] || missing="$$missing postgresql"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# A real Kubernetes API server for the Kubernetes target's tests: etcd from Debian, kube-apiserver built
# from Debian's source package once (a few minutes) and cached in ~/.cache/starform/k8s (INFRA.md).
kube-apiserver:
	scripts/kube-build.sh

clean:
	rm -rf $(VENV) $(TOOLS) .web .states .pytest_cache .ruff_cache
