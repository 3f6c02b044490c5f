"""Pension estimator (养老金测算) for the signed-in resident's employee pension (type 110):
reads the record, calls the pure rules of `pension_calc`, and words the answer.

Formula (国发〔2005〕38号, employees; simplified and labelled as an estimate):

    基础养老金     = W × (1 + I) ÷ 2 × N × 1%
    个人账户养老金 = B ÷ D
    过渡性养老金   = W × I × N1996 × 1.2%   (only when the record has months before 1996-01;
                                            simplified: recorded months, no deemed years)

- W: average monthly wage of the year before retirement (上年度社平工资): policy `avg_wage_fen`,
  years past the policy data grown by the assumed wage growth g, year by year.
- I: average contribution index over all months (past: that month's base ÷ that year's average
  wage; future: the assumed base index), N: contribution years (months ÷ 12).
- B: the personal account projected to the retirement month, D: 计发月数 for the age at
  retirement in months (`pension_calc.divisor`).

Retirement: the track of the person's original age (60 men; women 55 or 50 from the persons
import `original_retirement_age`, 55 assumed when unknown), the statutory age and month, and a
chosen retirement month (`retire_period`) between 36 months earlier (never below the original
age, never in the past) and 36 months later. Contributions continue every month from this month
(or the month after the last paid one) through the retirement month; the pension starts the
next month. Figures are nominal (at the time they are paid) and in today's money.

Rounding (integer fen): each year's projected wage, each monthly base and credit, each year's
closing balance half up to the fen; the average index half up to 0.0001 (1 bp); each pension
part half up to the fen once; the total is the sum of the parts; today's money half up per part.

DynamoDB requests of one estimate (besides the session): 2 GetItem (the account item for the
original age, the 110 summary item), 1 Query of the resident's 110 contributions projected to
period/base/status (bounded by the resident's own history), and those of
`pension_account.balance_as_of` (the pension-account years, the 110 summary item and the
contributions after the last official year-end). Never a Scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .. import clock, policy
from .. import id_number as ids
from ..errors import BadInput
from ..models.accounts import Account
from ..models.contribution_summaries import ContributionSummary
from ..models.contributions import Contribution
from ..money import yuan
from . import pension_account, records
from . import pension_calc as calc
from .sessions import CurrentSession

TYPE = calc.TYPE
PAYMENTS_PAGE = "/records/pension-payments.html"
BP = calc.BP


def rules() -> dict[str, Any]:
    return calc.rules()


# ---- wording helpers ---------------------------------------------------------------------


def _pct(bp: int) -> str:
    return f"{bp / 100:.2f}%"


def age_text(months: int) -> str:
    years, rest = divmod(months, 12)
    return f"{years}周岁" + (f"{rest}个月" if rest else "")


def _months_text(months: int) -> str:
    years, rest = divmod(months, 12)
    return (f"{years}年" if years else "") + (f"{rest}个月" if rest or not years else "")


def _month_text(period: str) -> str:
    return f"{period[:4]}年{int(period[4:])}月"


def _index_text(bp: int) -> str:
    return f"{bp / BP:.4f}"


# ---- inputs ------------------------------------------------------------------------------


def _int(value: Any, field: str, message: str) -> int | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if not text.isdigit() or len(text) > 6:
        raise BadInput(message, code="invalid_assumption", field=field)
    return int(text)


def _in_range(value: int | None, name: str, field: str, default: int, message: str) -> int:
    limits = rules()[name]
    if value is None:
        return default
    if not limits["min"] <= value <= limits["max"]:
        raise BadInput(message, code="assumption_out_of_range", field=field)
    return value


@dataclass(frozen=True)
class Assumptions:
    retire_period: str | None
    base_index_bp: int | None
    wage_growth_bp: int
    interest_bp: int


def _assumptions(
    retire_period: Any, base_index_bp: Any, wage_growth_bp: Any, interest_bp: Any
) -> Assumptions:
    limits = rules()
    period = None
    if retire_period not in (None, ""):
        period = str(retire_period).strip()
        if len(period) != 6 or not period.isdigit() or not 1 <= int(period[4:]) <= 12:
            raise BadInput("请选择退休年月", code="invalid_assumption", field="retire_period")
    index_in = _int(base_index_bp, "base_index_bp", "今后缴费指数应为0.60至3.00之间的数")
    growth_in = _int(wage_growth_bp, "wage_growth_bp", "社平工资年增长率应为0.00%至8.00%之间的数")
    interest_in = _int(interest_bp, "interest_bp", "记账利率应为0.00%至8.00%之间的数")
    index_range = f"{limits['base_index_bp']['min'] / BP:.2f}至{limits['base_index_bp']['max'] / BP:.2f}"
    if index_in is not None:
        _in_range(index_in, "base_index_bp", "base_index_bp", 0, f"今后缴费指数应在{index_range}之间")
    growth = _in_range(
        growth_in,
        "wage_growth_bp",
        "wage_growth_bp",
        limits["wage_growth_bp"]["default"],
        f"社平工资年增长率应在{_pct(limits['wage_growth_bp']['min'])}至"
        f"{_pct(limits['wage_growth_bp']['max'])}之间",
    )
    interest = _in_range(
        interest_in,
        "interest_bp",
        "interest_bp",
        limits["interest_bp"]["default"],
        f"记账利率应在{_pct(limits['interest_bp']['min'])}至{_pct(limits['interest_bp']['max'])}之间",
    )
    return Assumptions(period, index_in, growth, interest)


# ---- the person and the record -----------------------------------------------------------


def original_age(id_number: str, recorded: Any) -> tuple[int, bool]:
    """(original retirement age, assumed?): 60 for men; a woman's 50 or 55 from her record,
    else the data's default (55), which the estimate then says it assumed."""
    sex = ids.gender(id_number)
    default = int(rules()["retirement_age"]["default_original_age"][sex])
    tracks = rules()["retirement_age"]["tracks"]
    try:
        age = int(recorded)
    except (TypeError, ValueError):
        return default, sex == "女"
    if str(age) in tracks and tracks[str(age)]["sex"] == sex:
        return age, False
    return default, sex == "女"


def _recorded_original_age(id_number: str) -> Any:
    try:
        account = Account.get(id_number, attributes_to_get=["profile"])
    except Account.DoesNotExist:
        return None
    return (account.profile or {}).get("original_retirement_age")


def _paid_rows(id_number: str) -> list[tuple[str, int]]:
    """(period, base_fen) of every paid 110 month: one Query, projected."""
    rows = Contribution.query(f"{id_number}#{TYPE}", attributes_to_get=["period", "base_fen", "status"])
    return [(r.period, int(r.base_fen)) for r in rows if r.status in records.PAID_STATUSES]


@dataclass(frozen=True)
class AccountNow:
    """The personal account as the estimate starts from it: the latest statement balance, this
    year's opening balance and the credits already recorded this year."""

    balance_fen: int
    balance_year: int | None
    opening_fen: int
    recorded_fen: int


def account_now(id_number: str) -> AccountNow:
    """The one call to the pension-account service (`balance_as_of`: the core system's year-ends,
    then the posted contributions, interest for the months of this year already passed)."""
    now = clock.now_dt()
    position = pension_account.balance_as_of(id_number, now.strftime("%Y%m"), interest_months=now.month - 1)
    return AccountNow(
        position["balance_fen"], position["year"], position["opening_fen"], position["credited_fen"]
    )


def _messages(status: str) -> dict[str, Any]:
    if status == "retired":
        return {
            "status": "retired",
            "message": "您已办理退休，正在按月领取基本养老金，无需再测算。每月发放金额及明细请查看养老待遇发放记录。",
            "link": {"href": PAYMENTS_PAGE, "text": "查看养老待遇发放记录"},
        }
    return {
        "status": "no_employee_pension",
        "message": "养老金测算适用于参加职工基本养老保险的人员。您的记录中没有职工基本养老保险缴费，"
        "无法测算；城乡居民基本养老保险待遇请咨询社保经办机构。",
    }


# ---- the estimate ------------------------------------------------------------------------


def estimate(
    current: CurrentSession,
    retire_period: Any = None,
    base_index_bp: Any = None,
    wage_growth_bp: Any = None,
    interest_bp: Any = None,
) -> dict:
    """The resident's estimated monthly pension for the chosen retirement month, with its parts."""
    chosen = _assumptions(retire_period, base_index_bp, wage_growth_bp, interest_bp)
    id_number = current.id_number
    try:
        summary = ContributionSummary.get(id_number, TYPE)
    except ContributionSummary.DoesNotExist:
        summary = None
    if summary is None or not (summary.paid or summary.owed):
        return _messages("no_employee_pension")
    if summary.state == "RETIRED":
        return _messages("retired")

    born = ids.birth_date(id_number)
    birth_period = f"{born.year}{born.month:02d}"
    original, assumed = original_age(id_number, _recorded_original_age(id_number))
    window = calc.retirement_window(birth_period, original)
    now_period = records.current_period()
    earliest = max(window.earliest_period, now_period)
    if window.latest_period < now_period:
        return {
            "status": "past_retirement_age",
            "message": "您已超过可以选择的最晚退休年月，请向社保经办机构咨询办理退休和领取养老金。",
        }
    default_period = max(window.retire_period, earliest)
    until = chosen.retire_period or default_period
    if not earliest <= until <= window.latest_period:
        raise BadInput(
            f"退休年月可选{_month_text(earliest)}至{_month_text(window.latest_period)}",
            code="assumption_out_of_range",
            field="retire_period",
        )

    figures = _figures(id_number, summary, chosen, birth_period, until, now_period)
    minimum = calc.min_contribution_months(int(until[:4]))
    missing = max(0, minimum - figures["total_months"])
    statutory_minimum = calc.min_contribution_months(int(window.retire_period[:4]))
    return {
        "status": "ok",
        "statutory": {
            "original_age": original,
            "original_age_assumed": assumed,
            "age_months": window.age_months,
            "age_text": age_text(window.age_months),
            "retire_period": window.retire_period,
            "min_contribution_months": statutory_minimum,
        },
        "earliest_period": earliest,
        "latest_period": window.latest_period,
        "facts": figures["facts"],
        "assumptions": {
            "retire_period": {
                "value": until,
                "default": default_period,
                "min": earliest,
                "max": window.latest_period,
            },
            "base_index_bp": {
                "value": figures["index_bp"],
                "default": figures["facts"]["latest_index_bp"],
                "min": rules()["base_index_bp"]["min"],
                "max": rules()["base_index_bp"]["max"],
            },
            **{
                name: {
                    "value": getattr(chosen, name),
                    **{k: rules()[name][k] for k in ("default", "min", "max")},
                }
                for name in ("wage_growth_bp", "interest_bp")
            },
        },
        "result": {
            **figures["result"],
            "min_contribution_months": minimum,
            "missing_months": missing,
            "meets_min_contribution": missing == 0,
            "early": until < window.retire_period,
            "later": until > window.retire_period,
        },
        "notes": _notes(window, original, assumed, until, figures, minimum, missing, chosen.wage_growth_bp),
    }


def _figures(
    id_number: str,
    summary: ContributionSummary,
    chosen: Assumptions,
    birth_period: str,
    until: str,
    now_period: str,
) -> dict[str, Any]:
    """Every figure of the estimate (record, projection, parts nominal and in today's money)."""
    limits = rules()
    wages = calc.Wages(chosen.wage_growth_bp)
    paid = _paid_rows(id_number)
    last_paid = paid[-1][0] if paid else None
    latest_period, latest_base = paid[-1] if paid else ("", 0)
    latest_index = (
        calc.half_up(Fraction(latest_base, wages(int(latest_period[:4]))) * BP, 100) * 100 if paid else BP
    )
    latest_index = max(limits["base_index_bp"]["min"], min(limits["base_index_bp"]["max"], latest_index))
    index = latest_index if chosen.base_index_bp is None else chosen.base_index_bp

    past_index_sum = sum((Fraction(base, wages(int(period[:4]))) for period, base in paid), Fraction(0))
    past_months = len(paid)
    pre1996 = sum(1 for period, _ in paid if period < "199601")
    first_future = max(records.next_period(last_paid), now_period) if last_paid else now_period
    future = calc.period_range(first_future, until) if first_future <= until else []
    total_months = past_months + len(future)
    avg_index = calc.average_index(past_index_sum, past_months, index, len(future))

    this_year = clock.now_dt().year
    account = account_now(id_number)
    at_retirement = calc.project_account(
        account.opening_fen, account.recorded_fen, this_year, future, until, wages, index, chosen.interest_bp
    )
    age = calc.months_from(birth_period, until)
    divisor = calc.divisor(age)
    retire_year = int(until[:4])
    wage = wages(retire_year - 1)
    pension_from = records.next_period(until)
    months_ahead = calc.months_from(now_period, pension_from)
    discount = int(limits["today_money"]["discount_bp"])

    basic = calc.basic_pension(wage, avg_index, total_months)
    personal = calc.half_up(at_retirement, divisor)
    years_text = _months_text(total_months)
    parts: list[dict[str, Any]] = [
        {
            "key": "basic",
            "name": "基础养老金",
            "amount_fen": basic,
            "formula": "退休时上年度社平工资 ×（1 + 平均缴费指数）÷ 2 × 缴费年限 × 1%",
            "work": f"{yuan(wage)} ×（1 + {_index_text(avg_index)}）÷ 2 × {years_text}（{total_months}个月 ÷ 12）"
            f" × {_pct(limits['basic_pension_bp_per_year'])} = {yuan(basic)}",
        },
        {
            "key": "account",
            "name": "个人账户养老金",
            "amount_fen": personal,
            "formula": "退休时个人账户储存额 ÷ 计发月数",
            "work": f"{yuan(at_retirement)} ÷ {divisor}（{age_text(age)}退休的计发月数）= {yuan(personal)}",
        },
    ]
    if pre1996:
        transitional = calc.transitional_pension(wage, avg_index, pre1996)
        per_year = int(policy.data()["pension_benefit"]["transitional_bp_per_year"])
        parts.append(
            {
                "key": "transitional",
                "name": "过渡性养老金（简化估算）",
                "amount_fen": transitional,
                "formula": "退休时上年度社平工资 × 平均缴费指数 × 1996年前缴费年限 × 1.2%（简化：只计记录中1996年前的缴费月数，"
                "不含视同缴费年限，实际以经办机构核定为准）",
                "work": f"{yuan(wage)} × {_index_text(avg_index)} × {_months_text(pre1996)}（{pre1996}个月 ÷ 12）"
                f" × {_pct(per_year)} = {yuan(transitional)}",
            }
        )
    for part in parts:
        part["today_fen"] = calc.today_money(part["amount_fen"], months_ahead, discount)
    total = sum(p["amount_fen"] for p in parts)
    total_today = sum(p["today_fen"] for p in parts)
    first = min((summary.paid or set()) | (summary.owed or set()))
    return {
        "index_bp": index,
        "future": future,
        "first_future": first_future,
        "pre1996": pre1996,
        "owed_months": len(summary.owed or ()),
        "total_months": total_months,
        "wage_projected": wages.projected(retire_year - 1),
        "facts": {
            "gender": ids.gender(id_number),
            "birth_period": birth_period,
            "first_period": first,
            "last_paid_period": last_paid,
            "months_paid": past_months,
            "owed_months": len(summary.owed or ()),
            "pre1996_months": pre1996,
            "avg_index_bp": calc.half_up(past_index_sum * BP / past_months) if past_months else None,
            "latest_index_bp": latest_index,
            "account_balance_fen": account.balance_fen,
            "account_balance_year": account.balance_year,
            "account_opening_fen": account.opening_fen,
            "account_credited_this_year_fen": account.recorded_fen,
        },
        "result": {
            "retire_period": until,
            "retire_age_months": age,
            "retire_age_text": age_text(age),
            "pension_from": pension_from,
            "future_months": len(future),
            "total_months": total_months,
            "contribution_years_text": years_text,
            "avg_index_bp": avg_index,
            "avg_wage_year": retire_year - 1,
            "avg_wage_fen": wage,
            "avg_wage_projected": wages.projected(retire_year - 1),
            "account_at_retirement_fen": at_retirement,
            "divisor": divisor,
            "parts": parts,
            "total_fen": total,
            "total_today_fen": total_today,
            "discount_bp": discount,
            "months_ahead": months_ahead,
            "replacement_bp": calc.half_up(total * BP, wage),
        },
    }


def _notes(
    window: calc.Window,
    original: int,
    assumed: bool,
    until: str,
    figures: dict[str, Any],
    minimum: int,
    missing: int,
    growth_bp: int,
) -> list[str]:
    future, first_future = figures["future"], figures["first_future"]
    age = figures["result"]["retire_age_months"]
    notes = [
        "本测算根据您的缴费记录和所选假设估算，仅供参考，不作为待遇核定依据；实际养老金以退休时社保经办机构核定为准。"
    ]
    if assumed:
        notes.append(
            "您的记录中没有原法定退休年龄，按女职工（干部）原法定退休年龄55周岁测算；"
            "如您原法定退休年龄为50周岁，请咨询社保经办机构。"
        )
    notes.append(
        f"按渐进式延迟法定退休年龄的规定，您的原法定退休年龄为{original}周岁，法定退休年龄为"
        f"{age_text(window.age_months)}，法定退休时间为{_month_text(window.retire_period)}。"
        f"可以在{_month_text(window.earliest_period)}至{_month_text(window.latest_period)}之间按月选择弹性退休"
        f"（最多提前或延后3年，提前不低于原法定退休年龄）。"
    )
    if age % 12:
        notes.append(
            f"计发月数按退休年龄{age_text(age)}在相邻两个整周岁的计发月数之间按月折算，四舍五入为{figures['result']['divisor']}个月。"
        )
    notes.append(
        "计算按整数分进行：每年社平工资、每月缴费基数和记账额、每年末账户余额均四舍五入到分；"
        "平均缴费指数四舍五入到小数点后4位；各项养老金四舍五入到分，合计为各项之和。"
    )
    notes.append(
        f"假设从{_month_text(first_future)}起按月连续缴费至退休当月（{_month_text(until)}），共{len(future)}个月，"
        f"次月起领取养老金。"
        if future
        else f"按已缴费月数计算，退休当月为{_month_text(until)}，次月起领取养老金。"
    )
    result = figures["result"]
    notes.append(
        f"“折合今天的钱”是把{_month_text(result['pension_from'])}起领取的金额按每年{_pct(result['discount_bp'])}的物价上涨"
        f"折算到今天（{result['months_ahead']}个月），便于和现在的收入比较。"
    )
    if figures["owed_months"]:
        notes.append(f"您有{figures['owed_months']}个月欠缴，未计入缴费年限；补缴后将计入。")
    if not figures["pre1996"]:
        notes.append("您的记录中没有1996年以前的缴费，不计过渡性养老金。")
    if missing:
        early = until < window.retire_period
        notes.append(
            f"{_month_text(until)}退休需累计缴费满{_months_text(minimum)}，按此测算您累计缴费{_months_text(figures['total_months'])}，"
            f"还差{missing}个月。"
            + (
                "提前退休必须缴满最低缴费年限，请选择更晚的退休年月。"
                if early
                else "届时可以延长缴费至满足年限，或咨询社保经办机构。"
            )
        )
    if figures["wage_projected"]:
        notes.append(f"{policy.years()[-1]}年以后的社平工资按每年增长{_pct(growth_bp)}推算。")
    return notes
