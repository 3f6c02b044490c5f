"""The bank's word on a payment order, applied once (seed manual 2.8): PAID or FAILED.

PAID is one transaction of: the bank event (dedupe on event_id), the order (condition:
AWAITING_PAYMENT, same bank, amount equal), the months and their summary posted by
`records.post_contributions` (status PAID, employer 灵活就业, under the record-precedence
condition the importer writes under too: a month already paid is neither paid twice nor
downgraded), the month locks (state PAID), the to-do item deleted and a resident message —
everything or nothing. A payment for a month already paid (e.g. by an import) is FLAGGED and
the month listed in the conflicts list (`record_conflicts`) for operations. The webhook (`bank_notifications`), the resident's "查询银行"
(`payment_bank_query`), the expiry job (`payment_expiry`) and the reconciliation `--apply` all
use `apply_bank_result`.

Resident orders (城乡居民) post the same way, through the same `records.post_contributions`,
into the insured person's record (`insured_of`: the payer or the family member named on the
order), with the government subsidy as the 'employer' part (a resident pension year then shows
in the pension account, computed from the posted contributions). The payer gets the message; an
insured family member gets one too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError

from .. import clock, money, observability, policy
from ..errors import TemporarilyUnavailable
from ..models.bank_events import BankEvent
from ..models.base import condition_failed, transaction
from ..models.contributions import Contribution
from ..models.order_locks import MonthLock
from ..models.orders import PaymentOrder
from . import audit, messages, record_conflicts, records
from .payment_dues import label
from .payment_orders import (
    AWAITING,
    CANCELLED,
    EXPIRED,
    FAILED,
    PAID,
    STEP_OF,
    UNPAID_CONTRIBUTION_STATUSES,
    insured_of,
    is_resident,
    order_title,
    person_type_key,
    task_item,
    task_key,
)

FLEXIBLE_EMPLOYER = "灵活就业"
RESIDENT_EMPLOYER = "城乡居民（网上缴费）"
MAX_TX_ATTEMPTS = 4


@dataclass(frozen=True)
class BankResult:
    bank_code: str
    event_id: str
    order_no: str
    status: str  # SUCCESS | FAILED
    amount_fen: int
    currency: str
    bank_txn_id: str | None
    paid_at: str | None
    source: str = "notification"  # notification | query | reconcile
    body: str | None = None

    @property
    def event_key(self) -> str:
        return f"{self.bank_code}#{self.event_id}"


def _paid_day(result: BankResult) -> str:
    if result.paid_at:
        try:
            moment = datetime.fromisoformat(result.paid_at.replace("Z", "+00:00"))
            if moment.tzinfo is not None:
                return moment.astimezone(clock.CHINA_TZ).strftime("%Y-%m-%d")
            return moment.strftime("%Y-%m-%d")
        except ValueError:
            pass
    return clock.now_dt().strftime("%Y-%m-%d")


def _event_item(result: BankResult, outcome: str, reason: str | None = None) -> BankEvent:
    return BankEvent(
        event_key=result.event_key,
        bank_code=result.bank_code,
        event_id=result.event_id,
        source=result.source,
        order_no=result.order_no,
        bank_txn_id=result.bank_txn_id,
        amount_fen=result.amount_fen,
        currency=result.currency,
        status=result.status,
        paid_at=result.paid_at,
        received_at=int(clock.now()),
        day=clock.now_dt().strftime("%Y-%m-%d"),
        outcome=outcome,
        reason=reason,
        review="OPEN" if outcome == "FLAGGED" else None,
        body=result.body,
    )


def _store_event(result: BankResult, outcome: str, reason: str | None = None) -> bool:
    """Record an event that changes no order; False if the event_id was already recorded."""
    try:
        _event_item(result, outcome, reason).save(condition=BankEvent.event_key.does_not_exist())
    except PutError as exc:
        if condition_failed(exc):
            return False
        raise
    if outcome == "FLAGGED":
        observability.metric(observability.BANK_EVENT_FLAGGED)  # alarmed: an operator must look
        audit.record(
            None,
            "bank.notification",
            "flagged",
            None,
            {
                "bank_code": result.bank_code,
                "event_id": result.event_id,
                "order_no": result.order_no,
                "reason": reason,
                "source": result.source,
            },
        )
    return True


def _mismatch(order: PaymentOrder | None, result: BankResult) -> str | None:
    if order is None:
        return "unknown_order"
    if order.bank_code != result.bank_code:
        return "bank_differs"
    if result.currency != order.currency:
        return "currency_differs"
    if result.amount_fen != order.total_fen:
        return "amount_differs"
    return None


def _event_recorded(event_key: str) -> bool:
    try:
        BankEvent.get(event_key, consistent_read=True)
        return True
    except DoesNotExist:
        return False


def _paid_row(order: PaymentOrder, line: dict[str, Any], result: BankResult) -> dict[str, Any]:
    """The contribution a paid order line posts (in the insured person's record)."""
    if is_resident(order):
        return {
            "period": line["period"],
            "employer": RESIDENT_EMPLOYER,
            "base_fen": line["base_fen"],
            "employer_fen": line["subsidy_fen"],
            "personal_fen": line["amount_fen"],
            "account_fen": line["account_fen"],
            "status": PAID,
            "posted_on": _paid_day(result),
            "source": f"payment:{order.order_no}",
        }
    return {
        "period": line["period"],
        "employer": FLEXIBLE_EMPLOYER,
        "base_fen": line["base_fen"],
        "employer_fen": 0,
        "personal_fen": line["amount_fen"],
        "account_fen": line["account_fen"],
        "status": PAID,
        "posted_on": _paid_day(result),
        "source": f"payment:{order.order_no}",
    }


def _paid_text(order: PaymentOrder, periods: list[str]) -> str:
    if is_resident(order):
        return (
            f"{order_title(order)}共{money.yuan(int(order.total_fen))}已缴费成功"
            f"（{policy.type_name(order.type_code)}），订单号{order.order_no}。"
        )
    months_text = "、".join(label(p) for p in periods)
    return (
        f"您的{policy.type_name(order.type_code)}（灵活就业）{months_text}共"
        f"{money.yuan(int(order.total_fen))}已缴费成功，订单号{order.order_no}。"
    )


def _commit_paid(order: PaymentOrder, result: BankResult, from_status: str) -> None:
    now = int(clock.now())
    paid_on = _paid_day(result)
    insured = insured_of(order)
    person_type = person_type_key(insured, order.type_code)
    periods = [line["period"] for line in order.lines]
    with transaction() as tx:
        tx.save(_event_item(result, "APPLIED"), condition=BankEvent.event_key.does_not_exist())
        tx.update(
            order,
            actions=[
                PaymentOrder.status.set(PAID),
                PaymentOrder.open_status.remove(),
                PaymentOrder.step.set("done"),
                PaymentOrder.paid_at.set(result.paid_at or clock.now_dt().isoformat()),
                PaymentOrder.paid_day.set(paid_on),
                PaymentOrder.bank_txn_id.set(result.bank_txn_id or ""),
                PaymentOrder.event_id.set(result.event_id),
                PaymentOrder.updated_at.set(now),
                PaymentOrder.version.add(1),
            ],
            condition=_unchanged_and_matching(order, from_status, result),
        )
        rows = [_paid_row(order, line, result) for line in order.lines]
        # the months and the per-person type summary, under the record-precedence condition
        records.post_contributions(tx, insured, order.type_code, rows)
        for line in order.lines:
            tx.update(
                MonthLock(person_type=person_type, period=line["period"]),
                actions=[MonthLock.state.set(PAID)],
                condition=MonthLock.order_no == order.order_no,
            )
        tx.delete(task_key(order))
        tx.save(
            messages.build(
                order.id_number, "payment_paid", "缴费成功", _paid_text(order, periods), order.order_no
            )
        )
        if insured != order.id_number:
            tx.save(
                messages.build(
                    insured,
                    "payment_paid_for_you",
                    "他人为您代缴",
                    f"已有他人为您代缴{order.year}年度{policy.type_name(order.type_code)}"
                    f"{money.yuan(int(order.total_fen))}，已记入您的缴费记录。",
                )
            )  # the order is the payer's


def _unchanged_and_matching(order: PaymentOrder, status: str, result: BankResult) -> Any:
    """The order is still in `status` at the version read, and the bank's result names its bank,
    amount and currency."""
    return (
        (PaymentOrder.status == status)
        & (PaymentOrder.version == order.version)
        & (PaymentOrder.bank_code == result.bank_code)
        & (PaymentOrder.total_fen == result.amount_fen)
        & (PaymentOrder.currency == result.currency)
    )


def _commit_failed(order: PaymentOrder, result: BankResult) -> None:
    now = int(clock.now())
    with transaction() as tx:
        tx.save(_event_item(result, "APPLIED"), condition=BankEvent.event_key.does_not_exist())
        tx.update(
            order,
            actions=[
                PaymentOrder.status.set(FAILED),
                PaymentOrder.open_status.set(FAILED),
                PaymentOrder.step.set(STEP_OF[FAILED]),
                PaymentOrder.updated_at.set(now),
                PaymentOrder.version.add(1),
            ],
            condition=_unchanged_and_matching(order, AWAITING, result),
        )
        tx.save(task_item(order, FAILED, now))
        tx.save(
            messages.build(
                order.id_number,
                "payment_failed",
                "缴费未成功",
                f"订单{order.order_no}在银行支付未成功，可在待办事项中重新支付。",
                order.order_no,
            )
        )


def apply_bank_result(result: BankResult, allow_from: tuple[str, ...] = (AWAITING,)) -> str:
    """Apply the bank's word about an order, once. Returns the outcome:

    APPLIED (order changed), DUPLICATE (event_id already recorded), IGNORED (nothing to change,
    e.g. already PAID by the same bank transaction), FLAGGED (stored for review, order unchanged).
    Raises on a temporary storage failure with nothing written.
    """
    for _ in range(MAX_TX_ATTEMPTS):
        if _event_recorded(result.event_key):
            return "DUPLICATE"
        try:
            order = PaymentOrder.get(result.order_no, consistent_read=True)
        except DoesNotExist:
            order = None
        problem = _mismatch(order, result)
        if problem:
            return "FLAGGED" if _store_event(result, "FLAGGED", problem) else "DUPLICATE"
        assert order is not None
        if order.status not in allow_from:
            if (
                order.status == PAID
                and result.status == "SUCCESS"
                and order.bank_txn_id == result.bank_txn_id
            ):
                outcome, reason = "IGNORED", "already_paid"
            elif result.status == "FAILED" and order.status in (PAID, FAILED, EXPIRED, CANCELLED):
                outcome, reason = "IGNORED", f"order_{order.status.lower()}"
            else:
                outcome, reason = "FLAGGED", f"order_{order.status.lower()}"
            return outcome if _store_event(result, outcome, reason) else "DUPLICATE"
        try:
            if result.status == "SUCCESS":
                _commit_paid(order, result, order.status)
            elif order.status == AWAITING:
                _commit_failed(order, result)
            else:
                return "IGNORED" if _store_event(result, "IGNORED", "not_awaiting") else "DUPLICATE"
        except TransactWriteError as exc:
            if not condition_failed(exc):
                raise
            if _event_recorded(result.event_key):
                return "DUPLICATE"
            if _changed(order):
                continue  # the order changed under us: read again and decide again
            reasons = [getattr(r, "code", None) for r in (exc.cancellation_reasons or []) if r]
            if "TransactionConflict" in reasons:
                time.sleep(0.05)
                continue
            taken = _months_taken(order)
            reason = "months_already_paid" if taken else "order_inconsistent"
            stored = _store_event(result, "FLAGGED", reason)
            for line in taken:  # record precedence: the month keeps its payment; ops decide
                record_conflicts.record(
                    "payment",
                    insured_of(order),
                    order.type_code,
                    line["period"],
                    _paid_row(order, line, result),
                    f"payment:{order.order_no}",
                )
            return "FLAGGED" if stored else "DUPLICATE"
        _after_commit(order, result)
        return "APPLIED"
    raise TemporarilyUnavailable("服务暂时繁忙，请稍后再试")


def _changed(order: PaymentOrder) -> bool:
    try:
        return PaymentOrder.get(order.order_no, consistent_read=True).version != order.version
    except DoesNotExist:
        return True


def _months_taken(order: PaymentOrder) -> list[dict[str, Any]]:
    """The order's lines whose month is already recorded as paid in the insured person's record
    (after a refused commit)."""
    person_type = person_type_key(insured_of(order), order.type_code)
    taken = []
    for line in order.lines:
        try:
            if (
                Contribution.get(person_type, line["period"], consistent_read=True).status
                not in UNPAID_CONTRIBUTION_STATUSES
            ):
                taken.append(line)
        except DoesNotExist:
            pass
    return taken


def _after_commit(order: PaymentOrder, result: BankResult) -> None:
    action = "payment.paid" if result.status == "SUCCESS" else "payment.failed"
    audit.record(
        order.id_number,
        action,
        "ok",
        None,
        {
            "order_no": order.order_no,
            "total_fen": order.total_fen,
            "bank_code": result.bank_code,
            "event_id": result.event_id,
            "source": result.source,
        },
    )


def flagged_events(limit: int = 100) -> list[dict[str, Any]]:
    """Signed notifications that did not match their order, oldest first (ops review)."""
    return [
        {
            "event_key": e.event_key,
            "bank_code": e.bank_code,
            "event_id": e.event_id,
            "order_no": e.order_no,
            "amount_fen": e.amount_fen,
            "status": e.status,
            "reason": e.reason,
            "received_at": e.received_at,
            "source": e.source,
        }
        for e in BankEvent.flagged.query("OPEN", limit=limit)
    ]
