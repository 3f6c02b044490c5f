"""Flexible-employment contribution payments (灵活就业社保缴费 / 医保缴费), seed manual 2.8.

Flow and states of an order:
  DRAFT (months and base chosen) → CONFIRMED (dues reviewed) → AWAITING_PAYMENT (sent to a
  bank) → PAID | FAILED (the bank's signed word only); FAILED → AWAITING_PAYMENT (new attempt,
  same order); DRAFT/CONFIRMED/FAILED → CANCELLED (the resident); any open order →
  EXPIRED after `order_ttl_minutes` of inactivity (scheduled job; an AWAITING_PAYMENT order only
  when its bank does not know it as paid).

Amounts: each month's amount = base × that year's flexible rate (policy.json
`flexible_rates_bp[type].total`), rounded half up to the fen (`money.apply_rate`); the
personal-account share likewise with the `account` rate; the order total is the sum of the
rounded month amounts (never a rounded product of the total).

Months: the current month and up to `backpay_months` earlier months. A month already PAID /
BACKPAID in the contributions table, or held by another open order, cannot be ordered: the
create/amend transaction writes one lock item per person, type and month with
attribute_not_exists and checks the contribution item in the same TransactWriteItems.

Every state change of an order is one TransactWriteItems that also writes the order's to-do
item (待办事项, resumable at `/pay/order.html?no=...`). PAID is one transaction of: the bank
event (dedupe on event_id), the order (condition: AWAITING_PAYMENT, same bank, amount equal),
one contribution per month (status PAID, employer 灵活就业), the month locks (state PAID), the
per-person type summary (`records.summary_actions`: `paid` ADD / `owed` DELETE), the
to-do item deleted and a resident message — everything or nothing. The webhook, the
resident's "查询银行", the expiry job and the reconciliation `--apply` all use
`apply_bank_result`.
"""
from __future__ import annotations

import functools
import json
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from .. import clock, money, policy, settings
from ..errors import BadInput, Conflict, NotFound, TemporarilyUnavailable
from ..models.bank_events import BankEvent
from ..models.base import BaseMeta
from ..models.contribution_summaries import ContributionSummary
from ..models.contributions import Contribution
from ..models.order_locks import MonthLock
from ..models.orders import PaymentOrder
from ..models.tasks import PendingTask
from . import audit, banks, messages, records
from .sessions import CurrentSession

DRAFT, CONFIRMED, AWAITING, PAID, FAILED = "DRAFT", "CONFIRMED", "AWAITING_PAYMENT", "PAID", "FAILED"
CANCELLED, EXPIRED = "CANCELLED", "EXPIRED"
OPEN_STATUSES = (DRAFT, CONFIRMED, AWAITING, FAILED)
STATUS_NAMES = {DRAFT: "待确认", CONFIRMED: "待支付", AWAITING: "等待银行结果", PAID: "支付成功",
                FAILED: "支付失败", CANCELLED: "已作废", EXPIRED: "已过期"}
STEP_OF = {DRAFT: "review", CONFIRMED: "choose_bank", AWAITING: "at_bank", FAILED: "failed"}
STEP_NAMES = {"review": "查看应缴", "choose_bank": "选择银行支付", "at_bank": "等待银行结果",
              "failed": "支付失败，可重新支付"}
TASK_KIND = "payment_order"
FLEXIBLE_EMPLOYER = "灵活就业"
UNPAID_CONTRIBUTION_STATUSES = ("OWED",)
ORDER_NO_RE = re.compile(r"^P\d{8}[0-9A-F]{10}$")
PERIOD_RE = re.compile(r"^(\d{4})(0[1-9]|1[0-2])$")
MAX_TX_ATTEMPTS = 4


# ---- policy ------------------------------------------------------------------------------

def kinds() -> dict[str, str]:
    """kind → insurance type code (flexible_pension → 110, flexible_medical → 310)."""
    return policy.flexible()["kinds"]


def _type_for(kind: Any) -> str:
    if not isinstance(kind, str) or kind not in kinds():
        raise BadInput("请选择缴费险种（灵活就业养老或医疗）", code="unknown_kind", field="kind")
    return kinds()[kind]


def ttl_s() -> int:
    return int(policy.flexible()["order_ttl_minutes"]) * 60


def _period_index(period: str) -> int:
    return int(period[:4]) * 12 + int(period[4:]) - 1


def _period_of(index: int) -> str:
    return f"{index // 12:04d}{index % 12 + 1:02d}"


def payable_window() -> list[str]:
    """The months that may be paid now: current month and `backpay_months` before it, oldest first."""
    now = clock.now_dt()
    current = now.year * 12 + now.month - 1
    back = int(policy.flexible()["backpay_months"])
    return [_period_of(i) for i in range(current - back, current + 1)]


def month_line(type_code: str, period: str, base_fen: int) -> dict[str, Any]:
    """One month's dues: base within that year's band, amount = base × rate rounded half up."""
    year = period[:4]
    lower, upper = policy.base_band(year)
    if not lower <= base_fen <= upper:
        raise BadInput(f"{year}年缴费基数应在{money.yuan(lower)}至{money.yuan(upper)}之间",
                       code="base_out_of_band", field="base_fen")
    rates = policy.flexible_rates(year, type_code)
    return {"period": period, "base_fen": base_fen, "rate_bp": rates["total"],
            "amount_fen": money.apply_rate(base_fen, rates["total"]),
            "account_fen": money.apply_rate(base_fen, rates["account"])}


def quote(type_code: str, months: list[str], base_fen: int) -> tuple[list[dict], int]:
    lines = [month_line(type_code, m, base_fen) for m in months]
    return lines, sum(line["amount_fen"] for line in lines)


def _check_months(months: Any) -> list[str]:
    if not isinstance(months, list) or not months:
        raise BadInput("请至少选择一个缴费月份", code="months_required", field="months")
    window = payable_window()
    if len(months) > len(window):
        raise BadInput("选择的月份过多", code="too_many_months", field="months")
    chosen = set()
    for month in months:
        if not isinstance(month, str) or not PERIOD_RE.match(month):
            raise BadInput("月份格式应为YYYYMM", code="invalid_month", field="months")
        if month not in window:
            raise BadInput(f"只能缴纳{_label(window[0])}至{_label(window[-1])}的费用",
                           code="month_not_payable", field="months")
        chosen.add(month)
    return sorted(chosen)


def _check_base(base_fen: Any) -> int:
    if isinstance(base_fen, bool) or not isinstance(base_fen, int):
        raise BadInput("缴费基数应为整数（单位：分）", code="invalid_base", field="base_fen")
    return base_fen


def _label(period: str) -> str:
    return f"{period[:4]}年{int(period[4:])}月"


# ---- storage helpers ---------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _connection() -> Connection:
    return Connection(region=BaseMeta.region, host=BaseMeta.host,
                      connect_timeout_seconds=BaseMeta.connect_timeout_seconds,
                      read_timeout_seconds=BaseMeta.read_timeout_seconds,
                      max_retry_attempts=BaseMeta.max_retry_attempts)


def _transaction() -> TransactWrite:
    return TransactWrite(connection=_connection())


def _cancelled(exc: TransactWriteError) -> bool:
    """A condition in the transaction failed (or it collided with another one): not temporary."""
    return exc.cause_response_code == "TransactionCanceledException"


def _person_type(id_number: str, type_code: str) -> str:
    return f"{id_number}#{type_code}"


def _new_order_no() -> str:
    return "P" + clock.now_dt().strftime("%Y%m%d") + secrets.token_hex(5).upper()


def _task_item(order: PaymentOrder, status: str, now: int) -> PendingTask:
    type_name = policy.type_name(order.type_code)
    step = STEP_OF[status]
    title = f"灵活就业{'养老' if order.type_code == '110' else '医疗'}缴费 {money.yuan(order.total_fen)}" \
            f"（{STEP_NAMES[step]}）"
    return PendingTask(id_number=order.id_number, task_id=f"{TASK_KIND}#{order.order_no}", kind=TASK_KIND,
                       title=title, step=step, resume_path=f"/pay/order.html?no={order.order_no}",
                       created_at=order.created_at, updated_at=now,
                       data={"order_no": order.order_no, "type_name": type_name, "status": status})


def _task_key(order: PaymentOrder) -> PendingTask:
    return PendingTask(id_number=order.id_number, task_id=f"{TASK_KIND}#{order.order_no}")


def _order_for(current: CurrentSession, order_no: Any) -> PaymentOrder:
    if not isinstance(order_no, str) or not ORDER_NO_RE.match(order_no):
        raise NotFound("订单不存在", code="order_not_found")
    try:
        order = PaymentOrder.get(order_no, consistent_read=True)
    except DoesNotExist:
        raise NotFound("订单不存在", code="order_not_found") from None
    if order.id_number != current.id_number:
        raise NotFound("订单不存在", code="order_not_found")
    return order


def view(order: PaymentOrder) -> dict[str, Any]:
    return {
        "order_no": order.order_no, "kind": order.kind, "type_code": order.type_code,
        "type_name": policy.type_name(order.type_code), "status": order.status,
        "status_name": STATUS_NAMES[order.status], "step": order.step,
        "months": list(order.months), "base_fen": order.base_fen, "lines": order.lines,
        "total_fen": order.total_fen, "currency": order.currency, "bank_code": order.bank_code,
        "bank_name": banks.get(order.bank_code)["name"] if order.bank_code else None,
        "attempt": order.attempt, "created_at": order.created_at, "updated_at": order.updated_at,
        "expires_at": order.updated_at + ttl_s() if order.status in OPEN_STATUSES else None,
        "paid_at": order.paid_at, "bank_txn_id": order.bank_txn_id,
        "resume_path": f"/pay/order.html?no={order.order_no}",
    }


def _audit(id_number: str, action: str, outcome: str, ip: str | None, order: PaymentOrder, **extra) -> None:
    audit.record(id_number, action, outcome, ip, {"order_no": order.order_no, "total_fen": order.total_fen,
                                                   "status": order.status, **extra})


# ---- options -----------------------------------------------------------------------------

def options(current: CurrentSession, kind: Any) -> dict[str, Any]:
    """What can be paid now: the window's months, each payable or why not, with base bands."""
    type_code = _type_for(kind)
    window = payable_window()
    person_type = _person_type(current.id_number, type_code)
    paid = {c.period: c.status for c in Contribution.query(
        person_type, Contribution.period.between(window[0], window[-1]))}
    locks = {lock.period: lock for lock in MonthLock.query(
        person_type, MonthLock.period.between(window[0], window[-1]), consistent_read=True)}
    months = []
    for period in window:
        lower, upper = policy.base_band(period[:4])
        rates = policy.flexible_rates(period[:4], type_code)
        status = paid.get(period)
        if status and status not in UNPAID_CONTRIBUTION_STATUSES:
            state = "paid"
        elif period in locks:
            state = "paid" if locks[period].state == PAID else "in_order"
        else:
            state = "owed" if status else "payable"
        months.append({"period": period, "state": state, "order_no": locks[period].order_no
                       if state == "in_order" else None, "base_lower_fen": lower,
                       "base_upper_fen": upper, "rate_bp": rates["total"]})
    selectable = [m for m in months if m["state"] in ("payable", "owed")]
    lower = max((m["base_lower_fen"] for m in selectable), default=None)
    upper = min((m["base_upper_fen"] for m in selectable), default=None)
    return {"kind": kind, "type_code": type_code, "type_name": policy.type_name(type_code),
            "months": months, "base_lower_fen": lower, "base_upper_fen": upper,
            "backpay_months": int(policy.flexible()["backpay_months"]), "banks": banks.public_list(),
            "rounding": "每月金额 = 缴费基数 × 费率，四舍五入到分；合计为各月金额之和"}


# ---- creating and amending ---------------------------------------------------------------

def _taken_months(id_number: str, type_code: str, months: list[str], order_no: str | None) -> list[str]:
    """After a cancelled transaction: which of `months` are paid or held by another order."""
    person_type = _person_type(id_number, type_code)
    taken = []
    for month in months:
        try:
            lock = MonthLock.get(person_type, month, consistent_read=True)
            if lock.order_no != order_no:
                taken.append(month)
                continue
        except DoesNotExist:
            pass
        try:
            if Contribution.get(person_type, month, consistent_read=True).status not in UNPAID_CONTRIBUTION_STATUSES:
                taken.append(month)
        except DoesNotExist:
            pass
    return taken


def _months_conflict(months: list[str]) -> Conflict:
    labels = "、".join(_label(m) for m in months)
    return Conflict(f"{labels}已缴费或已在其他未完成的订单中，请重新选择", code="months_taken", field="months")


def _lock_months(tx: TransactWrite, order: PaymentOrder, months: list[str], now: int) -> None:
    person_type = _person_type(order.id_number, order.type_code)
    for month in months:
        tx.save(MonthLock(person_type=person_type, period=month, order_no=order.order_no, created_at=now),
                condition=MonthLock.period.does_not_exist())
        tx.condition_check(Contribution, person_type, month,
                           condition=Contribution.period.does_not_exist()
                           | Contribution.status.is_in(*UNPAID_CONTRIBUTION_STATUSES))


def _release_months(tx: TransactWrite, order: PaymentOrder, months: list[str]) -> None:
    person_type = _person_type(order.id_number, order.type_code)
    for month in months:
        tx.delete(MonthLock(person_type=person_type, period=month),
                  condition=MonthLock.order_no == order.order_no)


def create_order(current: CurrentSession, kind: Any, months: Any, base_fen: Any, ip: str | None) -> dict:
    type_code = _type_for(kind)
    chosen = _check_months(months)
    base = _check_base(base_fen)
    lines, total = quote(type_code, chosen, base)
    now = int(clock.now())
    order = PaymentOrder(order_no=_new_order_no(), id_number=current.id_number, kind=kind,
                         type_code=type_code, months=chosen, base_fen=base, lines=lines, total_fen=total,
                         currency=banks.currency(), status=DRAFT, open_status=DRAFT,
                         step=STEP_OF[DRAFT], attempt=0, version=1, created_at=now, updated_at=now)
    try:
        with _transaction() as tx:
            tx.save(order, condition=PaymentOrder.order_no.does_not_exist())
            _lock_months(tx, order, chosen, now)
            tx.save(_task_item(order, DRAFT, now))
    except TransactWriteError as exc:
        if not _cancelled(exc):
            raise
        taken = _taken_months(current.id_number, type_code, chosen, order.order_no)
        _audit(current.id_number, "payment.create", "months_taken", ip, order, months=taken)
        raise _months_conflict(taken or chosen) from None
    _audit(current.id_number, "payment.create", "ok", ip, order)
    return view(order)


def amend_order(current: CurrentSession, order_no: str, months: Any, base_fen: Any, ip: str | None) -> dict:
    """上一步: change months or base of a DRAFT or CONFIRMED order; it goes back to DRAFT."""
    order = _order_for(current, order_no)
    if order.status not in (DRAFT, CONFIRMED):
        raise Conflict("该订单当前不能修改", code="order_state", field="status")
    chosen = _check_months(months)
    base = _check_base(base_fen)
    lines, total = quote(order.type_code, chosen, base)
    now = int(clock.now())
    added = [m for m in chosen if m not in order.months]
    removed = [m for m in order.months if m not in chosen]
    try:
        with _transaction() as tx:
            tx.update(order, actions=[
                PaymentOrder.months.set(chosen), PaymentOrder.base_fen.set(base),
                PaymentOrder.lines.set(lines), PaymentOrder.total_fen.set(total),
                PaymentOrder.status.set(DRAFT), PaymentOrder.open_status.set(DRAFT),
                PaymentOrder.step.set(STEP_OF[DRAFT]), PaymentOrder.updated_at.set(now),
                PaymentOrder.version.add(1)],
                condition=(PaymentOrder.version == order.version)
                & PaymentOrder.status.is_in(DRAFT, CONFIRMED))
            _lock_months(tx, order, added, now)
            _release_months(tx, order, removed)
            order.total_fen = total
            tx.save(_task_item(order, DRAFT, now))
    except TransactWriteError as exc:
        if not _cancelled(exc):
            raise
        taken = _taken_months(current.id_number, order.type_code, added, order.order_no)
        if taken:
            raise _months_conflict(taken) from None
        raise Conflict("订单已被其他操作更改，请刷新后重试", code="order_changed") from None
    order.refresh(consistent_read=True)
    _audit(current.id_number, "payment.amend", "ok", ip, order)
    return view(order)


# ---- simple transitions ------------------------------------------------------------------

def _transition(order: PaymentOrder, allowed: tuple[str, ...], new_status: str, now: int,
                extra_actions: list | None = None, release: bool = False,
                message: tuple[str, str, str] | None = None) -> None:
    """One transaction: order from one of `allowed` to `new_status` (+ its to-do item, locks)."""
    actions = [PaymentOrder.status.set(new_status), PaymentOrder.updated_at.set(now),
               PaymentOrder.version.add(1)] + (extra_actions or [])
    if new_status in OPEN_STATUSES:
        actions += [PaymentOrder.open_status.set(new_status), PaymentOrder.step.set(STEP_OF[new_status])]
    else:
        actions += [PaymentOrder.open_status.remove(), PaymentOrder.step.set("closed")]
    try:
        with _transaction() as tx:
            tx.update(order, actions=actions, condition=(PaymentOrder.version == order.version)
                      & PaymentOrder.status.is_in(*allowed))
            if new_status in OPEN_STATUSES:
                tx.save(_task_item(order, new_status, now))
            else:
                tx.delete(_task_key(order))
            if release:
                _release_months(tx, order, list(order.months))
            if message:
                tx.save(messages.build(order.id_number, message[0], message[1], message[2], order.order_no))
    except TransactWriteError as exc:
        if not _cancelled(exc):
            raise
        raise Conflict("订单状态已变化，请刷新后重试", code="order_changed") from None
    order.refresh(consistent_read=True)


def _refuse(order: PaymentOrder, doing: str) -> Conflict:
    return Conflict(f"订单{STATUS_NAMES[order.status]}，不能{doing}", code="order_state")


def confirm(current: CurrentSession, order_no: str, ip: str | None) -> dict:
    """查看应缴 → 下一步: DRAFT → CONFIRMED."""
    order = _order_for(current, order_no)
    if order.status == CONFIRMED:
        return view(order)
    if order.status != DRAFT:
        raise _refuse(order, "确认")
    _transition(order, (DRAFT,), CONFIRMED, int(clock.now()))
    _audit(current.id_number, "payment.confirm", "ok", ip, order)
    return view(order)


def cancel(current: CurrentSession, order_no: str, ip: str | None) -> dict:
    """取消 / 作废: DRAFT, CONFIRMED or FAILED → CANCELLED; the months are free again."""
    order = _order_for(current, order_no)
    if order.status not in (DRAFT, CONFIRMED, FAILED):
        raise _refuse(order, "作废")
    _transition(order, (DRAFT, CONFIRMED, FAILED), CANCELLED, int(clock.now()),
                extra_actions=[PaymentOrder.closed_reason.set("cancelled_by_resident")], release=True)
    _audit(current.id_number, "payment.cancel", "ok", ip, order)
    return view(order)


def pay(current: CurrentSession, order_no: str, bank_code: Any, ip: str | None) -> dict:
    """立即支付: CONFIRMED or FAILED → AWAITING_PAYMENT at the chosen bank; the checkout link."""
    if not isinstance(bank_code, str) or bank_code not in banks.codes():
        raise BadInput("请选择支付银行", code="unknown_bank", field="bank_code")
    order = _order_for(current, order_no)
    return_url = f"{settings.site_origin()}/pay/order.html?no={order.order_no}"
    if order.status == AWAITING and order.bank_code == bank_code:
        # Back to the same bank for the same attempt (e.g. the checkout tab was closed).
        result = view(order)
    elif order.status in (CONFIRMED, FAILED):
        _transition(order, (CONFIRMED, FAILED), AWAITING, int(clock.now()),
                    extra_actions=[PaymentOrder.bank_code.set(bank_code), PaymentOrder.attempt.add(1)])
        _audit(current.id_number, "payment.pay", "ok", ip, order, bank_code=bank_code, attempt=order.attempt)
        result = view(order)
    elif order.status == AWAITING:
        raise Conflict("订单正在等待银行结果，不能更换银行", code="order_state", field="bank_code")
    else:
        raise _refuse(order, "支付")
    result["redirect_url"] = banks.checkout_url(bank_code, order.order_no, order.total_fen, return_url)
    return result


def get_order(current: CurrentSession, order_no: str) -> dict:
    return view(_order_for(current, order_no))


def list_orders(current: CurrentSession) -> dict:
    orders = PaymentOrder.by_person.query(current.id_number, scan_index_forward=False, limit=50)
    return {"items": [view(o) for o in orders]}


# ---- the bank's word: notifications, status query, reconciliation --------------------------

@dataclass(frozen=True)
class BankResult:
    bank_code: str
    event_id: str
    order_no: str
    status: str                      # SUCCESS | FAILED
    amount_fen: int
    currency: str
    bank_txn_id: str | None
    paid_at: str | None
    source: str = "notification"     # notification | query | reconcile
    body: str | None = None

    @property
    def event_key(self) -> str:
        return f"{self.bank_code}#{self.event_id}"


def parse_notification(bank_code: str, raw: bytes) -> BankResult:
    """The notification body (section 5), or BadInput (400)."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadInput("通知格式不正确（需要JSON）", code="malformed_json") from None
    if not isinstance(data, dict):
        raise BadInput("通知格式不正确（需要JSON对象）", code="malformed_json")

    def text(name: str, required: bool = True) -> str | None:
        value = data.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value or len(value) > 128:
            raise BadInput(f"通知字段{name}缺失或格式不正确", code="malformed_notification", field=name)
        return value

    amount = data.get("amount_fen")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise BadInput("通知字段amount_fen应为非负整数（分）", code="malformed_notification", field="amount_fen")
    status = text("status")
    if status not in ("SUCCESS", "FAILED"):
        raise BadInput("通知字段status应为SUCCESS或FAILED", code="malformed_notification", field="status")
    success = status == "SUCCESS"
    return BankResult(bank_code=bank_code, event_id=text("event_id"), order_no=text("order_no"),
                      status=status, amount_fen=amount, currency=text("currency"),
                      bank_txn_id=text("bank_txn_id", required=success),
                      paid_at=text("paid_at", required=success), body=raw.decode("utf-8", "replace")[:4000])


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
    return BankEvent(event_key=result.event_key, bank_code=result.bank_code, event_id=result.event_id,
                     source=result.source, order_no=result.order_no, bank_txn_id=result.bank_txn_id,
                     amount_fen=result.amount_fen, currency=result.currency, status=result.status,
                     paid_at=result.paid_at, received_at=int(clock.now()),
                     day=clock.now_dt().strftime("%Y-%m-%d"), outcome=outcome, reason=reason,
                     review="OPEN" if outcome == "FLAGGED" else None, body=result.body)


def _store_event(result: BankResult, outcome: str, reason: str | None = None) -> bool:
    """Record an event that changes no order; False if the event_id was already recorded."""
    from pynamodb.exceptions import PutError
    try:
        _event_item(result, outcome, reason).save(condition=BankEvent.event_key.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    if outcome == "FLAGGED":
        audit.record(None, "bank.notification", "flagged", None,
                     {"bank_code": result.bank_code, "event_id": result.event_id,
                      "order_no": result.order_no, "reason": reason, "source": result.source})
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


def _commit_paid(order: PaymentOrder, result: BankResult, from_status: str) -> None:
    now = int(clock.now())
    paid_on = _paid_day(result)
    person_type = _person_type(order.id_number, order.type_code)
    periods = [line["period"] for line in order.lines]
    with _transaction() as tx:
        tx.save(_event_item(result, "APPLIED"), condition=BankEvent.event_key.does_not_exist())
        tx.update(order, actions=[
            PaymentOrder.status.set(PAID), PaymentOrder.open_status.remove(),
            PaymentOrder.step.set("done"), PaymentOrder.paid_at.set(result.paid_at or clock.now_dt().isoformat()),
            PaymentOrder.paid_day.set(paid_on), PaymentOrder.bank_txn_id.set(result.bank_txn_id or ""),
            PaymentOrder.event_id.set(result.event_id), PaymentOrder.updated_at.set(now),
            PaymentOrder.version.add(1)],
            condition=(PaymentOrder.status == from_status) & (PaymentOrder.version == order.version)
            & (PaymentOrder.bank_code == result.bank_code) & (PaymentOrder.total_fen == result.amount_fen)
            & (PaymentOrder.currency == result.currency))
        for line in order.lines:
            row = {"period": line["period"], "employer": FLEXIBLE_EMPLOYER, "base_fen": line["base_fen"],
                   "employer_fen": 0, "personal_fen": line["amount_fen"], "account_fen": line["account_fen"],
                   "status": PAID, "posted_on": paid_on, "source": f"payment:{order.order_no}"}
            tx.save(records.contribution_item(order.id_number, order.type_code, row),
                    condition=Contribution.period.does_not_exist()
                    | Contribution.status.is_in(*UNPAID_CONTRIBUTION_STATUSES))
            tx.update(MonthLock(person_type=person_type, period=line["period"]),
                      actions=[MonthLock.state.set(PAID)], condition=MonthLock.order_no == order.order_no)
        # the per-person type summary, kept right in the same transaction (services/records.py)
        tx.update(ContributionSummary(id_number=order.id_number, type_code=order.type_code),
                  actions=records.summary_actions(PAID, periods))
        tx.delete(_task_key(order))
        months_text = "、".join(_label(p) for p in periods)
        tx.save(messages.build(order.id_number, "payment_paid", "缴费成功",
                               f"您的{policy.type_name(order.type_code)}（灵活就业）{months_text}共"
                               f"{money.yuan(order.total_fen)}已缴费成功，订单号{order.order_no}。",
                               order.order_no))


def _commit_failed(order: PaymentOrder, result: BankResult) -> None:
    now = int(clock.now())
    with _transaction() as tx:
        tx.save(_event_item(result, "APPLIED"), condition=BankEvent.event_key.does_not_exist())
        tx.update(order, actions=[
            PaymentOrder.status.set(FAILED), PaymentOrder.open_status.set(FAILED),
            PaymentOrder.step.set(STEP_OF[FAILED]), PaymentOrder.updated_at.set(now),
            PaymentOrder.version.add(1)],
            condition=(PaymentOrder.status == AWAITING) & (PaymentOrder.version == order.version)
            & (PaymentOrder.bank_code == result.bank_code) & (PaymentOrder.total_fen == result.amount_fen)
            & (PaymentOrder.currency == result.currency))
        tx.save(_task_item(order, FAILED, now))
        tx.save(messages.build(order.id_number, "payment_failed", "缴费未成功",
                               f"订单{order.order_no}在银行支付未成功，可在待办事项中重新支付。", order.order_no))


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
            if order.status == PAID and result.status == "SUCCESS" and order.bank_txn_id == result.bank_txn_id:
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
            if not _cancelled(exc):
                raise
            if _event_recorded(result.event_key):
                return "DUPLICATE"
            if _changed(order):
                continue  # the order changed under us: read again and decide again
            reasons = [getattr(r, "code", None) for r in (exc.cancellation_reasons or []) if r]
            if "TransactionConflict" in reasons:
                time.sleep(0.05)
                continue
            reason = "months_already_paid" if not _months_still_free(order) else "order_inconsistent"
            return "FLAGGED" if _store_event(result, "FLAGGED", reason) else "DUPLICATE"
        _after_commit(order, result)
        return "APPLIED"
    raise TemporarilyUnavailable("服务暂时繁忙，请稍后再试")


def _changed(order: PaymentOrder) -> bool:
    try:
        return PaymentOrder.get(order.order_no, consistent_read=True).version != order.version
    except DoesNotExist:
        return True


def _months_still_free(order: PaymentOrder) -> bool:
    person_type = _person_type(order.id_number, order.type_code)
    for line in order.lines:
        try:
            if Contribution.get(person_type, line["period"], consistent_read=True).status \
                    not in UNPAID_CONTRIBUTION_STATUSES:
                return False
        except DoesNotExist:
            pass
    return True


def _after_commit(order: PaymentOrder, result: BankResult) -> None:
    action = "payment.paid" if result.status == "SUCCESS" else "payment.failed"
    audit.record(order.id_number, action, "ok", None,
                 {"order_no": order.order_no, "total_fen": order.total_fen, "bank_code": result.bank_code,
                  "event_id": result.event_id, "source": result.source})


def handle_notification(bank_code: str, timestamp: str | None, signature: str | None, raw: bytes) -> dict:
    """POST /api/banks/{bank_code}/notifications (section 5)."""
    banks.get(bank_code)                                  # 404 unknown bank
    banks.verify(bank_code, timestamp, signature, raw)    # 401 bad signature / stale timestamp
    result = parse_notification(bank_code, raw)           # 400 malformed
    apply_bank_result(result)                             # 503 on a temporary storage failure
    return {"ack": "OK"}


def _result_from_query(bank_code: str, order: PaymentOrder, answer: dict[str, Any]) -> BankResult | None:
    status = answer.get("status")
    if status not in ("SUCCESS", "FAILED"):
        return None
    amount = answer.get("amount_fen")
    txn = answer.get("bank_txn_id") if isinstance(answer.get("bank_txn_id"), str) else None
    event_id = f"query-{txn}" if status == "SUCCESS" and txn else f"query-{order.order_no}-{order.attempt}-{status}"
    return BankResult(bank_code=bank_code, event_id=event_id, order_no=order.order_no, status=status,
                      amount_fen=amount if isinstance(amount, int) and not isinstance(amount, bool) else -1,
                      currency=answer.get("currency") or order.currency, bank_txn_id=txn,
                      paid_at=answer.get("paid_at") if isinstance(answer.get("paid_at"), str) else None,
                      source="query", body=json.dumps(answer, ensure_ascii=False)[:4000])


def query_bank(current: CurrentSession, order_no: str, ip: str | None) -> dict:
    """查询银行: ask the order's bank (server to server) and apply a final answer."""
    order = _order_for(current, order_no)
    if order.status != AWAITING:
        result = view(order)
        result["bank_status"] = None
        return result
    answer = banks.query_status(order.bank_code, order.order_no)
    bank_result = _result_from_query(order.bank_code, order, answer)
    if bank_result is not None:
        apply_bank_result(bank_result)
    audit.record(current.id_number, "payment.query_bank", "ok", ip,
                 {"order_no": order.order_no, "bank_status": answer["status"]})
    order.refresh(consistent_read=True)
    result = view(order)
    result["bank_status"] = answer["status"]
    return result


# ---- expiry ------------------------------------------------------------------------------

def _expire(order: PaymentOrder) -> bool:
    now = int(clock.now())
    try:
        _transition(order, (order.status,), EXPIRED, now,
                    extra_actions=[PaymentOrder.closed_reason.set("expired")], release=True,
                    message=("payment_expired", "缴费订单已过期",
                             f"订单{order.order_no}（{money.yuan(order.total_fen)}）超过"
                             f"{ttl_s() // 60}分钟未完成，已过期；如需缴费请重新办理。"))
    except Conflict:
        return False
    audit.record(order.id_number, "payment.expire", "ok", None,
                 {"order_no": order.order_no, "total_fen": order.total_fen})
    return True


def expire_stale() -> dict[str, int]:
    """Expire open orders untouched for `order_ttl_minutes`. An AWAITING_PAYMENT order is first
    checked with its bank: paid → PAID; unreachable → left for the next run; else EXPIRED."""
    cutoff = int(clock.now()) - ttl_s()
    counts = {"expired": 0, "paid": 0, "failed": 0, "bank_unreachable": 0, "skipped": 0}
    for status in OPEN_STATUSES:
        for key in PaymentOrder.open_orders.query(status, PaymentOrder.updated_at <= cutoff):
            try:
                order = PaymentOrder.get(key.order_no, consistent_read=True)
            except DoesNotExist:
                continue
            if order.status not in OPEN_STATUSES or order.updated_at > cutoff:
                counts["skipped"] += 1
                continue
            if order.status == AWAITING:
                try:
                    answer = banks.query_status(order.bank_code, order.order_no)
                except TemporarilyUnavailable:
                    counts["bank_unreachable"] += 1
                    continue
                bank_result = _result_from_query(order.bank_code, order, answer)
                if bank_result is not None and bank_result.status == "SUCCESS":
                    outcome = apply_bank_result(bank_result)
                    counts["paid" if outcome == "APPLIED" else "skipped"] += 1
                    continue
                order.refresh(consistent_read=True)
                if order.status != AWAITING:
                    counts["skipped"] += 1
                    continue
            counts["expired" if _expire(order) else "skipped"] += 1
    return counts


# ---- ops: reconciliation and review --------------------------------------------------------

def find_order(order_no: str) -> PaymentOrder | None:
    try:
        return PaymentOrder.get(order_no, consistent_read=True)
    except DoesNotExist:
        return None


def paid_orders_on(bank_code: str, day: str) -> list[PaymentOrder]:
    """Orders the portal holds as PAID at `bank_code` whose bank payment time falls on `day`."""
    return [o for o in PaymentOrder.by_paid_day.query(day) if o.bank_code == bank_code and o.status == PAID]


def flagged_events(limit: int = 100) -> list[dict[str, Any]]:
    """Signed notifications that did not match their order, oldest first (ops review)."""
    return [{"event_key": e.event_key, "bank_code": e.bank_code, "event_id": e.event_id,
             "order_no": e.order_no, "amount_fen": e.amount_fen, "status": e.status,
             "reason": e.reason, "received_at": e.received_at, "source": e.source}
            for e in BankEvent.flagged.query("OPEN", limit=limit)]
