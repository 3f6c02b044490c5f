"""Shared fixtures: moto-backed tables built once per session, items cleared per test,
a Chalice test client, and helpers to sign a demo resident in."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# The stage environment must be in place before chalicelib's models are imported.
_LOCAL_ENV = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"]["local"]["environment_variables"]
for _key, _value in _LOCAL_ENV.items():
    os.environ.setdefault(_key, _value)
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
if os.environ.get("SBP_TEST_BACKEND") != "ddblocal":
    os.environ.pop("DDB_ENDPOINT", None)

XHR = {"X-Requested-With": "XMLHttpRequest", "Content-Type": "application/json"}


@pytest.fixture(scope="session")
def aws():
    """moto for the whole session; tables created once."""
    from moto import mock_aws
    with mock_aws():
        from chalicelib import storage
        from chalicelib.models.registry import create_missing_tables
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
