"""One-time-code flows (activation, password reset, contact change).

A flow is identified by a random token given to the browser; the table holds only its hash.
The code sent by SMS/e-mail is stored as a hash, checked in constant time, allowed
MAX_ATTEMPTS wrong tries, and consumed by a conditional delete, so it works once.
"""
from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DeleteError, UpdateError

from .. import clock
from ..errors import BadInput, Gone
from ..models.codes import OneTimeCode
from ..security import tokens
from . import notify

CODE_LIFETIME_S = 10 * 60
MAX_ATTEMPTS = 5


def _key(purpose: str, token: str) -> str:
    return f"{purpose}#{tokens.digest(token)}"


def start(purpose: str, id_number: str, data: dict[str, Any] | None = None,
          send_to: str | None = None, message: str = "", lifetime_s: int = CODE_LIFETIME_S) -> str:
    """Open a flow; if `send_to` is given, send a fresh 6-digit code there. Return the flow token."""
    token = tokens.new_token()
    code = tokens.new_numeric_code() if send_to else None
    OneTimeCode(code_key=_key(purpose, token), id_number=id_number,
                code_hash=tokens.digest(code) if code else None,
                expires_at=int(clock.now()) + lifetime_s, data=data or {}).save()
    if send_to and code:
        notify.send(send_to, message.format(code=code), code)
    return token


def load(purpose: str, token: str | None) -> OneTimeCode:
    """The open flow, or Gone if unknown, used up or expired."""
    if not token:
        raise BadInput("缺少办理凭证，请重新开始", code="missing_field")
    try:
        flow = OneTimeCode.get(_key(purpose, token), consistent_read=True)
    except OneTimeCode.DoesNotExist:
        raise Gone("办理凭证已失效，请重新开始", code="flow_expired") from None
    if flow.expires_at < clock.now() or flow.attempts >= MAX_ATTEMPTS:
        raise Gone("验证码已失效，请重新获取", code="flow_expired")
    return flow


def resend(flow: OneTimeCode, send_to: str, message: str) -> None:
    """Send a new code for an open flow (the old code stops working)."""
    code = tokens.new_numeric_code()
    flow.update(actions=[OneTimeCode.code_hash.set(tokens.digest(code)), OneTimeCode.attempts.set(0),
                         OneTimeCode.expires_at.set(int(clock.now()) + CODE_LIFETIME_S)])
    notify.send(send_to, message.format(code=code), code)


def check_code(flow: OneTimeCode, code: str | None, field: str = "sms_code") -> None:
    """Raise BadInput on a wrong code, counting the attempt atomically."""
    if not code or not flow.code_hash:
        raise BadInput("请输入收到的验证码", code="code_required", field=field)
    if tokens.same(tokens.digest(code.strip()), flow.code_hash):
        return
    count_failure(flow)
    raise BadInput("验证码不正确，请核对短信后重新输入", code="code_wrong", field=field)


def count_failure(flow: OneTimeCode) -> None:
    try:
        flow.update(actions=[OneTimeCode.attempts.add(1)])
    except UpdateError:
        pass


def consume(flow: OneTimeCode) -> None:
    """Use the flow up; a second use (even a concurrent one) finds it gone."""
    try:
        flow.delete(condition=OneTimeCode.code_key.exists())
    except DeleteError:
        raise Gone("办理凭证已被使用，请重新开始", code="flow_expired") from None
