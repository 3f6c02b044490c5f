"""下载我的数据 (PIPL art. 45): everything the portal holds about the signed-in resident as a zip
of JSON (`data.json`, all sections) and CSV (one file per list), offered by a short-lived link.

Sections: profile, contributions (every type the resident has, whole history), pension account,
pension payments, payment orders (as payer), card and card applications, certificates, labour
contracts and employment notices, messages, to-do items, access log. Each is read with the same
view function the portal's screens use, so the export shows what the screens show (ID number,
phone and account numbers masked as everywhere else). Built within the request: a long employee
history (40 years × 5 types ≈ 2,400 rows) is a few Queries and well under a megabyte. The zip is
stored privately under `storage.DOWNLOADS_PREFIX` (expired by the bucket's lifecycle); the
request is in the access log.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import zipfile
from collections.abc import Callable, Iterable
from typing import Any

from .. import clock, policy, storage
from ..models.contribution_summaries import ContributionSummary
from ..models.contributions import Contribution
from ..models.orders import PaymentOrder
from ..models.pension_payments import PensionPayment
from . import (
    audit,
    card_applications,
    cards,
    certificates,
    employment,
    messages,
    payment_orders,
    pension_account,
    pension_payments,
    person,
    records,
    tasks,
)
from .sessions import CurrentSession

ACTION = "data_export"
README = """个人数据导出（下载我的数据）

data.json 包含全部内容；每类列表另有一个 CSV 文件（UTF-8，可用表格软件打开）。
金额单位为“分”（_fen 结尾的字段，100分 = 1元）；月份为 YYYYMM；时间戳为 Unix 秒。
身份证号、手机号、银行卡号按页面显示的方式部分隐藏。
"""


def _contributions(id_number: str) -> list[dict[str, Any]]:
    rows = []
    for summary in ContributionSummary.query(id_number):
        name = policy.type_name(summary.type_code)
        for item in Contribution.query(f"{id_number}#{summary.type_code}"):
            rows.append(
                {"type_code": summary.type_code, "type_name": name, **records.contribution_view(item)}
            )
    return rows


def _all_pages(fetch: Callable[[str | None], dict]) -> list[dict[str, Any]]:
    items, cursor_text = [], None
    while True:
        page = fetch(cursor_text)
        items += page["items"]
        cursor_text = page.get("next_cursor")
        if not cursor_text:
            return items


def collect(current: CurrentSession) -> dict[str, Any]:
    """Every section of the export, as JSON-ready dicts and lists."""
    number = current.id_number
    profile = person.basic_info(current)
    profile.pop("session", None)
    return {
        "profile": profile,
        "contributions": _contributions(number),
        "pension_account": pension_account.statement(current)["items"],
        "pension_payments": [pension_payments.payment_view(item) for item in PensionPayment.query(number)],
        "payment_orders": [
            payment_orders.view(order)
            for order in PaymentOrder.by_person.query(number, scan_index_forward=False)
        ],
        "cards": [cards.view(card) for card in cards.all_cards(number)],
        "card_applications": card_applications.history(number),
        "certificates": certificates.list_mine(current)["items"],
        "labour_contracts": _all_pages(lambda c: employment.labour_contracts(current, c)),
        "employment_notices": _all_pages(lambda c: employment.employment_notices(current, c)),
        "messages": messages.list_for(current)["items"],
        "tasks": tasks.list_for(current)["items"],
        "access_log": audit.for_person(number),
    }


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def to_csv(rows: Iterable[dict[str, Any]]) -> str:
    """One CSV of dict rows: the columns of all rows in first-seen order; nested values as JSON."""
    rows = list(rows)
    columns: list[str] = []
    for row in rows:
        columns += [key for key in row if key not in columns]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(key)) for key in columns])
    return out.getvalue()


def build_zip(sections: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README)
        archive.writestr("data.json", json.dumps(sections, ensure_ascii=False, indent=1))
        for name, value in sections.items():
            rows = value if isinstance(value, list) else [value]
            # utf-8-sig: spreadsheet programs then read the Chinese correctly
            archive.writestr(f"{name}.csv", to_csv(rows).encode("utf-8-sig"))
    return buffer.getvalue()


def export(current: CurrentSession, ip: str | None) -> dict[str, Any]:
    """The zip in S3 and a link valid for at most `storage.PRESIGN_MAX_S` seconds (201 at the route)."""
    archive = build_zip(collect(current))
    key = f"{storage.DOWNLOADS_PREFIX}exports/{secrets.token_hex(16)}.zip"
    storage.put_bytes(key, archive, "application/zip")
    audit.record(current.id_number, ACTION, "ok", ip, {"bytes": len(archive)})
    now = int(clock.now())
    return {
        "download_url": storage.presigned_get(key, filename="my-social-insurance-data.zip"),
        "expires_at": now + storage.PRESIGN_MAX_S,
    }
