"""个人权益记录单 (the annual personal rights record) of any year with data, as a Chinese PDF.

Facts: per insurance type the year's rows (one Query each, only for the types the resident's
summaries hold) and the pension personal account's year (`pension_account.compute`). The PDF is
stored privately in S3 under a random key; the resident gets a presigned URL of at most
`storage.PRESIGN_MAX_S` seconds, like the certificates. Each issue is in the access log.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from .. import clock, policy, storage
from .. import id_number as ids
from ..errors import BadInput, NotFound
from ..models.contribution_summaries import ContributionSummary
from ..models.contributions import Contribution
from ..models.pension_accounts import PensionAccountYear
from . import accounts, audit, pension_account, records
from .sessions import CurrentSession

ACTION = "records_statement"


def years_with_data(id_number: str) -> list[int]:
    """Years in which the resident has a contribution row or a pension account year, newest first."""
    years: set[int] = set()
    for summary in ContributionSummary.query(id_number):
        years |= {int(p[:4]) for p in (summary.paid or set()) | (summary.owed or set())}
    years |= {int(item.year) for item in PensionAccountYear.query(id_number)}
    return sorted(years, reverse=True)


def _type_entry(id_number: str, type_code: str, year: int) -> dict[str, Any] | None:
    rows = [
        records.contribution_view(item)
        for item in Contribution.query(
            f"{id_number}#{type_code}", Contribution.period.between(f"{year}01", f"{year}12")
        )
    ]
    if not rows:
        return None
    paid = [r for r in rows if r["status"] in records.PAID_STATUSES]
    return {
        "type_code": type_code,
        "type_name": policy.type_name(type_code),
        "months": rows,
        "paid_count": len(paid),
        "owed_count": len(rows) - len(paid),
        "employer_total_fen": sum(r["employer_fen"] for r in paid),
        "personal_total_fen": sum(r["personal_fen"] for r in paid),
    }


def _account_year(id_number: str, year: int) -> dict[str, Any] | None:
    """The pension account's row of `year` as the account page shows it: a past year in full,
    this year with interest to the last month passed (provisional years included)."""
    now = clock.now_dt()
    try:
        if year >= now.year:
            rows = pension_account.ledger(id_number, now.strftime("%Y%m"), now.month - 1)
        else:
            rows = pension_account.ledger(id_number, f"{year}12", 12)
    except BadInput:
        return None
    return next((row for row in rows if row["year"] == year), None)


def facts(id_number: str, year: int) -> dict[str, Any]:
    """What the record of `year` says; NotFound when the resident has no data that year."""
    owned = [s.type_code for s in ContributionSummary.query(id_number)]
    order = list(policy.insurance_types())
    types = [
        entry
        for code in sorted(owned, key=order.index)
        if (entry := _type_entry(id_number, code, year)) is not None
    ]
    account = _account_year(id_number, year)
    if not types and account is None:
        raise NotFound(f"{year}年度没有您的参保缴费记录", code="no_data_for_year")
    name = accounts.get(id_number).name
    return {
        "year": year,
        "name": name,
        "id_number_masked": ids.mask(id_number),
        "types": types,
        "account": account,
    }


def issue(current: CurrentSession, year: Any, ip: str | None) -> dict[str, Any]:
    """The year's record as PDF in S3 and a short-lived link to it (201 at the route)."""
    chosen = records.check_year(year)
    content = facts(current.id_number, chosen)
    from .. import pdf_statement  # noqa: PLC0415 (reportlab only on this path)

    issued_on = datetime.fromtimestamp(clock.now(), clock.CHINA_TZ).strftime("%Y年%m月%d日")
    pdf = pdf_statement.render(content, issued_on)
    key = f"{storage.DOWNLOADS_PREFIX}statements/{secrets.token_hex(16)}.pdf"
    storage.put_bytes(key, pdf, "application/pdf", {"year": str(chosen)})
    audit.record(current.id_number, ACTION, "ok", ip, {"year": chosen})
    return {
        "year": chosen,
        "download_url": storage.presigned_get(key, filename=f"quanyi-{chosen}.pdf"),
        "expires_in": storage.PRESIGN_MAX_S,
    }


def available(current: CurrentSession) -> dict[str, Any]:
    """The years a record can be printed for, newest first."""
    return {"years": years_with_data(current.id_number)}
