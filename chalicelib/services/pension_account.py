"""Pension personal account (养老个人账户), annual method (劳办发〔1997〕116号):

    closing = opening × (1 + r) + credited × (1 + r × 1.083 / 2)

r is that year's rate from the policy data (`policy.interest_rate_bp`; `interest_source` says
whether it is the published rate or an assumed/provisional one, and the answer carries that
label). Exact integer arithmetic; rounded half up to the fen once, at the end of each year.
The statement is one Query of the resident's account years.
"""
from __future__ import annotations

from typing import Any

from .. import policy
from ..errors import BadInput
from ..models.pension_accounts import PensionAccountYear
from .sessions import CurrentSession

_DEN = 10000 * 1000 * 2  # basis points × permille × the halving of the month factor


def year_end(opening_fen: int, credited_fen: int, rate_bp: int, month_factor_permille: int | None = None) -> int:
    """Closing balance of one year, in fen, rounded half up once."""
    if opening_fen < 0 or credited_fen < 0 or rate_bp < 0:
        raise ValueError("balances and rates are non-negative")
    factor = month_factor_permille if month_factor_permille is not None else \
        policy.data()["pension_account_method"]["month_factor_permille"]
    numerator = (opening_fen * (_DEN + rate_bp * 1000 * 2)
                 + credited_fen * (_DEN + rate_bp * factor))
    return (numerator * 2 + _DEN) // (2 * _DEN)


def _source_label(source: str) -> tuple[str, str]:
    """("published" | "provisional" | "assumed", the label the resident sees)."""
    if source == "published":
        return "published", "公布记账利率"
    if source.startswith("provisional"):
        return "provisional", "暂定利率（尚未公布，沿用上年公布利率）"
    return "assumed", "非公布利率（示例数据设定，非官方公布）"


def compute(years: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chain the years: [{"year", "months", "credited_fen", "opening_fen"?}] → statement rows."""
    rows = []
    balance = 0
    for index, entry in enumerate(sorted(years, key=lambda e: int(e["year"]))):
        year = int(entry["year"])
        if index == 0 and entry.get("opening_fen") is not None:
            balance = int(entry["opening_fen"])
        # A year with no item between two recorded years still earns interest on the balance.
        if rows:
            for gap_year in range(int(rows[-1]["year"]) + 1, year):
                rows.append(_row(gap_year, balance, 0, 0))
                balance = rows[-1]["closing_fen"]
        rows.append(_row(year, balance, int(entry["months"]), int(entry["credited_fen"])))
        balance = rows[-1]["closing_fen"]
    return rows


def _row(year: int, opening: int, months: int, credited: int) -> dict[str, Any]:
    try:
        rate = policy.interest_rate_bp(year)
        source, label = _source_label(policy.interest_source(year))
    except BadInput:
        raise BadInput(f"缺少{year}年的记账利率，请联系社保经办机构", code="missing_policy_year") from None
    closing = year_end(opening, credited, rate)
    return {"year": year, "opening_fen": opening, "months": months, "credited_fen": credited,
            "interest_fen": closing - opening - credited, "closing_fen": closing,
            "rate_bp": rate, "rate_source": source, "rate_label": label,
            "rate_note": policy.interest_source(year)}


def years_of(id_number: str) -> list[dict[str, Any]]:
    return [{"year": item.year, "months": int(item.months), "credited_fen": int(item.credited_fen),
             "opening_fen": None if item.opening_fen is None else int(item.opening_fen)}
            for item in PensionAccountYear.query(id_number)]


def balance_through(id_number: str, last_year: int) -> int:
    """Closing balance at the end of `last_year` (e.g. at retirement)."""
    rows = [r for r in compute(years_of(id_number)) if r["year"] <= last_year]
    return rows[-1]["closing_fen"] if rows else 0


def statement(current: CurrentSession) -> dict:
    """Year by year: opening, months, credited, interest, closing (newest first)."""
    rows = compute(years_of(current.id_number))
    return {"items": list(reversed(rows)),
            "balance_fen": rows[-1]["closing_fen"] if rows else 0,
            "formula": "年末余额 = 年初余额 ×（1 + 记账利率）+ 当年记账额 ×（1 + 记账利率 × 1.083 ÷ 2）"}
