"""Account settings (账号设置): change password, change registration info (phone and e-mail,
each confirmed by a code sent to the new address)."""

from __future__ import annotations

import re

from .. import masking
from ..errors import BadInput, Conflict
from ..models.accounts import Account
from ..security import passwords
from . import accounts, audit, codes, sessions
from .sessions import CurrentSession

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,180}\.[A-Za-z]{2,24}$")
CONTACT_MESSAGE = "【社保个人网上服务】您正在更改注册信息，验证码{code}，5分钟内有效。"


def change_password(current: CurrentSession, old_password: str, new_password: str, ip: str) -> dict:
    account = accounts.get(current.id_number)
    if not passwords.verify_password(account.password_hash, old_password):
        audit.record(current.id_number, "password_change", "bad_old_password", ip)
        raise BadInput("原密码不正确", code="bad_old_password", field="old_password")
    passwords.check_policy(new_password, current.id_number)
    if passwords.verify_password(account.password_hash, new_password):
        raise BadInput("新密码不能与原密码相同", code="weak_password", field="new_password")
    accounts.set_password(current.id_number, new_password)
    ended = sessions.revoke_all(current.id_number, keep_token_hash=current.token_hash)
    audit.record(current.id_number, "password_change", "ok", ip, {"other_sessions_ended": ended})
    return {"status": "ok", "other_sessions_ended": ended}


def _checked_contact(field: str | None, value: str | None) -> tuple[str, str]:
    if field == "phone":
        value = (value or "").strip()
        if not PHONE_RE.match(value):
            raise BadInput("请输入11位手机号码", code="invalid_phone", field="value")
        return field, value
    if field == "email":
        value = (value or "").strip()
        if not EMAIL_RE.match(value):
            raise BadInput("邮箱格式不正确，例如 zhang@example.com", code="invalid_email", field="value")
        return field, value.lower()
    raise BadInput("只能更改手机号码或邮箱", code="invalid_field", field="field")


def start_contact_change(current: CurrentSession, field: str, value: str, ip: str) -> dict:
    field, value = _checked_contact(field, value)
    account = accounts.get(current.id_number)
    if getattr(account, field) == value:
        raise Conflict("新的信息与当前登记的相同", code="unchanged", field="value")
    change_id = codes.start(
        "contact",
        current.id_number,
        data={"field": field, "value": value},
        send_to=value,
        message=CONTACT_MESSAGE,
        ip=ip,
    )
    audit.record(current.id_number, f"{field}_change_start", "code_sent", ip)
    shown = masking.phone(value) if field == "phone" else masking.email(value)
    return {"change_id": change_id, "sent_to": shown}


def confirm_contact_change(current: CurrentSession, change_id: str, code: str, ip: str) -> dict:
    flow = codes.load("contact", change_id)
    if flow.id_number != current.id_number:
        raise BadInput("办理凭证无效", code="flow_expired")
    codes.check_code(flow, code, field="code")
    codes.consume(flow)
    field, value = flow.data["field"], flow.data["value"]
    attribute = Account.phone if field == "phone" else Account.email
    Account(id_number=current.id_number).update(
        actions=[attribute.set(value)], condition=Account.id_number.exists()
    )
    audit.record(current.id_number, f"{field}_change", "ok", ip)
    return {
        "status": "ok",
        "field": field,
        "value_masked": masking.phone(value) if field == "phone" else masking.email(value),
    }
