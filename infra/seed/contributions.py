"""Contribution histories (chalicelib/models/contributions.py) for the demo residents, and the
generators behind them, usable for synthetic residents too:

    rows = generate_employee_history("371402198503142314", "198501", "202412",
                                     "德州市某某有限公司", ["110", "210", "310", "410", "510"])

Every amount comes from chalicelib/data/policy.json through `chalicelib.policy` and
`money.apply_rate` (never a literal): employee base = that year's average wage × a factor,
rounded down to the yuan and kept within the year's band [lower, upper]; flexible employment
(灵活就业) at the year's lower limit and the flexible rate; resident schemes (170/390) yearly
with the personal amount and the government subsidy of that year. Years after the last year of
the policy data use the last year's parameters.

Seeding writes only the rows that are missing (one Query per person and type to see which
periods exist, then batch writes), so a re-run never duplicates nor overwrites a row that a
payment or an import changed since.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from chalicelib import clock, money, policy
from chalicelib import id_number as ids
from chalicelib.models.contributions import Contribution
from chalicelib.services import audit

from .residents import demo_residents

ORDER = 20
EMPLOYEE_TYPES = ("110", "210", "310", "410", "510")
DEFAULT_BASE_FACTOR_BP = 10000
POSTING_DAY = 15
SOURCE = "seed"


# ---- periods -----------------------------------------------------------------------------


def current_period() -> str:
    return clock.now_dt().strftime("%Y%m")


def add_months(period: str, months: int) -> str:
    index = int(period[:4]) * 12 + int(period[4:]) - 1 + months
    return f"{index // 12:04d}{index % 12 + 1:02d}"


def periods(start: str, end: str) -> Iterator[str]:
    """YYYYMM from start to end, both included."""
    _check_period(start)
    _check_period(end)
    period = start
    while period <= end:
        yield period
        period = add_months(period, 1)


def _check_period(period: str) -> None:
    if not (isinstance(period, str) and len(period) == 6 and period.isdigit() and 1 <= int(period[4:]) <= 12):
        raise ValueError(f"not a YYYYMM period: {period!r}")


def resolve_period(value: str) -> str:
    """'current' (this month), 'previous' (last month) or a YYYYMM."""
    if value == "current":
        return current_period()
    if value == "previous":
        return add_months(current_period(), -1)
    _check_period(value)
    return value


def _policy_year(year: int) -> int:
    """The policy year to use: the year itself, or the last year the policy data covers."""
    known = policy.years()
    if year > known[-1]:
        return known[-1]
    return year


def _posted_on(period: str) -> str:
    posted = date(int(period[:4]), int(period[4:]), POSTING_DAY)
    today = clock.now_dt().date()
    return min(posted, today).isoformat()


# ---- amounts (all from the policy data) --------------------------------------------------


def employee_base(year: int, base_factor_bp: int = DEFAULT_BASE_FACTOR_BP) -> int:
    """A base within the year's band: average wage × factor, whole yuan, clamped to the band."""
    params = policy.year(_policy_year(year))
    lower, upper = policy.base_band(_policy_year(year))
    base = money.apply_rate(params["avg_wage_fen"], base_factor_bp)
    base -= base % 100
    return max(lower, min(upper, base))


def employee_row(
    id_number: str, type_code: str, period: str, employer: str, base_fen: int, status: str = "PAID"
) -> Contribution:
    rates = policy.employee_rates(_policy_year(int(period[:4])), type_code)
    return Contribution(
        person_type=f"{id_number}#{type_code}",
        period=period,
        employer=employer,
        base_fen=base_fen,
        employer_fen=money.apply_rate(base_fen, rates["employer"]),
        personal_fen=money.apply_rate(base_fen, rates["personal"]),
        account_fen=money.apply_rate(base_fen, rates["account"]),
        status=status,
        posted_on=_posted_on(period),
        source=SOURCE,
    )


def flexible_row(
    id_number: str, type_code: str, period: str, employer: str, status: str = "PAID"
) -> Contribution:
    year = _policy_year(int(period[:4]))
    base_fen = policy.base_band(year)[0]
    rates = policy.flexible_rates(year, type_code)
    return Contribution(
        person_type=f"{id_number}#{type_code}",
        period=period,
        employer=employer,
        base_fen=base_fen,
        employer_fen=0,
        personal_fen=money.apply_rate(base_fen, rates["total"]),
        account_fen=money.apply_rate(base_fen, rates["account"]),
        status=status,
        posted_on=None if status == "OWED" else _posted_on(period),
        source=SOURCE,
    )


def resident_row(id_number: str, type_code: str, year: int, employer: str) -> Contribution:
    """Resident schemes pay once a year; the row's period is YYYY01. The subsidy is shown as the
    'employer' part; for resident pension (170) both go to the personal account."""
    rates = policy.year(_policy_year(year))["resident_rates"][type_code]
    personal = rates["personal_fen_per_year"]
    subsidy = rates["subsidy_fen_per_year"]
    period = f"{year:04d}01"
    return Contribution(
        person_type=f"{id_number}#{type_code}",
        period=period,
        employer=employer,
        base_fen=0,
        employer_fen=subsidy,
        personal_fen=personal,
        account_fen=personal + subsidy if type_code == "170" else 0,
        status="PAID",
        posted_on=_posted_on(period),
        source=SOURCE,
    )


# ---- generators --------------------------------------------------------------------------


def generate_employee_history(
    id_number: str,
    start_period: str,
    end_period: str,
    employer: str,
    types: Iterable[str] = EMPLOYEE_TYPES,
    base_factor_bp: int = DEFAULT_BASE_FACTOR_BP,
) -> list[Contribution]:
    """Monthly PAID rows for every period and type (employee scheme) — N years × 5 types gives
    N × 60 rows. Not saved: the caller decides (see `write_missing`)."""
    number = ids.normalise(id_number)
    codes = list(types)
    for code in codes:
        if code not in EMPLOYEE_TYPES:
            raise ValueError(f"{code} is not an employee insurance type")
    rows = []
    for period in periods(start_period, end_period):
        base = employee_base(int(period[:4]), base_factor_bp)
        rows.extend(employee_row(number, code, period, employer, base) for code in codes)
    return rows


def generate_flexible_history(
    id_number: str,
    start_period: str,
    end_period: str,
    employer: str,
    types: Iterable[str] = ("110", "310"),
    missing: Iterable[str] = (),
    owed: Iterable[str] = (),
) -> list[Contribution]:
    """Flexible employment: PAID at the lower base, except `missing` months (no row: a gap)
    and `owed` months (status OWED)."""
    number = ids.normalise(id_number)
    missing_set, owed_set = set(missing), set(owed)
    rows = []
    for period in periods(start_period, end_period):
        if period in missing_set:
            continue
        status = "OWED" if period in owed_set else "PAID"
        rows.extend(flexible_row(number, code, period, employer, status) for code in types)
    return rows


def generate_resident_history(
    id_number: str, start_year: int, end_year: int, employer: str, types: Iterable[str] = ("170",)
) -> list[Contribution]:
    number = ids.normalise(id_number)
    return [
        resident_row(number, code, year, employer)
        for year in range(start_year, end_year + 1)
        for code in types
    ]


def history_for(resident: dict[str, Any]) -> list[Contribution]:
    """All rows of one demo resident, from the spells in demo_residents.json."""
    rows: list[Contribution] = []
    number = resident["id_number"]
    for spell in resident.get("contributions", []):
        start, end = resolve_period(spell["from"]), resolve_period(spell["to"])
        scheme = spell["scheme"]
        if scheme == "employee":
            rows += generate_employee_history(
                number,
                start,
                end,
                spell["employer"],
                spell["types"],
                spell.get("base_factor_bp", DEFAULT_BASE_FACTOR_BP),
            )
        elif scheme == "flexible":
            owed = {add_months(current_period(), -n) for n in spell.get("owed_months_ago", [])}
            rows += generate_flexible_history(
                number,
                start,
                end,
                spell["employer"],
                spell["types"],
                missing=spell.get("missing", []),
                owed=owed,
            )
        elif scheme == "resident":
            rows += generate_resident_history(
                number, int(start[:4]), int(end[:4]), spell["employer"], spell["types"]
            )
        else:
            raise ValueError(f"unknown contribution scheme {scheme!r} for {resident['name']}")
    return rows


# ---- writing -----------------------------------------------------------------------------


def existing_periods(person_type: str) -> set[str]:
    return {item.period for item in Contribution.query(person_type, attributes_to_get=["period"])}


def write_missing(rows: Iterable[Contribution]) -> int:
    """Save the rows whose (person_type, period) does not exist yet; return how many."""
    by_person_type: dict[str, list[Contribution]] = defaultdict(list)
    for row in rows:
        by_person_type[row.person_type].append(row)
    written = 0
    with Contribution.batch_write() as batch:
        for person_type, group in by_person_type.items():
            present = existing_periods(person_type)
            for row in group:
                if row.period not in present:
                    batch.save(row)
                    present.add(row.period)
                    written += 1
    return written


def seed() -> dict[str, int]:
    summary: dict[str, int] = {}
    for resident in demo_residents():
        written = write_missing(history_for(resident))
        if written:
            audit.record(
                resident["id_number"],
                "contributions_import",
                "seeded",
                None,
                {"rows": written, "source": "demo_seed"},
            )
        summary[resident["name"]] = written
    return summary
