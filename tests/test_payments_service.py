"""Payments service (moto): amounts from policy data, months and locks, every state transition,
the PAID transaction and expiry with time travel. Helpers here are shared by the other payment tests."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import urllib.parse

import pytest

from chalicelib import clock, money, policy
from chalicelib.errors import BadInput, Conflict, NotFound, TemporarilyUnavailable
from chalicelib.models.bank_events import BankEvent
from chalicelib.models.contribution_summaries import ContributionSummary
from chalicelib.models.contributions import Contribution
from chalicelib.models.messages import ResidentMessage
from chalicelib.models.order_locks import MonthLock
from chalicelib.models.orders import PaymentOrder
from chalicelib.models.tasks import PendingTask
from chalicelib.services import (
    bank_notifications,
    banks,
    payment_dues,
    payment_expiry,
    payment_orders,
    payment_settlement,
)
from chalicelib.services.sessions import CurrentSession

from .conftest import FIXTURES
from .helpers import save_month

WANG = "371481199004225625"
OTHER = "371402198503142314"
SECRETS = {"icbc": b"local-secret-icbc", "ccb": b"local-secret-ccb", "abc": b"local-secret-abc"}


# ---- helpers shared by the payment tests -----------------------------------------------------


def me(id_number: str = WANG) -> CurrentSession:
    now = int(clock.now())
    return CurrentSession(id_number, "test-token-hash", now, now)


def bank_sign(bank: str, timestamp: str, body: bytes, secret: bytes | None = None) -> str:
    """Independent implementation of section 5's signature (not the code under test)."""
    key = secret if secret is not None else SECRETS[bank]
    return "v1=" + hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def notification(order: dict, status: str = "SUCCESS", event_id: str = "evt-1", **overrides) -> bytes:
    body = {
        "event_id": event_id,
        "order_no": order["order_no"],
        "bank_txn_id": "TXN-" + event_id,
        "amount_fen": order["total_fen"],
        "currency": "CNY",
        "status": status,
        "paid_at": "2026-11-15T10:05:00+08:00" if status == "SUCCESS" else None,
    }
    body.update(overrides)
    return json.dumps(body).encode()


def bank_result(
    order: dict, status: str = "SUCCESS", event_id: str = "evt-1", bank: str = "ccb", **overrides
) -> payment_settlement.BankResult:
    return bank_notifications.parse_notification(bank, notification(order, status, event_id, **overrides))


def order_at_bank(
    bank: str = "ccb",
    months: list[str] | None = None,
    base_fen: int = 500000,
    kind: str = "flexible_pension",
    id_number: str = WANG,
) -> dict:
    current = me(id_number)
    order = payment_orders.create_order(current, kind, months or ["202609", "202610"], base_fen, "127.0.0.1")
    payment_orders.confirm(current, order["order_no"], "127.0.0.1")
    return payment_orders.pay(current, order["order_no"], bank, "127.0.0.1")


def status_of(order_no: str) -> str:
    return PaymentOrder.get(order_no, consistent_read=True).status


# ---- amounts ----------------------------------------------------------------------------------


def test_month_amount_is_base_times_policy_rate_rounded_half_up_to_the_fen(fixed_time):
    cases = json.loads((FIXTURES / "bank" / "rounding_cases.json").read_text(encoding="utf-8"))["cases"]
    for case in cases:
        line = payment_dues.month_line(case["type_code"], case["period"], case["base_fen"])
        assert (
            line["rate_bp"]
            == policy.flexible_rates(case["period"][:4], case["type_code"])["total"]
            == case["rate_bp"]
        )
        assert (line["amount_fen"], line["account_fen"]) == (case["amount_fen"], case["account_fen"]), case[
            "why"
        ]


def test_order_total_is_the_sum_of_rounded_month_amounts(fixed_time):
    order = payment_orders.create_order(me(), "flexible_medical", ["202610", "202611"], 456050, None)
    assert [line["amount_fen"] for line in order["lines"]] == [41045, 41045]
    assert order["total_fen"] == 82090  # not round(456050 × 2 × 9%) = 82089
    assert order["status"] == "DRAFT" and order["type_code"] == "310"


def test_each_month_uses_its_own_years_rate_and_band(fixed_time):
    lower_2026 = policy.base_band("2026")[0]
    order = payment_orders.create_order(me(), "flexible_pension", ["202512", "202601"], lower_2026, None)
    by_period = {line["period"]: line for line in order["lines"]}
    assert by_period["202512"]["amount_fen"] == money.apply_rate(
        lower_2026, policy.flexible_rates("2025", "110")["total"]
    )
    with pytest.raises(BadInput) as refused:
        payment_orders.create_order(me(), "flexible_pension", ["202512", "202601"], lower_2026 - 1, None)
    assert refused.value.field == "base_fen" and "2026年" in refused.value.message


@pytest.mark.parametrize("base", [policy.base_band("2026")[0] - 1, policy.base_band("2026")[1] + 1])
def test_base_outside_the_years_band_is_refused(fixed_time, base):
    with pytest.raises(BadInput) as refused:
        payment_orders.create_order(me(), "flexible_pension", ["202611"], base, None)
    assert refused.value.code == "base_out_of_band" and refused.value.field == "base_fen"
    assert PaymentOrder.count() == 0 and MonthLock.count() == 0


@pytest.mark.parametrize("months", [["202612"], ["202510"], ["2026-10"], [], "202610", [202610]])
def test_months_outside_the_back_payment_window_or_malformed_are_refused(fixed_time, months):
    with pytest.raises(BadInput) as refused:
        payment_orders.create_order(me(), "flexible_pension", months, 500000, None)
    assert refused.value.field == "months"


def test_unknown_kind_and_non_integer_base_are_refused(fixed_time):
    with pytest.raises(BadInput) as kind:
        payment_orders.create_order(me(), "employee_pension", ["202611"], 500000, None)
    assert kind.value.field == "kind"
    for base in ("500000", 5000.0, True, None):
        with pytest.raises(BadInput) as refused:
            payment_orders.create_order(me(), "flexible_pension", ["202611"], base, None)
        assert refused.value.field == "base_fen"


# ---- months already paid or in another order ---------------------------------------------------


def test_month_already_paid_cannot_be_ordered_again(fixed_time):
    save_month(f"{WANG}#110", "202609", "PAID")
    with pytest.raises(Conflict) as refused:
        payment_orders.create_order(me(), "flexible_pension", ["202609", "202610"], 500000, None)
    assert refused.value.code == "months_taken" and "2026年9月" in refused.value.message
    assert PaymentOrder.count() == 0 and MonthLock.count() == 0  # nothing half-written


def test_owed_month_can_be_ordered_and_is_posted_as_paid(fixed_time):
    save_month(f"{WANG}#110", "202609", "OWED")
    order = order_at_bank(months=["202609"])
    assert payment_settlement.apply_bank_result(bank_result(order)) == "APPLIED"
    assert Contribution.get(f"{WANG}#110", "202609").status == "PAID"


def test_month_in_another_open_order_is_refused_until_that_order_is_cancelled(fixed_time):
    first = payment_orders.create_order(me(), "flexible_pension", ["202610"], 500000, None)
    with pytest.raises(Conflict):
        payment_orders.create_order(me(), "flexible_pension", ["202610", "202611"], 500000, None)
    # the same month of the other type is independent
    payment_orders.create_order(me(), "flexible_medical", ["202610"], 500000, None)
    payment_orders.cancel(me(), first["order_no"], None)
    again = payment_orders.create_order(me(), "flexible_pension", ["202610", "202611"], 500000, None)
    assert again["status"] == "DRAFT"


def test_parallel_orders_for_the_same_month_only_one_succeeds(fixed_time, serial_moto):
    outcomes: list[str] = []

    def attempt():
        try:
            payment_orders.create_order(me(), "flexible_pension", ["202611"], 500000, None)
            outcomes.append("created")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * 5 + ["created"]
    assert MonthLock.count() == 1


def test_options_show_paid_in_order_and_payable_months(fixed_time):
    save_month(f"{WANG}#110", "202601", "PAID")
    order = payment_orders.create_order(me(), "flexible_pension", ["202602"], 500000, None)
    answer = payment_orders.options(me(), "flexible_pension")
    states = {m["period"]: (m["state"], m["order_no"]) for m in answer["months"]}
    assert len(states) == 13 and min(states) == "202511" and max(states) == "202611"
    assert states["202601"] == ("paid", None)
    assert states["202602"] == ("in_order", order["order_no"])
    assert states["202603"] == ("payable", None)
    assert answer["base_lower_fen"] == policy.base_band("2026")[0]  # the stricter band of the window
    assert {b["code"] for b in answer["banks"]} == {"icbc", "ccb", "abc"}


# ---- transitions ------------------------------------------------------------------------------


def test_order_is_a_to_do_item_resumable_at_its_step_named_in_plain_words(fixed_time):
    order = payment_orders.create_order(me(), "flexible_pension", ["202610"], 500000, None)
    task = PendingTask.get(WANG, f"payment_order#{order['order_no']}")
    assert task.step == "查看应缴" and task.resume_path == f"/pay/order.html?no={order['order_no']}"
    payment_orders.confirm(me(), order["order_no"], None)
    assert PendingTask.get(WANG, task.task_id).step == "选择银行支付"
    payment_orders.pay(me(), order["order_no"], "icbc", None)
    assert PendingTask.get(WANG, task.task_id).step == "等待银行结果"


def test_confirm_then_pay_gives_a_signed_checkout_link(fixed_time):
    order = order_at_bank("icbc")
    assert order["status"] == "AWAITING_PAYMENT" and order["attempt"] == 1
    url = urllib.parse.urlsplit(order["redirect_url"])
    params = dict(urllib.parse.parse_qsl(url.query))
    assert url.path.endswith("/icbc/checkout")
    assert params["order_no"] == order["order_no"] and params["amount_fen"] == str(order["total_fen"])
    signed = {k: v for k, v in params.items() if k not in ("ts", "sig")}
    assert params["sig"] == bank_sign(
        "icbc", params["ts"], urllib.parse.urlencode(sorted(signed.items())).encode()
    )


@pytest.mark.parametrize(
    "status,action",
    [
        ("DRAFT", "pay"),
        ("CONFIRMED", "confirm_twice_ok"),
        ("AWAITING_PAYMENT", "confirm"),
        ("AWAITING_PAYMENT", "cancel"),
        ("AWAITING_PAYMENT", "other_bank"),
        ("PAID", "pay"),
        ("PAID", "cancel"),
        ("CANCELLED", "confirm"),
        ("CANCELLED", "pay"),
    ],
)
def test_transitions_not_allowed_from_a_state_are_refused(fixed_time, status, action):
    current = me()
    order = payment_orders.create_order(current, "flexible_pension", ["202610"], 500000, None)
    no = order["order_no"]
    if status != "DRAFT":
        if status == "CANCELLED":
            payment_orders.cancel(current, no, None)
        else:
            payment_orders.confirm(current, no, None)
    if status in ("AWAITING_PAYMENT", "PAID"):
        payment_orders.pay(current, no, "ccb", None)
    if status == "PAID":
        payment_settlement.apply_bank_result(bank_result(order))
    assert status_of(no) == status
    calls = {
        "pay": lambda: payment_orders.pay(current, no, "ccb", None),
        "confirm": lambda: payment_orders.confirm(current, no, None),
        "cancel": lambda: payment_orders.cancel(current, no, None),
        "other_bank": lambda: payment_orders.pay(current, no, "icbc", None),
    }
    if action == "confirm_twice_ok":
        assert payment_orders.confirm(current, no, None)["status"] == "CONFIRMED"
        return
    with pytest.raises(Conflict):
        calls[action]()
    assert status_of(no) == status


def test_failed_order_can_be_paid_again_as_a_new_attempt_of_the_same_order(fixed_time):
    order = order_at_bank("ccb")
    assert payment_settlement.apply_bank_result(bank_result(order, "FAILED", "evt-fail")) == "APPLIED"
    assert status_of(order["order_no"]) == "FAILED"
    assert PendingTask.get(WANG, f"payment_order#{order['order_no']}").step == "支付失败，可重新支付"
    again = payment_orders.pay(me(), order["order_no"], "abc", None)
    assert again["status"] == "AWAITING_PAYMENT" and again["attempt"] == 2 and again["bank_code"] == "abc"
    assert (
        payment_settlement.apply_bank_result(bank_result(order, "SUCCESS", "evt-ok", bank="abc")) == "APPLIED"
    )
    assert status_of(order["order_no"]) == "PAID"


def test_amend_goes_back_to_draft_and_moves_the_month_locks(fixed_time):
    order = payment_orders.create_order(me(), "flexible_pension", ["202609", "202610"], 500000, None)
    payment_orders.confirm(me(), order["order_no"], None)
    amended = payment_orders.amend_order(me(), order["order_no"], ["202610", "202611"], 600000, None)
    assert amended["status"] == "DRAFT" and amended["months"] == ["202610", "202611"]
    assert amended["total_fen"] == 2 * money.apply_rate(600000, 2000)
    assert {lock.period for lock in MonthLock.query(f"{WANG}#110")} == {"202610", "202611"}
    payment_orders.create_order(me(), "flexible_pension", ["202609"], 500000, None)  # released


def test_other_residents_order_is_not_found(fixed_time):
    order = payment_orders.create_order(me(), "flexible_pension", ["202610"], 500000, None)
    with pytest.raises(NotFound):
        payment_orders.get_order(me(OTHER), order["order_no"])
    with pytest.raises(NotFound):
        payment_orders.cancel(me(OTHER), order["order_no"], None)
    assert status_of(order["order_no"]) == "DRAFT"


# ---- the PAID transaction -----------------------------------------------------------------------


def test_paid_posts_contributions_closes_the_to_do_item_and_appends_a_message(fixed_time):
    order = order_at_bank("ccb", months=["202609", "202610"], base_fen=500000)
    assert payment_settlement.apply_bank_result(bank_result(order)) == "APPLIED"
    stored = PaymentOrder.get(order["order_no"])
    assert stored.status == "PAID" and stored.open_status is None and stored.bank_txn_id == "TXN-evt-1"
    assert stored.paid_day == "2026-11-15"
    for period in ("202609", "202610"):
        posted = Contribution.get(f"{WANG}#110", period)
        assert (posted.status, posted.employer, posted.base_fen) == ("PAID", "灵活就业", 500000)
        assert posted.personal_fen == 100000 and posted.account_fen == 40000 and posted.employer_fen == 0
        assert MonthLock.get(f"{WANG}#110", period).state == "PAID"
    summary = ContributionSummary.get(WANG, "110")
    assert {"202609", "202610"} <= set(summary.paid) and not (summary.owed or set()) & {"202609", "202610"}
    assert PendingTask.count(WANG) == 0
    texts = [m.text for m in ResidentMessage.query(WANG)]
    assert len(texts) == 1 and "缴费成功" in texts[0] and order["order_no"] in texts[0]
    assert BankEvent.get("ccb#evt-1").outcome == "APPLIED"
    with pytest.raises(Conflict):  # paid months stay taken
        payment_orders.create_order(me(), "flexible_pension", ["202610"], 500000, None)


def test_summary_moves_owed_months_to_paid(fixed_time):
    ContributionSummary(id_number=WANG, type_code="110", paid={"202601"}, owed={"202609", "202605"}).save()
    order = order_at_bank(months=["202609"])
    payment_settlement.apply_bank_result(bank_result(order))
    summary = ContributionSummary.get(WANG, "110")
    assert set(summary.paid) == {"202601", "202609"} and set(summary.owed) == {"202605"}


# ---- expiry -------------------------------------------------------------------------------------


def test_expiry_closes_orders_idle_past_the_ttl_and_frees_their_months(fixed_time, monkeypatch):
    stale = payment_orders.create_order(me(), "flexible_pension", ["202609"], 500000, None)
    clock.travel(20 * 60)
    fresh = payment_orders.create_order(me(), "flexible_pension", ["202610"], 500000, None)
    clock.travel(11 * 60)  # stale idle 31 min, fresh 11 min
    monkeypatch.setattr(banks, "query_status", lambda *a, **k: pytest.fail("no bank order"))
    counts = payment_expiry.expire_stale()
    assert counts["expired"] == 1
    assert status_of(stale["order_no"]) == "EXPIRED" and status_of(fresh["order_no"]) == "DRAFT"
    assert [t.task_id for t in PendingTask.query(WANG)] == [f"payment_order#{fresh['order_no']}"]
    assert {lock.period for lock in MonthLock.query(f"{WANG}#110")} == {"202610"}
    assert any(m.kind == "payment_expired" for m in ResidentMessage.query(WANG))


def test_expiry_job_stops_before_its_timeout_and_leaves_the_rest_for_the_next_run(fixed_time, monkeypatch):
    first = order_at_bank("icbc", months=["202609"])
    second = order_at_bank("ccb", months=["202610"])
    clock.travel(31 * 60)
    asked = []

    def query(bank, order_no, timeout_s=None):
        asked.append(timeout_s)
        return {"order_no": order_no, "status": "PENDING"}

    monkeypatch.setattr(banks, "query_status", query)
    remaining = iter([60.0, 1.0])  # plenty before the first order, too little before the second
    counts = payment_expiry.expire_stale(time_left_s=lambda: next(remaining))
    assert counts["expired"] == 1 and counts["stopped_early"] == 1
    assert sorted([status_of(first["order_no"]), status_of(second["order_no"])]) == [
        "AWAITING_PAYMENT",
        "EXPIRED",
    ]
    assert asked == [banks.data()["job_query_timeout_s"]]  # the job's short bank timeout
    assert payment_expiry.expire_stale(time_left_s=lambda: 60.0)["expired"] == 1  # the next run finishes


def test_expiry_asks_the_bank_first_and_posts_an_order_the_bank_knows_as_paid(fixed_time, monkeypatch):
    paid_at_bank = order_at_bank("ccb", months=["202609"])
    unpaid = order_at_bank("icbc", months=["202610"])
    unreachable = order_at_bank("abc", months=["202611"])
    clock.travel(31 * 60)

    def query(bank, order_no, timeout_s=None):
        if bank == "abc":
            raise TemporarilyUnavailable("down")
        if order_no == paid_at_bank["order_no"]:
            return {
                "order_no": order_no,
                "status": "SUCCESS",
                "amount_fen": paid_at_bank["total_fen"],
                "currency": "CNY",
                "bank_txn_id": "CCB-1",
                "paid_at": "2026-11-15T10:20:00+08:00",
            }
        return {"order_no": order_no, "status": "PENDING"}

    monkeypatch.setattr(banks, "query_status", query)
    counts = payment_expiry.expire_stale()
    assert (counts["paid"], counts["expired"], counts["bank_unreachable"]) == (1, 1, 1)
    assert status_of(paid_at_bank["order_no"]) == "PAID"
    assert status_of(unpaid["order_no"]) == "EXPIRED"
    assert status_of(unreachable["order_no"]) == "AWAITING_PAYMENT"
    assert Contribution.get(f"{WANG}#110", "202609").status == "PAID"
