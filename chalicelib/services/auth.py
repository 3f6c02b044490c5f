"""Sign-in, first-login activation, sign-out, keep-alive and the forgot-password reset."""
from __future__ import annotations

from typing import Any

from .. import id_number as ids, masking
from ..errors import BadInput, Forbidden, Locked, Unauthorized
from ..security import passwords
from . import accounts, audit, captcha, codes, sessions
from .sessions import CurrentSession

ACTIVATION_SMS = "【社保个人网上服务】您正在激活账号，验证码{code}，10分钟内有效。请勿告诉他人。"
RESET_SMS = "【社保个人网上服务】您正在找回密码，验证码{code}，10分钟内有效。如非本人操作请忽略。"
BAD_CREDENTIALS = "身份证号码或密码不正确"


def login(id_number: str, password: str, captcha_id: str, captcha_answer: str,
          ip: str) -> dict[str, Any]:
    """Return {"status":"ok","token"} or {"status":"activation_required",...}."""
    number = ids.normalise(id_number)
    captcha.consume(captcha_id, captcha_answer)
    account = accounts.find(number)
    if account is None:
        passwords.burn_time(password)
        audit.record(number, "login", "unknown_account", ip)
        raise Unauthorized(BAD_CREDENTIALS, code="bad_credentials", field="password")
    if accounts.is_locked(account):
        audit.record(number, "login", "locked", ip)
        raise Locked("密码连续输错次数过多，账号已锁定15分钟，请稍后再试或使用“忘记密码”",
                     code="account_locked")
    if not passwords.verify_password(account.password_hash, password):
        count = accounts.record_failure(number)
        audit.record(number, "login", "bad_password", ip, {"failures": count})
        left = accounts.LOCK_THRESHOLD - count
        if left <= 0:
            raise Locked("密码连续输错次数过多，账号已锁定15分钟，请稍后再试或使用“忘记密码”",
                         code="account_locked")
        raise Unauthorized(f"{BAD_CREDENTIALS}，再错{left}次账号将被锁定15分钟",
                           code="bad_credentials", field="password")
    if account.failed_count:
        accounts.clear_failures(number)
    if account.password_state == "INITIAL":
        if not account.phone:
            audit.record(number, "login", "activation_no_phone", ip)
            raise Forbidden("账号没有登记手机号，无法在线激活，请携带身份证到社保经办窗口办理",
                            code="no_registered_phone")
        token = codes.start("activation", number, send_to=account.phone, message=ACTIVATION_SMS)
        audit.record(number, "login", "activation_required", ip)
        return {"status": "activation_required", "activation_token": token,
                "phone_masked": masking.phone(account.phone)}
    token = sessions.create(number, ip)
    audit.record(number, "login", "ok", ip)
    return {"status": "ok", "token": token}


def activate(activation_token: str, sms_code: str, new_password: str, ip: str) -> dict[str, Any]:
    """First sign-in: SMS code + a new password (never 888888) → a full session."""
    flow = codes.load("activation", activation_token)
    number = flow.id_number
    codes.check_code(flow, sms_code)
    passwords.check_policy(new_password, number)
    codes.consume(flow)
    accounts.set_password(number, new_password)
    token = sessions.create(number, ip)
    audit.record(number, "activate", "ok", ip)
    return {"status": "ok", "token": token}


def logout(current: CurrentSession, ip: str) -> dict[str, str]:
    sessions.revoke(current.token_hash)
    audit.record(current.id_number, "logout", "ok", ip)
    return {"status": "ok"}


def keepalive(current: CurrentSession) -> dict[str, Any]:
    """"Stay signed in": the session check already recorded the activity."""
    return {"status": "ok", **current.timing()}


# ---- forgot password ---------------------------------------------------------------------

def forgot_start(id_number: str, captcha_id: str, captcha_answer: str, ip: str) -> dict[str, Any]:
    """Open a reset: say which protection methods the account has."""
    number = ids.normalise(id_number)
    captcha.consume(captcha_id, captcha_answer)
    account = accounts.get(number)
    questions = [q["question"] for q in (account.protection or [])]
    methods = (["phone"] if account.phone else []) + (["questions"] if questions else [])
    if not methods:
        raise Forbidden("账号未设置密码保护，请携带身份证到社保经办窗口重置密码",
                        code="no_protection")
    token = codes.start("reset", number, data={"code_sent": False})
    audit.record(number, "password_reset_start", "ok", ip)
    return {"reset_token": token, "methods": methods, "questions": questions,
            "phone_masked": masking.phone(account.phone)}


def forgot_send_code(reset_token: str, ip: str) -> dict[str, Any]:
    flow = codes.load("reset", reset_token)
    account = accounts.get(flow.id_number)
    if not account.phone:
        raise BadInput("账号没有登记手机号", code="no_registered_phone")
    codes.resend(flow, account.phone, RESET_SMS)
    audit.record(flow.id_number, "password_reset_code", "sent", ip)
    return {"status": "sent", "phone_masked": masking.phone(account.phone)}


def forgot_complete(reset_token: str, method: str, new_password: str, ip: str,
                    sms_code: str | None = None, answers: list[str] | None = None) -> dict[str, str]:
    flow = codes.load("reset", reset_token)
    number = flow.id_number
    account = accounts.get(number)
    if method == "phone":
        codes.check_code(flow, sms_code)
    elif method == "questions":
        _check_answers(flow, account.protection or [], answers)
    else:
        raise BadInput("请选择找回方式（手机验证码或密保问题）", code="invalid_method", field="method")
    passwords.check_policy(new_password, number)
    codes.consume(flow)
    accounts.set_password(number, new_password)
    sessions.revoke_all(number)
    audit.record(number, "password_reset", "ok", ip, {"method": method})
    return {"status": "ok"}


def _check_answers(flow, protection: list[dict], answers: list[str] | None) -> None:
    from .protection import answers_match
    if not protection:
        raise BadInput("账号未设置密保问题", code="no_protection", field="answers")
    if not isinstance(answers, list) or len(answers) != len(protection):
        raise BadInput("请回答全部密保问题", code="answers_required", field="answers")
    if not answers_match(protection, answers):
        codes.count_failure(flow)
        raise BadInput("密保答案不正确", code="answers_wrong", field="answers")
