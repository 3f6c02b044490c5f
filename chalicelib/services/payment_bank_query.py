"""查询银行: ask an order's bank for its status (server to server) and apply a final answer through
`payment_settlement.apply_bank_result`; the expiry job asks the same way."""

from __future__ import annotations

import json
from typing import Any

from ..models.orders import PaymentOrder
from . import audit, banks, payment_settlement
from .payment_orders import AWAITING, order_for, view
from .payment_settlement import BankResult
from .sessions import CurrentSession


def result_from_query(bank_code: str, order: PaymentOrder, answer: dict[str, Any]) -> BankResult | None:
    status = answer.get("status")
    if status not in ("SUCCESS", "FAILED"):
        return None
    amount = answer.get("amount_fen")
    txn = answer.get("bank_txn_id") if isinstance(answer.get("bank_txn_id"), str) else None
    event_id = (
        f"query-{txn}" if status == "SUCCESS" and txn else f"query-{order.order_no}-{order.attempt}-{status}"
    )
    return BankResult(
        bank_code=bank_code,
        event_id=event_id,
        order_no=order.order_no,
        status=status,
        amount_fen=amount if isinstance(amount, int) and not isinstance(amount, bool) else -1,
        currency=answer.get("currency") or order.currency,
        bank_txn_id=txn,
        paid_at=answer.get("paid_at") if isinstance(answer.get("paid_at"), str) else None,
        source="query",
        body=json.dumps(answer, ensure_ascii=False)[:4000],
    )


def query_bank(current: CurrentSession, order_no: str, ip: str | None) -> dict:
    """查询银行: ask the order's bank (server to server) and apply a final answer."""
    order = order_for(current, order_no)
    if order.status != AWAITING:
        result = view(order)
        result["bank_status"] = None
        return result
    answer = banks.query_status(order.bank_code, order.order_no)
    bank_result = result_from_query(order.bank_code, order, answer)
    if bank_result is not None:
        payment_settlement.apply_bank_result(bank_result)
    audit.record(
        current.id_number,
        "payment.query_bank",
        "ok",
        ip,
        {"order_no": order.order_no, "bank_status": answer["status"]},
    )
    order.refresh(consistent_read=True)
    result = view(order)
    result["bank_status"] = answer["status"]
    return result
