"""Pension payment history (养老待遇发放): a year-month range, paged newest first, each month with
its items.

Each month is named for the benefit it is: the employee basic pension (职工基本养老金, commonly
退休金) or the resident basic pension (城乡居民基本养老金) — `scheme` on the item.
One Query per page: id_number = :id AND period BETWEEN :from AND :to. The amounts come from the
core system (import); the demo seed computes plausible ones in `infra/seed/records.py`.
"""

from __future__ import annotations

import functools
from typing import Any

from .. import cursor
from ..errors import BadInput
from ..models.pension_payments import PensionPayment
from .records import check_period
from .sessions import CurrentSession

PAGE_SIZE = 12
MAX_RANGE_MONTHS = 120
SCHEMES = ("employee", "resident")
BENEFIT_NAMES = {"employee": "职工基本养老金（退休金）", "resident": "城乡居民基本养老金"}


def payment_view(item: PensionPayment) -> dict[str, Any]:
    scheme = item.scheme if item.scheme in SCHEMES else "employee"
    return {
        "period": item.period,
        "scheme": scheme,
        "benefit_name": BENEFIT_NAMES[scheme],
        "gross_fen": int(item.gross_fen),
        "items": [{"name": i["name"], "amount_fen": int(i["amount_fen"])} for i in item.items or []],
        "bank_name": item.bank_name,
        "bank_account_masked": item.bank_account_masked,
        "pay_date": item.pay_date,
    }


def latest(id_number: str) -> dict[str, Any] | None:
    """The newest payment on record (one Query, newest first, limit 1), or None."""
    for item in PensionPayment.query(id_number, scan_index_forward=False, limit=1):
        return payment_view(item)
    return None


def history(
    current: CurrentSession, from_period: str | None, to_period: str | None, cursor_text: str | None
) -> dict:
    if not from_period:
        raise BadInput("请选择起始年月", code="missing_field", field="from")
    if not to_period:
        raise BadInput("请选择截止年月", code="missing_field", field="to")
    start = check_period(from_period, "from")
    end = check_period(to_period, "to")
    if start > end:
        raise BadInput("起始年月不能晚于截止年月", code="invalid_range", field="from")
    span = (int(end[:4]) - int(start[:4])) * 12 + int(end[4:]) - int(start[4:]) + 1
    if span > MAX_RANGE_MONTHS:
        raise BadInput(f"一次最多查询{MAX_RANGE_MONTHS // 12}年", code="range_too_long", field="to")
    query = functools.partial(
        PensionPayment.query,
        current.id_number,
        PensionPayment.period.between(start, end),
        scan_index_forward=False,
    )
    items, next_cursor = cursor.page(
        query,
        PAGE_SIZE,
        "pension-payments",
        current.id_number,
        {"f": start, "t": end},
        cursor_text,
        key_of=lambda item: {"p": item.period},
        start_key_of=lambda pos: {"id_number": {"S": current.id_number}, "period": {"S": str(pos.get("p"))}},
    )
    rows = [payment_view(i) for i in items]
    return {
        "from": start,
        "to": end,
        "items": rows,
        "next_cursor": next_cursor,
        "page_gross_fen": sum(r["gross_fen"] for r in rows),
    }
