"""Shared fixtures: moto-backed tables built once per session, items cleared per test,
a Chalice test client, and helpers to sign a demo resident in."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# The stage environment must be in place before chalicelib's models are imported.
_LOCAL_ENV = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"]["local"][
    "environment_variables"
]
for _key, _value in _LOCAL_ENV.items():
    os.environ.setdefault(_key, _value)
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("EVEN_ANSWER_S", "0")  # no padded answer times in unit/API tests
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
if os.environ.get("SBP_TEST_BACKEND") != "ddblocal":
    os.environ.pop("DDB_ENDPOINT", None)

XHR = {"X-Requested-With": "XMLHttpRequest", "Content-Type": "application/json"}

# pytest-timeout (pyproject.toml sets 300 s): a browser or integration test may start the local
# stack, which waits up to 600 s for it on a busy 2-core machine; a slow test builds the Lambda
# package or runs the quick benchmark.
TIER_TIMEOUT_S = {"integration": 900, "browser": 900, "contract": 900}
SLOW_TIMEOUT_S = 900


def pytest_collection_modifyitems(config, items):
    """Mark every test by its folder (unit, integration, browser, contract) and as slow if it builds the
    Lambda package, so `-m` selects tiers and `--strict-markers` keeps the names honest; slow
    tests and the integration and browser tiers get a longer timeout."""
    for item in items:
        parts = Path(str(item.path)).relative_to(ROOT / "tests").parts
        tier = parts[0] if parts[0] in TIER_TIMEOUT_S else "unit"
        item.add_marker(tier)
        if "packaged" in getattr(item, "fixturenames", ()):
            item.add_marker("slow")
        timeout = SLOW_TIMEOUT_S if item.get_closest_marker("slow") else TIER_TIMEOUT_S.get(tier)
        if timeout and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(timeout))


@pytest.fixture(scope="session")
def aws():
    """moto for the whole session; tables created once."""
    from moto import mock_aws

    with mock_aws():
        from chalicelib import storage
        from chalicelib.models.registry import create_missing_tables
        from infra.importer import runner

        # moto's in-process backend is not thread-safe (two transactions at once corrupt its
        # tables): under moto the importer writes one batch at a time. Its side-by-side writes
        # are tested on DynamoDB Local (tests/integration/test_import_pipeline.py).
        runner.WORKERS = 1

        storage.client.cache_clear()
        create_missing_tables()
        storage.ensure_bucket()
        yield


def clear_tables() -> None:
    from chalicelib.models.registry import ALL_MODELS

    for model in ALL_MODELS:
        with model.batch_write() as batch:
            for item in model.scan():
                batch.delete(item)


@pytest.fixture
def tables(aws):
    from chalicelib import clock

    clear_tables()
    clock.reset()
    yield
    clock.reset()


@pytest.fixture
def frozen_clock():
    """Time stands still (time-machine, tick=False) at the whole second the test starts, so every
    reading through `chalicelib.clock` is the same instant until the test moves it, with
    `frozen_clock.shift(seconds)` or `clock.travel(seconds)`. Use it whenever a test compares
    times: with a running clock, a second may turn between the two readings."""
    import time_machine

    with time_machine.travel(float(int(time.time())), tick=False) as traveller:
        yield traveller


@pytest.fixture
def serial_moto():
    """moto applies a TransactWriteItems without isolation from other threads; DynamoDB
    serialises them. Run moto's calls one at a time so parallel tests see DynamoDB's semantics
    (every thread still reads before it writes, so only conditional writes keep them apart)."""
    from unittest import mock

    import botocore.client

    lock = threading.RLock()
    real = botocore.client.BaseClient._make_api_call

    def serialised(self, operation, params):
        with lock:
            return real(self, operation, params)

    with mock.patch.object(botocore.client.BaseClient, "_make_api_call", serialised):
        yield


@pytest.fixture
def fixed_time(tables):
    """chalicelib's clock at tests.helpers.FIXED_NOW (2026-11-15 10:00 China time), the payment tests'
    instant; modules with an instant of their own define their own `fixed_time`."""
    from chalicelib import clock

    from .helpers import freeze_at

    freeze_at()
    yield
    clock.reset()


@pytest.fixture
def client(tables):
    from chalice.test import Client

    import app as app_module

    with Client(app_module.app, stage_name="local", project_dir=str(ROOT)) as c:
        yield c


def load_fixture(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def packaged(tmp_path_factory):
    """`chalice package` of the dev stage, once per test session (infra/package.py)."""
    from infra.package import package

    return package("dev", tmp_path_factory.mktemp("package") / "dev", log=lambda *_: None)
