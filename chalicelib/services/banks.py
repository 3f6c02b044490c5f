"""Banks that take flexible-employment payments: registry (chalicelib/data/banks.json),
secrets, signatures, checkout links and the signed status query.

Protocol (PRODUCT.md section 5):
- Notification from the bank: headers `X-Bank-Timestamp: <unix s>` and
  `X-Bank-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`; checked in
  constant time and refused when the timestamp is more than 300 s from now.
- Status query to the bank: `GET {bank}/orders/{order_no}`, signed the same way; a GET has no
  body, so the signed text is `"<timestamp>.<path>"` (the path stands in for the body). The
  bank's answer carries the same two headers over `"<timestamp>.<raw answer body>"`, checked
  here before the answer is believed.
- Checkout link: `{bank}/checkout?order_no&amount_fen&currency&merchant&return_url&ts&sig`,
  sig = `v1=<hex HMAC(secret, "<ts>.<the other parameters, sorted and URL-encoded>")>`, so the
  bank can tell the amount came from us.

Secrets: local stage from the stage environment (`BANK_SECRET_ICBC`, ...), other stages from
AWS Secrets Manager (`sbp/<stage>/bank-secret-<code>`), cached per process by secrets_store.
Base URLs per stage in banks.json; the env var BANK_BASE_URL (with `{code}`) overrides them.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from .. import clock, secrets_store, settings
from ..errors import NotFound, TemporarilyUnavailable, Unauthorized

BANKS_FILE = Path(__file__).resolve().parent.parent / "data" / "banks.json"
SIGNATURE_VERSION = "v1"


@functools.lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    return json.loads(BANKS_FILE.read_text(encoding="utf-8"))


def codes() -> list[str]:
    return list(data()["banks"])


def get(code: str) -> dict[str, Any]:
    """The bank's entry, or 404 (an unknown bank code in a URL)."""
    entry = data()["banks"].get(code) if isinstance(code, str) else None
    if entry is None:
        raise NotFound("未知的银行", code="unknown_bank", field="bank_code")
    return {"code": code, **entry}


def public_list() -> list[dict[str, str]]:
    return [{"code": code, "name": entry["name"]} for code, entry in data()["banks"].items()]


def merchant_name() -> str:
    return data()["merchant_name"]


def currency() -> str:
    return data()["currency"]


def tolerance_s() -> int:
    return int(data()["signature_tolerance_s"])


def base_url(code: str) -> str:
    get(code)
    template = (
        os.environ.get("BANK_BASE_URL")
        or data()["base_url"].get(settings.stage())
        or data()["base_url"]["local"]
    )
    return template.replace("{code}", code).rstrip("/")


def secret(code: str) -> bytes:
    get(code)
    return secrets_store.get(f"bank-secret-{code}").encode("utf-8")


# ---- signatures --------------------------------------------------------------------------


def signature(secret_value: bytes, timestamp: str, payload: bytes) -> str:
    mac = hmac.new(secret_value, timestamp.encode("ascii") + b"." + payload, hashlib.sha256)
    return f"{SIGNATURE_VERSION}={mac.hexdigest()}"


def verify(code: str, timestamp: str | None, signature_header: str | None, payload: bytes) -> None:
    """401 unless the signature is the bank's (constant-time) and the timestamp within ±300 s."""
    if not timestamp or not signature_header:
        raise Unauthorized("缺少签名", code="signature_missing")
    try:
        ts = int(timestamp.strip())
    except ValueError:
        raise Unauthorized("签名时间戳无效", code="signature_timestamp_invalid") from None
    expected = signature(secret(code), str(ts), payload)
    if not hmac.compare_digest(expected.encode("ascii"), signature_header.strip().encode("utf-8", "replace")):
        raise Unauthorized("签名无效", code="signature_invalid")
    if abs(clock.now() - ts) > tolerance_s():
        raise Unauthorized("签名时间戳超出允许范围", code="signature_stale")


def signed_headers(code: str, payload: bytes) -> dict[str, str]:
    ts = str(int(clock.now()))
    return {"X-Bank-Timestamp": ts, "X-Bank-Signature": signature(secret(code), ts, payload)}


# ---- checkout and status query -----------------------------------------------------------


def _canonical(params: dict[str, str]) -> bytes:
    return urllib.parse.urlencode(sorted(params.items())).encode("utf-8")


def checkout_url(code: str, order_no: str, amount_fen: int, return_url: str) -> str:
    params = {
        "order_no": order_no,
        "amount_fen": str(amount_fen),
        "currency": currency(),
        "merchant": merchant_name(),
        "return_url": return_url,
    }
    ts = str(int(clock.now()))
    sig = signature(secret(code), ts, _canonical(params))
    return f"{base_url(code)}/checkout?" + urllib.parse.urlencode({**params, "ts": ts, "sig": sig})


def query_status(code: str, order_no: str, timeout_s: float | None = None) -> dict[str, Any]:
    """Ask the bank about an order. {"status": SUCCESS|FAILED|PENDING|UNKNOWN, ...}.

    TemporarilyUnavailable when the bank cannot be reached or its answer is not signed by it.
    """
    base = base_url(code)
    path = urllib.parse.urlsplit(base).path + f"/orders/{urllib.parse.quote(order_no)}"
    headers = signed_headers(code, path.encode("utf-8"))
    req = urllib.request.Request(f"{base}/orders/{urllib.parse.quote(order_no)}", headers=headers)  # noqa: S310 (configured https URL)
    timeout = timeout_s if timeout_s is not None else float(data()["query_timeout_s"])
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:  # noqa: S310 (configured URL)
            raw, answer_headers = response.read(), response.headers
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raw, answer_headers = exc.read(), exc.headers
        else:
            raise TemporarilyUnavailable("银行暂时无法查询，请稍后再试", code="bank_unavailable") from None
    except (urllib.error.URLError, OSError, TimeoutError):
        raise TemporarilyUnavailable("银行暂时无法查询，请稍后再试", code="bank_unavailable") from None
    try:
        verify(code, answer_headers.get("X-Bank-Timestamp"), answer_headers.get("X-Bank-Signature"), raw)
        answer = json.loads(raw)
    except (Unauthorized, ValueError):
        raise TemporarilyUnavailable("银行应答无法验证", code="bank_answer_unverified") from None
    if not isinstance(answer, dict) or answer.get("order_no") not in (None, order_no):
        raise TemporarilyUnavailable("银行应答无法验证", code="bank_answer_unverified")
    status = answer.get("status")
    answer["status"] = status if status in ("SUCCESS", "FAILED", "PENDING") else "UNKNOWN"
    return answer
