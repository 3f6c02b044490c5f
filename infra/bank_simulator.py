"""Bank simulator for the local stack: plays the banks icbc, ccb and abc over HTTP, exactly as a
real bank would talk to the portal (PRODUCT.md section 5). Standard library only; its own
implementation of the protocol (it does not import the portal's code).

    python -m infra.bank_simulator --port 8090 --api-url http://127.0.0.1:8080 --statement-dir DIR

- `GET /{bank}/checkout?order_no&amount_fen&currency&merchant&return_url&ts&sig`: the checkout
  page (merchant, order, amount, "立即支付" / "支付失败"). The link must be signed by the portal
  with the bank's secret (`sig = v1=HMAC(secret, "<ts>.<other params sorted, URL-encoded>")`).
- `POST /{bank}/checkout/{pay|fail}`: records the result, writes the statement row, starts the
  notification delivery and redirects the browser (303) to the portal's `return_url`.
- Notifications: `POST {api}/api/banks/{bank}/notifications`, signed, retried until a 2xx on the
  schedule 15 s, 1 min, 5 min, 30 min, 2 h, 6 h, 24 h (times `--retry-scale`, e.g. 0.01 in tests).
- `GET /{bank}/orders/{order_no}`: the signed status query (request signed over
  `"<ts>.<path>"`, answer signed over `"<ts>.<raw answer body>"`); 404 for an unknown order.
- Statement: `DIR/<bank>-<YYYY-MM-DD>.csv` with `bank_txn_id,order_no,amount_fen,status,paid_at`.
- Test controls (local only): `GET /_sim/state` (orders and deliveries as JSON),
  `POST /_sim/config?deliver=0|1` (hold notifications back, to exercise the portal's query).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import hmac
import html
import json
import secrets
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHINA_TZ = timezone(timedelta(hours=8))
RETRY_SCHEDULE_S = (15, 60, 300, 1800, 7200, 21600, 86400)
TOLERANCE_S = 300
BANK_NAMES = {"icbc": "中国工商银行", "ccb": "中国建设银行", "abc": "中国农业银行"}


def local_secrets() -> dict[str, bytes]:
    """The local stage's bank secrets from .chalice/config.json (BANK_SECRET_<CODE>)."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    env = config["stages"]["local"]["environment_variables"]
    return {
        code: env[f"BANK_SECRET_{code.upper()}"].encode()
        for code in BANK_NAMES
        if f"BANK_SECRET_{code.upper()}" in env
    }


def sign(secret: bytes, timestamp: str, payload: bytes) -> str:
    return "v1=" + hmac.new(secret, timestamp.encode() + b"." + payload, hashlib.sha256).hexdigest()


def signature_ok(secret: bytes, timestamp: str | None, signature: str | None, payload: bytes) -> bool:
    if not timestamp or not signature:
        return False
    try:
        ts = int(timestamp)
    except ValueError:
        return False
    good = hmac.compare_digest(sign(secret, str(ts), payload).encode(), signature.encode("utf-8", "replace"))
    return good and abs(time.time() - ts) <= TOLERANCE_S


class Bank:
    """The simulator's state: orders per bank, deliveries, the statement files."""

    def __init__(
        self, api_url: str, statement_dir: Path, secrets_by_bank: dict[str, bytes], retry_scale: float = 1.0
    ):
        self.api_url = api_url.rstrip("/")
        self.statement_dir = statement_dir
        self.secrets = secrets_by_bank
        self.retry_scale = retry_scale
        self.deliver = True
        self.lock = threading.Lock()
        self.orders: dict[tuple[str, str], dict[str, Any]] = {}
        self.deliveries: list[dict[str, Any]] = []
        self.stopping = threading.Event()
        statement_dir.mkdir(parents=True, exist_ok=True)

    # -- checkout --
    def open_checkout(self, bank: str, params: dict[str, str]) -> dict[str, Any] | None:
        signed = {k: v for k, v in params.items() if k not in ("ts", "sig")}
        canonical = urllib.parse.urlencode(sorted(signed.items())).encode()
        if not signature_ok(self.secrets[bank], params.get("ts"), params.get("sig"), canonical):
            return None
        try:
            amount = int(signed["amount_fen"])
        except (KeyError, ValueError):
            return None
        if not signed.get("order_no"):
            return None
        with self.lock:
            key = (bank, signed["order_no"])
            existing = self.orders.get(key)
            if existing and existing["status"] == "SUCCESS":
                return existing
            order = {
                "bank": bank,
                "order_no": signed["order_no"],
                "amount_fen": amount,
                "currency": signed.get("currency", "CNY"),
                "merchant": signed.get("merchant", ""),
                "return_url": signed.get("return_url", ""),
                "status": "PENDING",
                "bank_txn_id": None,
                "paid_at": None,
                "token": secrets.token_urlsafe(16),
            }
            self.orders[key] = order
            return order

    def finish(self, bank: str, order_no: str, token: str, success: bool) -> dict[str, Any] | None:
        with self.lock:
            order = self.orders.get((bank, order_no))
            if not order or not hmac.compare_digest(order["token"], token or ""):
                return None
            if order["status"] != "PENDING":
                return order
            now = datetime.now(CHINA_TZ).replace(microsecond=0)
            order["status"] = "SUCCESS" if success else "FAILED"
            order["bank_txn_id"] = f"{bank.upper()}{now:%Y%m%d%H%M%S}{secrets.token_hex(4).upper()}"
            order["paid_at"] = now.isoformat() if success else None
            self._statement_row(order, now)
        threading.Thread(target=self._notify, args=(dict(order),), daemon=True).start()
        return order

    def _statement_row(self, order: dict[str, Any], now: datetime) -> None:
        path = self.statement_dir / f"{order['bank']}-{now:%Y-%m-%d}.csv"
        new = not path.exists()
        with path.open("a", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            if new:
                writer.writerow(["bank_txn_id", "order_no", "amount_fen", "status", "paid_at"])
            writer.writerow(
                [
                    order["bank_txn_id"],
                    order["order_no"],
                    order["amount_fen"],
                    order["status"],
                    order["paid_at"] or "",
                ]
            )

    # -- notifications --
    def _notify(self, order: dict[str, Any]) -> None:
        body = json.dumps(
            {
                "event_id": f"evt-{secrets.token_hex(8)}",
                "order_no": order["order_no"],
                "bank_txn_id": order["bank_txn_id"],
                "amount_fen": order["amount_fen"],
                "currency": order["currency"],
                "status": order["status"],
                "paid_at": order["paid_at"],
            },
            ensure_ascii=False,
        ).encode()
        url = f"{self.api_url}/api/banks/{order['bank']}/notifications"
        waits = (0, *RETRY_SCHEDULE_S)
        for attempt, wait in enumerate(waits, start=1):
            if self.stopping.wait(wait * self.retry_scale):
                return
            while not self.deliver and not self.stopping.wait(0.05):
                pass
            ts = str(int(time.time()))
            request = urllib.request.Request(
                url,
                data=body,
                method="POST",
                headers={
                    "Content-Type": "application/json",
                    "X-Bank-Timestamp": ts,
                    "X-Bank-Signature": sign(self.secrets[order["bank"]], ts, body),
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    status = response.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except (urllib.error.URLError, OSError):
                status = 0
            with self.lock:
                self.deliveries.append(
                    {
                        "order_no": order["order_no"],
                        "bank": order["bank"],
                        "attempt": attempt,
                        "http_status": status,
                    }
                )
            if 200 <= status < 300:
                return

    # -- status query --
    def status(self, bank: str, order_no: str) -> tuple[int, bytes]:
        with self.lock:
            order = self.orders.get((bank, order_no))
        if order is None:
            return 404, json.dumps({"order_no": order_no, "status": "UNKNOWN"}).encode()
        answer = {
            k: order[k] for k in ("order_no", "amount_fen", "currency", "status", "bank_txn_id", "paid_at")
        }
        return 200, json.dumps(answer, ensure_ascii=False).encode()

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {
                "orders": [{k: v for k, v in o.items() if k != "token"} for o in self.orders.values()],
                "deliveries": list(self.deliveries),
                "deliver": self.deliver,
            }


PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{bank_name} 网上支付（模拟）</title></head>
<body><main>
<h1>{bank_name} 网上支付（模拟银行）</h1>
<dl>
<dt>商户</dt><dd id="merchant">{merchant}</dd>
<dt>订单号</dt><dd id="order-no">{order_no}</dd>
<dt>应付金额</dt><dd id="amount">{amount}</dd>
</dl>
<form method="post" action="/{bank}/checkout/pay">
<input type="hidden" name="order_no" value="{order_no}"><input type="hidden" name="token" value="{token}">
<button type="submit">立即支付</button></form>
<form method="post" action="/{bank}/checkout/fail">
<input type="hidden" name="order_no" value="{order_no}"><input type="hidden" name="token" value="{token}">
<button type="submit">支付失败</button></form>
</main></body></html>"""


def _yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def make_handler(bank: Bank):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

        def _send(
            self,
            status: int,
            body: bytes,
            content_type: str = "application/json",
            headers: dict[str, str] | None = None,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _parts(self) -> tuple[list[str], dict[str, str]]:
            url = urllib.parse.urlsplit(self.path)
            return [p for p in url.path.split("/") if p], dict(urllib.parse.parse_qsl(url.query))

        def do_GET(self) -> None:
            parts, query = self._parts()
            if parts == ["_sim", "state"]:
                return self._send(200, json.dumps(bank.state(), ensure_ascii=False).encode())
            if len(parts) == 2 and parts[0] in bank.secrets and parts[1] == "checkout":
                order = bank.open_checkout(parts[0], query)
                if order is None:
                    return self._send(403, "支付链接无效或已过期".encode(), "text/plain; charset=utf-8")
                page = PAGE.format(
                    bank=parts[0],
                    bank_name=BANK_NAMES[parts[0]],
                    merchant=html.escape(order["merchant"]),
                    order_no=html.escape(order["order_no"]),
                    amount=_yuan(order["amount_fen"]),
                    token=order["token"],
                )
                return self._send(200, page.encode(), "text/html; charset=utf-8")
            if len(parts) == 3 and parts[0] in bank.secrets and parts[1] == "orders":
                path = urllib.parse.urlsplit(self.path).path
                if not signature_ok(
                    bank.secrets[parts[0]],
                    self.headers.get("X-Bank-Timestamp"),
                    self.headers.get("X-Bank-Signature"),
                    path.encode(),
                ):
                    return self._send(401, b'{"error":"bad signature"}')
                status, body = bank.status(parts[0], urllib.parse.unquote(parts[2]))
                ts = str(int(time.time()))
                return self._send(
                    status,
                    body,
                    headers={
                        "X-Bank-Timestamp": ts,
                        "X-Bank-Signature": sign(bank.secrets[parts[0]], ts, body),
                    },
                )
            return self._send(404, b'{"error":"not found"}')

        def do_POST(self) -> None:
            parts, query = self._parts()
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(min(length, 64 * 1024))
            if parts == ["_sim", "config"]:
                bank.deliver = query.get("deliver", "1") != "0"
                return self._send(200, json.dumps({"deliver": bank.deliver}).encode())
            if (
                len(parts) == 3
                and parts[0] in bank.secrets
                and parts[1] == "checkout"
                and parts[2] in ("pay", "fail")
            ):
                form = dict(urllib.parse.parse_qsl(raw.decode("utf-8", "replace")))
                order = bank.finish(
                    parts[0], form.get("order_no", ""), form.get("token", ""), parts[2] == "pay"
                )
                if order is None:
                    return self._send(403, "支付会话无效".encode(), "text/plain; charset=utf-8")
                return self._send(303, b"", "text/plain", {"Location": order["return_url"]})
            return self._send(404, b'{"error":"not found"}')

    return Handler


class Simulator:
    """Run the simulator in a thread (tests) — `with Simulator(api_url, dir) as sim: sim.url`."""

    def __init__(
        self,
        api_url: str,
        statement_dir: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        retry_scale: float = 1.0,
        secrets_by_bank: dict[str, bytes] | None = None,
    ):
        self.bank = Bank(api_url, Path(statement_dir), secrets_by_bank or local_secrets(), retry_scale)
        self.server = ThreadingHTTPServer((host, port), make_handler(self.bank))
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Simulator:
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.bank.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.bank_simulator", description="本地模拟银行")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--api-url", default="http://127.0.0.1:8080")
    parser.add_argument("--statement-dir", default=str(ROOT / ".local" / "bank-statements"))
    parser.add_argument(
        "--retry-scale",
        type=float,
        default=1.0,
        help="multiply the retry schedule (15 s … 24 h) by this, e.g. 0.01 in tests",
    )
    args = parser.parse_args(argv)
    sim = Simulator(args.api_url, Path(args.statement_dir), args.host, args.port, args.retry_scale)
    print(
        f"bank simulator on {sim.url} (banks: {', '.join(sim.bank.secrets)}), notifying {args.api_url}",
        flush=True,
    )
    try:
        sim.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        sim.bank.stopping.set()
        sim.server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
