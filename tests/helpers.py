"""Test helpers: demo accounts, captcha answers, signing in through the API."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime

from chalicelib import clock
from chalicelib.models.accounts import Account
from chalicelib.models.contributions import Contribution
from chalicelib.models.pension_payments import PensionPayment
from chalicelib.security import passwords

XHR = {"X-Requested-With": "XMLHttpRequest", "Content-Type": "application/json"}
ZHANG = "371402198503142314"
ZHANG_PHONE = "13800001111"
GOOD_PASSWORD = "Shebao2026go"
# the payment tests' instant: contribution window 2025-11 … 2026-11
FIXED_NOW = datetime(2026, 11, 15, 10, 0, tzinfo=clock.CHINA_TZ)

_HASH_CACHE: dict[str, str] = {}


def make_account(
    id_number: str = ZHANG,
    password: str = passwords.INITIAL_PASSWORD,
    state: str = "INITIAL",
    phone: str | None = ZHANG_PHONE,
    name: str = "张伟",
    **extra,
) -> Account:
    if password not in _HASH_CACHE:
        _HASH_CACHE[password] = passwords.hash_password(password)
    account = Account(
        id_number=id_number,
        name=name,
        phone=phone,
        password_hash=_HASH_CACHE[password],
        password_state=state,
        created_at=int(clock.now()),
        **extra,
    )
    account.save()
    return account


def post(client, path: str, body=None, headers=None, cookie: str | None = None):
    all_headers = dict(XHR)
    if cookie:
        all_headers["Cookie"] = cookie
    all_headers.update(headers or {})
    raw = body if isinstance(body, (str, bytes)) else json.dumps(body or {})
    return client.http.post(path, headers=all_headers, body=raw)


def get(client, path: str, cookie: str | None = None):
    return client.http.get(path, headers={"Cookie": cookie} if cookie else {})


def captcha(client) -> tuple[str, str]:
    created = post(client, "/api/auth/captcha").json_body
    answer = get(client, f"/api/dev/captcha/{created['captcha_id']}").json_body["answer"]
    return created["captcha_id"], answer


def cookie_from(response) -> str:
    header = response.headers.get("Set-Cookie") or response.headers.get("set-cookie")
    match = re.match(r"(sbp_session=[^;]*)", header or "")
    assert match, f"no session cookie in {response.headers}"
    return match.group(1)


def login(client, id_number: str = ZHANG, password: str = GOOD_PASSWORD):
    captcha_id, answer = captcha(client)
    return post(
        client,
        "/api/auth/login",
        {"id_number": id_number, "password": password, "captcha_id": captcha_id, "captcha_answer": answer},
    )


def signed_in(client, id_number: str = ZHANG, password: str = GOOD_PASSWORD) -> str:
    """Create an activated account and return its session cookie."""
    make_account(id_number, password=password, state="SET")
    response = login(client, id_number, password)
    assert response.status_code == 200, response.json_body
    return cookie_from(response)


def last_code(client, address: str) -> str:
    return get(client, f"/api/dev/outbox?{'email' if '@' in address else 'phone'}={address}").json_body[
        "messages"
    ][0]["code"]


def freeze_at(moment: datetime = FIXED_NOW) -> None:
    """Put chalicelib's clock at `moment` (tests travel from there)."""
    clock.reset()
    clock.travel(moment.timestamp() - time.time())


def save_month(person_type: str, period: str, status: str, **values) -> None:
    """One contribution month as the core system records it (a flexible worker's by default)."""
    row = {"employer": "灵活就业", "base_fen": 500000, "employer_fen": 0, "personal_fen": 100000, **values}
    Contribution(person_type=person_type, period=period, status=status, **row).save()


def save_pension_payment(id_number: str, period: str, gross_fen: int) -> None:
    """One monthly pension payment of `gross_fen`, paid on the 10th to the demo bank account."""
    PensionPayment(
        id_number=id_number,
        period=period,
        items=[{"name": "基础养老金", "amount_fen": gross_fen}],
        gross_fen=gross_fen,
        bank_name="中国工商银行",
        bank_account_masked="**** **** 3571",
        pay_date=f"{period[:4]}-{period[4:]}-10",
    ).save()
