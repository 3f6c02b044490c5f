"""Service modules load at their first use on the Lambda's Python (3.13), at import before it
(chalicelib/lazy_services.py). `make test` runs this file on both interpreters."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from chalicelib import lazy_services

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROBE = """
import importlib.util, json, sys
import app
def pending():
    return sorted(m for m, mod in sys.modules.items()
                  if m.startswith("chalicelib.services.") and isinstance(mod, importlib.util._LazyModule))
before = pending()
from chalicelib.services import bank_notifications
usable = callable(bank_notifications.handle_notification)
print(json.dumps({"before": before, "after": pending(), "usable": usable}))
"""


def probe() -> dict:
    """A fresh process imports the app, then uses one service it had not needed yet."""
    env = {k: v for k, v in os.environ.items() if k not in ("DDB_ENDPOINT", "S3_ENDPOINT")}
    env.update({"STAGE": "dev", "TABLE_PREFIX": "sbp-dev-", "UPLOADS_BUCKET": "sbp-dev-uploads"})
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_services_wait_for_their_first_use_where_loading_on_demand_is_thread_safe():
    seen = probe()
    assert seen["usable"]
    if sys.version_info >= lazy_services.THREAD_SAFE_FROM:
        assert "chalicelib.services.bank_notifications" in seen["before"]
        assert "chalicelib.services.bank_notifications" not in seen["after"]
    else:  # the local stack's interpreter: its gateway answers in threads
        assert seen["before"] == [] and seen["after"] == []
