"""One-time-code flows (activation, password reset, SMS sign-in, contact change, ...).

A flow is identified by a random token given to the browser; the table holds only its hash.
Every rule of PRODUCT.md section 8 is one conditional write, so it holds under concurrency:
- a code check is ONE UpdateItem that adds 1 to the flow's `attempts` (only while below the
  limit, the flow exists and has not expired) and removes `live.<hash of the guess>`: the code
  is accepted exactly when that key existed, so it is consumed by the write that accepts it;
  a racing wrong guess only adds to `attempts` of an existing item, never re-creates one;
- `attempts` is per flow and a resend does not reset it: the 6th check is refused even with
  the right code, and the flow must start again;
- every code sent passes the sending limits (per address, per account, per source address).
Any flow kind (a new `purpose`) gets all of this through `start`/`resend`/`check_code`.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DeleteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.operand import Path

from .. import clock
from ..errors import BadInput, Gone
from ..models.base import condition_failed
from ..models.codes import OneTimeCode
from ..security import limits, tokens
from . import notify, rate_limit

SEND_LIMITED = "验证码发送过于频繁，请稍后再试"
USED_UP = "验证码已失效或输错次数过多，请重新开始"


def _rules() -> dict[str, Any]:
    return limits.section("one_time_code")


def max_checks() -> int:
    return int(_rules()["max_checks"])


def code_lifetime_s() -> int:
    return int(_rules()["lifetime_s"])


def _key(purpose: str, token: str) -> str:
    return f"{purpose}#{tokens.digest(token)}"


def _code_hash(code_key: str, code: str) -> str:
    return tokens.digest(f"{code_key}:{code}")


def check_send_limits(address: str, id_number: str, ip: str) -> None:
    """Count one code sent to `address` for account `id_number` from `ip`; 429 over a limit."""
    rules = limits.section("sending")
    rate_limit.hit_all("send-ip", ip or "unknown", rules["per_source"], SEND_LIMITED)
    rate_limit.hit_all("send-to", address, rules["per_address"], SEND_LIMITED)
    rate_limit.hit_all("send-account", id_number, rules["per_address"], SEND_LIMITED)


def start(
    purpose: str,
    id_number: str,
    data: dict[str, Any] | None = None,
    send_to: str | None = None,
    message: str = "",
    ip: str = "",
    limit_key: str | None = None,
) -> str:
    """Open a flow; if `send_to` is given, send a fresh 6-digit code there. Return the flow token.

    `limit_key` stands in for `send_to` in the sending limits when no code is really sent
    (a flow that must look like a real one: the same limits, no message).
    """
    token = tokens.new_token()
    key = _key(purpose, token)
    now = int(clock.now())
    code = tokens.new_numeric_code() if send_to or limit_key else None
    if code:
        check_send_limits(send_to or limit_key or "", id_number, ip)
    OneTimeCode(
        code_key=key,
        id_number=id_number,
        expires_at=now + int(_rules()["flow_lifetime_s"]),
        code_expires_at=now + code_lifetime_s() if code else None,
        sends=1 if code else 0,
        live={_code_hash(key, code): 1} if code else {},
        data=data or {},
    ).save()
    if send_to and code:
        notify.send(send_to, message.format(code=code), code)
    return token


def load(purpose: str, token: str | None) -> OneTimeCode:
    """The open flow (a read only: nothing is counted), or Gone if unknown, used up or expired."""
    if not token:
        raise BadInput("缺少办理凭证，请重新开始", code="missing_field")
    if len(token) > 64:
        raise Gone("办理凭证已失效，请重新开始", code="flow_expired")
    try:
        flow = OneTimeCode.get(_key(purpose, token), consistent_read=True)
    except OneTimeCode.DoesNotExist:
        raise Gone("办理凭证已失效，请重新开始", code="flow_expired") from None
    if flow.expires_at <= clock.now() or flow.attempts >= max_checks():
        raise Gone(USED_UP, code="flow_expired")
    return flow


def _open_condition(now: float) -> Condition:
    return (
        OneTimeCode.code_key.exists() & (OneTimeCode.attempts < max_checks()) & (OneTimeCode.expires_at > now)
    )


def resend(
    flow: OneTimeCode, send_to: str | None, message: str, ip: str = "", limit_key: str | None = None
) -> None:
    """Send a new code for an open flow: the old code stops working, the attempts stay counted."""
    check_send_limits(send_to or limit_key or "", flow.id_number, ip)
    code = tokens.new_numeric_code()
    now = clock.now()
    try:
        OneTimeCode._get_connection().update_item(
            flow.code_key,
            actions=[
                OneTimeCode.live.set({_code_hash(flow.code_key, code): 1}),
                OneTimeCode.code_expires_at.set(int(now) + code_lifetime_s()),
                OneTimeCode.sends.add(1),
            ],
            condition=_open_condition(now),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            raise Gone(USED_UP, code="flow_expired") from None
        raise
    if send_to:
        notify.send(send_to, message.format(code=code), code)


def check_code(flow: OneTimeCode, code: str | None, field: str = "sms_code") -> None:
    """Check a code in one conditional write; on success the code is consumed by that write.

    Raise BadInput (wrong code; the attempt is counted) or Gone (used up, expired or already
    used: the flow must start again).
    """
    guess = (code or "").strip()
    if not guess:
        raise BadInput("请输入收到的验证码", code="code_required", field=field)
    if len(guess) > 16:
        guess = guess[:16]
    digest = _code_hash(flow.code_key, guess)
    now = clock.now()
    try:
        answer = OneTimeCode._get_connection().update_item(
            flow.code_key,
            actions=[OneTimeCode.attempts.add(1), Path(["live", digest]).remove()],
            condition=_open_condition(now),
            return_values="ALL_OLD",
        )
    except UpdateError as exc:
        if condition_failed(exc):
            raise Gone(USED_UP, code="flow_expired") from None
        raise
    old = answer.get("Attributes") or {}
    live = (old.get("live") or {}).get("M") or {}
    code_expires_at = float((old.get("code_expires_at") or {}).get("N") or 0)
    if digest in live and code_expires_at > now:
        return
    left = max_checks() - int(old.get("attempts", {}).get("N", 0)) - 1
    if digest in live or left <= 0:
        raise Gone(
            "验证码已过期或输错次数过多，请重新开始" if left <= 0 else "验证码已过期，请重新获取",
            code="flow_expired" if left <= 0 else "code_expired",
        )
    raise BadInput(f"验证码不正确，请核对后重新输入（还可输入{left}次）", code="code_wrong", field=field)


def count_attempt(flow: OneTimeCode) -> None:
    """Count one non-code check of the flow (e.g. security answers) BEFORE it is made; Gone once
    the flow's checks are used up."""
    now = clock.now()
    try:
        OneTimeCode._get_connection().update_item(
            flow.code_key, actions=[OneTimeCode.attempts.add(1)], condition=_open_condition(now)
        )
    except UpdateError as exc:
        if condition_failed(exc):
            raise Gone(USED_UP, code="flow_expired") from None
        raise


def consume(flow: OneTimeCode) -> None:
    """End the flow; a second use (even a concurrent one) finds it gone."""
    try:
        flow.delete(condition=OneTimeCode.code_key.exists())
    except DeleteError as exc:
        if condition_failed(exc):
            raise Gone("办理凭证已被使用，请重新开始", code="flow_expired") from None
        raise
