"""City-rural resident payments (城乡居民医保 / 养老, moto): collection window, insured person by
ID + name, one plain answer on a mismatch, a year paid once whoever pays it, the posting into
the insured person's record and pension account, cancel / expiry releasing the year."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import pytest
import time_machine

from chalicelib import clock, policy
from chalicelib.errors import BadInput, Conflict, TooManyRequests
from chalicelib.models.contribution_summaries import ContributionSummary
from chalicelib.models.contributions import Contribution
from chalicelib.models.messages import ResidentMessage
from chalicelib.models.order_locks import MonthLock
from chalicelib.models.orders import PaymentOrder
from chalicelib.models.pension_accounts import PensionAccountYear
from chalicelib.models.tasks import PendingTask
from chalicelib.services import (
    payment_expiry,
    payment_orders,
    payment_requests,
    payment_settlement,
    pension_account,
)
from infra.seed.residents import by_name

from .helpers import make_account, save_month
from .test_payments_service import bank_result, me

LIU, ZHAO, WANG = "371403195501011110", "371428198806152345", "371481199004225625"
UNKNOWN = "371402199001011239"  # a valid ID number nobody holds
IN_WINDOW = datetime(2026, 11, 30, 10, 0, tzinfo=clock.CHINA_TZ)  # 2027 medical window: 2026-09 … 12


@contextmanager
def frozen_at(moment: datetime) -> Iterator[time_machine.Traveller]:
    """Time stands still at `moment` (time-machine); `clock.travel` moves chalicelib's clock on."""
    clock.reset()
    with time_machine.travel(moment, tick=False) as traveller:
        yield traveller
    clock.reset()


def make_residents() -> None:
    """刘强, 赵敏 and 王芳 as the demo data describes them (profiles from demo_residents.json)."""
    for name in ("刘强", "赵敏", "王芳"):
        demo = by_name(name)
        make_account(demo["id_number"], name=name, phone=demo["phone"], state="SET", profile=demo["profile"])


@pytest.fixture
def residents(tables):
    """The residents, at a frozen moment inside the 2027 resident medical collection window."""
    with frozen_at(IN_WINDOW) as traveller:
        make_residents()
        yield traveller


def medical(payer: str, year=2027, insured=None) -> dict:
    data = {"kind": "resident_medical", "year": year}
    if insured is not None:
        data["insured"] = insured
    return payment_requests.create_order(me(payer), data, "127.0.0.1")


def pension(payer: str, level_fen, year=2026) -> dict:
    return payment_requests.create_order(
        me(payer), {"kind": "resident_pension", "year": year, "level_fen": level_fen}, "127.0.0.1"
    )


def pay_and_settle(payer: str, order: dict, event_id: str = "evt-r1") -> str:
    payment_orders.confirm(me(payer), order["order_no"], None)
    at_bank = payment_orders.pay(me(payer), order["order_no"], "ccb", None)
    return payment_settlement.apply_bank_result(bank_result(at_bank, event_id=event_id))


def nothing_written() -> bool:
    return PaymentOrder.count() == 0 and MonthLock.count() == 0 and PendingTask.count() == 0


# ---- resident medical -----------------------------------------------------------------------


def test_medical_order_is_one_line_of_the_years_policy_amount(residents):
    order = medical(LIU)
    params = policy.resident()["medical"]["years"]["2027"]
    assert order["status"] == "DRAFT" and order["type_code"] == "390" and order["year"] == 2027
    assert order["lines"] == [
        {
            "period": "202701",
            "year": 2027,
            "base_fen": 0,
            "rate_bp": 0,
            "amount_fen": params["personal_fen_per_year"],
            "subsidy_fen": params["subsidy_fen_per_year"],
            "account_fen": 0,
        }
    ]
    assert order["total_fen"] == params["personal_fen_per_year"]
    assert order["insured"] == {"self": True, "name_masked": "刘*", "id_number_masked": "3714**********1110"}


def test_paying_for_oneself_posts_the_year_to_ones_own_record(residents):
    order = medical(LIU)
    assert pay_and_settle(LIU, order) == "APPLIED"
    row = Contribution.get(f"{LIU}#390", "202701")
    assert (row.status, row.personal_fen, row.employer_fen) == ("PAID", 40000, 64000)
    assert row.source == f"payment:{order['order_no']}"
    assert ContributionSummary.get(LIU, "390").paid == {"202701"}
    assert PaymentOrder.get(order["order_no"]).status == "PAID" and PendingTask.count() == 0


def test_paying_for_a_family_member_posts_to_her_record_and_the_order_says_whom(residents):
    order = medical(LIU, insured={"id_number": ZHAO, "name": "赵敏"})
    assert order["insured"] == {"self": False, "name_masked": "赵*", "id_number_masked": "3714**********2345"}
    assert "为赵*缴纳" in order["title"]
    task = PendingTask.get(LIU, f"payment_order#{order['order_no']}")
    assert "2027年度居民医疗缴费（为赵*缴纳）" in task.title
    assert MonthLock.get(f"{ZHAO}#390", "202701").order_no == order["order_no"]

    assert pay_and_settle(LIU, order) == "APPLIED"
    assert Contribution.get(f"{ZHAO}#390", "202701").status == "PAID"
    assert Contribution.count(f"{LIU}#390") == 0
    assert ContributionSummary.get(ZHAO, "390").paid == {"202701"}
    her_messages = list(ResidentMessage.query(ZHAO))
    assert len(her_messages) == 1 and "2027年度" in her_messages[0].text and "¥400.00" in her_messages[0].text
    assert [m.kind for m in ResidentMessage.query(LIU)] == ["payment_paid"]


@pytest.mark.parametrize(
    "insured",
    [
        {"id_number": UNKNOWN, "name": "赵敏"},  # nobody with that ID
        {"id_number": ZHAO, "name": "赵小敏"},  # the name does not match
        {"id_number": WANG, "name": "王芳"},  # known, but not in resident medical
    ],
)
def test_an_insured_mismatch_gets_one_plain_answer_and_writes_nothing(residents, insured):
    with pytest.raises(BadInput) as caught:
        medical(LIU, insured=insured)
    assert caught.value.code == "insured_not_found"
    assert caught.value.message == "未找到与该身份证号和姓名相符的城乡居民医保参保人，请核对后重新输入"
    assert nothing_written()


def test_naming_someone_else_is_limited_per_payer_and_hour(residents):
    limit = policy.resident()["medical"]["insured_lookups_per_hour"]
    for _ in range(limit):
        with pytest.raises(BadInput):
            medical(LIU, insured={"id_number": ZHAO, "name": "赵小敏"})
    with pytest.raises(TooManyRequests) as caught:  # even with the right name now
        medical(LIU, insured={"id_number": ZHAO, "name": "赵敏"})
    assert caught.value.code == "insured_lookups_exceeded" and "一小时后" in caught.value.message
    assert medical(LIU)["status"] == "DRAFT"  # paying for oneself is not a lookup
    clock.travel(3600)  # the next hour
    assert medical(LIU, insured={"id_number": ZHAO, "name": "赵敏"})["insured"]["name_masked"] == "赵*"


@pytest.mark.parametrize("year", [2026, 2028, "2027x", None])
def test_a_year_outside_the_collection_window_is_refused(residents, year):
    with pytest.raises(BadInput) as caught:
        medical(LIU, year=year)
    assert caught.value.code in ("year_not_open", "invalid_year") and caught.value.field == "year"
    assert nothing_written()


def test_the_window_follows_the_date(residents):
    residents.move_to(datetime(2027, 1, 5, 9, 0, tzinfo=clock.CHINA_TZ))  # the 2027 window closed on 12-31
    with pytest.raises(BadInput) as caught:
        medical(LIU)
    assert caught.value.code == "year_not_open" and "2026-09-01至2026-12-31" in caught.value.message


def test_a_year_paid_by_someone_else_cannot_be_paid_again(residents):
    mine = medical(ZHAO)
    assert pay_and_settle(ZHAO, mine) == "APPLIED"
    with pytest.raises(Conflict) as caught:
        medical(LIU, insured={"id_number": ZHAO, "name": "赵敏"})
    assert caught.value.code == "year_taken" and "该参保人2027年度已缴费" in caught.value.message
    assert PaymentOrder.count() == 1  # only 赵敏's own


def test_a_year_held_by_an_open_order_cannot_be_ordered_twice(residents):
    medical(LIU, insured={"id_number": ZHAO, "name": "赵敏"})
    with pytest.raises(Conflict):
        medical(ZHAO)


def test_a_year_recorded_by_the_core_system_cannot_be_paid(residents):
    save_month(f"{ZHAO}#390", "202701", "PAID", employer="代收", base_fen=0, employer_fen=1, personal_fen=1)
    with pytest.raises(Conflict):
        medical(LIU, insured={"id_number": ZHAO, "name": "赵敏"})
    assert PaymentOrder.count() == 0


def test_cancel_and_expiry_release_the_insured_persons_year(residents):
    first = medical(LIU, insured={"id_number": ZHAO, "name": "赵敏"})
    payment_orders.cancel(me(LIU), first["order_no"], None)
    second = medical(LIU, insured={"id_number": ZHAO, "name": "赵敏"})
    clock.travel(payment_orders.ttl_s() + 60)
    assert payment_expiry.expire_stale()["expired"] == 1
    assert PaymentOrder.get(second["order_no"]).status == "EXPIRED"
    assert MonthLock.count() == 0
    assert medical(ZHAO)["status"] == "DRAFT"


def test_a_resident_order_cannot_be_amended(residents):
    order = medical(LIU)
    with pytest.raises(Conflict):
        payment_orders.amend_order(me(LIU), order["order_no"], ["202611"], 500000, None)


# ---- resident pension -----------------------------------------------------------------------


def test_resident_pension_at_a_level_credits_record_and_pension_account(residents):
    level = policy.resident()["pension"]["years"]["2026"]["levels"][1]
    order = pension(ZHAO, level["level_fen"])
    assert order["type_code"] == "170" and order["level_fen"] == level["level_fen"]
    assert order["total_fen"] == level["level_fen"]
    assert pay_and_settle(ZHAO, order) == "APPLIED"
    row = Contribution.get(f"{ZHAO}#170", "202601")
    assert (row.personal_fen, row.employer_fen, row.account_fen) == (
        level["level_fen"],
        level["subsidy_fen"],
        level["level_fen"] + level["subsidy_fen"],
    )
    account = pension_account.statement(me(ZHAO))["items"]
    assert [(r["year"], r["months"], r["credited_fen"], r["provisional"]) for r in account] == [
        (2026, 12, level["level_fen"] + level["subsidy_fen"], True)
    ]
    assert PensionAccountYear.count() == 0  # the core system's year-ends are not written by payments


@pytest.mark.parametrize("level_fen", [12345, None, "30000", True])
def test_a_level_not_in_the_list_is_refused(residents, level_fen):
    with pytest.raises(BadInput) as caught:
        pension(ZHAO, level_fen)
    assert caught.value.code == "unknown_level" and "¥300.00" in caught.value.message
    assert nothing_written()


def test_resident_pension_is_refused_at_sixty_and_over(residents):
    with pytest.raises(BadInput) as caught:
        pension(LIU, 30000)
    assert caught.value.code == "age_not_eligible" and "16至59周岁" in caught.value.message


def test_resident_pension_is_refused_to_a_member_of_the_employee_pension(residents):
    with pytest.raises(BadInput) as caught:
        pension(WANG, 30000)
    assert caught.value.code == "in_employee_pension"
    assert nothing_written()


def test_resident_pension_is_for_oneself_only(residents):
    with pytest.raises(BadInput) as caught:
        payment_requests.create_order(
            me(LIU),
            {
                "kind": "resident_pension",
                "year": 2026,
                "level_fen": 30000,
                "insured": {"id_number": ZHAO, "name": "赵敏"},
            },
            None,
        )
    assert caught.value.code == "pension_self_only"


def test_options_list_the_open_years_and_the_payers_own_state(residents):
    medical_options = payment_requests.options(me(LIU), "resident_medical")
    assert [y["year"] for y in medical_options["years"]] == [2027]
    assert medical_options["years"][0]["self_state"] == "payable" and medical_options["self"]["eligible"]
    pension_options = payment_requests.options(me(LIU), "resident_pension")
    assert not pension_options["self"]["eligible"] and "周岁" in pension_options["self"]["reason"]
    assert [
        lv["level_fen"] for lv in payment_requests.options(me(ZHAO), "resident_pension")["years"][0]["levels"]
    ] == [lv["level_fen"] for lv in policy.resident()["pension"]["years"]["2026"]["levels"]]
