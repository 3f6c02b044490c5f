"""Pure calculations of the pension estimator: no database, no wording, no clock.

Every number comes from the arguments or from `chalicelib/data/policy.json`
(`pension_estimate`, `pension_benefit`, the years' wages and rates), whose entries name their
sources. `pension_estimate` reads the resident's record, calls these functions and words the answer.

Months are periods "YYYYMM"; ages are whole months (60岁3个月 = 723).

Retirement age (全国人大常委会 2024-09-13 decision, annex tables 1–3): three tracks by original
age, 60 (men), 55 and 50 (women). Born in or after the track's first reform month, the age rises
by one month per `birth_months_per_step` months of birth (the first group already +1), capped at
the target age. The retirement month is the birth month plus the age. Flexible retirement: up to
36 months earlier (never below the original age) or 36 months later.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .. import policy
from ..errors import BadInput
from ..money import apply_rate
from . import pension_account

BP = 10000
TYPE = "110"


def rules() -> dict[str, Any]:
    return policy.data()["pension_estimate"]


def half_up(numerator: int | Fraction, denominator: int = 1) -> int:
    value = Fraction(numerator) / denominator
    return (2 * value.numerator + value.denominator) // (2 * value.denominator)


# ---- months ------------------------------------------------------------------------------


def month_index(period: str) -> int:
    return int(period[:4]) * 12 + int(period[4:]) - 1


def add_months(period: str, months: int) -> str:
    index = month_index(period) + months
    return f"{index // 12}{index % 12 + 1:02d}"


def months_from(first: str, last: str) -> int:
    """How many months `last` lies after `first` (negative when before)."""
    return month_index(last) - month_index(first)


def period_range(first: str, last: str) -> list[str]:
    return [add_months(first, n) for n in range(months_from(first, last) + 1)]


# ---- retirement age ----------------------------------------------------------------------


def statutory_age_months(birth_period: str, original_age: int) -> int:
    """The statutory age in months on the track of `original_age` (60, 55 or 50)."""
    track = rules()["retirement_age"]["tracks"][str(original_age)]
    since = months_from(track["reform_born_from"], birth_period)
    if since < 0:
        return original_age * 12
    delay = since // int(track["birth_months_per_step"]) + 1
    return original_age * 12 + min(delay, (int(track["target_age"]) - original_age) * 12)


@dataclass(frozen=True)
class Window:
    """The statutory retirement and the months a resident may choose to retire in."""

    original_age: int
    age_months: int
    retire_period: str
    earliest_period: str
    latest_period: str


def retirement_window(birth_period: str, original_age: int) -> Window:
    flexible = rules()["retirement_age"]["flexible"]
    age = statutory_age_months(birth_period, original_age)
    earliest_age = max(original_age * 12, age - int(flexible["earlier_months"]))
    return Window(
        original_age,
        age,
        add_months(birth_period, age),
        add_months(birth_period, earliest_age),
        add_months(birth_period, age + int(flexible["later_months"])),
    )


def min_contribution_months(retire_year: int) -> int:
    """15 years retiring before 2030, then +6 months a year up to 20 years (from 2039)."""
    rule = rules()["min_contribution"]
    steps = max(0, retire_year - int(rule["reform_from_year"]) + 1)
    return min(int(rule["target_months"]), int(rule["months"]) + steps * int(rule["step_months_per_year"]))


def divisor(age_months: int) -> int:
    """计发月数 for an age in months: the national table at whole ages, linear between them,
    half up to a whole month (policy `divisor.between_whole_ages`)."""
    table = policy.data()["pension_benefit"]["account_divisor_by_age"]
    years, months = divmod(age_months, 12)
    low_age, high_age = min(int(a) for a in table), max(int(a) for a in table)
    if not low_age <= years <= high_age or (months and years == high_age):
        raise BadInput("该退休年龄没有对应的计发月数", code="assumption_out_of_range", field="retire_period")
    low = int(table[str(years)])
    if not months:
        return low
    rule = rules()["divisor"]["between_whole_ages"]
    if rule != "linear_half_up":
        raise ValueError(f"unknown divisor rule {rule}")
    high = int(table[str(years + 1)])
    return half_up(Fraction(low * 12 - (low - high) * months, 12))


# ---- money over time ---------------------------------------------------------------------


def today_money(nominal_fen: int, months_ahead: int, discount_bp: int) -> int:
    """`nominal_fen` paid `months_ahead` months from now in today's money: discounted per whole
    year compounded, the months left over simple; half up to the fen."""
    if months_ahead <= 0:
        return nominal_fen
    years, months = divmod(months_ahead, 12)
    factor = Fraction(BP + discount_bp, BP) ** years * Fraction(BP * 12 + discount_bp * months, BP * 12)
    return half_up(nominal_fen / factor)


class Wages:
    """Average monthly wage per year: the policy data, then grown by `growth_bp` a year
    (rounded half up to the fen each year)."""

    def __init__(self, growth_bp: int):
        self.growth_bp = growth_bp
        self.last = policy.years()[-1]
        self.first = policy.years()[0]
        self._cache: dict[int, int] = {}

    def projected(self, year: int) -> bool:
        return year > self.last

    def __call__(self, year: int) -> int:
        if year < self.first:
            raise BadInput(
                f"缺少{year}年的社会平均工资数据，无法测算，请联系社保经办机构", code="missing_policy_year"
            )
        if year <= self.last:
            return int(policy.year(year)["avg_wage_fen"])
        if year not in self._cache:
            self._cache[year] = half_up(self(year - 1) * (BP + self.growth_bp), BP)
        return self._cache[year]


def account_rate_bp(year: int) -> int:
    return int(policy.employee_rates(min(year, policy.years()[-1]), TYPE)["account"])


def part_year_end(opening_fen: int, credited_fen: int, rate_bp: int, months: int) -> int:
    """Closing balance after `months` (1–11) of a year: the opening earns months/12 of the rate,
    the year's (even, monthly) credits on average (months + 1)/24; half up to the fen once."""
    interest = Fraction(opening_fen * rate_bp * 2 * months + credited_fen * rate_bp * (months + 1), BP * 24)
    return opening_fen + credited_fen + half_up(interest)


def project_account(
    opening_fen: int,
    recorded_fen: int,
    this_year: int,
    future: list[str],
    until: str,
    wages: Wages,
    index_bp: int,
    interest_bp: int,
) -> int:
    """The account at the end of the retirement month: this year's opening balance and recorded
    credits, then a credit of wage × index × account rate for every future month, with the
    assumed interest year by year (the retirement year only for its months)."""
    months_by_year = Counter(int(p[:4]) for p in future)
    balance = opening_fen
    retire_year, retire_month = int(until[:4]), int(until[4:])
    for year in range(this_year, retire_year + 1):
        monthly = apply_rate(apply_rate(wages(year), index_bp), account_rate_bp(year))
        credited = (recorded_fen if year == this_year else 0) + months_by_year[year] * monthly
        if year == retire_year and retire_month < 12:
            balance = part_year_end(balance, credited, interest_bp, retire_month)
        else:
            balance = pension_account.year_end(balance, credited, interest_bp)
    return balance


# ---- the pension -------------------------------------------------------------------------


def basic_pension(wage_fen: int, avg_index_bp: int, months: int) -> int:
    """基础养老金 = W × (1 + I) ÷ 2 × N × 1% (N = months ÷ 12)."""
    per_year = int(rules()["basic_pension_bp_per_year"])
    return half_up(wage_fen * (BP + avg_index_bp) * months * per_year, 2 * BP * 12 * BP)


def transitional_pension(wage_fen: int, avg_index_bp: int, pre1996_months: int) -> int:
    """过渡性养老金 (simplified) = W × I × N1996 × 1.2%."""
    per_year = int(policy.data()["pension_benefit"]["transitional_bp_per_year"])
    return half_up(wage_fen * avg_index_bp * pre1996_months * per_year, BP * 12 * BP)


def average_index(
    past_index_sum: Fraction, past_months: int, future_index_bp: int, future_months: int
) -> int:
    total = past_months + future_months
    return half_up((past_index_sum * BP + future_index_bp * future_months) / total) if total else 0
