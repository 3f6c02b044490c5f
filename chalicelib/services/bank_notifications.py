"""Bank payment notifications (PRODUCT.md section 5): signed, server to server, applied through
`payment_settlement.apply_bank_result`."""

from __future__ import annotations

from .. import json_input
from ..errors import BadInput
from . import banks, payment_settlement
from .payment_settlement import BankResult


def parse_notification(bank_code: str, raw: bytes) -> BankResult:
    """The notification body (section 5), or BadInput (400)."""
    data = json_input.parse_object(raw, empty_ok=False)

    def text(name: str) -> str:
        value = data.get(name)
        if not isinstance(value, str) or not value or len(value) > 128:
            raise BadInput(f"通知字段{name}缺失或格式不正确", code="malformed_notification", field=name)
        return value

    def optional_text(name: str, required: bool) -> str | None:
        return None if data.get(name) is None and not required else text(name)

    amount = data.get("amount_fen")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise BadInput(
            "通知字段amount_fen应为非负整数（分）", code="malformed_notification", field="amount_fen"
        )
    status = text("status")
    if status not in ("SUCCESS", "FAILED"):
        raise BadInput("通知字段status应为SUCCESS或FAILED", code="malformed_notification", field="status")
    success = status == "SUCCESS"
    return BankResult(
        bank_code=bank_code,
        event_id=text("event_id"),
        order_no=text("order_no"),
        status=status,
        amount_fen=amount,
        currency=text("currency"),
        bank_txn_id=optional_text("bank_txn_id", required=success),
        paid_at=optional_text("paid_at", required=success),
        body=raw.decode("utf-8", "replace")[:4000],
    )


def handle_notification(bank_code: str, timestamp: str | None, signature: str | None, raw: bytes) -> dict:
    """POST /api/banks/{bank_code}/notifications (section 5)."""
    json_input.check_size(raw)  # 413 before anything else
    banks.get(bank_code)  # 404 unknown bank
    banks.verify(bank_code, timestamp, signature, raw)  # 401 bad signature / stale timestamp
    result = parse_notification(bank_code, raw)  # 400 malformed
    payment_settlement.apply_bank_result(result)  # 503 on a temporary storage failure
    return {"ack": "OK"}
