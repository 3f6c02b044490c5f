"""Contribution records (缴费历史): the year view, the per-type summary and the gaps (断缴).

Storage (see the model docstrings):
- `Contribution`: one item per person/type/month; a year view is ONE Query
  (person_type = :pt AND period BETWEEN "<y>01" AND "<y>12", Limit = page + 1), so its cost
  depends only on that year's rows, never on the length of the history.
- `ContributionSummary`: one small item per person/type holding the string sets `paid` and
  `owed` of periods; the summary and the gaps are ONE Query on the resident's ID number.

Keeping the summary right (import, seed, payments):
every write of contributions must also update the person's summary item for that type with
`summary_actions(status, periods)` — an UpdateItem with ADD/DELETE on the sets, which is atomic
and idempotent (writing the same month twice changes nothing). In a pynamodb transaction use

    from chalicelib.models.base import transaction
    from chalicelib.services import records
    with transaction() as tx:
        records.add_to_transaction(tx, id_number, "110", [
            {"period": "202603", "employer": "灵活就业", "base_fen": 456000, "employer_fen": 0,
             "personal_fen": 91200, "account_fen": 36480, "status": "PAID",
             "posted_on": "2026-03-27", "source": "payment:P2026..."}])
        ...  # the order's own writes

`add_to_transaction` adds one Put per month and ONE Update of the summary item (a transaction
may touch an item once, so pass all months of one type together; all rows must be PAID or
BACKPAID, or all OWED). Flows that post what a resident paid use `post_contributions`, the same
with the record-precedence condition on every month (`precedence_condition`: a PAID month is
never downgraded nor paid twice) — the importer writes under that same condition. The building blocks are public too (and stable):
`contribution_item(id_number, type_code, row)` and `summary_actions(status, periods)`.
Outside a transaction use `write_contributions(rows)`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from pynamodb.transactions import TransactWrite

from .. import clock, cursor, policy
from ..errors import BadInput
from ..models.contribution_summaries import ContributionSummary
from ..models.contributions import Contribution
from ..money import apply_rate
from .sessions import CurrentSession

YEAR_PAGE_SIZE = 6  # the seed's screens page within a year (下一页): half a year per page
STATUS_LABELS = {"PAID": "到账", "OWED": "欠缴", "BACKPAID": "补缴"}
PAID_STATUSES = {"PAID", "BACKPAID"}
STATE_LABELS = {"RETIRED": "已退休或领取待遇，停止缴费", "ENDED": "已终止参保"}
MIN_YEAR = 1950


# ---- periods -------------------------------------------------------------------------------


def check_period(value: Any, field: str) -> str:
    if (
        not isinstance(value, str)
        or len(value) != 6
        or not value.isdigit()
        or not 1 <= int(value[4:]) <= 12
        or int(value[:4]) < MIN_YEAR
    ):
        raise BadInput("年月格式不正确，应为YYYYMM，例如202403", code="invalid_period", field=field)
    return value


def next_period(period: str) -> str:
    y, m = int(period[:4]), int(period[4:])
    return f"{y + m // 12}{m % 12 + 1:02d}"


def months_between(first: str, last: str) -> list[str]:
    out = []
    current = first
    while current <= last:
        out.append(current)
        current = next_period(current)
    return out


def current_period() -> str:
    return clock.now_dt().strftime("%Y%m")


def previous_period() -> str:
    now = clock.now_dt()
    return f"{now.year - 1}12" if now.month == 1 else f"{now.year}{now.month - 1:02d}"


def check_year(value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise BadInput("请选择查询年份", code="invalid_year", field="year") from None
    # next year too: resident insurance (城乡居民) for a year is paid in the autumn before it
    if not MIN_YEAR <= year <= clock.now_dt().year + 1:
        raise BadInput(f"查询年份应在{MIN_YEAR}年至明年之间", code="invalid_year", field="year")
    return year


# ---- year view -----------------------------------------------------------------------------


def contribution_view(item: Contribution) -> dict[str, Any]:
    return {
        "period": item.period,
        "employer": item.employer,
        "base_fen": int(item.base_fen),
        "employer_fen": int(item.employer_fen),
        "personal_fen": int(item.personal_fen),
        "account_fen": int(item.account_fen or 0),
        "status": item.status,
        "status_label": STATUS_LABELS.get(item.status, item.status),
        "posted_on": item.posted_on,
    }


def year_view(current: CurrentSession, type_code: str, year: Any, cursor_text: str | None) -> dict:
    """One page of a year of one insurance type, newest month first: exactly one DynamoDB Query."""
    type_code = policy.check_type(type_code)
    y = check_year(year)
    person_type = f"{current.id_number}#{type_code}"
    query = functools.partial(
        Contribution.query,
        person_type,
        Contribution.period.between(f"{y}01", f"{y}12"),
        scan_index_forward=False,
    )
    items, next_cursor = cursor.page(
        query,
        YEAR_PAGE_SIZE,
        "contributions",
        current.id_number,
        {"t": type_code, "y": y},
        cursor_text,
        key_of=lambda item: {"p": item.period},
        start_key_of=lambda pos: {"person_type": {"S": person_type}, "period": {"S": str(pos.get("p"))}},
    )
    # resident schemes (170, 390) are paid yearly at a fixed amount: no base, and the
    # government's part is a subsidy (subsidy_fen), not an employer's contribution
    scheme = _scheme(type_code)
    rows = [contribution_view(i) for i in items]
    if scheme == "resident":
        rows = [{**r, "base_fen": None, "subsidy_fen": r["employer_fen"], "employer_fen": None} for r in rows]
    return {
        "type_code": type_code,
        "type_name": policy.type_name(type_code),
        "year": y,
        "scheme": scheme,
        "page_size": YEAR_PAGE_SIZE,
        "items": rows,
        "next_cursor": next_cursor,
    }


# ---- summary -------------------------------------------------------------------------------


def _summaries(id_number: str) -> list[ContributionSummary]:
    order = list(policy.insurance_types())
    found = [s for s in ContributionSummary.query(id_number) if s.paid or s.owed]
    return sorted(found, key=lambda s: order.index(s.type_code) if s.type_code in order else 99)


def _type_status(summary: ContributionSummary, last: str | None) -> tuple[str, str]:
    if summary.state in STATE_LABELS:
        return summary.state, STATE_LABELS[summary.state]
    if summary.owed:
        return "OWED", "有欠缴月份"
    if last and _scheme(summary.type_code) == "resident" and last[:4] >= current_period()[:4]:
        return "ACTIVE", "正常参保缴费"
    if last and last >= previous_period():
        return "ACTIVE", "正常参保缴费"
    return "SUSPENDED", "暂停缴费"


def summary_of(summary: ContributionSummary) -> dict[str, Any]:
    paid = sorted(summary.paid or ())
    owed = sorted(summary.owed or ())
    every = sorted(set(paid) | set(owed))
    status, label = _type_status(summary, paid[-1] if paid else None)
    return {
        "type_code": summary.type_code,
        "type_name": policy.type_name(summary.type_code),
        "first_period": every[0] if every else None,
        "last_period": paid[-1] if paid else None,
        "unit": "year" if _scheme(summary.type_code) == "resident" else "month",
        "months": len(paid),
        "owed_months": len(owed),
        "status": status,
        "status_label": label,
        "years": sorted({int(p[:4]) for p in every}, reverse=True),
    }


def summary(current: CurrentSession) -> dict:
    """Per type: first and last paid month, months, status. One Query."""
    return {"types": [summary_of(s) for s in _summaries(current.id_number)]}


# ---- gaps ----------------------------------------------------------------------------------


def _runs(months: list[str]) -> list[list[str]]:
    runs: list[list[str]] = []
    for month in months:
        if runs and next_period(runs[-1][-1]) == month:
            runs[-1].append(month)
        else:
            runs.append([month])
    return runs


def _month_cost(type_code: str, year: int) -> dict[str, Any] | None:
    """Cost of one month for a flexible worker at the lowest base of that year, or None."""
    try:
        lower, _ = policy.base_band(year)
        rates = policy.year(year).get("flexible_rates_bp", {}).get(type_code)
    except BadInput:
        return None
    if not rates:
        return None
    return {
        "year": year,
        "base_fen": lower,
        "rate_bp": rates["total"],
        "month_fen": apply_rate(lower, rates["total"]),
    }


def _gap_runs(type_code: str, missing: list[str], owed: set[str]) -> list[dict[str, Any]]:
    earliest_payable = months_between_back(policy.flexible().get("backpay_months", 0))
    out = []
    for run in _runs(missing):
        by_year: dict[int, int] = {}
        for month in run:
            by_year[int(month[:4])] = by_year.get(int(month[:4]), 0) + 1
        breakdown = []
        cost: int | None = 0
        for year, count in sorted(by_year.items()):
            unit = _month_cost(type_code, year)
            if unit is None:
                cost = None
                breakdown.append(
                    {"year": year, "months": count, "base_fen": None, "rate_bp": None, "cost_fen": None}
                )
                continue
            line = unit["month_fen"] * count
            breakdown.append(
                {
                    "year": year,
                    "months": count,
                    "base_fen": unit["base_fen"],
                    "rate_bp": unit["rate_bp"],
                    "cost_fen": line,
                }
            )
            if cost is not None:
                cost += line
        payable = [m for m in run if earliest_payable and m >= earliest_payable] if cost is not None else []
        out.append(
            {
                "from": run[0],
                "to": run[-1],
                "months": len(run),
                "owed_months": sum(1 for m in run if m in owed),
                "cost_fen": cost,
                "by_year": breakdown,
                "payable_online_months": len(payable),
                "payable_months": payable,
            }
        )
    return out


def _scheme(type_code: str) -> str:
    return policy.insurance_types().get(type_code, {}).get("scheme", "employee")


def _resident_gap_runs(
    type_code: str, paid: set[str], owed: set[str], first: str, end: str
) -> tuple[list[dict[str, Any]], list[str]]:
    """Resident schemes (170, 390) are paid once a year (period YYYY01): gaps are whole years,
    each costing that year's personal amount."""
    paid_years = {int(p[:4]) for p in paid}
    owed_years = {int(p[:4]) for p in owed}
    missing_years = [y for y in range(int(first[:4]), int(end[:4]) + 1) if y not in paid_years]
    runs: list[list[int]] = []
    for year in missing_years:
        if runs and runs[-1][-1] == year - 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    out = []
    for run in runs:
        breakdown = []
        cost: int | None = 0
        for year in run:
            try:
                amount = int(policy.year(year)["resident_rates"][type_code]["personal_fen_per_year"])
            except (BadInput, KeyError):
                amount = None
            breakdown.append(
                {"year": year, "months": 12, "base_fen": None, "rate_bp": None, "cost_fen": amount}
            )
            cost = None if cost is None or amount is None else cost + amount
        out.append(
            {
                "from": f"{run[0]}01",
                "to": f"{run[-1]}12",
                "months": len(run) * 12,
                "years": len(run),
                "owed_months": sum(12 for y in run if y in owed_years),
                "cost_fen": cost,
                "by_year": breakdown,
                "payable_online_months": 0,
                "payable_months": [],
            }
        )
    return out, [f"{y}01" for y in missing_years]


def months_between_back(count: int) -> str | None:
    """The earliest month that may still be paid online (backpay window), or None."""
    if count <= 0:
        return None
    period = current_period()
    y, m = int(period[:4]), int(period[4:])
    index = y * 12 + (m - 1) - count
    return f"{index // 12}{index % 12 + 1:02d}"


def _pay_kind(type_code: str) -> str | None:
    """The online payment (order kind) that fills a gap of this type, if any."""
    return next((kind for kind, code in policy.flexible()["kinds"].items() if code == type_code), None)


def gaps(current: CurrentSession) -> dict:
    """Per type: the months missing (or owed) between first participation and last month,
    grouped into runs, each with the cost at the year's lowest base for a flexible worker."""
    result = []
    for summary in _summaries(current.id_number):
        paid = set(summary.paid or ())
        owed = set(summary.owed or ())
        every = sorted(paid | owed)
        if not every:
            continue
        if summary.state in STATE_LABELS:
            end = max(paid) if paid else every[-1]
        else:
            end = max(previous_period(), every[-1])
        if _scheme(summary.type_code) == "resident":
            runs, missing = _resident_gap_runs(summary.type_code, paid, owed, every[0], end)
        else:
            missing = [m for m in months_between(every[0], end) if m not in paid]
            runs = _gap_runs(summary.type_code, missing, owed)
        costs = [r["cost_fen"] for r in runs]
        result.append(
            {
                "type_code": summary.type_code,
                "type_name": policy.type_name(summary.type_code),
                "unit": "year" if _scheme(summary.type_code) == "resident" else "month",
                "first_period": every[0],
                "through_period": end,
                "missing_months": len(missing),
                "runs": runs,
                "total_cost_fen": sum(costs) if costs and None not in costs else (0 if not costs else None),
                "flexible_payable": _month_cost(summary.type_code, int(end[:4])) is not None,
                "pay_kind": _pay_kind(summary.type_code),
            }
        )
    return {
        "types": result,
        "backpay_months": policy.flexible().get("backpay_months", 0),
        "earliest_payable_period": months_between_back(policy.flexible().get("backpay_months", 0)),
    }


# ---- writing contributions (import, seed, payments) --------------------------------------


def summary_actions(status: str, periods: Iterable[str]) -> list[Any]:
    """UpdateItem actions that record `periods` with `status` in a summary item (set ADD/DELETE
    only, so applying them twice leaves the item exactly as once)."""
    values = set(periods)
    if not values:
        return []
    if status in PAID_STATUSES:
        return [ContributionSummary.paid.add(values), ContributionSummary.owed.delete(values)]
    if status == "OWED":
        return [ContributionSummary.owed.add(values), ContributionSummary.paid.delete(values)]
    raise ValueError(f"unknown contribution status {status!r}")


def contribution_item(id_number: str, type_code: str, row: dict[str, Any]) -> Contribution:
    return Contribution(
        person_type=f"{id_number}#{type_code}",
        period=row["period"],
        employer=row["employer"],
        base_fen=int(row["base_fen"]),
        employer_fen=int(row["employer_fen"]),
        personal_fen=int(row["personal_fen"]),
        account_fen=int(row.get("account_fen") or 0),
        status=row["status"],
        posted_on=row.get("posted_on"),
        source=row.get("source"),
    )


def _status_class(rows: list[dict[str, Any]]) -> str:
    classes = {"PAID" if r["status"] in PAID_STATUSES else r["status"] for r in rows}
    if len(classes) != 1:
        raise ValueError("rows of one summary update must all be paid, or all owed")
    return classes.pop()


UNPAID_STATUSES = ("OWED",)


def precedence_condition(status: str, restate_paid: bool = False) -> Any | None:
    """The condition under which a month may be written with `status` (record precedence,
    PRODUCT section 3): a month recorded as PAID or BACKPAID is never downgraded.

    - an OWED row may only write a month that is absent or OWED;
    - a payment (`restate_paid=False`) may only post a month that is absent or OWED, so a month
      is never paid twice;
    - the core system's PAID/BACKPAID row (`restate_paid=True`) restates any month: its record is
      the official one and it downgrades nothing (None: no condition).
    The importer serialises this same condition into its TransactWriteItems; the settlement
    passes it to pynamodb (`post_contributions`)."""
    if status in PAID_STATUSES and restate_paid:
        return None
    return Contribution.period.does_not_exist() | Contribution.status.is_in(*UNPAID_STATUSES)


def post_contributions(
    tx: TransactWrite, id_number: str, type_code: str, rows: list[dict[str, Any]], restate_paid: bool = False
) -> None:
    """Add to `tx` one conditional Put per month (`precedence_condition`) and one Update of the
    summary item: the one way the portal posts contributions (payment settlement, resident
    insurance payments). If a month is already paid, the condition fails and the whole
    transaction is cancelled (`TransactWriteError`, reason ConditionalCheckFailed)."""
    if not rows:
        return
    status = _status_class(rows)
    for row in rows:
        tx.save(
            contribution_item(id_number, type_code, row),
            condition=precedence_condition(row["status"], restate_paid),
        )
    tx.update(
        ContributionSummary(id_number=id_number, type_code=type_code),
        actions=summary_actions(status, [r["period"] for r in rows]),
    )


def add_to_transaction(tx: TransactWrite, id_number: str, type_code: str, rows: list[dict[str, Any]]) -> None:
    """Unconditional Puts of `rows` (months of ONE type) and one Update of the summary (seed
    and tests only; the portal's flows use `post_contributions`)."""
    if not rows:
        return
    status = _status_class(rows)
    for row in rows:
        tx.save(contribution_item(id_number, type_code, row))
    tx.update(
        ContributionSummary(id_number=id_number, type_code=type_code),
        actions=summary_actions(status, [r["period"] for r in rows]),
    )


def update_summary(id_number: str, type_code: str, status: str, periods: Iterable[str]) -> None:
    actions = summary_actions(status, periods)
    if actions:
        ContributionSummary(id_number=id_number, type_code=type_code).update(actions=actions)


def set_state(id_number: str, type_code: str, state: str | None) -> None:
    """Mark a type as ended (RETIRED, ENDED) or active again (None), from the core system."""
    item = ContributionSummary(id_number=id_number, type_code=type_code)
    action = ContributionSummary.state.set(state) if state else ContributionSummary.state.remove()
    item.update(actions=[action])


def write_contributions(rows: Iterable[dict[str, Any]]) -> int:
    """Write contributions (each row with `id_number` and `type_code`) and their summaries.

    Batched puts, then one summary update per person/type/status class. Idempotent."""
    groups: dict[tuple[str, str, str], set[str]] = {}
    count = 0
    with Contribution.batch_write() as batch:
        for row in rows:
            batch.save(contribution_item(row["id_number"], row["type_code"], row))
            status = "PAID" if row["status"] in PAID_STATUSES else row["status"]
            groups.setdefault((row["id_number"], row["type_code"], status), set()).add(row["period"])
            count += 1
    for (id_number, type_code, status), periods in groups.items():
        update_summary(id_number, type_code, status, periods)
    return count


def rebuild_summary(id_number: str, type_code: str) -> dict[str, int]:
    """Recompute one summary item from the contributions (ops repair; reads the whole history)."""
    paid: set[str] = set()
    owed: set[str] = set()
    for item in Contribution.query(f"{id_number}#{type_code}"):
        (paid if item.status in PAID_STATUSES else owed).add(item.period)
    summary = ContributionSummary(id_number=id_number, type_code=type_code)
    actions: list[Any] = [ContributionSummary.paid.set(paid) if paid else ContributionSummary.paid.remove()]
    actions.append(ContributionSummary.owed.set(owed) if owed else ContributionSummary.owed.remove())
    summary.update(actions=actions)
    return {"paid": len(paid), "owed": len(owed)}
