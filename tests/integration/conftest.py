"""Run the repository code against AWS DynamoDB Local instead of moto.

pynamodb models read the endpoint when they are imported, so these tests need a pytest process
of their own in which DynamoDB Local starts before chalicelib is imported:

    SBP_TEST_BACKEND=ddblocal python -m pytest tests/integration     (what `make test` runs)

Here, at import (before any test module imports chalicelib), DynamoDB Local starts in memory on
a free 127.0.0.1 port and `DDB_ENDPOINT` points at it; it is stopped when the session ends.
Without `SBP_TEST_BACKEND=ddblocal` this folder is not collected (the header says so), so a
plain `pytest tests` never mixes the two backends in one process. The `aws` fixture of
tests/conftest.py is replaced: no moto here; `tables`, `client` and tests/helpers.py work as
they do on moto.
"""

from __future__ import annotations

import atexit
import os
import sys
import tempfile
from pathlib import Path

import pytest

ENABLED = os.environ.get("SBP_TEST_BACKEND") == "ddblocal"
_ddb = None

if ENABLED:
    if "chalicelib.models.base" in sys.modules:
        raise pytest.UsageError(
            "tests/integration must run in its own pytest process: chalicelib's "
            "models were imported before DynamoDB Local started"
        )
    from infra.ddb_local import DynamoDBLocal

    _log = Path(tempfile.mkdtemp(prefix="sbp-ddblocal-")) / "dynamodb-local.log"
    _ddb = DynamoDBLocal(log_path=_log).start()
    atexit.register(_ddb.stop)
    os.environ["DDB_ENDPOINT"] = _ddb.endpoint
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
else:
    collect_ignore_glob = ["test_*.py"]


def pytest_report_header(config):
    if ENABLED:
        return f"integration backend: DynamoDB Local at {_ddb.endpoint} (in memory)"
    return "tests/integration not collected: run them with SBP_TEST_BACKEND=ddblocal (make test does)"


def pytest_unconfigure(config):
    if _ddb is not None:
        _ddb.stop()


@pytest.fixture(scope="session")
def ddb_endpoint() -> str:
    return _ddb.endpoint


@pytest.fixture(scope="session")
def ddb_server():
    """The DynamoDB Local server itself (its `process`), for fault tests that pause it."""
    return _ddb


@pytest.fixture(scope="session")
def aws(ddb_endpoint):
    """Replaces the moto fixture: the tables, created once on DynamoDB Local."""
    from chalicelib.models.base import BaseMeta
    from chalicelib.models.registry import create_missing_tables

    assert BaseMeta.host == ddb_endpoint, "chalicelib was imported before DDB_ENDPOINT was set"
    create_missing_tables()
    yield
