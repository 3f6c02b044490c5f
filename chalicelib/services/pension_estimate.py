"""Pension estimator (养老金测算) for the signed-in resident's employee pension (type 110).

Formula (国发〔2005〕38号, employees; simplified and labelled as an estimate):

    基础养老金     = W × (1 + I) ÷ 2 × N × 1%
    个人账户养老金 = B ÷ D
    过渡性养老金   = W × I × N1996 × 1.2%   (only when the record has months before 1996-01;
                                            simplified: recorded months, no deemed years)

- W: average monthly wage of the year before retirement (上年度社平工资): policy `avg_wage_fen`,
  years past the policy data grown by the assumed wage growth g, year by year.
- I: average contribution index over all months (past: that month's base ÷ that year's average
  wage; future: the assumed base index), N: contribution years (months ÷ 12).
- B: the personal account projected to the retirement month, D: the months divisor for the
  retirement age (policy `pension_benefit.account_divisor_by_age`).

Projection: contributions continue every month from this month (or the month after the last paid
one) through the month the resident reaches the chosen age; the pension starts the next month.
Future base = W(y) × base index; credited = base × that year's account rate (policy). The account
starts from the balance at the start of this year (`pension_account.balance_as_of`: the core
system's year-ends, then the posted contributions), adds this year's posted credits (so a payment
counts at once), then earns the assumed interest with the annual
method (`pension_account.year_end`); in the retirement year, when it ends before December,
the opening balance earns m/12 of a year and that year's credits (m+1)/24.

Rounding (integer fen): each year's projected wage, each monthly base and credit, each year's
closing balance half up to the fen; the average index half up to 0.0001 (1 bp); each pension
part half up to the fen once; the total is the sum of the parts.

DynamoDB requests of one estimate (besides the session): 1 GetItem (the 110 summary item), 1 Query
of the resident's 110 contributions projected to period/base/status (bounded by the resident's
own history: ≤ 12 items a year, a 45-year history ≈ 540 small items, one page), 1 Query of the
pension-account years (≤ one item a year), and those of `pension_account.balance_as_of` (the 110
summary item and the contributions after the last official year-end). Never a Scan.
"""
from __future__ import annotations

from collections import Counter
from fractions import Fraction
from typing import Any

from .. import clock, id_number as ids, policy
from ..errors import BadInput
from ..models.contribution_summaries import ContributionSummary
from ..models.contributions import Contribution
from ..money import apply_rate, yuan
from . import pension_account, records
from .sessions import CurrentSession

TYPE = "110"
PAYMENTS_PAGE = "/records/pension-payments.html"
BP = 10000


def rules() -> dict[str, Any]:
    return policy.data()["pension_estimate"]


def _half_up(numerator: int | Fraction, denominator: int = 1) -> int:
    value = Fraction(numerator) / denominator
    return (2 * value.numerator + value.denominator) // (2 * value.denominator)


# ---- inputs ------------------------------------------------------------------------------

def _int(value: Any, field: str, message: str) -> int | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if not text.isdigit() or len(text) > 6:
        raise BadInput(message, code="invalid_assumption", field=field)
    return int(text)


def _pct(bp: int) -> str:
    return f"{bp / 100:.2f}%"


def _in_range(value: int | None, name: str, field: str, default: int, message: str) -> int:
    limits = rules()[name]
    if value is None:
        return default
    if not limits["min"] <= value <= limits["max"]:
        raise BadInput(message, code="assumption_out_of_range", field=field)
    return value


# ---- retirement age ----------------------------------------------------------------------

def _sex(id_number: str) -> str:
    return "male" if ids.gender(id_number) == "男" else "female"


def statutory_age_months(id_number: str) -> int:
    """The statutory retirement age in months, with the gradual reform from 2025."""
    rule = rules()["retirement_age"][_sex(id_number)]
    born = ids.birth_date(id_number)
    start = rule["reform_born_from"]
    since = (born.year * 12 + born.month) - (int(start[:4]) * 12 + int(start[4:]))
    delay = 0
    if since >= 0:
        delay = min(since // int(rule["birth_months_per_step"]) + 1,
                    (int(rule["target_age"]) - int(rule["original_age"])) * 12)
    return int(rule["original_age"]) * 12 + delay


def age_text(months: int) -> str:
    years, rest = divmod(months, 12)
    return f"{years}周岁" + (f"{rest}个月" if rest else "")


def _add_months(period: str, months: int) -> str:
    index = int(period[:4]) * 12 + int(period[4:]) - 1 + months
    return f"{index // 12}{index % 12 + 1:02d}"


def retire_period(id_number: str, age: int) -> str:
    """The month the resident reaches `age` (contributions through it; pension from the next)."""
    born = ids.birth_date(id_number)
    return f"{born.year + age}{born.month:02d}"


def _age_choices(id_number: str) -> list[int]:
    """The ages of the data's choice list still ahead (their retirement month not yet past)."""
    now = records.current_period()
    return [int(a) for a in rules()["retirement_age"][_sex(id_number)]["choices"]
            if retire_period(id_number, int(a)) >= now]


def default_age(id_number: str, choices: list[int]) -> int | None:
    statutory = statutory_age_months(id_number)
    later = [a for a in choices if a * 12 >= statutory]
    return later[0] if later else (choices[-1] if choices else None)


def min_contribution_months(retire_year: int) -> int:
    rule = rules()["min_contribution"]
    steps = max(0, retire_year - int(rule["reform_from_year"]) + 1)
    return min(int(rule["target_months"]), int(rule["months"]) + steps * int(rule["step_months_per_year"]))


# ---- wages, rates ------------------------------------------------------------------------

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
            raise BadInput(f"缺少{year}年的社会平均工资数据，无法测算，请联系社保经办机构",
                           code="missing_policy_year")
        if year <= self.last:
            return int(policy.year(year)["avg_wage_fen"])
        if year not in self._cache:
            self._cache[year] = _half_up(self(year - 1) * (BP + self.growth_bp), BP)
        return self._cache[year]


def _account_rate_bp(year: int) -> int:
    return int(policy.employee_rates(min(year, policy.years()[-1]), TYPE)["account"])


def part_year_end(opening_fen: int, credited_fen: int, rate_bp: int, months: int) -> int:
    """Closing balance after `months` (1–11) of a year: the opening earns months/12 of the rate,
    the year's (even, monthly) credits on average (months + 1)/24; half up to the fen once."""
    interest = Fraction(opening_fen * rate_bp * 2 * months + credited_fen * rate_bp * (months + 1), BP * 24)
    return opening_fen + credited_fen + _half_up(interest)


# ---- the record --------------------------------------------------------------------------

def _paid_rows(id_number: str) -> list[tuple[str, int]]:
    """(period, base_fen) of every paid 110 month: one Query, projected."""
    rows = Contribution.query(f"{id_number}#{TYPE}", attributes_to_get=["period", "base_fen", "status"])
    return [(r.period, int(r.base_fen)) for r in rows if r.status in records.PAID_STATUSES]


def _months_text(months: int) -> str:
    years, rest = divmod(months, 12)
    return (f"{years}年" if years else "") + (f"{rest}个月" if rest or not years else "")


def _index_text(bp: int) -> str:
    return f"{bp / BP:.4f}"


def _messages(status: str) -> dict[str, Any]:
    if status == "retired":
        return {"status": "retired",
                "message": "您已办理退休，正在按月领取基本养老金，无需再测算。每月发放金额及明细请查看养老待遇发放记录。",
                "link": {"href": PAYMENTS_PAGE, "text": "查看养老待遇发放记录"}}
    return {"status": "no_employee_pension",
            "message": "养老金测算适用于参加职工基本养老保险（险种110）的人员。您的记录中没有职工基本养老保险缴费，"
                       "无法测算；城乡居民基本养老保险待遇请咨询社保经办机构。"}


# ---- the estimate ------------------------------------------------------------------------

def estimate(current: CurrentSession, retire_age: Any = None, base_index_bp: Any = None,
             wage_growth_bp: Any = None, interest_bp: Any = None) -> dict:
    """The resident's estimated monthly pension at the chosen retirement age, with its parts."""
    limits = rules()
    age_in = _int(retire_age, "retire_age", "请选择退休年龄（整数周岁）")
    index_in = _int(base_index_bp, "base_index_bp", "今后缴费指数应为0.60至3.00之间的数")
    growth_in = _int(wage_growth_bp, "wage_growth_bp", "社平工资年增长率应为0.00%至8.00%之间的数")
    interest_in = _int(interest_bp, "interest_bp", "记账利率应为0.00%至8.00%之间的数")
    index_range = f"{limits['base_index_bp']['min'] / BP:.2f}至{limits['base_index_bp']['max'] / BP:.2f}"
    if index_in is not None:
        _in_range(index_in, "base_index_bp", "base_index_bp", 0, f"今后缴费指数应在{index_range}之间")
    growth = _in_range(growth_in, "wage_growth_bp", "wage_growth_bp", limits["wage_growth_bp"]["default"],
                       f"社平工资年增长率应在{_pct(limits['wage_growth_bp']['min'])}至"
                       f"{_pct(limits['wage_growth_bp']['max'])}之间")
    interest = _in_range(interest_in, "interest_bp", "interest_bp", limits["interest_bp"]["default"],
                         f"记账利率应在{_pct(limits['interest_bp']['min'])}至{_pct(limits['interest_bp']['max'])}之间")

    id_number = current.id_number
    try:
        summary = ContributionSummary.get(id_number, TYPE)
    except ContributionSummary.DoesNotExist:
        summary = None
    if summary is None or not (summary.paid or summary.owed):
        return _messages("no_employee_pension")
    if summary.state == "RETIRED":
        return _messages("retired")

    choices = _age_choices(id_number)
    statutory = statutory_age_months(id_number)
    if not choices:
        return {"status": "past_retirement_age",
                "message": "您已超过可选择的退休年龄，请向社保经办机构咨询办理退休和领取养老金。"}
    age = default_age(id_number, choices) if age_in is None else age_in
    if age not in choices:
        raise BadInput(f"退休年龄可选{choices[0]}至{choices[-1]}周岁", code="assumption_out_of_range",
                       field="retire_age")

    wages = Wages(growth)
    paid = _paid_rows(id_number)
    owed_months = len(summary.owed or ())
    last_paid = paid[-1][0] if paid else None
    latest_index = _half_up(Fraction(paid[-1][1], wages(int(last_paid[:4]))) * BP, 100) * 100 if paid else BP
    latest_index = max(limits["base_index_bp"]["min"], min(limits["base_index_bp"]["max"], latest_index))
    index = latest_index if index_in is None else index_in

    past_index_sum = sum((Fraction(base, wages(int(period[:4]))) for period, base in paid), Fraction(0))
    past_months = len(paid)
    pre1996 = sum(1 for period, _ in paid if period < "199601")

    now_period = records.current_period()
    until = retire_period(id_number, age)
    first_future = max(records.next_period(last_paid), now_period) if last_paid else now_period
    future = records.months_between(first_future, until) if first_future <= until else []
    total_months = past_months + len(future)
    avg_index = _half_up((past_index_sum * BP + index * len(future)) / total_months) if total_months else 0
    past_avg_index = _half_up(past_index_sum * BP / past_months) if past_months else None

    account = _project_account(id_number, future, until, wages, index, interest)
    retire_year = int(until[:4])
    wage = wages(retire_year - 1)
    divisor = int(policy.data()["pension_benefit"]["account_divisor_by_age"][str(age)])
    bp_per_year = int(limits["basic_pension_bp_per_year"])

    basic = _half_up(wage * (BP + avg_index) * total_months * bp_per_year, 2 * BP * 12 * BP)
    personal = _half_up(account["at_retirement_fen"], divisor)
    years_text = _months_text(total_months)
    parts = [
        {"key": "basic", "name": "基础养老金", "amount_fen": basic,
         "formula": "退休时上年度社平工资 ×（1 + 平均缴费指数）÷ 2 × 缴费年限 × 1%",
         "work": f"{yuan(wage)} ×（1 + {_index_text(avg_index)}）÷ 2 × {years_text}（{total_months}个月 ÷ 12）"
                 f" × {_pct(bp_per_year)} = {yuan(basic)}"},
        {"key": "account", "name": "个人账户养老金", "amount_fen": personal,
         "formula": "退休时个人账户储存额 ÷ 计发月数",
         "work": f"{yuan(account['at_retirement_fen'])} ÷ {divisor}（{age}周岁退休的计发月数）= {yuan(personal)}"},
    ]
    if pre1996:
        transitional_bp = int(policy.data()["pension_benefit"]["transitional_bp_per_year"])
        transitional = _half_up(wage * avg_index * pre1996 * transitional_bp, BP * 12 * BP)
        parts.append({
            "key": "transitional", "name": "过渡性养老金（简化估算）", "amount_fen": transitional,
            "formula": "退休时上年度社平工资 × 平均缴费指数 × 1996年前缴费年限 × 1.2%（简化：只计记录中1996年前的缴费月数，"
                       "不含视同缴费年限，实际以经办机构核定为准）",
            "work": f"{yuan(wage)} × {_index_text(avg_index)} × {_months_text(pre1996)}（{pre1996}个月 ÷ 12）"
                    f" × {_pct(transitional_bp)} = {yuan(transitional)}"})
    total = sum(p["amount_fen"] for p in parts)

    minimum = min_contribution_months(retire_year)
    notes = ["本测算根据您的缴费记录和所选假设估算，仅供参考，不作为待遇核定依据；实际养老金以退休时社保经办机构核定为准。",
             "计算按整数分进行：每年社平工资、每月缴费基数和记账额、每年末账户余额均四舍五入到分；"
             "平均缴费指数四舍五入到小数点后4位；各项养老金四舍五入到分，合计为各项之和。",
             (f"假设从{first_future[:4]}年{int(first_future[4:])}月起按月连续缴费至达到退休年龄的当月"
              f"（{until[:4]}年{int(until[4:])}月），共{len(future)}个月，次月起领取养老金。" if future else
              f"按已缴费月数计算，达到退休年龄的当月为{until[:4]}年{int(until[4:])}月，次月起领取养老金。")]
    if owed_months:
        notes.append(f"您有{owed_months}个月欠缴，未计入缴费年限；补缴后将计入。")
    if not pre1996:
        notes.append("您的记录中没有1996年以前的缴费，不计过渡性养老金。")
    if total_months < minimum:
        notes.append(f"按所选退休年龄，累计缴费{_months_text(total_months)}，不足按月领取基本养老金的最低缴费年限"
                     f"{_months_text(minimum)}；届时可延长缴费至满足年限，请咨询社保经办机构。")
    if wages.projected(retire_year - 1):
        notes.append(f"{policy.years()[-1]}年以后的社平工资按每年增长{_pct(growth)}推算。")

    born = ids.birth_date(id_number)
    return {
        "status": "ok",
        "facts": {
            "gender": ids.gender(id_number), "birth_period": f"{born.year}{born.month:02d}",
            "statutory_age_months": statutory, "statutory_age_text": age_text(statutory),
            "first_period": min((summary.paid or set()) | (summary.owed or set())),
            "last_paid_period": last_paid, "months_paid": past_months, "owed_months": owed_months,
            "pre1996_months": pre1996, "avg_index_bp": past_avg_index, "latest_index_bp": latest_index,
            "account_balance_fen": account["balance_fen"], "account_balance_year": account["balance_year"],
            "account_opening_fen": account["opening_fen"], "account_credited_this_year_fen": account["recorded_fen"],
        },
        "assumptions": {
            "retire_age": {"value": age, "default": default_age(id_number, choices), "choices": choices},
            "base_index_bp": {"value": index, "default": latest_index, "min": limits["base_index_bp"]["min"],
                              "max": limits["base_index_bp"]["max"]},
            "wage_growth_bp": {"value": growth, "default": limits["wage_growth_bp"]["default"],
                               "min": limits["wage_growth_bp"]["min"], "max": limits["wage_growth_bp"]["max"]},
            "interest_bp": {"value": interest, "default": limits["interest_bp"]["default"],
                            "min": limits["interest_bp"]["min"], "max": limits["interest_bp"]["max"]},
        },
        "result": {
            "retire_age": age, "retire_period": until, "pension_from": records.next_period(until),
            "future_months": len(future), "total_months": total_months, "contribution_years_text": years_text,
            "avg_index_bp": avg_index, "avg_wage_year": retire_year - 1, "avg_wage_fen": wage,
            "avg_wage_projected": wages.projected(retire_year - 1),
            "account_at_retirement_fen": account["at_retirement_fen"], "divisor": divisor,
            "parts": parts, "total_fen": total, "replacement_bp": _half_up(total * BP, wage),
            "min_contribution_months": minimum, "meets_min_contribution": total_months >= minimum,
        },
        "notes": notes,
    }


def _project_account(id_number: str, future: list[str], until: str, wages: Wages, index_bp: int,
                     interest_bp: int) -> dict[str, int]:
    """The account now (`pension_account.balance_as_of`: official years, then the posted
    contributions, interest to the months passed), then this year's projected credits and the
    assumed interest year by year to the retirement month."""
    now = clock.now_dt()
    this_year = now.year
    position = pension_account.balance_as_of(id_number, now.strftime("%Y%m"), interest_months=now.month - 1)
    balance_fen, balance_year = position["balance_fen"], position["year"]
    opening, recorded = position["opening_fen"], position["credited_fen"]
    months_by_year = Counter(int(p[:4]) for p in future)
    balance = opening
    retire_year, retire_month = int(until[:4]), int(until[4:])
    for year in range(this_year, retire_year + 1):
        monthly = apply_rate(apply_rate(wages(year), index_bp), _account_rate_bp(year))
        credited = (recorded if year == this_year else 0) + months_by_year[year] * monthly
        if year == retire_year and retire_month < 12:
            balance = part_year_end(balance, credited, interest_bp, retire_month)
        else:
            balance = pension_account.year_end(balance, credited, interest_bp)
    return {"balance_fen": balance_fen, "balance_year": balance_year, "opening_fen": opening,
            "recorded_fen": recorded, "at_retirement_fen": balance}
