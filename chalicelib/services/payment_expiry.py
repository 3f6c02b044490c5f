"""Scheduled expiry of payment orders left open for `order_ttl_minutes` (seed manual 2.8)."""

from __future__ import annotations

from collections.abc import Callable

from pynamodb.exceptions import DoesNotExist

from .. import clock, money
from ..errors import Conflict, TemporarilyUnavailable
from ..models.orders import PaymentOrder
from . import audit, banks, payment_settlement
from .payment_bank_query import result_from_query
from .payment_orders import AWAITING, EXPIRED, OPEN_STATUSES, transition, ttl_s


def _expire(order: PaymentOrder) -> bool:
    now = int(clock.now())
    try:
        transition(
            order,
            (order.status,),
            EXPIRED,
            now,
            extra_actions=[PaymentOrder.closed_reason.set("expired")],
            release=True,
            message=(
                "payment_expired",
                "缴费订单已过期",
                f"订单{order.order_no}（{money.yuan(int(order.total_fen))}）超过"
                f"{ttl_s() // 60}分钟未完成，已过期；如需缴费请重新办理。",
            ),
        )
    except Conflict:
        return False
    audit.record(
        order.id_number,
        "payment.expire",
        "ok",
        None,
        {"order_no": order.order_no, "total_fen": order.total_fen},
    )
    return True


# Seconds kept in hand before the function's timeout: one bank query plus a write or two.
TIME_RESERVE_S = 5.0


def expire_stale(time_left_s: Callable[[], float] | None = None) -> dict[str, int]:
    """Expire open orders untouched for `order_ttl_minutes`. An AWAITING_PAYMENT order is first
    checked with its bank (short timeout): paid → PAID; unreachable → left for the next run;
    else EXPIRED. With `time_left_s` (the Lambda's remaining time), the run stops before an order
    once fewer than TIME_RESERVE_S seconds remain (`stopped_early` 1); the next run goes on."""
    cutoff = int(clock.now()) - ttl_s()
    counts = {"expired": 0, "paid": 0, "failed": 0, "bank_unreachable": 0, "skipped": 0, "stopped_early": 0}
    bank_timeout_s = float(banks.data()["job_query_timeout_s"])
    for status in OPEN_STATUSES:
        for key in PaymentOrder.open_orders.query(status, PaymentOrder.updated_at <= cutoff):
            if time_left_s is not None and time_left_s() < TIME_RESERVE_S + bank_timeout_s:
                counts["stopped_early"] = 1
                return counts
            try:
                order = PaymentOrder.get(key.order_no, consistent_read=True)
            except DoesNotExist:
                continue
            if order.status not in OPEN_STATUSES or order.updated_at > cutoff:
                counts["skipped"] += 1
                continue
            if order.status == AWAITING:
                try:
                    answer = banks.query_status(order.bank_code, order.order_no, timeout_s=bank_timeout_s)
                except TemporarilyUnavailable:
                    counts["bank_unreachable"] += 1
                    continue
                bank_result = result_from_query(order.bank_code, order, answer)
                if bank_result is not None and bank_result.status == "SUCCESS":
                    outcome = payment_settlement.apply_bank_result(bank_result)
                    counts["paid" if outcome == "APPLIED" else "skipped"] += 1
                    continue
                order.refresh(consistent_read=True)
                if order.status != AWAITING:
                    counts["skipped"] += 1
                    continue
            counts["expired" if _expire(order) else "skipped"] += 1
    return counts
