"""Home page that fits the resident (services/home.py, GET /api/me/home): a pensioner's latest
payment first, a flexible worker's dues and payable gaps with the months the payment flow opens
with, everyone's open to-dos; bounded reads."""

from __future__ import annotations

from datetime import datetime

import pytest

from chalicelib import clock
from chalicelib.models.accounts import Account
from chalicelib.services import home, tasks
from chalicelib.services.sessions import CurrentSession
from infra.seed.contributions import generate_flexible_history
from infra.seed.records import store_history

from .helpers import get, make_account, save_pension_payment, signed_in
from .test_records_cost import Meter

LI = "37142519620708352X"
WANG = "371481199004225625"
ZHANG = "371402198503142314"


@pytest.fixture
def november_2026():
    clock.reset()
    clock.travel(datetime(2026, 11, 20, 12, tzinfo=clock.CHINA_TZ).timestamp() - clock.now())
    yield
    clock.reset()


def session(id_number: str) -> CurrentSession:
    return CurrentSession(id_number, "hash", 0, 0)


def _li_with_payments() -> None:
    make_account(LI, name="李秀英", profile={"person_status": "退休"})
    for period, gross in (("202609", 300000), ("202611", 310000), ("202610", 305000)):
        save_pension_payment(LI, period, gross)


def _wang_with_gaps() -> None:
    make_account(WANG, name="王芳", profile={"person_status": "灵活就业"})
    store_history(
        generate_flexible_history(
            WANG,
            "202003",
            "202610",
            "灵活就业人员",
            ["110", "310"],
            missing=["202604", "202605"],
            owed=["202607"],
        )
    )


def test_a_pensioner_sees_the_latest_payment_first(tables, november_2026):
    _li_with_payments()
    answer = home.overview(session(LI))
    assert answer["kind"] == "retiree"
    assert answer["latest_payment"]["period"] == "202611" and answer["latest_payment"]["gross_fen"] == 310000
    assert answer["latest_payment"]["benefit_name"] == "职工基本养老金（退休金）"
    assert answer["payments_href"] == "/records/pension-payments.html"
    assert "dues" not in answer


def test_a_flexible_worker_sees_this_months_dues_and_the_payable_gap_months(tables, november_2026):
    _wang_with_gaps()
    answer = home.overview(session(WANG))
    assert answer["kind"] == "flexible" and answer["latest_payment"] is None
    pension = next(d for d in answer["dues"] if d["type_code"] == "110")
    assert pension["kind"] == "flexible_pension"
    assert pension["this_month"] == "202611" and pension["this_month_paid"] is False
    # 2026-04, 2026-05 missing, 2026-07 owed, 2026-11 not yet paid: within the 12-month window
    assert pension["payable_gap_months"] == ["202604", "202605", "202607"]
    assert pension["pay_href"] == "/pay/new.html?kind=flexible_pension&months=202604,202605,202607,202611"
    assert {d["kind"] for d in answer["dues"]} == {"flexible_pension", "flexible_medical"}


def test_everyone_sees_open_to_dos_at_most_three(tables, november_2026):
    make_account(ZHANG, profile={"person_status": "在职"})
    for n in range(4):
        tasks.upsert(
            ZHANG, "card_application", f"a{n}", f"社保卡申领 {n}", "/card/apply.html", step="填写信息"
        )
    answer = home.overview(session(ZHANG))
    assert answer["kind"] == "employee"
    assert answer["tasks"]["count"] == 4 and len(answer["tasks"]["items"]) == 3
    assert answer["tasks"]["items"][0]["step"] == "填写信息"


def test_home_reads_are_bounded_never_a_scan(tables, november_2026):
    _wang_with_gaps()
    with Meter() as meter:
        home.overview(session(WANG))
    assert sorted(c["op"] for c in meter.calls) == ["GetItem", "Query", "Query", "Query"]


def test_api_answers_the_home_of_the_signed_in_resident(client, november_2026):
    assert get(client, "/api/me/home").status_code == 401
    cookie = signed_in(client, LI)
    Account(id_number=LI).update(actions=[Account.profile.set({"person_status": "退休"})])
    save_pension_payment(LI, "202611", 310000)
    body = get(client, "/api/me/home", cookie=cookie).json_body
    assert body["kind"] == "retiree" and body["latest_payment"]["pay_date"] == "2026-11-10"
    assert body["tasks"] == {"count": 0, "items": []}
