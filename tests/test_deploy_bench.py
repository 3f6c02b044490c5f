"""`make bench` in quick mode writes a JSON report with every measurement's key (no timing asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow  # a whole quick benchmark: packaging, DynamoDB Local, cold starts


def test_quick_bench_writes_every_key(tmp_path):
    out = tmp_path / "bench.json"
    env = {k: v for k, v in os.environ.items() if k not in ("DDB_ENDPOINT", "S3_ENDPOINT")}
    done = subprocess.run(
        [sys.executable, "-m", "infra.bench", "--quick", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    assert {"cold_start", "first_call", "zip", "dynamodb", "import", "site", "cost"} <= set(report)
    assert report["first_call"]["tables"] > 1 and report["first_call"]["ratio"] > 0
    assert report["cold_start"]["runs"] == 3 and report["cold_start"]["ratio"] > 0
    assert report["zip"]["zipped_mb"] > 0 and report["zip"]["unzipped_mb"] >= report["zip"]["zipped_mb"]
    ddb = report["dynamodb"]
    for name in (
        "sign_in",
        "me",
        "contributions_year_1y",
        "contributions_year_40y",
        "pension_payments",
        "create_order",
        "webhook_paid",
        "sign_out",
    ):
        assert "requests" in ddb[name] or ddb[name]["status"] == "n/a", name
    assert ddb["sign_in"]["http_status"] == 200 and ddb["sign_in"]["requests"] >= 1
    assert set(report["site"]) == {"sign_in_page", "home_page"}
    assert "per_million_sessions_usd" in report["cost"] or report["cost"]["status"] == "n/a"
    assert "cold start ratio" in done.stdout  # the table is printed
