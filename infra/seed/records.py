"""Records of the demo residents beyond the contribution rows (which `contributions` seeds first):

- contribution summaries (one item per person/type, see services/records.py), rebuilt from the
  contribution rows, with the state of ended types (李秀英 retired, 刘强 draws his resident
  pension) from `records_demo.json`;
- pension account years (养老个人账户) derived from the 110 rows: months paid and the amounts
  credited per closed year, as the core system's year-ends (the interest is computed on
  reading, with the policy rates; the current year comes from the posted months); for a
  resident pension contributor (170, not ended: 赵敏) from the yearly 170 rows, 12 months a year;
- the monthly pension payments of 李秀英 since her retirement (2017-08): 基础养老金,
  个人账户养老金 (balance at retirement ÷ the divisor for her age, policy data), 过渡性养老金 and the
  yearly 调整增加 from `pension_adjustment_bp`; and 刘强's resident pension (城乡居民基本养老金)
  since 2015-02: the year's basic pension (policy data) and his 170 account ÷ the divisor at 60;
- labour contracts and public employment information (records_demo.json).

Idempotent: summaries are recomputed from the rows (same result every run); every other item is
written only when missing, so a re-run never overwrites what an import or a payment changed.
`store_history(rows)` writes generated Contribution rows together with their summaries (used for
synthetic residents in scale and cost tests).
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from chalicelib import clock, masking, policy
from chalicelib.models.contributions import Contribution
from chalicelib.models.employment_notices import EmploymentNotice
from chalicelib.models.labour_contracts import LabourContract
from chalicelib.models.pension_accounts import PensionAccountYear
from chalicelib.models.pension_payments import PensionPayment
from chalicelib.money import apply_rate
from chalicelib.services import pension_account, records

from .residents import demo_residents

ORDER = 30
DATA_FILE = Path(__file__).resolve().parent / "records_demo.json"
SOURCE = "seed"


@functools.lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))["residents"]


# ---- contributions + summaries ------------------------------------------------------------


def store_history(rows: Iterable[Contribution]) -> int:
    """Batch-write Contribution rows and update each person/type summary once. Idempotent."""
    groups: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    count = 0
    with Contribution.batch_write() as batch:
        for row in rows:
            batch.save(row)
            id_number, type_code = row.person_type.split("#")
            status = "PAID" if row.status in records.PAID_STATUSES else row.status
            groups[(id_number, type_code, status)].add(row.period)
            count += 1
    for (id_number, type_code, status), periods in groups.items():
        records.update_summary(id_number, type_code, status, periods)
    return count


def _types_of(resident: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for spell in resident.get("contributions", []):
        found += [t for t in spell["types"] if t not in found]
    return found


def seed_summaries(resident: dict[str, Any]) -> int:
    extra = _data().get(resident["id_number"], {})
    ended = extra.get("ended_types", {})
    count = 0
    for type_code in _types_of(resident):
        records.rebuild_summary(resident["id_number"], type_code)
        records.set_state(resident["id_number"], type_code, ended.get(type_code))
        count += 1
    return count


# ---- pension account ----------------------------------------------------------------------

RESIDENT_PENSION = "170"
RESIDENT_YEAR_MONTHS = 12


def account_years_from_rows(id_number: str, type_code: str = "110") -> dict[int, dict[str, int]]:
    """Months and credited amount per year; a resident pension (170) row is one year of 12 months."""
    months_per_row = RESIDENT_YEAR_MONTHS if type_code == RESIDENT_PENSION else 1
    years: dict[int, dict[str, int]] = {}
    for row in Contribution.query(f"{id_number}#{type_code}"):
        if row.status not in records.PAID_STATUSES:
            continue
        entry = years.setdefault(int(row.period[:4]), {"months": 0, "credited_fen": 0})
        entry["months"] += months_per_row
        entry["credited_fen"] += int(row.account_fen or 0)
    return years


def seed_pension_account(id_number: str, type_code: str = "110") -> int:
    """The core system's closed year-ends (the years before this one); the current year is
    computed from the posted contributions by services/pension_account.py (provisional)."""
    existing = {item.year for item in PensionAccountYear.query(id_number)}
    this_year = clock.now_dt().year
    written = 0
    with PensionAccountYear.batch_write() as batch:
        for year, entry in sorted(account_years_from_rows(id_number, type_code).items()):
            if str(year) in existing or year >= this_year:
                continue
            batch.save(
                PensionAccountYear(
                    id_number=id_number,
                    year=str(year),
                    months=entry["months"],
                    credited_fen=entry["credited_fen"],
                    source=SOURCE,
                )
            )
            written += 1
    return written


# ---- pension payments ---------------------------------------------------------------------


def account_divisor(age: int) -> int:
    table = policy.data()["pension_benefit"]["account_divisor_by_age"]
    ages = sorted(int(a) for a in table)
    return int(table[str(min(max(age, ages[0]), ages[-1]))])


def pension_award(id_number: str, spec: dict[str, Any]) -> dict[str, int]:
    """The first month's items (国发〔2005〕38号, simplified), from the resident's own records:
    basic = (previous year's average wage + indexed wage) / 2 × years paid × 1%;
    account = account balance at retirement ÷ divisor(age at retirement);
    transitional = indexed wage × years paid before 1996 × transitional_bp_per_year."""
    retire = spec["retire_period"]
    retire_year = int(retire[:4])
    paid = [p for p in sorted(account_years_from_rows(id_number)) if p <= retire_year]
    months = sum(account_years_from_rows(id_number)[y]["months"] for y in paid)
    pre1996 = sum(account_years_from_rows(id_number)[y]["months"] for y in paid if y < 1996)
    avg = int(policy.year(retire_year - 1)["avg_wage_fen"])
    indexed = avg * int(spec["avg_index_permille"]) // 1000
    basic = ((avg + indexed) * months + 1200) // 2400
    balance = pension_account.balance_through(id_number, retire_year)
    divisor = account_divisor(int(spec["age_at_retirement"]))
    account = (balance * 2 + divisor) // (2 * divisor)
    transitional_bp = int(policy.data()["pension_benefit"]["transitional_bp_per_year"])
    transitional = (indexed * pre1996 * transitional_bp * 2 + 120000) // 240000
    return {"基础养老金": basic, "个人账户养老金": account, "过渡性养老金": transitional}


def _last_paid_period() -> str:
    now = clock.now_dt()
    if now.day >= int(policy.data()["pension_benefit"]["pay_day"]):
        return now.strftime("%Y%m")
    return records.previous_period()


def resident_pension_rows(id_number: str, spec: dict[str, Any]) -> list[PensionPayment]:
    """城乡居民基本养老金 since `retire_period`: the basic pension of each year (policy
    `resident_basic_monthly_fen`) and the personal-account pension (the 170 account credits ÷
    the divisor at the age the pension began)."""
    benefit = policy.data()["pension_benefit"]
    standards = sorted(
        (int(y), int(v)) for y, v in benefit["resident_basic_monthly_fen"].items() if y.isdigit()
    )
    credited = sum(
        int(r.account_fen or 0)
        for r in Contribution.query(f"{id_number}#170")
        if r.status in records.PAID_STATUSES and r.period < spec["retire_period"]
    )
    divisor = account_divisor(int(spec["age_at_retirement"]))
    account = (credited * 2 + divisor) // (2 * divisor)
    account_masked = masking.account(spec["bank_account"])
    pay_day = int(benefit["pay_day"])
    rows = []
    for period in records.months_between(spec["retire_period"], _last_paid_period()):
        basic = next((v for y, v in reversed(standards) if y <= int(period[:4])), standards[0][1])
        items = [
            {"name": "基础养老金", "amount_fen": basic},
            {"name": "个人账户养老金", "amount_fen": account},
        ]
        rows.append(
            PensionPayment(
                id_number=id_number,
                period=period,
                items=items,
                gross_fen=basic + account,
                bank_name=spec["bank_name"],
                bank_account_masked=account_masked,
                pay_date=f"{period[:4]}-{period[4:]}-{pay_day:02d}",
                source=SOURCE,
                scheme="resident",
            )
        )
    return rows


def pension_payment_rows(id_number: str, spec: dict[str, Any]) -> list[PensionPayment]:
    if spec.get("scheme") == "resident":
        return resident_pension_rows(id_number, spec)
    award = pension_award(id_number, spec)
    base_gross = sum(award.values())
    pay_day = int(policy.data()["pension_benefit"]["pay_day"])
    account_masked = masking.account(spec["bank_account"])
    adjustment = 0
    gross_before = base_gross
    rows = []
    retire_year = int(spec["retire_period"][:4])
    for period in records.months_between(spec["retire_period"], _last_paid_period()):
        year = int(period[:4])
        if period[4:] == "01" and year > retire_year:
            try:
                rate = int(policy.year(year).get("pension_adjustment_bp", 0))
            except Exception:  # noqa: BLE001 (a year past the policy data: no adjustment)
                rate = 0
            adjustment += apply_rate(gross_before, rate)
        items = [{"name": name, "amount_fen": amount} for name, amount in award.items()]
        if adjustment:
            items.append({"name": "调整增加", "amount_fen": adjustment})
        gross = base_gross + adjustment
        gross_before = gross
        rows.append(
            PensionPayment(
                id_number=id_number,
                period=period,
                items=items,
                gross_fen=gross,
                bank_name=spec["bank_name"],
                bank_account_masked=account_masked,
                pay_date=f"{period[:4]}-{period[4:]}-{pay_day:02d}",
                source=SOURCE,
                scheme="employee",
            )
        )
    return rows


def seed_pension_payments(id_number: str, spec: dict[str, Any]) -> int:
    existing = {item.period for item in PensionPayment.query(id_number, attributes_to_get=["period"])}
    written = 0
    with PensionPayment.batch_write() as batch:
        for row in pension_payment_rows(id_number, spec):
            if row.period not in existing:
                batch.save(row)
                written += 1
    return written


# ---- labour contracts, employment information ----------------------------------------------


def seed_employment(id_number: str, extra: dict[str, Any]) -> int:
    contracts = {c.contract_id for c in LabourContract.query(id_number)}
    notices = {n.notice_id for n in EmploymentNotice.query(id_number)}
    written = 0
    for entry in extra.get("labour_contracts", []):
        key = f"{entry['start']}#{entry['number']}"
        if key not in contracts:
            LabourContract(
                id_number=id_number,
                contract_id=key,
                employer=entry["employer"],
                start_date=entry["start"],
                end_date=entry.get("end"),
                contract_type=entry["type"],
                position=entry.get("position"),
                source=SOURCE,
            ).save()
            written += 1
    for entry in extra.get("employment_notices", []):
        key = f"{entry['date']}#{entry['number']}"
        if key not in notices:
            EmploymentNotice(
                id_number=id_number,
                notice_id=key,
                kind=entry["kind"],
                notice_date=entry["date"],
                organisation=entry["organisation"],
                detail=entry.get("detail"),
                source=SOURCE,
            ).save()
            written += 1
    return written


def seed() -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for resident in demo_residents():
        number = resident["id_number"]
        extra = _data().get(number, {})
        counts = {"summaries": seed_summaries(resident)}
        if "110" in _types_of(resident):
            counts["account_years"] = seed_pension_account(number)
        elif RESIDENT_PENSION in _types_of(resident) and RESIDENT_PENSION not in extra.get("ended_types", {}):
            counts["account_years"] = seed_pension_account(number, RESIDENT_PENSION)
        if extra.get("pension"):
            counts["pension_payments"] = seed_pension_payments(number, extra["pension"])
        counts["employment"] = seed_employment(number, extra)
        summary[resident["name"]] = counts
    return summary
