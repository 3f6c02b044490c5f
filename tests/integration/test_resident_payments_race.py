"""Resident payments on DynamoDB Local: the same year of the same insured person ordered in
parallel by several payers — exactly one order wins (the month-lock transaction, not a read
before the write); after it is paid, nobody can order that year again; the paid year is posted
once to the insured person's record even when the bank's notification arrives in parallel; a
burst of lookups of other people stops exactly at the hourly limit."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib import policy
from chalicelib.errors import BadInput, Conflict, TooManyRequests
from chalicelib.models.contributions import Contribution
from chalicelib.models.order_locks import MonthLock
from chalicelib.models.orders import PaymentOrder
from chalicelib.services import payment_orders, payment_requests, payment_settlement

from ..test_payments_service import bank_result, me
from ..test_resident_payments import IN_WINDOW, LIU, ZHAO, frozen_at, make_residents


@pytest.fixture
def residents(tables):
    with frozen_at(IN_WINDOW):
        make_residents()
        yield


FOR_ZHAO = {"kind": "resident_medical", "year": 2027, "insured": {"id_number": ZHAO, "name": "赵敏"}}
SELF = {"kind": "resident_medical", "year": 2027}


def _try(payer: str, data: dict) -> str:
    try:
        payment_requests.create_order(me(payer), data, None)
        return "created"
    except Conflict as exc:
        return exc.code


def test_parallel_orders_for_the_same_insured_year_exactly_one_wins(residents):
    attempts = [(LIU, FOR_ZHAO)] * 5 + [(ZHAO, SELF)] * 5
    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(lambda a: _try(*a), attempts))
    assert sorted(outcomes) == ["created"] + ["year_taken"] * 9
    assert PaymentOrder.count() == 1
    assert MonthLock.count(f"{ZHAO}#390") == 1


def test_parallel_notifications_post_the_year_once_and_it_stays_paid(residents):
    order = payment_requests.create_order(me(LIU), FOR_ZHAO, None)
    payment_orders.confirm(me(LIU), order["order_no"], None)
    at_bank = payment_orders.pay(me(LIU), order["order_no"], "ccb", None)
    result = bank_result(at_bank, event_id="evt-race")
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda _: payment_settlement.apply_bank_result(result), range(8)))
    assert outcomes.count("APPLIED") == 1 and set(outcomes) <= {"APPLIED", "DUPLICATE"}
    assert [(c.period, c.status) for c in Contribution.query(f"{ZHAO}#390")] == [("202701", "PAID")]
    with ThreadPoolExecutor(max_workers=6) as pool:
        again = list(pool.map(lambda a: _try(*a), [(ZHAO, SELF)] * 3 + [(LIU, FOR_ZHAO)] * 3))
    assert again == ["year_taken"] * 6


def test_parallel_lookups_of_other_people_stop_at_the_hourly_limit(residents):
    limit = policy.resident()["medical"]["insured_lookups_per_hour"]
    wrong = {"kind": "resident_medical", "year": 2027, "insured": {"id_number": ZHAO, "name": "赵小敏"}}

    def attempt(_):
        try:
            payment_requests.create_order(me(LIU), wrong, None)
        except (BadInput, TooManyRequests) as exc:
            return exc.code
        return "created"

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(attempt, range(limit + 6)))
    assert sorted(outcomes) == ["insured_lookups_exceeded"] * 6 + ["insured_not_found"] * limit
    assert PaymentOrder.count() == 0
