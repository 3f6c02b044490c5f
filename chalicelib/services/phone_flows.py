"""Code flows opened with an ID number and the phone the resident says is registered (SMS
sign-in, password recovery without a captcha).

The answer never tells whether the pair matches: both cases open a flow and hand back its
token; only a match gets the code sent. A mismatched flow holds a code nobody received, so
its checks fail exactly as a wrong code does (same status, body and attempt counting), and it
passes the same sending limits (codes.start's `limit_key`). Nor
does its time: sending (SNS) takes time a mismatch would not, so every start answers no sooner
than `settings.even_answer_s()` after it began.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .. import id_number as ids
from .. import masking, settings
from ..errors import BadInput
from ..models.codes import OneTimeCode
from . import accounts, codes
from .account_settings import PHONE_RE


@dataclass(frozen=True)
class PhoneFlow:
    token: str
    id_number: str
    matched: bool
    phone_masked: str


def checked_phone(value: str | None) -> str:
    phone = (value or "").strip()
    if not PHONE_RE.match(phone):
        raise BadInput("请输入11位手机号码", code="invalid_phone", field="phone")
    return phone


def start(purpose: str, id_number: str, phone: str, message: str, ip: str) -> PhoneFlow:
    """Open a `purpose` flow; send the code only if `phone` is the account's registered phone."""
    number = ids.normalise(id_number)
    phone = checked_phone(phone)
    began = _monotonic()
    account = accounts.find(number)
    matched = account is not None and bool(account.phone) and account.phone == phone
    shown = masking.phone(phone)
    # A mismatch passes the same sending limits under the typed phone, and nothing is sent.
    token = codes.start(
        purpose,
        number,
        data={"real": matched, "via_phone": True, "phone_masked": shown},
        send_to=phone if matched else None,
        message=message,
        ip=ip,
        limit_key=None if matched else phone,
    )
    _answer_no_sooner_than(began + settings.even_answer_s())
    return PhoneFlow(token, number, matched, shown)


_monotonic, _sleep = time.monotonic, time.sleep  # (replaced by a fake clock in tests)


def _answer_no_sooner_than(moment: float) -> None:
    left = moment - _monotonic()
    if left > 0:
        _sleep(left)


def matched(flow: OneTimeCode) -> bool:
    """Whether an open flow was started with the registered phone (flows opened otherwise count as matched)."""
    return bool((flow.data or {}).get("real", True))


def opened_with_phone(flow: OneTimeCode) -> bool:
    """Whether the flow was opened here (its only way on is the code sent to that phone)."""
    return bool((flow.data or {}).get("via_phone"))
