"""Pension personal account (养老个人账户), annual method (劳办发〔1997〕116号):

    closing = opening × (1 + r) + credited × (1 + r × 1.083 / 2)

r is that year's rate from the policy data (`policy.interest_rate_bp`; `interest_source` says
whether it is the published rate or an assumed/provisional one, and the answer carries that
label). Exact integer arithmetic; rounded half up to the fen once, at the end of each year.

The account always reflects what was paid (PRODUCT section 3):
- official years are the core system's closed year-ends (pension-account import), i.e. the
  years before the current one, and the retirement year;
- every year after the last official one is computed from the posted employee-pension (110)
  contributions — paid online or imported — and marked provisional (暂计), so a payment shows
  in the account at once; for a resident with no employee pension who pays into resident
  pension (170, 赵敏), from her yearly 170 contributions (12 months a paid year);
- a month of an official year paid online later (a backpayment, source `payment:…`, not yet
  restated by the core system's contribution export) is added to that year, which is then
  marked provisional too (once the core system exports the month, its row says `import` and its
  year-end is expected to include it);
- a year that is not over earns interest only for the months that have passed, and the
  retirement year only for the months before retirement: over n < 12 months
  closing = opening × (1 + r × n/12) + credited × (1 + r × (n + 1)/24)
  (the monthly credits earn on average (n + 1)/2 months; for n = 12 the annual formula);
- after the retirement year the account is paid out as pension: no rows.
The statement is one Query of the account years, one of the 110 contributions (projected) and
one GetItem of the type's summary.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .. import clock, policy
from ..errors import BadInput
from ..models.contribution_summaries import ContributionSummary
from ..models.contributions import Contribution
from ..models.pension_accounts import PensionAccountYear
from .sessions import CurrentSession

_DEN = 10000 * 1000 * 2  # basis points × permille × the halving of the month factor
EMPLOYEE_PENSION = "110"
RESIDENT_PENSION = "170"  # a resident pension row is one paid year, posted under YYYY01
MONTHS_PER_ROW = {EMPLOYEE_PENSION: 1, RESIDENT_PENSION: 12}
PAID_STATUSES = ("PAID", "BACKPAID")


def _half_up(value: Fraction) -> int:
    return (value.numerator * 2 + value.denominator) // (2 * value.denominator)


def year_end(
    opening_fen: int, credited_fen: int, rate_bp: int, month_factor_permille: int | None = None
) -> int:
    """Closing balance of one year, in fen, rounded half up once."""
    if opening_fen < 0 or credited_fen < 0 or rate_bp < 0:
        raise ValueError("balances and rates are non-negative")
    factor = (
        month_factor_permille
        if month_factor_permille is not None
        else policy.data()["pension_account_method"]["month_factor_permille"]
    )
    numerator = opening_fen * (_DEN + rate_bp * 1000 * 2) + credited_fen * (_DEN + rate_bp * factor)
    return (numerator * 2 + _DEN) // (2 * _DEN)


def part_year_end(opening_fen: int, credited_fen: int, rate_bp: int, months: int) -> int:
    """Balance after `months` (0–12) of a year's interest: the opening earns months/12 of the
    rate, the year's credits on average (months + 1)/24 (none when no month has passed); 12
    months is the annual formula. Half up to the fen once."""
    if months >= 12:
        return year_end(opening_fen, credited_fen, rate_bp)
    if opening_fen < 0 or credited_fen < 0 or rate_bp < 0 or months < 0:
        raise ValueError("balances, rates and months are non-negative")
    if months == 0:
        return opening_fen + credited_fen
    interest = Fraction(
        opening_fen * rate_bp * 2 * months + credited_fen * rate_bp * (months + 1), 10000 * 24
    )
    return opening_fen + credited_fen + _half_up(interest)


def _source_label(source: str) -> tuple[str, str]:
    """("published" | "provisional" | "assumed", the label the resident sees)."""
    if source == "published":
        return "published", "公布记账利率"
    if source.startswith("provisional"):
        return "provisional", "暂定利率（尚未公布，沿用上年公布利率）"
    return "assumed", "2016年前按同期一年期存款利率计息"


def compute(years: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chain the years: [{"year", "months", "credited_fen", "opening_fen"?, "provisional"?,
    "interest_months"?}] → statement rows (a missing year between two earns interest on the
    balance; `interest_months` < 12 for a year not over or the retirement year)."""
    rows: list[dict[str, Any]] = []
    balance = 0
    for index, entry in enumerate(sorted(years, key=lambda e: int(e["year"]))):
        year = int(entry["year"])
        if index == 0 and entry.get("opening_fen") is not None:
            balance = int(entry["opening_fen"])
        if rows:
            for gap_year in range(int(rows[-1]["year"]) + 1, year):
                rows.append(_row(gap_year, balance, 0, 0, official=rows[-1]["official"]))
                balance = rows[-1]["closing_fen"]
        rows.append(
            _row(
                year,
                balance,
                int(entry["months"]),
                int(entry["credited_fen"]),
                bool(entry.get("provisional")),
                int(entry.get("interest_months", 12)),
                official=not entry.get("provisional") or bool(entry.get("online_fen")),
                online_fen=int(entry.get("online_fen", 0)),
            )
        )
        balance = rows[-1]["closing_fen"]
    return rows


def _row(
    year: int,
    opening: int,
    months: int,
    credited: int,
    provisional: bool = False,
    interest_months: int = 12,
    official: bool = True,
    online_fen: int = 0,
) -> dict[str, Any]:
    try:
        rate = policy.interest_rate_bp(year)
        source, label = _source_label(policy.interest_source(year))
    except BadInput:
        raise BadInput(f"缺少{year}年的记账利率，请联系社保经办机构", code="missing_policy_year") from None
    closing = part_year_end(opening, credited, rate, interest_months)
    return {
        "year": year,
        "opening_fen": opening,
        "months": months,
        "credited_fen": credited,
        "interest_fen": closing - opening - credited,
        "closing_fen": closing,
        "interest_months": interest_months,
        "provisional": provisional,
        "official": official,
        "online_fen": online_fen,
        "rate_bp": rate,
        "rate_source": source,
        "rate_label": label,
        "rate_note": policy.interest_source(year),
    }


def years_of(id_number: str) -> list[dict[str, Any]]:
    """The core system's account years (official), oldest first."""
    return [
        {
            "year": item.year,
            "months": int(item.months),
            "credited_fen": int(item.credited_fen),
            "opening_fen": None if item.opening_fen is None else int(item.opening_fen),
        }
        for item in PensionAccountYear.query(id_number)
    ]


def retirement_period(id_number: str) -> str | None:
    """The month the employee pension began (the month after the last one paid), when the core
    system ended the employee pension as RETIRED; otherwise None."""
    try:
        summary = ContributionSummary.get(id_number, EMPLOYEE_PENSION)
    except ContributionSummary.DoesNotExist:
        return None
    if summary.state != "RETIRED" or not summary.paid:
        return None
    last = max(summary.paid)
    year, month = int(last[:4]), int(last[4:])
    return f"{year + month // 12}{month % 12 + 1:02d}"


def pays_resident_pension(id_number: str) -> bool:
    """A resident who pays into resident pension (170, not ended) — for one without employee
    pension contributions (赵敏) that is the account's source."""
    try:
        summary = ContributionSummary.get(id_number, RESIDENT_PENSION)
    except ContributionSummary.DoesNotExist:
        return False
    return bool(summary.paid) and not summary.state


def _posted(
    id_number: str, last_official: int | None, through: str
) -> tuple[dict[int, dict[str, int]], dict[int, dict[str, int]]]:
    """Months and account credits of the paid contributions through the month `through`, by
    year: every one after `last_official`, and those paid online in the official years (one
    Query, projected). The source is the employee pension (110); for a resident without any, the
    resident pension (170) she pays into (one GetItem and one Query more)."""
    after: dict[int, dict[str, int]] = {}
    online: dict[int, dict[str, int]] = {}
    seen = _collect(id_number, EMPLOYEE_PENSION, last_official, through, after, online)
    if not seen and pays_resident_pension(id_number):
        _collect(id_number, RESIDENT_PENSION, last_official, through, after, online)
    return after, online


def _collect(
    id_number: str,
    type_code: str,
    last_official: int | None,
    through: str,
    after: dict[int, dict[str, int]],
    online: dict[int, dict[str, int]],
) -> int:
    """Add the paid rows of one type to `after` / `online`; how many rows the Query returned."""
    seen = 0
    for item in Contribution.query(
        f"{id_number}#{type_code}",
        Contribution.period <= through,
        attributes_to_get=["period", "status", "account_fen", "source"],
    ):
        seen += 1
        year = int(item.period[:4])
        if item.status not in PAID_STATUSES:
            continue
        if last_official is not None and year <= last_official:
            if not (item.source or "").startswith("payment:"):
                continue
            target = online
        else:
            target = after
        entry = target.setdefault(year, {"months": 0, "credited_fen": 0})
        entry["months"] += MONTHS_PER_ROW[type_code]
        entry["credited_fen"] += int(item.account_fen or 0)
    return seen


def ledger(id_number: str, through: str, interest_months: int) -> list[dict[str, Any]]:
    """The account year by year through the month `through` (YYYYMM): official years, then the
    provisional ones from the posted contributions; the last year earns `interest_months` of
    interest (the retirement year: the months before retirement)."""
    end_year = int(through[:4])
    retired = retirement_period(id_number)
    last_interest = interest_months
    if retired and int(retired[:4]) <= end_year:
        end_year, last_interest = int(retired[:4]), int(retired[4:]) - 1
        through = f"{end_year}{last_interest:02d}" if last_interest else f"{end_year - 1}12"
    official = [
        y
        for y in years_of(id_number)
        if int(y["year"]) < end_year or (retired and int(y["year"]) == end_year)
    ]
    last_official = max((int(y["year"]) for y in official), default=None)
    posted, online = _posted(id_number, last_official, through)
    return account_rows(official, posted, end_year, last_interest, online)


def account_rows(
    official: list[dict[str, Any]],
    posted: dict[int, dict[str, int]],
    end_year: int,
    last_interest: int,
    online: dict[int, dict[str, int]] | None = None,
) -> list[dict[str, Any]]:
    """The pure part of `ledger`: official years (none after `end_year`) with the months paid
    online since (`online`, provisional), then every year after the last of them through
    `end_year` from `posted` ({year: {"months", "credited_fen"}}, only years after the official
    ones), provisional; `end_year` earns `last_interest` months."""
    entries = [dict(y) for y in official if int(y["year"]) <= end_year]
    for entry in entries:
        extra = (online or {}).get(int(entry["year"]))
        if extra:
            entry.update(
                months=min(12, int(entry["months"]) + extra["months"]),
                credited_fen=int(entry["credited_fen"]) + extra["credited_fen"],
                provisional=True,
                online_fen=extra["credited_fen"],
            )
    if not entries and not posted:
        return []
    last_official = max((int(y["year"]) for y in entries), default=None)
    first = last_official + 1 if last_official is not None else min(posted)
    for year in range(first, end_year + 1):
        entries.append(
            {
                "year": year,
                "provisional": True,
                "opening_fen": None,
                **posted.get(year, {"months": 0, "credited_fen": 0}),
            }
        )
    for entry in entries:
        if int(entry["year"]) == end_year:
            entry["interest_months"] = last_interest
    return compute(entries)


def _interest_months_now() -> int:
    """Months of this year that have passed (interest is accrued to the end of the last one)."""
    return clock.now_dt().month - 1


def balance_as_of(id_number: str, period: str, interest_months: int | None = None) -> dict[str, Any]:
    """The account in the month `period` (YYYYMM): the balance at the start of its year
    (`opening_fen`), the credits posted that year through that month (`credited_fen`, `months`)
    and the balance with interest for `interest_months` of the year (default: through the end of
    `period`). What the estimator starts its projection from; in the retirement year and after,
    the account as at retirement."""
    months = int(period[4:]) if interest_months is None else interest_months
    rows = ledger(id_number, period, months)
    if not rows:
        return {
            "period": period,
            "year": int(period[:4]),
            "opening_fen": 0,
            "credited_fen": 0,
            "months": 0,
            "balance_fen": 0,
            "provisional": False,
            "interest_months": months,
        }
    last = rows[-1]
    return {
        "period": period,
        "year": last["year"],
        "opening_fen": last["opening_fen"],
        "credited_fen": last["credited_fen"],
        "months": last["months"],
        "balance_fen": last["closing_fen"],
        "provisional": last["provisional"],
        "interest_months": last["interest_months"],
    }


def balance_through(id_number: str, last_year: int) -> int:
    """Closing balance at the end of `last_year` (or at retirement, if earlier)."""
    rows = ledger(id_number, f"{last_year}12", 12)
    return rows[-1]["closing_fen"] if rows else 0


def _month_text(year: int, months: int) -> str:
    return f"{year}年{months}月末" if months else f"{year}年初"


def statement(current: CurrentSession) -> dict:
    """Year by year: opening, months, credited, interest, closing (newest first); the years
    after the core system's last year-end are provisional."""
    now = clock.now_dt()
    rows = ledger(current.id_number, now.strftime("%Y%m"), _interest_months_now())
    computed = [r for r in rows if not r["official"]]
    last = rows[-1] if rows else None
    return {
        "items": list(reversed(rows)),
        "balance_fen": last["closing_fen"] if last else 0,
        "last_official_year": max((r["year"] for r in rows if r["official"]), default=None),
        "provisional_from_year": computed[0]["year"] if computed else None,
        "online_years": [r["year"] for r in rows if r["online_fen"]],
        "interest_through": _month_text(last["year"], last["interest_months"]) if last else None,
        "retirement_period": retirement_period(current.id_number),
        "formula": "年末余额 = 年初余额 ×（1 + 记账利率）+ 当年记账额 ×（1 + 记账利率 × 1.083 ÷ 2）",
        "partial_formula": "未满一年（当年或退休当年）按已过月数 n 计息：年初余额 ×（1 + 记账利率 × n ÷ 12）"
        "+ 当年记账额 ×（1 + 记账利率 ×（n + 1）÷ 24）",
    }
