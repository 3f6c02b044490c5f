"""The stage decides what is deployed: dev routes and the outbox exist only on `local`, and a
process without STAGE refuses to start rather than act as `local`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib import settings
from infra import stage_env

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import json, app\n"
    "from chalicelib.models.registry import ALL_MODELS\n"
    "print(json.dumps({'routes': sorted(app.app.routes), "
    "'tables': sorted(m.Meta.table_name for m in ALL_MODELS)}))\n"
)


def _run(stage: str | None) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("STAGE", "TABLE_PREFIX", "UPLOADS_BUCKET", "SITE_ORIGIN", "DDB_ENDPOINT")
    }
    if stage:
        env.update(stage_env.stage_variables(stage))
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_prod_app_has_no_dev_routes_and_no_outbox_table():
    done = _run("prod")
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert "/api/auth/login" in seen["routes"]
    assert not [r for r in seen["routes"] if r.startswith("/api/dev")]
    assert "sbp-prod-outbox" not in seen["tables"] and "sbp-prod-accounts" in seen["tables"]


def test_local_app_has_the_dev_routes_and_the_outbox():
    done = _run("local")
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"/api/dev/outbox", "/api/dev/captcha/{captcha_id}"} <= set(seen["routes"])
    assert "sbp-local-outbox" in seen["tables"]


def test_app_without_stage_refuses_to_start():
    done = _run(None)
    assert done.returncode != 0
    assert "StageNotSet" in done.stderr and "STAGE is not set" in done.stderr


def test_missing_or_empty_stage_is_an_error_never_local(monkeypatch):
    monkeypatch.delenv("STAGE")
    with pytest.raises(settings.StageNotSet):
        settings.is_local()
    monkeypatch.setenv("STAGE", "")
    with pytest.raises(settings.StageNotSet):
        settings.stage()
