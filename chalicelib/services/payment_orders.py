"""Flexible-employment contribution payment orders (灵活就业社保缴费 / 医保缴费), seed manual 2.8:
what can be paid, and the resident's steps on an order.

Flow and states of an order:
  DRAFT (months and base chosen) → CONFIRMED (dues reviewed) → AWAITING_PAYMENT (sent to a
  bank) → PAID | FAILED (the bank's signed word only, `payment_settlement`); FAILED →
  AWAITING_PAYMENT (new attempt, same order); DRAFT/CONFIRMED/FAILED → CANCELLED (the resident);
  any open order → EXPIRED after `order_ttl_minutes` of inactivity (`payment_expiry`; an
  AWAITING_PAYMENT order only when its bank does not know it as paid).

Amounts and payable months: `payment_dues`. A month already PAID / BACKPAID in the
contributions table, or held by another open order, cannot be ordered: the create/amend
transaction writes one lock item per person, type and month with attribute_not_exists and checks
the contribution item in the same TransactWriteItems.

Every state change of an order is one TransactWriteItems that also writes the order's to-do
item (待办事项, resumable at `/pay/order.html?no=...`).

Resident orders (城乡居民医保 / 养老, `payment_resident`) are orders of one year, posted under the
period YYYY01 of the insured person (`insured_of`); they use the same states, locks, bank,
settlement and expiry as flexible-employment orders.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from .. import clock, money, policy, settings
from .. import id_number as ids
from ..errors import BadInput, Conflict, NotFound
from ..models.base import condition_failed, on_condition_failed, transaction
from ..models.contributions import Contribution
from ..models.order_locks import MonthLock
from ..models.orders import PaymentOrder
from ..models.tasks import PendingTask
from . import audit, banks, messages
from .payment_dues import check_base, check_months, label, payable_window, quote, type_for
from .sessions import CurrentSession

DRAFT, CONFIRMED, AWAITING, PAID, FAILED = "DRAFT", "CONFIRMED", "AWAITING_PAYMENT", "PAID", "FAILED"
CANCELLED, EXPIRED = "CANCELLED", "EXPIRED"
OPEN_STATUSES = (DRAFT, CONFIRMED, AWAITING, FAILED)
STATUS_NAMES = {
    DRAFT: "待确认",
    CONFIRMED: "待支付",
    AWAITING: "等待银行结果",
    PAID: "支付成功",
    FAILED: "支付失败",
    CANCELLED: "已作废",
    EXPIRED: "已过期",
}
STEP_OF = {DRAFT: "review", CONFIRMED: "choose_bank", AWAITING: "at_bank", FAILED: "failed"}
STEP_NAMES = {
    "review": "查看应缴",
    "choose_bank": "选择银行支付",
    "at_bank": "等待银行结果",
    "failed": "支付失败，可重新支付",
}
TASK_KIND = "payment_order"
UNPAID_CONTRIBUTION_STATUSES = ("OWED",)
ORDER_NO_RE = re.compile(r"^P\d{8}[0-9A-F]{10}$")


def ttl_s() -> int:
    return int(policy.flexible()["order_ttl_minutes"]) * 60


# ---- storage helpers ---------------------------------------------------------------------


def person_type_key(id_number: str, type_code: str) -> str:
    return f"{id_number}#{type_code}"


def insured_of(order: PaymentOrder) -> str:
    """Whose record the order pays into: a family member named on a resident order, else the payer."""
    return order.insured_id_number or order.id_number


def is_resident(order: PaymentOrder) -> bool:
    return order.year is not None


def mask_name(name: str) -> str:
    """赵敏 → 赵*, 欧阳小明 → 欧**明 (how a name other than one's own is shown)."""
    if len(name) <= 2:
        return name[:1] + "*" * (len(name) - 1)
    return name[0] + "*" * (len(name) - 2) + name[-1]


def order_title(order: PaymentOrder) -> str:
    """What the order pays, as the resident reads it in the to-do list and messages."""
    if not is_resident(order):
        return f"灵活就业{'养老' if order.type_code == '110' else '医疗'}缴费"
    title = f"{order.year}年度{policy.insurance_types()[order.type_code]['short']}缴费"
    if order.insured_id_number and order.insured_id_number != order.id_number:
        title += f"（为{mask_name(order.insured_name or '')}缴纳）"
    return title


def _new_order_no() -> str:
    return "P" + clock.now_dt().strftime("%Y%m%d") + secrets.token_hex(5).upper()


def task_item(order: PaymentOrder, status: str, now: int) -> PendingTask:
    type_name = policy.type_name(order.type_code)
    step = STEP_OF[status]
    title = f"{order_title(order)} {money.yuan(int(order.total_fen))}（{STEP_NAMES[step]}）"
    return PendingTask(
        id_number=order.id_number,
        task_id=f"{TASK_KIND}#{order.order_no}",
        kind=TASK_KIND,
        title=title,
        step=STEP_NAMES[step],
        resume_path=f"/pay/order.html?no={order.order_no}",
        created_at=order.created_at,
        updated_at=now,
        data={"order_no": order.order_no, "type_name": type_name, "status": status},
    )


def task_key(order: PaymentOrder) -> PendingTask:
    return PendingTask(id_number=order.id_number, task_id=f"{TASK_KIND}#{order.order_no}")


def order_for(current: CurrentSession, order_no: Any) -> PaymentOrder:
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
        "order_no": order.order_no,
        "kind": order.kind,
        "type_code": order.type_code,
        "type_name": policy.type_name(order.type_code),
        "status": order.status,
        "status_name": STATUS_NAMES[order.status],
        "step": order.step,
        "months": list(order.months),
        "base_fen": order.base_fen,
        "lines": order.lines,
        "total_fen": order.total_fen,
        "currency": order.currency,
        "bank_code": order.bank_code,
        "bank_name": banks.get(order.bank_code)["name"] if order.bank_code else None,
        "attempt": order.attempt,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
        "expires_at": order.updated_at + ttl_s() if order.status in OPEN_STATUSES else None,
        "paid_at": order.paid_at,
        "bank_txn_id": order.bank_txn_id,
        "resume_path": f"/pay/order.html?no={order.order_no}",
        "title": order_title(order),
        "year": order.year,
        "level_fen": order.level_fen,
        "insured": _insured_view(order) if is_resident(order) else None,
    }


def _insured_view(order: PaymentOrder) -> dict[str, Any]:
    insured = insured_of(order)
    return {
        "self": insured == order.id_number,
        "name_masked": mask_name(order.insured_name or ""),
        "id_number_masked": ids.mask(insured),
    }


def _audit(
    id_number: str, action: str, outcome: str, ip: str | None, order: PaymentOrder, **extra: Any
) -> None:
    audit.record(
        id_number,
        action,
        outcome,
        ip,
        {"order_no": order.order_no, "total_fen": order.total_fen, "status": order.status, **extra},
    )


# ---- options -----------------------------------------------------------------------------


def options(current: CurrentSession, kind: Any) -> dict[str, Any]:
    """What can be paid now: the window's months, each payable or why not, with base bands."""
    type_code = type_for(kind)
    window = payable_window()
    person_type = person_type_key(current.id_number, type_code)
    paid = {
        c.period: c.status
        for c in Contribution.query(person_type, Contribution.period.between(window[0], window[-1]))
    }
    locks = {
        lock.period: lock
        for lock in MonthLock.query(
            person_type, MonthLock.period.between(window[0], window[-1]), consistent_read=True
        )
    }
    months: list[dict[str, Any]] = []
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
        months.append(
            {
                "period": period,
                "state": state,
                "order_no": locks[period].order_no if state == "in_order" else None,
                "base_lower_fen": lower,
                "base_upper_fen": upper,
                "rate_bp": rates["total"],
            }
        )
    selectable = [m for m in months if m["state"] in ("payable", "owed")]
    band_lower = max((m["base_lower_fen"] for m in selectable), default=None)
    band_upper = min((m["base_upper_fen"] for m in selectable), default=None)
    return {
        "kind": kind,
        "type_code": type_code,
        "type_name": policy.type_name(type_code),
        "months": months,
        "base_lower_fen": band_lower,
        "base_upper_fen": band_upper,
        "backpay_months": int(policy.flexible()["backpay_months"]),
        "banks": banks.public_list(),
        "rounding": "每月金额 = 缴费基数 × 费率，四舍五入到分；合计为各月金额之和",
    }


# ---- creating and amending ---------------------------------------------------------------


def taken_months(id_number: str, type_code: str, months: list[str], order_no: str | None) -> list[str]:
    """After a cancelled transaction: which of `months` of `id_number` (the insured person) are
    paid or held by another order."""
    person_type = person_type_key(id_number, type_code)
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
            if (
                Contribution.get(person_type, month, consistent_read=True).status
                not in UNPAID_CONTRIBUTION_STATUSES
            ):
                taken.append(month)
        except DoesNotExist:
            pass
    return taken


def _months_conflict(months: list[str]) -> Conflict:
    labels = "、".join(label(m) for m in months)
    return Conflict(
        f"{labels}已缴费或已在其他未完成的订单中，请重新选择", code="months_taken", field="months"
    )


def _lock_months(tx: TransactWrite, order: PaymentOrder, months: list[str], now: int) -> None:
    person_type = person_type_key(insured_of(order), order.type_code)
    for month in months:
        tx.save(
            MonthLock(person_type=person_type, period=month, order_no=order.order_no, created_at=now),
            condition=MonthLock.period.does_not_exist(),
        )
        tx.condition_check(
            Contribution,
            person_type,
            month,
            condition=Contribution.period.does_not_exist()
            | Contribution.status.is_in(*UNPAID_CONTRIBUTION_STATUSES),
        )


def _release_months(tx: TransactWrite, order: PaymentOrder, months: list[str]) -> None:
    person_type = person_type_key(insured_of(order), order.type_code)
    for month in months:
        tx.delete(
            MonthLock(person_type=person_type, period=month), condition=MonthLock.order_no == order.order_no
        )


def create_order(current: CurrentSession, kind: Any, months: Any, base_fen: Any, ip: str | None) -> dict:
    type_code = type_for(kind)
    chosen = check_months(months)
    base = check_base(base_fen)
    lines, total = quote(type_code, chosen, base)
    order = new_order(current.id_number, kind, type_code, chosen, base, lines, total)
    return store_new_order(order, ip, _months_conflict)


def new_order(
    id_number: str,
    kind: str,
    type_code: str,
    months: list[str],
    base_fen: int,
    lines: list[dict],
    total_fen: int,
    **resident: Any,
) -> PaymentOrder:
    """A DRAFT order (not stored); `resident` carries year / insured / level of a resident order."""
    now = int(clock.now())
    return PaymentOrder(
        order_no=_new_order_no(),
        id_number=id_number,
        kind=kind,
        type_code=type_code,
        months=months,
        base_fen=base_fen,
        lines=lines,
        total_fen=total_fen,
        currency=banks.currency(),
        status=DRAFT,
        open_status=DRAFT,
        step=STEP_OF[DRAFT],
        attempt=0,
        version=1,
        created_at=now,
        updated_at=now,
        **resident,
    )


def store_new_order(order: PaymentOrder, ip: str | None, conflict: Callable[[list[str]], Conflict]) -> dict:
    """One transaction: the order, a lock per month of the insured person (free, not paid) and
    the to-do item; `conflict(taken months)` is raised when a month is paid or held."""
    try:
        with transaction() as tx:
            tx.save(order, condition=PaymentOrder.order_no.does_not_exist())
            _lock_months(tx, order, list(order.months), int(order.created_at))
            tx.save(task_item(order, DRAFT, int(order.created_at)))
    except TransactWriteError as exc:
        if not condition_failed(exc):
            raise
        taken = taken_months(insured_of(order), order.type_code, list(order.months), order.order_no)
        _audit(order.id_number, "payment.create", "months_taken", ip, order, months=taken)
        raise conflict(taken or list(order.months)) from None
    _audit(order.id_number, "payment.create", "ok", ip, order)
    return view(order)


def amend_order(current: CurrentSession, order_no: str, months: Any, base_fen: Any, ip: str | None) -> dict:
    """上一步: change months or base of a DRAFT or CONFIRMED order; it goes back to DRAFT."""
    order = order_for(current, order_no)
    if is_resident(order):
        raise Conflict("城乡居民缴费订单不能修改，如需更改请作废后重新办理", code="order_state")
    if order.status not in (DRAFT, CONFIRMED):
        raise Conflict("该订单当前不能修改", code="order_state", field="status")
    chosen = check_months(months)
    base = check_base(base_fen)
    lines, total = quote(order.type_code, chosen, base)
    now = int(clock.now())
    added = [m for m in chosen if m not in order.months]
    removed = [m for m in order.months if m not in chosen]
    try:
        with transaction() as tx:
            tx.update(
                order,
                actions=[
                    PaymentOrder.months.set(chosen),
                    PaymentOrder.base_fen.set(base),
                    PaymentOrder.lines.set(lines),
                    PaymentOrder.total_fen.set(total),
                    PaymentOrder.status.set(DRAFT),
                    PaymentOrder.open_status.set(DRAFT),
                    PaymentOrder.step.set(STEP_OF[DRAFT]),
                    PaymentOrder.updated_at.set(now),
                    PaymentOrder.version.add(1),
                ],
                condition=(PaymentOrder.version == order.version)
                & PaymentOrder.status.is_in(DRAFT, CONFIRMED),
            )
            _lock_months(tx, order, added, now)
            _release_months(tx, order, removed)
            order.total_fen = total
            tx.save(task_item(order, DRAFT, now))
    except TransactWriteError as exc:
        if not condition_failed(exc):
            raise
        taken = taken_months(current.id_number, order.type_code, added, order.order_no)
        if taken:
            raise _months_conflict(taken) from None
        raise Conflict("订单已被其他操作更改，请刷新后重试", code="order_changed") from None
    order.refresh(consistent_read=True)
    _audit(current.id_number, "payment.amend", "ok", ip, order)
    return view(order)


# ---- simple transitions ------------------------------------------------------------------


def transition(
    order: PaymentOrder,
    allowed: tuple[str, ...],
    new_status: str,
    now: int,
    extra_actions: list | None = None,
    release: bool = False,
    message: tuple[str, str, str] | None = None,
) -> None:
    """One transaction: order from one of `allowed` to `new_status` (+ its to-do item, locks)."""
    actions = [
        PaymentOrder.status.set(new_status),
        PaymentOrder.updated_at.set(now),
        PaymentOrder.version.add(1),
    ] + (extra_actions or [])
    if new_status in OPEN_STATUSES:
        actions += [PaymentOrder.open_status.set(new_status), PaymentOrder.step.set(STEP_OF[new_status])]
    else:
        actions += [PaymentOrder.open_status.remove(), PaymentOrder.step.set("closed")]
    with (
        on_condition_failed(Conflict("订单状态已变化，请刷新后重试", code="order_changed")),
        transaction() as tx,
    ):
        tx.update(
            order,
            actions=actions,
            condition=(PaymentOrder.version == order.version) & PaymentOrder.status.is_in(*allowed),
        )
        if new_status in OPEN_STATUSES:
            tx.save(task_item(order, new_status, now))
        else:
            tx.delete(task_key(order))
        if release:
            _release_months(tx, order, list(order.months))
        if message:
            tx.save(messages.build(order.id_number, message[0], message[1], message[2], order.order_no))
    order.refresh(consistent_read=True)


def _refuse(order: PaymentOrder, doing: str) -> Conflict:
    return Conflict(f"订单{STATUS_NAMES[order.status]}，不能{doing}", code="order_state")


def confirm(current: CurrentSession, order_no: str, ip: str | None) -> dict:
    """查看应缴 → 下一步: DRAFT → CONFIRMED."""
    order = order_for(current, order_no)
    if order.status == CONFIRMED:
        return view(order)
    if order.status != DRAFT:
        raise _refuse(order, "确认")
    transition(order, (DRAFT,), CONFIRMED, int(clock.now()))
    _audit(current.id_number, "payment.confirm", "ok", ip, order)
    return view(order)


def cancel(current: CurrentSession, order_no: str, ip: str | None) -> dict:
    """取消 / 作废: DRAFT, CONFIRMED or FAILED → CANCELLED; the months are free again."""
    order = order_for(current, order_no)
    if order.status not in (DRAFT, CONFIRMED, FAILED):
        raise _refuse(order, "作废")
    transition(
        order,
        (DRAFT, CONFIRMED, FAILED),
        CANCELLED,
        int(clock.now()),
        extra_actions=[PaymentOrder.closed_reason.set("cancelled_by_resident")],
        release=True,
    )
    _audit(current.id_number, "payment.cancel", "ok", ip, order)
    return view(order)


def pay(current: CurrentSession, order_no: str, bank_code: Any, ip: str | None) -> dict:
    """立即支付: CONFIRMED or FAILED → AWAITING_PAYMENT at the chosen bank; the checkout link."""
    if not isinstance(bank_code, str) or bank_code not in banks.codes():
        raise BadInput("请选择支付银行", code="unknown_bank", field="bank_code")
    order = order_for(current, order_no)
    return_url = f"{settings.site_origin()}/pay/order.html?no={order.order_no}"
    if order.status == AWAITING and order.bank_code == bank_code:
        # Back to the same bank for the same attempt (e.g. the checkout tab was closed).
        result = view(order)
    elif order.status in (CONFIRMED, FAILED):
        transition(
            order,
            (CONFIRMED, FAILED),
            AWAITING,
            int(clock.now()),
            extra_actions=[PaymentOrder.bank_code.set(bank_code), PaymentOrder.attempt.add(1)],
        )
        _audit(current.id_number, "payment.pay", "ok", ip, order, bank_code=bank_code, attempt=order.attempt)
        result = view(order)
    elif order.status == AWAITING:
        raise Conflict("订单正在等待银行结果，不能更换银行", code="order_state", field="bank_code")
    else:
        raise _refuse(order, "支付")
    result["redirect_url"] = banks.checkout_url(bank_code, order.order_no, int(order.total_fen), return_url)
    return result


def get_order(current: CurrentSession, order_no: str) -> dict:
    return view(order_for(current, order_no))


def list_orders(current: CurrentSession) -> dict:
    orders = PaymentOrder.by_person.query(current.id_number, scan_index_forward=False, limit=50)
    return {"items": [view(o) for o in orders]}


# ---- ops: reconciliation ------------------------------------------------------------------


def find_order(order_no: str) -> PaymentOrder | None:
    try:
        return PaymentOrder.get(order_no, consistent_read=True)
    except DoesNotExist:
        return None


def paid_orders_on(bank_code: str, day: str) -> list[PaymentOrder]:
    """Orders the portal holds as PAID at `bank_code` whose bank payment time falls on `day`."""
    return [o for o in PaymentOrder.by_paid_day.query(day) if o.bank_code == bank_code and o.status == PAID]
