"""The benchmark. Each measurement is a function returning a dict; a failure or a missing feature
becomes {"status": "n/a", "reason": ...} so the report always has every key.

DynamoDB operations are listed in OPERATIONS (name → function(ctx) that performs exactly the
measured request(s) and returns the HTTP status, or None when the route does not exist yet); to
add one, write the function and add it there.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from .child import WITHOUT_PYOPENSSL, python_version, runtime_python
from .first_request import BENCH_ID, BENCH_PASSWORD, save_bench_account

ROOT = Path(__file__).resolve().parents[2]
OUT_FILE = ROOT / ".local" / "bench.json"
PRICES = Path(__file__).resolve().parent / "prices.json"


def na(reason: str) -> dict[str, Any]:
    return {"status": "n/a", "reason": reason}


# ---- cold start ----------------------------------------------------------------------------

BARE_APP = WITHOUT_PYOPENSSL + "import boto3\nfrom chalice import Chalice\napp = Chalice(app_name='bare')\n"


def _timed_import(code: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([runtime_python(), "-c", code], cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def _median_pair(first: str, second: str, runs: int, env: dict[str, str]) -> tuple[float, float]:
    """Median wall time of `first` and of `second`, each in fresh processes, run in alternation
    (on a shared machine the load drifts: two blocks one after the other would compare
    different loads)."""
    a, b = [], []
    for n in range(runs):
        if n % 2 == 0:
            a.append(_timed_import(first, env))
            b.append(_timed_import(second, env))
        else:
            b.append(_timed_import(second, env))
            a.append(_timed_import(first, env))
    return statistics.median(a), statistics.median(b)


def cold_start(runs: int) -> dict[str, Any]:
    """`import app` vs a bare Chalice app importing boto3, both with bytecode present, as in the
    Lambda zip (infra/package.py ships .pyc; the libraries' come from pip), both on the Lambda
    runtime's Python (`child.runtime_python`). The source-only figure is reported too: it is
    what a zip without bytecode would cost."""
    import compileall

    from infra import stage_env

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DDB_ENDPOINT", "S3_ENDPOINT", "PYTHONDONTWRITEBYTECODE")
    }
    env.update(stage_env.stage_variables("dev"))
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    for cache in [
        ROOT / "__pycache__",
        *ROOT.glob("chalicelib/**/__pycache__"),
        *ROOT.glob("functions/**/__pycache__"),
    ]:
        shutil.rmtree(cache, ignore_errors=True)
    source_s, source_bare_s = _median_pair(
        "import app", BARE_APP, runs, dict(env, PYTHONDONTWRITEBYTECODE="1")
    )
    compileall.compile_file(str(ROOT / "app.py"), quiet=1)
    for folder in ("chalicelib", "functions"):
        compileall.compile_dir(str(ROOT / folder), quiet=1)
    _timed_import("import app", env)  # warm the file cache once
    app_s, bare_s = _median_pair("import app", BARE_APP, runs, env)
    return {
        "runs": runs,
        "app_median_ms": round(app_s * 1000, 1),
        "bare_median_ms": round(bare_s * 1000, 1),
        "ratio": round(app_s / bare_s, 3),
        "target": 1.2,
        "source_only_median_ms": round(source_s * 1000, 1),
        "source_only_ratio": round(source_s / source_bare_s, 3),
        "python": python_version(runtime_python()),
    }


def first_request(quick: bool) -> dict[str, Any]:
    """A cold process answering a sign-in vs a bare Chalice app doing one GetItem (first_request.py)."""
    from .first_request import measure

    return measure(runs=3 if quick else 9)


def first_call_per_table() -> dict[str, Any]:
    """Each table's first call in a fresh process vs a warm call (first_call.py), DynamoDB Local."""
    from infra.ddb_local import DynamoDBLocal

    from .first_call import measure

    with DynamoDBLocal() as ddb:
        return measure(ddb.endpoint)


# ---- zip size ------------------------------------------------------------------------------


def zip_size(reuse: bool) -> dict[str, Any]:
    zip_path = ROOT / "out" / "dev" / "deployment.zip"
    if not (reuse and zip_path.exists()):
        from infra.package import package

        zip_path = package("dev", log=lambda *_: None).zip_path
    infos = zipfile.ZipFile(zip_path).infolist()
    unzipped = sum(i.file_size for i in infos)
    by_top: dict[str, int] = defaultdict(int)
    for info in infos:
        by_top[info.filename.split("/")[0]] += info.file_size
    largest = sorted(by_top.items(), key=lambda kv: -kv[1])[:5]
    return {
        "zipped_mb": round(zip_path.stat().st_size / 1e6, 2),
        "unzipped_mb": round(unzipped / 1e6, 2),
        "largest_unzipped_mb": {k: round(v / 1e6, 2) for k, v in largest},
        "limit_unzipped_mb": 250,
    }


# ---- DynamoDB requests per operation -------------------------------------------------------


class Recorder:
    """Counts DynamoDB calls and their ConsumedCapacity with botocore event hooks on every client."""

    CAPACITY_OPS: frozenset[str] = frozenset(
        {
            "GetItem",
            "PutItem",
            "UpdateItem",
            "DeleteItem",
            "Query",
            "Scan",
            "BatchGetItem",
            "BatchWriteItem",
            "TransactGetItems",
            "TransactWriteItems",
        }
    )

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def install(self) -> None:
        import botocore.session

        original = botocore.session.Session.create_client
        recorder = self

        def create_client(session_self, service_name, *args, **kwargs):
            client = original(session_self, service_name, *args, **kwargs)
            if service_name == "dynamodb":
                client.meta.events.register("provide-client-params.dynamodb.*", recorder._ask_capacity)
                client.meta.events.register("after-call.dynamodb.*", recorder._after)
            return client

        botocore.session.Session.create_client = create_client

    def _ask_capacity(self, params, model, **_):
        if model.name in self.CAPACITY_OPS:
            params.setdefault("ReturnConsumedCapacity", "TOTAL")

    def _after(self, parsed, model, **_):
        consumed = parsed.get("ConsumedCapacity") or []
        consumed = consumed if isinstance(consumed, list) else [consumed]
        read = write = 0.0
        tables = []
        for c in consumed:
            tables.append(c.get("TableName", "?"))
            units = float(c.get("CapacityUnits") or 0)
            if model.name in ("GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"):
                read += float(c.get("ReadCapacityUnits") or units)
            else:
                write += float(c.get("WriteCapacityUnits") or units)
        self.calls.append({"op": model.name, "tables": tables, "read_units": read, "write_units": write})

    def measure(self, fn: Callable[[], Any]) -> dict[str, Any]:
        start = len(self.calls)
        status = fn()
        calls = self.calls[start:]
        if status is None:
            return na("route not in the app yet")
        session_calls = [c for c in calls if any(t.endswith("sessions") for t in c["tables"])]
        return {
            "http_status": status,
            "requests": len(calls),
            "after_session_check": len(calls) - len(session_calls),
            "read_units": round(sum(c["read_units"] for c in calls), 2),
            "write_units": round(sum(c["write_units"] for c in calls), 2),
            "calls": [f"{c['op']} {','.join(t.split('-', 2)[-1] for t in c['tables'])}" for c in calls],
        }


class Ctx:
    def __init__(self, client, routes: set[str]):
        self.client, self.routes, self.cookie, self.data = client, routes, None, {}

    def has(self, path: str) -> bool:
        return path in self.routes

    def get(self, path: str):
        return self.client.http.get(path, headers={"Cookie": self.cookie} if self.cookie else {})

    def post(self, path: str, body: Any = None, headers: dict | None = None):
        h = {"X-Requested-With": "XMLHttpRequest", "Content-Type": "application/json", **(headers or {})}
        if self.cookie:
            h["Cookie"] = self.cookie
        return self.client.http.post(
            path, headers=h, body=body if isinstance(body, str) else json.dumps(body or {})
        )


def op_sign_in(ctx: Ctx):
    created = ctx.post("/api/auth/captcha").json_body
    answer = ctx.get(f"/api/dev/captcha/{created['captcha_id']}").json_body["answer"]
    ctx.data["login"] = {
        "id_number": BENCH_ID,
        "password": BENCH_PASSWORD,
        "captcha_id": created["captcha_id"],
        "captcha_answer": answer,
    }
    return None  # preparation only; the measured part is op_login


def op_login(ctx: Ctx):
    response = ctx.post("/api/auth/login", ctx.data["login"])
    header = response.headers.get("Set-Cookie") or response.headers.get("set-cookie") or ""
    match = re.match(r"(sbp_session=[^;]*)", header)
    ctx.cookie = match.group(1) if match else None
    return response.status_code


def op_me(ctx: Ctx):
    return ctx.get("/api/me").status_code if ctx.has("/api/me") else None


def _contributions(ctx: Ctx, year: str):
    if not ctx.has("/api/insurance/{type_code}/contributions"):
        return None
    return ctx.get(f"/api/insurance/110/contributions?year={year}").status_code


def op_pension_payments(ctx: Ctx):
    if not ctx.has("/api/benefits/pension-payments"):
        return None
    return ctx.get("/api/benefits/pension-payments?from=202401&to=202412").status_code


def op_create_order(ctx: Ctx):
    if not ctx.has("/api/payments/orders"):
        return None
    from chalicelib.services import payment_dues

    months = payment_dues.payable_window()[-1:]
    from chalicelib import policy

    low, _ = policy.base_band(int(months[0][:4]))
    response = ctx.post(
        "/api/payments/orders", {"kind": "flexible_pension", "months": months, "base_fen": low}
    )
    ctx.data["order"] = response.json_body
    return response.status_code


def prepare_webhook(ctx: Ctx) -> None:
    order = ctx.data.get("order", {})
    if "order_no" in order:
        ctx.post(f"/api/payments/orders/{order['order_no']}/confirm")
        ctx.post(f"/api/payments/orders/{order['order_no']}/pay", {"bank_code": "icbc"})


def op_webhook_paid(ctx: Ctx):
    if not ctx.has("/api/banks/{bank_code}/notifications") or "order_no" not in ctx.data.get("order", {}):
        return None
    import hashlib
    import hmac
    from datetime import datetime

    order = ctx.data["order"]
    body = json.dumps(
        {
            "event_id": f"bench-{int(time.time())}",
            "order_no": order["order_no"],
            "bank_txn_id": f"T{int(time.time() * 1000)}",
            "amount_fen": order["total_fen"],
            "currency": "CNY",
            "status": "SUCCESS",
            "paid_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    )
    ts = str(int(time.time()))
    secret = os.environ["BANK_SECRET_ICBC"].encode()
    signature = hmac.new(secret, f"{ts}.{body}".encode(), hashlib.sha256).hexdigest()
    return ctx.client.http.post(
        "/api/banks/icbc/notifications",
        body=body,
        headers={
            "Content-Type": "application/json",
            "X-Bank-Timestamp": ts,
            "X-Bank-Signature": f"v1={signature}",
        },
    ).status_code


def op_logout(ctx: Ctx):
    return ctx.post("/api/auth/logout").status_code


def _seed(history_years: int) -> None:
    from chalicelib import clock
    from infra.seed.contributions import generate_employee_history

    save_bench_account()
    end_year = clock.now_dt().year - 1
    rows = generate_employee_history(
        BENCH_ID, f"{end_year - history_years + 1}01", f"{end_year}12", "德州市某公司"
    )
    from chalicelib.models.contributions import Contribution

    with Contribution.batch_write() as batch:
        for row in rows:
            batch.save(row)


def dynamodb_operations() -> dict[str, Any]:
    """Runs the app in-process (chalice.test.Client) against DynamoDB Local (moto if Java or the
    jar is missing, reported as `backend`)."""
    from contextlib import ExitStack

    with ExitStack() as stack:
        backend = "dynamodb-local"
        try:
            from infra.ddb_local import DynamoDBLocal

            ddb = stack.enter_context(DynamoDBLocal())
            os.environ["DDB_ENDPOINT"] = ddb.endpoint
        except Exception as exc:  # noqa: BLE001 (no Java / jar: moto, which reports capacity less faithfully
            backend = f"moto ({type(exc).__name__}: DynamoDB Local unavailable)"
            from moto import mock_aws

            stack.enter_context(mock_aws())
            os.environ.pop("DDB_ENDPOINT", None)
        recorder = Recorder()
        recorder.install()
        from chalice.test import Client

        import app as app_module
        from chalicelib.models.registry import ALL_MODELS, create_missing_tables

        create_missing_tables()
        routes = set(app_module.app.routes)
        results: dict[str, Any] = {"backend": backend}
        from chalicelib import clock

        year = str(clock.now_dt().year - 1)
        with Client(app_module.app, stage_name="local", project_dir=str(ROOT)) as client:
            for years in (1, 40):
                for model in ALL_MODELS:
                    with model.batch_write() as batch:
                        for item in model.scan():
                            batch.delete(item)
                _seed(years)
                ctx = Ctx(client, routes)
                op_sign_in(ctx)
                if years == 1:
                    results["sign_in"] = recorder.measure(lambda ctx=ctx: op_login(ctx))
                    results["me"] = recorder.measure(lambda ctx=ctx: op_me(ctx))
                else:
                    op_login(ctx)
                results[f"contributions_year_{years}y"] = recorder.measure(
                    lambda ctx=ctx: _contributions(ctx, year)
                )
                if years == 1:
                    results["pension_payments"] = recorder.measure(lambda ctx=ctx: op_pension_payments(ctx))
                    for name, fn in (("create_order", op_create_order), ("webhook_paid", op_webhook_paid)):
                        if name == "webhook_paid":
                            prepare_webhook(ctx)  # confirm + pay: not part of the measured request
                        try:
                            results[name] = recorder.measure(lambda fn=fn, ctx=ctx: fn(ctx))
                        except Exception as exc:  # noqa: BLE001 (a failed step is reported as n/a)
                            results[name] = na(f"{type(exc).__name__}: {exc}")
                    results["sign_out"] = recorder.measure(lambda ctx=ctx: op_logout(ctx))
        return results


# ---- import throughput ---------------------------------------------------------------------


def import_throughput(quick: bool) -> dict[str, Any]:
    """The ops importer vs a raw BatchWriteItem loop on DynamoDB Local (infra/bench/import_throughput.py)."""
    from .import_throughput import measure

    return measure(rows=1200, rounds=3) if quick else measure(rows=4800, rounds=5)


# ---- site weight ---------------------------------------------------------------------------


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.urls.append(a["src"])
        elif (
            tag == "link"
            and a.get("href")
            and (a.get("rel") or "") in ("stylesheet", "icon", "manifest", "preload")
        ):
            self.urls.append(a["href"])
        elif tag == "img" and a.get("src"):
            self.urls.append(a["src"])


def page_weight(page: str) -> dict[str, Any]:
    site = ROOT / "static_site"
    path = site / page
    if not path.exists():
        return na(f"static_site/{page} does not exist")
    files, queue = [page], []
    parser = _Assets()
    parser.feed(path.read_text(encoding="utf-8"))
    queue = [u for u in parser.urls if not re.match(r"^[a-z]+:|^//", u)]
    for url in queue:
        key = (
            url.split("?")[0].lstrip("/")
            if url.startswith("/")
            else str(Path(page).parent / url.split("?")[0])
        )
        if (site / key).exists() and key not in files:
            files.append(key)
            if key.endswith(".css"):  # url(...) inside CSS
                for ref in re.findall(r"url\([\"']?([^\"')]+)", (site / key).read_text(encoding="utf-8")):
                    if not ref.startswith("data:"):
                        queue.append("/" + os.path.normpath(os.path.join(os.path.dirname(key), ref)))
    raw = sum((site / f).stat().st_size for f in files)
    gz = sum(len(gzip.compress((site / f).read_bytes(), 6)) for f in files)
    return {
        "requests": len(files),
        "bytes": raw,
        "gzip_bytes": gz,
        "files": files,
        "note": "static requests of the first load; API calls (captcha, /api/me) not included",
    }


# ---- cost ----------------------------------------------------------------------------------


def cost(ddb: dict[str, Any]) -> dict[str, Any]:
    prices = json.loads(PRICES.read_text(encoding="utf-8"))
    parts = ["sign_in", *prices["session"]["views"], "sign_out"]
    missing = [p for p in parts if not isinstance(ddb.get(p), dict) or "requests" not in ddb[p]]
    if missing:
        return na(f"not measured: {', '.join(missing)}")
    # API calls per session: captcha + login, each view, logout.
    api_requests = 2 + len(prices["session"]["views"]) + 1
    rru = sum(ddb[p]["read_units"] for p in parts)
    wru = sum(ddb[p]["write_units"] for p in parts) + 1  # + the captcha's PutItem (1 WRU)
    lam = prices["lambda"]
    gb_s = api_requests * lam["duration_ms_per_request"] / 1000 * lam["memory_mb"] / 1024
    per_million = {
        "lambda_requests": api_requests * lam["per_million_requests"],
        "lambda_compute": gb_s * 1e6 * lam["per_gb_second"],
        "api_gateway": api_requests * prices["api_gateway_rest"]["per_million_requests"],
        "dynamodb_reads": rru * prices["dynamodb_on_demand"]["per_million_read_request_units"],
        "dynamodb_writes": wru * prices["dynamodb_on_demand"]["per_million_write_request_units"],
    }
    return {
        "per_million_sessions_usd": round(sum(per_million.values()), 2),
        "breakdown_usd": {k: round(v, 2) for k, v in per_million.items()},
        "per_session": {"api_requests": api_requests, "read_units": rru, "write_units": wru},
        "assumptions": f"{lam['duration_ms_per_request']} ms per Lambda request at {lam['memory_mb']} MB; prices {PRICES.name}",
    }


# ---- report --------------------------------------------------------------------------------


def _safe(fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 (one failed section is reported, the rest still runs)
        return na(f"{type(exc).__name__}: {exc}")


def run(quick: bool = False) -> dict[str, Any]:
    report: dict[str, Any] = {"quick": quick, "generated_at": int(time.time())}
    report["cold_start"] = _safe(lambda: cold_start(3 if quick else 15))
    report["first_request"] = _safe(lambda: first_request(quick))
    report["first_call"] = _safe(first_call_per_table)
    report["zip"] = _safe(lambda: zip_size(reuse=quick))
    report["dynamodb"] = _safe(dynamodb_operations)
    report["import"] = _safe(lambda: import_throughput(quick))
    report["site"] = {
        "sign_in_page": _safe(lambda: page_weight("index.html")),
        "home_page": _safe(lambda: page_weight("home.html")),
    }
    report["cost"] = _safe(lambda: cost(report["dynamodb"]))
    return report


def print_table(report: dict[str, Any]) -> None:
    def row(name: str, value: Any) -> None:
        print(f"  {name:34s} {value}")

    print("benchmark" + (" (quick)" if report["quick"] else ""))
    cs = report["cold_start"]
    row(
        "cold start ratio (target ≤ 1.2)",
        f"{cs.get('ratio', 'n/a')}  (app {cs.get('app_median_ms')} ms vs bare "
        f"{cs.get('bare_median_ms')} ms, median of {cs.get('runs')}, Python {cs.get('python')}; "
        f"source-only {cs.get('source_only_ratio')})"
        if "ratio" in cs
        else cs,
    )
    fr = report["first_request"]
    row(
        "first sign-in after cold start (≤ 1.5)",
        f"{fr['ratio']}  (app {fr['app_median_ms']} ms vs bare Chalice + "
        f"one GetItem {fr['bare_median_ms']} ms, fresh processes, median of {fr['runs']})"
        if "ratio" in fr
        else f"n/a — {fr.get('reason')}",
    )
    fc = report["first_call"]
    row(
        "first call per table (cold process)",
        f"{fc['ratio']}× a warm call  (median {fc['per_table_first_call_median_ms']} ms, max "
        f"{fc['per_table_first_call_max_ms']} ms over {fc['tables'] - 1} tables vs warm "
        f"{fc['warm_call_median_ms']} ms; the process's very first call {fc['process_first_call_ms']} ms)"
        if "ratio" in fc
        else f"n/a — {fc.get('reason')}",
    )
    z = report["zip"]
    row(
        "lambda zip",
        f"{z.get('zipped_mb')} MB zipped, {z.get('unzipped_mb')} MB unzipped" if "zipped_mb" in z else z,
    )
    ddb = report["dynamodb"]
    print(f"  DynamoDB per operation ({ddb.get('backend', 'n/a')}):")
    for name, value in ddb.items():
        if name == "backend":
            continue
        if "requests" in value:
            row(
                f"  {name}",
                f"{value['requests']} requests ({value['after_session_check']} after the session check), "
                f"{value['read_units']} RCU, {value['write_units']} WCU, HTTP {value['http_status']}",
            )
        else:
            row(f"  {name}", f"n/a — {value.get('reason')}")
    imp = report["import"]
    row(
        "import throughput (target ≥ 0.9)",
        f"{imp['ratio']}  (importer {imp['importer_rows_per_s']} rows/s vs raw BatchWriteItem "
        f"{imp['raw_rows_per_s']} rows/s; median of {imp['rounds']} rounds of {imp['rows_per_round']} rows: "
        f"{imp['ratio_per_round']})"
        if "ratio" in imp
        else f"n/a — {imp.get('reason')}",
    )
    server = {w: imp.get(f"{w}_cpu_ms_per_1000_rows", {}).get("dynamodb_local") for w in ("importer", "raw")}
    if None not in server.values():
        row(
            "  DynamoDB Local CPU per 1000 rows",
            f"importer {server['importer']} ms vs raw {server['raw']} ms (conditional transactions with the "
            "summary updates against unconditional puts)",
        )
    for name, page in report["site"].items():
        row(
            f"site {name}",
            f"{page['requests']} requests, {page['gzip_bytes']} B gzip ({page['bytes']} B raw)"
            if "requests" in page
            else f"n/a — {page.get('reason')}",
        )
    c = report["cost"]
    row(
        "cost per 1M sessions",
        f"${c['per_million_sessions_usd']} {c['breakdown_usd']}"
        if "per_million_sessions_usd" in c
        else f"n/a — {c.get('reason')}",
    )
    if "per_session" in c:
        row(
            "  per session",
            f"{c['per_session']['api_requests']} API requests, {c['per_session']['read_units']} RRU, "
            f"{c['per_session']['write_units']} WRU ({c['assumptions']})",
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 cold-start runs, reuse out/dev if packaged")
    parser.add_argument("--out", type=Path, default=OUT_FILE, help="JSON report (default .local/bench.json)")
    args = parser.parse_args(argv)
    from infra import stage_env

    stage_env.apply("local", endpoints={})
    os.environ.pop("DDB_ENDPOINT", None)
    os.environ.pop("S3_ENDPOINT", None)
    report = run(args.quick)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print_table(report)
    print(f"written to {args.out}")
    return 0
