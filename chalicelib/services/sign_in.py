"""The last step every way of signing in shares (password, SMS code, passkey): an account still
on the initial password goes to activation (an SMS code to the registered phone), any other
account gets a session."""

from __future__ import annotations

from typing import Any

from .. import masking
from ..errors import Forbidden
from ..models.accounts import Account
from . import audit, codes, sessions

ACTIVATION_SMS = "【社保个人网上服务】您正在激活账号，验证码{code}，5分钟内有效。请勿告诉他人。"


def finish(account: Account, ip: str, action: str, phone_verified: bool = False) -> dict[str, Any]:
    """Return {"status":"ok","token"} or {"status":"activation_required","activation_token",...};
    `action` names the way in for the audit log ("login", "sms_login", "passkey_login").

    `phone_verified`: the way in was a code sent to the registered phone (SMS sign-in), so the
    activation step asks for the new password only; a second code to the same phone a few
    seconds later would only meet the per-phone sending limit."""
    number = account.id_number
    if account.password_state == "INITIAL":
        if not account.phone:
            audit.record(number, action, "activation_no_phone", ip)
            raise Forbidden(
                "账号没有登记手机号，无法在线激活，请携带身份证到社保经办窗口办理", code="no_registered_phone"
            )
        if phone_verified:
            token = codes.start("activation", number, data={"phone_verified": True})
        else:
            token = codes.start("activation", number, send_to=account.phone, message=ACTIVATION_SMS, ip=ip)
        audit.record(number, action, "activation_required", ip)
        return {
            "status": "activation_required",
            "activation_token": token,
            "phone_masked": masking.phone(account.phone),
            "phone_verified": phone_verified,
        }
    token = sessions.create(number, ip)
    audit.record(number, action, "ok", ip)
    return {"status": "ok", "token": token}
