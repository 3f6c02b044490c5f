"""City-rural resident insurance paid online (城乡居民缴费): what a yearly resident order costs,
who may be insured by it, and creating it.

- Resident medical (城乡居民医保, kind `resident_medical`, type 390): a year whose collection
  window (policy data) contains today; for the payer or for a family member named by ID number
  + name who is a known person enrolled in resident medical. Any mismatch (unknown ID, other
  name, not enrolled) gets the same answer, so the form cannot be used to learn which part was
  wrong; and a payer may name someone else only `insured_lookups_per_hour` times an hour
  (`rate_limit.hit`, one conditional write), so it cannot be used to sweep through ID numbers.
- Resident pension (城乡居民养老, kind `resident_pension`, type 170): the payer only, aged
  `age_from`..`age_to` on the payment day and not in the employee pension, at one of the year's
  levels (档次).

An order pays one year, one line, posted under the period YYYY01 of the insured person. The
year already paid (by anyone) or held by another open order is refused by the same month-lock
transaction as flexible-employment orders (`payment_orders.store_new_order`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from .. import clock, money, policy
from .. import id_number as ids
from ..errors import BadInput, Conflict, TooManyRequests
from ..models.contribution_summaries import ContributionSummary
from ..security import pseudonym
from . import accounts, banks, rate_limit
from .payment_orders import (
    insured_of,
    mask_name,
    new_order,
    store_new_order,
    taken_months,
)
from .sessions import CurrentSession

MEDICAL, PENSION = "resident_medical", "resident_pension"
EMPLOYEE_PENSION = "110"
INSURED_MISMATCH = "未找到与该身份证号和姓名相符的城乡居民医保参保人，请核对后重新输入"


def kinds() -> dict[str, str]:
    """kind → insurance type code (resident_medical → 390, resident_pension → 170)."""
    return policy.resident()["kinds"]


def is_resident_kind(kind: Any) -> bool:
    return isinstance(kind, str) and kind in kinds()


def period_of(year: int) -> str:
    """The period a yearly resident contribution is recorded under."""
    return f"{year:04d}01"


def _year_table(kind: str) -> dict[str, dict[str, Any]]:
    section = policy.resident()["medical" if kind == MEDICAL else "pension"]
    return section["years"]


def _open(params: dict[str, Any], today: date) -> bool:
    return date.fromisoformat(params["window_from"]) <= today <= date.fromisoformat(params["window_to"])


def open_years(kind: str) -> list[int]:
    """The years whose collection window contains today (China time)."""
    today = clock.now_dt().date()
    return sorted(int(y) for y, params in _year_table(kind).items() if _open(params, today))


def _window_text(kind: str) -> str:
    parts = [f"{y}年度（{p['window_from']}至{p['window_to']}）" for y, p in sorted(_year_table(kind).items())]
    return "、".join(parts)


def check_year(kind: str, year: Any) -> int:
    """An int year whose collection window is open now, else BadInput."""
    if isinstance(year, str) and year.isdigit() and len(year) == 4:
        year = int(year)
    if isinstance(year, bool) or not isinstance(year, int):
        raise BadInput("请选择缴费年度", code="invalid_year", field="year")
    if year not in open_years(kind):
        raise BadInput(
            f"{year}年度不在缴费期内，可缴费的年度及缴费期：{_window_text(kind)}",
            code="year_not_open",
            field="year",
        )
    return year


def levels(year: int) -> list[dict[str, int]]:
    return [dict(level) for level in _year_table(PENSION)[str(year)]["levels"]]


def check_level(year: int, level_fen: Any) -> dict[str, int]:
    if not isinstance(level_fen, bool) and isinstance(level_fen, int):
        for level in levels(year):
            if level["level_fen"] == level_fen:
                return level
    choices = "、".join(money.yuan(level["level_fen"]) for level in levels(year))
    raise BadInput(f"请从以下缴费档次中选择：{choices}", code="unknown_level", field="level_fen")


# ---- lines --------------------------------------------------------------------------------


def medical_line(year: int) -> dict[str, Any]:
    params = _year_table(MEDICAL)[str(year)]
    return {
        "period": period_of(year),
        "year": year,
        "base_fen": 0,
        "rate_bp": 0,
        "amount_fen": params["personal_fen_per_year"],
        "subsidy_fen": params["subsidy_fen_per_year"],
        "account_fen": 0,
    }


def pension_line(year: int, level: dict[str, int]) -> dict[str, Any]:
    """Personal level + subsidy both go to the resident pension personal account."""
    return {
        "period": period_of(year),
        "year": year,
        "base_fen": 0,
        "rate_bp": 0,
        "amount_fen": level["level_fen"],
        "subsidy_fen": level["subsidy_fen"],
        "account_fen": level["level_fen"] + level["subsidy_fen"],
    }


# ---- who is insured -----------------------------------------------------------------------


def _enrolled(profile: dict[str, Any] | None, type_code: str) -> bool:
    return type_code in ((profile or {}).get("insured_types") or [])


def insured_person(current: CurrentSession, insured: Any, type_code: str) -> tuple[str, str]:
    """(id_number, name) of the person a resident medical order is for: the payer when
    `insured` is absent, else the person named — one answer for every kind of mismatch."""
    if insured is None or insured == {}:
        account = accounts.get(current.id_number)
        if not _enrolled(account.profile, type_code):
            raise BadInput("您未参加城乡居民医保，不能为本人缴纳", code="not_enrolled", field="insured")
        return account.id_number, account.name
    if not isinstance(insured, dict):
        raise BadInput("请填写参保人的身份证号和姓名", code="invalid_insured", field="insured")
    number, name = insured.get("id_number"), insured.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 30:
        raise BadInput("请填写参保人的姓名", code="invalid_insured", field="insured.name")
    number = ids.normalise(number, field="insured.id_number")
    _count_lookup(current)
    member = accounts.find(number)
    if member is None or member.name != name.strip() or not _enrolled(member.profile, type_code):
        raise BadInput(INSURED_MISMATCH, code="insured_not_found", field="insured")
    return member.id_number, member.name


def _count_lookup(current: CurrentSession) -> None:
    limit = int(policy.resident()["medical"]["insured_lookups_per_hour"])
    try:
        rate_limit.hit("insured_lookup", pseudonym.of(current.id_number), limit, window_s=3600)
    except TooManyRequests:
        raise TooManyRequests(
            "核对参保人信息的次数过多，请一小时后再试", code="insured_lookups_exceeded", field="insured"
        ) from None


def _age_on(id_number: str, day: date) -> int:
    born = ids.birth_date(id_number)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def check_pension_eligible(current: CurrentSession) -> tuple[str, str]:
    """The payer may join resident pension: aged 16–59 today and not in the employee pension."""
    account = accounts.get(current.id_number)
    rules = policy.resident()["pension"]
    age = _age_on(account.id_number, clock.now_dt().date())
    if not rules["age_from"] <= age <= rules["age_to"]:
        raise BadInput(
            f"城乡居民养老保险缴费年龄为{rules['age_from']}至{rules['age_to']}周岁，您不在缴费年龄内",
            code="age_not_eligible",
            field="kind",
        )
    if _enrolled(account.profile, EMPLOYEE_PENSION) or _in_employee_pension(account.id_number):
        raise BadInput(
            "您已参加职工基本养老保险，不能参加城乡居民养老保险", code="in_employee_pension", field="kind"
        )
    return account.id_number, account.name


def _in_employee_pension(id_number: str) -> bool:
    try:
        summary = ContributionSummary.get(id_number, EMPLOYEE_PENSION)
    except ContributionSummary.DoesNotExist:
        return False
    return bool(summary.paid or summary.owed) and not summary.state


# ---- creating -----------------------------------------------------------------------------


def _year_conflict(year: int, insured_self: bool) -> Callable[[list[str]], Conflict]:
    def conflict(_taken: list[str]) -> Conflict:
        whom = "您" if insured_self else "该参保人"
        return Conflict(
            f"{whom}{year}年度已缴费或已在其他未完成的订单中，不能重复缴纳", code="year_taken", field="year"
        )

    return conflict


def create_order(current: CurrentSession, data: dict[str, Any], ip: str | None) -> dict:
    """A DRAFT resident order of one year (201 at the route); nothing written on bad input."""
    kind = str(data["kind"])  # a resident kind: payment_requests looked
    type_code = kinds()[kind]
    year = check_year(kind, data.get("year"))
    if kind == MEDICAL:
        insured_id, insured_name = insured_person(current, data.get("insured"), type_code)
        line, level_fen = medical_line(year), None
    else:
        if data.get("insured") not in (None, {}):
            raise BadInput("城乡居民养老保险只能为本人缴纳", code="pension_self_only", field="insured")
        insured_id, insured_name = check_pension_eligible(current)
        level = check_level(year, data.get("level_fen"))
        line, level_fen = pension_line(year, level), level["level_fen"]
    order = new_order(
        current.id_number,
        kind,
        type_code,
        [line["period"]],
        0,
        [line],
        line["amount_fen"],
        year=year,
        insured_id_number=insured_id,
        insured_name=insured_name,
        level_fen=level_fen,
    )
    return store_new_order(order, ip, _year_conflict(year, insured_of(order) == current.id_number))


# ---- options ------------------------------------------------------------------------------


def options(current: CurrentSession, kind: str) -> dict[str, Any]:
    """The open years, amounts (medical) or levels (pension), whether the payer's own year is
    already paid or in an order, and the banks."""
    type_code = kinds()[kind]
    years = []
    for year in open_years(kind):
        taken = bool(taken_months(current.id_number, type_code, [period_of(year)], None))
        entry: dict[str, Any] = {
            "year": year,
            "self_state": "paid_or_in_order" if taken else "payable",
            "window_from": _year_table(kind)[str(year)]["window_from"],
            "window_to": _year_table(kind)[str(year)]["window_to"],
        }
        if kind == MEDICAL:
            line = medical_line(year)
            entry.update(personal_fen=line["amount_fen"], subsidy_fen=line["subsidy_fen"])
        else:
            entry["levels"] = levels(year)
        years.append(entry)
    return {
        "kind": kind,
        "type_code": type_code,
        "type_name": policy.type_name(type_code),
        "years": years,
        "banks": banks.public_list(),
        "self": _self_view(current, kind, type_code),
    }


def _self_view(current: CurrentSession, kind: str, type_code: str) -> dict[str, Any]:
    account = accounts.get(current.id_number)
    if kind == MEDICAL:
        eligible, reason = _enrolled(account.profile, type_code), "您未参加城乡居民医保"
    else:
        try:
            check_pension_eligible(current)
            eligible, reason = True, None
        except BadInput as exc:
            eligible, reason = False, exc.message
    return {
        "name_masked": mask_name(account.name),
        "eligible": eligible,
        "reason": None if eligible else reason,
    }
