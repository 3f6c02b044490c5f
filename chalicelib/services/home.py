"""The home page that fits the resident (首页): what each kind of resident comes for, first.

- a pensioner (any pension payment on record, or person status 退休): the latest payment;
- a flexible worker (灵活就业): this month's dues and the gaps that may still be paid online,
  each with the months the payment flow opens with;
- everyone: the open to-dos (the full list stays on the to-do page).

DynamoDB requests: 1 GetItem (the account's profile), 1 Query of the pension payments (newest
first, limit 1), 1 Query of the to-dos, and for a flexible worker 1 Query of the summaries
(`records.gaps`). Never a Scan.
"""

from __future__ import annotations

from typing import Any

from ..models.accounts import Account
from . import pension_payments, records, tasks
from .sessions import CurrentSession

PAYMENTS_PAGE = "/records/pension-payments.html"
TASKS_SHOWN = 3


def _pay_href(kind: str, months: list[str]) -> str:
    return f"/pay/new.html?kind={kind}" + (f"&months={','.join(months)}" if months else "")


def _dues(current: CurrentSession) -> list[dict[str, Any]]:
    """Per flexible-employment type: this month paid or not, the gap months payable online."""
    this_month = records.current_period()
    out = []
    for gap in records.gaps(current)["types"]:
        kind = gap.get("pay_kind")
        if not kind:
            continue
        payable = [m for run in gap["runs"] for m in run["payable_months"]]
        this_month_paid = gap["through_period"] >= this_month and not any(
            run["from"] <= this_month <= run["to"] for run in gap["runs"]
        )
        months = payable + ([] if this_month_paid else [this_month])
        out.append(
            {
                "type_code": gap["type_code"],
                "type_name": gap["type_name"],
                "kind": kind,
                "this_month": this_month,
                "this_month_paid": this_month_paid,
                "missing_months": gap["missing_months"],
                "payable_gap_months": payable,
                "pay_href": _pay_href(kind, months),
                "gaps_href": "/records/gaps.html",
            }
        )
    return out


def overview(current: CurrentSession) -> dict:
    """What the home page shows first for this resident."""
    try:
        profile = Account.get(current.id_number, attributes_to_get=["profile"]).profile or {}
    except Account.DoesNotExist:
        profile = {}
    status = profile.get("person_status")
    latest = pension_payments.latest(current.id_number)
    kind = (
        "retiree"
        if latest or status == "退休"
        else "flexible"
        if status == "灵活就业"
        else "resident"
        if status == "城乡居民"
        else "employee"
    )
    open_tasks = tasks.list_for(current)["items"]
    answer: dict[str, Any] = {
        "kind": kind,
        "tasks": {
            "count": len(open_tasks),
            "items": [
                {"title": t["title"], "step": t["step"], "resume_path": t["resume_path"]}
                for t in open_tasks[:TASKS_SHOWN]
            ],
        },
        "latest_payment": latest,
        "payments_href": PAYMENTS_PAGE,
    }
    if kind == "flexible":
        answer["dues"] = _dues(current)
    return answer
