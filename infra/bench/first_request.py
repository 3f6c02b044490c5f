"""The first request after a cold start: a fresh process imports the app and answers one sign-in
(POST /api/auth/login through the Lambda handler: captcha, lockout counter, argon2id check,
session, audit), against a bare Chalice app importing boto3 whose one route does one GetItem.

    python -m infra.bench.first_request [--runs 7] [--endpoint URL]  # prints JSON

Both run against one in-memory DynamoDB Local, each in a fresh process (the Lambda cold start),
timed from the spawn to the answer; the report gives the medians and their ratio. The bench
account and one captcha per run are written beforehand (not timed) by this module in a process of
its own, so the stage's variables point at DynamoDB Local from the first import of chalicelib.
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

from .child import WITHOUT_PYOPENSSL, run_json, runtime_python

ROOT = Path(__file__).resolve().parents[2]
BENCH_ID = "371402198503142314"
BENCH_PASSWORD = "Bench2026Pass"

_EVENT = {
    "resource": "{path}",
    "path": "{path}",
    "httpMethod": "POST",
    "headers": {
        "Content-Type": "application/json",
        "X-Requested-With": "XMLHttpRequest",
        "Host": "abc123.execute-api.us-east-1.amazonaws.com",
    },
    "multiValueHeaders": {},
    "queryStringParameters": None,
    "multiValueQueryStringParameters": None,
    "pathParameters": None,
    "stageVariables": None,
    "isBase64Encoded": False,
    "requestContext": {
        "resourcePath": "{path}",
        "httpMethod": "POST",
        "path": "/v1{path}",
        "stage": "v1",
        "requestId": "bench",
        "identity": {"sourceIp": "203.0.113.9", "userAgent": "bench"},
        "accountId": "123456789012",
        "apiId": "abc123",
    },
}

APP_RUN = """
import json, sys
event = json.loads(sys.argv[1])
import app
answer = app.app(event, None)
print(answer["statusCode"])
"""

BARE_RUN = (
    WITHOUT_PYOPENSSL
    + """
import json, sys
import boto3
from chalice import Chalice
app = Chalice(app_name="bare")
client = boto3.client("dynamodb", endpoint_url=sys.argv[2])

@app.route("/api/auth/login", methods=["POST"])
def login():
    client.get_item(TableName=sys.argv[3], Key={"id_number": {"S": sys.argv[4]}})
    return {"status": "ok"}

answer = app(json.loads(sys.argv[1]), None)
print(answer["statusCode"])
"""
)


def _event(path: str, body: dict[str, Any]) -> dict[str, Any]:
    text = json.dumps(_EVENT).replace("{path}", path)
    event = json.loads(text)
    event["body"] = json.dumps(body)
    return event


def _timed(code: str, args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [runtime_python(), "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0 or done.stdout.strip() != "200":
        raise RuntimeError(f"run failed ({done.stdout.strip()}): {done.stderr.strip()[-500:]}")
    return elapsed


def save_bench_account() -> None:
    """The bench resident, activated with BENCH_PASSWORD (models already configured)."""
    from chalicelib import clock
    from chalicelib.models.accounts import Account
    from chalicelib.security import passwords

    Account(
        id_number=BENCH_ID,
        name="张伟",
        phone="13800001111",
        password_hash=passwords.hash_password(BENCH_PASSWORD),
        password_state="SET",
        created_at=int(clock.now()),
    ).save()


def run_in_process(runs: int, endpoint: str) -> dict[str, Any]:
    from infra import stage_env

    stage_env.apply("local", endpoints={"DDB_ENDPOINT": endpoint})
    from chalicelib.models.accounts import Account
    from chalicelib.models.registry import create_missing_tables
    from chalicelib.services import captcha

    create_missing_tables()
    save_bench_account()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    app_s, bare_s = [], []
    for n in range(runs + 1):  # the first pair warms the OS file cache and is not counted
        created = captcha.create()
        body = {
            "id_number": BENCH_ID,
            "password": BENCH_PASSWORD,
            "captcha_id": created["captcha_id"],
            "captcha_answer": captcha.peek(created["captcha_id"]),
        }
        event = json.dumps(_event("/api/auth/login", body))
        pair = [
            ("app", [APP_RUN, event]),
            ("bare", [BARE_RUN, event, endpoint, Account.Meta.table_name, BENCH_ID]),
        ]
        for which, (code, *args) in pair if n % 2 == 0 else pair[::-1]:
            elapsed = _timed(code, args, env)
            if n:
                (app_s if which == "app" else bare_s).append(elapsed)
        Account(id_number=BENCH_ID).update(actions=[Account.failed_count.set(0)])
    app_ms, bare_ms = statistics.median(app_s) * 1000, statistics.median(bare_s) * 1000
    return {
        "runs": runs,
        "app_median_ms": round(app_ms, 1),
        "bare_median_ms": round(bare_ms, 1),
        "ratio": round(app_ms / bare_ms, 3),
        "target": 1.5,
        "note": "fresh process: import + one sign-in through the Lambda handler vs bare Chalice + one GetItem",
    }


def measure(runs: int) -> dict[str, Any]:
    """Start DynamoDB Local (in memory) and run the measurement in a fresh process."""
    from infra.ddb_local import DynamoDBLocal

    env = {k: v for k, v in os.environ.items() if k not in ("DDB_ENDPOINT", "S3_ENDPOINT")}
    with DynamoDBLocal() as ddb:
        return run_json(
            "infra.bench.first_request",
            "--runs",
            str(runs),
            "--endpoint",
            ddb.endpoint,
            env=env,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.bench.first_request", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--endpoint", help="a running DynamoDB Local (default: start one, in memory)")
    args = parser.parse_args(argv)
    result = run_in_process(args.runs, args.endpoint) if args.endpoint else measure(args.runs)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
