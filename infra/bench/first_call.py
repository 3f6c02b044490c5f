"""First call per table in a fresh process: what a cold Lambda pays the first time it touches
each DynamoDB table, against a warm call to the same table in the same process (the baseline).

    python -m infra.bench.first_call --endpoint URL   # prints JSON (tables must exist)

Every model talks through the one shared connection of `chalicelib.models.base`, so only the very
first call of a process builds the botocore session and client; each further table's first call
should cost about as much as a warm one. Each call is `Model.exists()` (one DescribeTable).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .child import run_json

ROOT = Path(__file__).resolve().parents[2]
WARM_CALLS = 5


def _measure_here(endpoint: str) -> dict[str, Any]:
    from chalicelib.models import base
    from chalicelib.models.registry import ALL_MODELS

    base.configure(endpoint=endpoint)
    first_ms: dict[str, float] = {}
    for model in ALL_MODELS:
        started = time.perf_counter()
        model.exists()
        first_ms[model.Meta.table_name] = (time.perf_counter() - started) * 1000
    warm_ms = []
    for model in ALL_MODELS:
        for _ in range(WARM_CALLS):
            started = time.perf_counter()
            model.exists()
            warm_ms.append((time.perf_counter() - started) * 1000)
    names = list(first_ms)
    per_table = [first_ms[name] for name in names[1:]]  # the first also builds the session
    warm = statistics.median(warm_ms)
    return {
        "tables": len(names),
        "process_first_call_ms": round(first_ms[names[0]], 1),
        "per_table_first_call_median_ms": round(statistics.median(per_table), 2),
        "per_table_first_call_max_ms": round(max(per_table), 2),
        "warm_call_median_ms": round(warm, 2),
        "ratio": round(statistics.median(per_table) / warm, 2),
    }


def measure(endpoint: str) -> dict[str, Any]:
    """Create the tables (not timed), then measure in a fresh process."""
    env = dict(os.environ, DDB_ENDPOINT=endpoint, STAGE=os.environ.get("STAGE", "local"))
    subprocess.run(
        [sys.executable, "-c", "from chalicelib.models.registry import create_missing_tables as c; c()"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    return run_json("infra.bench.first_call", "--endpoint", endpoint, env=env, timeout=300)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    args = parser.parse_args(argv)
    print(json.dumps(_measure_here(args.endpoint)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
