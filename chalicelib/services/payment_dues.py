"""What a flexible-employment contribution month costs and which months may be paid now
(灵活就业缴费, seed manual 2.8).

Amounts: each month's amount = base × that year's flexible rate (policy.json
`flexible_rates_bp[type].total`), rounded half up to the fen (`money.apply_rate`); the
personal-account share likewise with the `account` rate; the order total is the sum of the
rounded month amounts (never a rounded product of the total).

Months: the current month and up to `backpay_months` earlier months.
"""

from __future__ import annotations

import re
from typing import Any

from .. import clock, money, policy
from ..errors import BadInput

PERIOD_RE = re.compile(r"^(\d{4})(0[1-9]|1[0-2])$")


def kinds() -> dict[str, str]:
    """kind → insurance type code (flexible_pension → 110, flexible_medical → 310)."""
    return policy.flexible()["kinds"]


def type_for(kind: Any) -> str:
    if not isinstance(kind, str) or kind not in kinds():
        raise BadInput("请选择缴费险种（灵活就业养老或医疗）", code="unknown_kind", field="kind")
    return kinds()[kind]


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
        raise BadInput(
            f"{year}年缴费基数应在{money.yuan(lower)}至{money.yuan(upper)}之间",
            code="base_out_of_band",
            field="base_fen",
        )
    rates = policy.flexible_rates(year, type_code)
    return {
        "period": period,
        "base_fen": base_fen,
        "rate_bp": rates["total"],
        "amount_fen": money.apply_rate(base_fen, rates["total"]),
        "account_fen": money.apply_rate(base_fen, rates["account"]),
    }


def quote(type_code: str, months: list[str], base_fen: int) -> tuple[list[dict], int]:
    lines = [month_line(type_code, m, base_fen) for m in months]
    return lines, sum(line["amount_fen"] for line in lines)


def check_months(months: Any) -> list[str]:
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
            raise BadInput(
                f"只能缴纳{label(window[0])}至{label(window[-1])}的费用",
                code="month_not_payable",
                field="months",
            )
        chosen.add(month)
    return sorted(chosen)


def check_base(base_fen: Any) -> int:
    if isinstance(base_fen, bool) or not isinstance(base_fen, int):
        raise BadInput("缴费基数应为整数（单位：分）", code="invalid_base", field="base_fen")
    return base_fen


def label(period: str) -> str:
    return f"{period[:4]}年{int(period[4:])}月"
