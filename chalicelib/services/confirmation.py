"""Fresh confirmation of a sensitive account change (adding or removing a passkey): the
current password, or a code sent to the registered phone just now.

Wrong passwords count toward the account's sign-in lockout, so a stolen session cannot be used
to guess the password here either.
"""

from __future__ import annotations

from typing import Any

from .. import masking
from ..errors import BadInput, Locked
from . import accounts, audit, codes
from .sessions import CurrentSession

PURPOSE = "confirm"
CONFIRM_SMS = "【社保个人网上服务】您正在更改登录方式（通行密钥），验证码{code}，5分钟内有效。如非本人操作请立即修改密码。"


def send_code(current: CurrentSession, ip: str) -> dict[str, Any]:
    """A code to the registered phone; answer `{"confirm_id","phone_masked"}`."""
    account = accounts.get(current.id_number)
    if not account.phone:
        raise BadInput("账号没有登记手机号，请改用登录密码确认", code="no_registered_phone")
    confirm_id = codes.start(PURPOSE, current.id_number, send_to=account.phone, message=CONFIRM_SMS, ip=ip)
    audit.record(current.id_number, "confirm_code", "code_sent", ip)
    return {"confirm_id": confirm_id, "phone_masked": masking.phone(account.phone)}


def require(
    current: CurrentSession,
    action: str,
    ip: str,
    password: str | None = None,
    confirm_id: str | None = None,
    sms_code: str | None = None,
) -> str:
    """Check the password or the SMS code (used up); return "password" or "sms"."""
    if password:
        account = accounts.get(current.id_number)
        outcome = accounts.check_password(account, current.id_number, password)
        if outcome == "refused":
            raise Locked(
                "密码连续输错次数过多，已锁定15分钟，请稍后再试或改用短信验证码确认", code="account_locked"
            )
        if outcome != "ok":
            audit.record(current.id_number, action, "bad_password", ip)
            raise BadInput("登录密码不正确", code="bad_password", field="password")
        return "password"
    if confirm_id:
        flow = codes.load(PURPOSE, confirm_id)
        if flow.id_number != current.id_number:
            raise BadInput("办理凭证无效，请重新获取验证码", code="flow_expired", field="sms_code")
        try:
            codes.check_code(flow, sms_code)
        except BadInput:
            audit.record(current.id_number, action, "code_wrong", ip)
            raise
        codes.consume(flow)
        return "sms"
    raise BadInput("请输入登录密码，或获取短信验证码进行确认", code="confirmation_required", field="password")
