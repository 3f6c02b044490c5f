"""Sign-in, first-login activation, sign-out, keep-alive and the forgot-password reset.

No account enumeration (PRODUCT.md section 8): an unknown ID number, a wrong password and a
locked account give the same 401 and body, the argon2 hash runs in each case; the
forgot-password start answers the same shape for every ID number (a flow that can never
succeed, with stand-in questions and phone, for an ID number without an account).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from .. import id_number as ids
from .. import masking, secrets_store
from ..errors import BadInput, Unauthorized
from ..models.codes import OneTimeCode
from ..security import limits, passwords
from . import accounts, audit, captcha, codes, phone_flows, rate_limit, sessions, sign_in
from .protection import REQUIRED_QUESTIONS, answers_match, question_list
from .sessions import CurrentSession

RESET_SMS = "【社保个人网上服务】您正在找回密码，验证码{code}，5分钟内有效。如非本人操作请忽略。"
BAD_CREDENTIALS = (
    "身份证号码或密码不正确。连续输错5次账号将锁定15分钟（锁定时会短信通知本人），"
    "忘记密码可点击“忘记密码”找回"
)
SIGN_IN_LIMITED = "登录尝试过于频繁，请稍后再试"


def _bad_credentials() -> Unauthorized:
    return Unauthorized(BAD_CREDENTIALS, code="bad_credentials", field="password")


def count_sign_in_attempt(ip: str) -> None:
    """Per source address, at most `limit` sign-in attempts per `window_s` (429 beyond)."""
    rule = limits.section("sign_in_per_source")
    rate_limit.hit("sign-in", ip or "unknown", int(rule["limit"]), int(rule["window_s"]), SIGN_IN_LIMITED)


def login(id_number: str, password: str, captcha_id: str, captcha_answer: str, ip: str) -> dict[str, Any]:
    """Return {"status":"ok","token"} or {"status":"activation_required",...}."""
    count_sign_in_attempt(ip)
    number = ids.normalise(id_number)
    captcha.consume(captcha_id, captcha_answer)
    account = accounts.find(number)
    outcome = accounts.check_password(account, number, password)
    if outcome != "ok" or account is None:
        reason = (
            "unknown_account" if account is None else "locked" if outcome == "refused" else "bad_password"
        )
        audit.record(number, "login", reason, ip)
        raise _bad_credentials()
    return sign_in.finish(account, ip, "login")


def activate(activation_token: str, sms_code: str | None, new_password: str, ip: str) -> dict[str, Any]:
    """First sign-in: SMS code + a new password (never 888888) → a full session.

    The password policy is checked before the code, so a weak password does not use the code.
    A flow opened by an SMS sign-in has proven the phone already and needs no second code.
    """
    flow = codes.load("activation", activation_token)
    number = flow.id_number
    passwords.check_policy(new_password, number)
    if not (flow.data or {}).get("phone_verified"):
        codes.check_code(flow, sms_code)
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
    """ "Stay signed in": record the activity now (the check writes it at most once a minute)."""
    return {"status": "ok", **sessions.record_activity(current).timing()}


# ---- forgot password ---------------------------------------------------------------------


def _stand_ins(number: str) -> tuple[list[str], str]:
    """Questions and a masked phone for an ID number without them: fixed per number (keyed
    hash, so repeated tries see the same) and not computable without the server's key."""
    key = secrets_store.get("pseudonym-key").encode("utf-8")
    seed = hmac.new(key, b"forgot#" + number.encode("utf-8"), hashlib.sha256).digest()
    pool = question_list()
    first = seed[0] % len(pool)
    second = (first + 1 + seed[1] % (len(pool) - 1)) % len(pool)
    prefix = ("13", "15", "18", "17", "19")[seed[2] % 5] + str(seed[3] % 10)
    tail = f"{int.from_bytes(seed[4:8], 'big') % 10000:04d}"
    return [pool[first], pool[second]], prefix + "****" + tail


def forgot_start(
    id_number: str,
    ip: str,
    phone: str | None = None,
    captcha_id: str | None = None,
    captcha_answer: str | None = None,
) -> dict[str, Any]:
    """Open a reset: the same answer shape whether or not the ID number has an account.

    With the registered `phone` (no captcha): the code goes to it, and the answer is the same
    whether or not ID number and phone match. Without it: the image captcha, then the account's
    protection methods (so a resident who lost their phone can answer the questions)."""
    if phone is not None:
        flow = phone_flows.start("reset", id_number, phone, RESET_SMS, ip)
        audit.record(
            flow.id_number, "password_reset_start", "code_sent" if flow.matched else "phone_mismatch", ip
        )
        return {
            "reset_token": flow.token,
            "methods": ["phone"],
            "questions": [],
            "phone_masked": flow.phone_masked,
            "code_sent": True,
        }
    number = ids.normalise(id_number)
    captcha.consume(captcha_id, captcha_answer)
    account = accounts.find(number)
    stand_in_questions, stand_in_phone = _stand_ins(number)
    questions = [q["question"] for q in (account.protection or [])] if account else []
    real = bool(account and (account.phone or questions))
    token = codes.start("reset", number, data={"real": real})
    audit.record(number, "password_reset_start", "ok" if real else "no_account_or_protection", ip)
    return {
        "reset_token": token,
        "methods": ["phone", "questions"],
        "questions": questions or stand_in_questions,
        "phone_masked": masking.phone(account.phone) if account and account.phone else stand_in_phone,
    }


def forgot_send_code(reset_token: str, ip: str) -> dict[str, Any]:
    flow = codes.load("reset", reset_token)
    if phone_flows.opened_with_phone(flow):
        # Matched or not, the same answer: such a flow is resent by starting it again.
        raise BadInput("请重新点击“获取验证码”", code="restart_required")
    account = accounts.find(flow.id_number) if (flow.data or {}).get("real") else None
    phone = account.phone if account else None
    shown = masking.phone(phone) if phone else _stand_ins(flow.id_number)[1]
    codes.resend(flow, phone, RESET_SMS, ip=ip, limit_key=None if phone else f"id:{flow.id_number}")
    audit.record(flow.id_number, "password_reset_code", "sent" if phone else "not_sent", ip)
    return {"status": "sent", "phone_masked": shown}


def forgot_complete(
    reset_token: str,
    method: str,
    new_password: str,
    ip: str,
    sms_code: str | None = None,
    answers: list[str] | None = None,
) -> dict[str, str]:
    flow = codes.load("reset", reset_token)
    number = flow.id_number
    if method not in ("phone", "questions") or (
        method == "questions" and phone_flows.opened_with_phone(flow)
    ):
        raise BadInput("请选择找回方式（手机验证码或密保问题）", code="invalid_method", field="method")
    passwords.check_policy(new_password, number)
    account = accounts.find(number) if (flow.data or {}).get("real") else None
    if method == "phone":
        codes.check_code(flow, sms_code)
    else:
        _check_answers(flow, (account.protection if account else None) or [], answers)
    if account is None:  # a stand-in flow has no code to match: never reached, kept as a guard
        raise BadInput("验证码不正确", code="code_wrong", field="sms_code")
    codes.consume(flow)
    accounts.set_password(number, new_password)
    sessions.revoke_all(number)
    audit.record(number, "password_reset", "ok", ip, {"method": method})
    return {"status": "ok"}


def _check_answers(flow: OneTimeCode, protection: list[dict], answers: list[str] | None) -> None:
    if not isinstance(answers, list) or len(answers) != REQUIRED_QUESTIONS:
        raise BadInput("请回答全部密保问题", code="answers_required", field="answers")
    codes.count_attempt(flow)
    if len(protection) != len(answers):  # stand-in questions: the same hashing, never a match
        for answer in answers:
            passwords.burn_time(str(answer))
        raise BadInput("密保答案不正确", code="answers_wrong", field="answers")
    if not answers_match(protection, answers):
        raise BadInput("密保答案不正确", code="answers_wrong", field="answers")
