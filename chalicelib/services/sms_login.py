"""Sign-in by SMS code (no captcha, WCAG 2.2 SC 3.3.8): ID number + registered phone → a code to
that phone → signed in, or the activation step for an account still on the initial password.
Abuse is held by the code service's sending limits and per-flow attempt limit."""

from __future__ import annotations

from typing import Any

from ..errors import BadInput, Unauthorized
from . import accounts, audit, auth, codes, phone_flows, sign_in

PURPOSE = "sms_login"
SMS_LOGIN_MESSAGE = "【社保个人网上服务】您正在使用短信验证码登录，验证码{code}，5分钟内有效。请勿告诉他人。"


def start(id_number: str, phone: str, ip: str) -> dict[str, Any]:
    """Always `{"challenge_id"}`: the same answer whether or not ID number and phone match."""
    flow = phone_flows.start(PURPOSE, id_number, phone, SMS_LOGIN_MESSAGE, ip)
    audit.record(flow.id_number, "sms_login_start", "code_sent" if flow.matched else "phone_mismatch", ip)
    return {"challenge_id": flow.token}


def complete(challenge_id: str, sms_code: str, ip: str) -> dict[str, Any]:
    """The code from the SMS → a session (or `activation_required`, as the password sign-in)."""
    auth.count_sign_in_attempt(ip)
    flow = codes.load(PURPOSE, challenge_id)
    try:
        codes.check_code(flow, sms_code)
    except BadInput:
        audit.record(flow.id_number, "sms_login", "code_wrong", ip)
        raise
    codes.consume(flow)
    account = accounts.find(flow.id_number)
    if account is None or not phone_flows.matched(flow):  # unreachable: nobody got that code
        raise Unauthorized("验证码不正确，请重新获取", code="code_wrong", field="sms_code")
    return sign_in.finish(account, ip, "sms_login", phone_verified=True)
