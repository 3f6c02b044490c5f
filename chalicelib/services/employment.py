"""Labour relations (劳动合同) and public employment information (公共就业信息), as imported from
the core system. Each list is one Query on the resident's ID number, newest first, ≤ 50 rows a
page with a person-bound cursor."""

from __future__ import annotations

import functools
from typing import Any

from .. import clock, cursor
from ..models.employment_notices import EmploymentNotice
from ..models.labour_contracts import LabourContract
from .sessions import CurrentSession

PAGE_SIZE = 20
CONTRACT_TYPES = {"FIXED": "固定期限", "OPEN": "无固定期限", "TASK": "以完成一定工作任务为期限"}
NOTICE_KINDS = {
    "EMPLOYED": "就业登记",
    "UNEMPLOYED": "失业登记",
    "FLEXIBLE": "灵活就业登记",
    "TRAINING": "职业培训",
    "SUBSIDY": "就业补贴",
}


def _contract(item: LabourContract) -> dict[str, Any]:
    today = clock.now_dt().date().isoformat()
    current = item.start_date <= today and (not item.end_date or item.end_date >= today)
    return {
        "employer": item.employer,
        "start_date": item.start_date,
        "end_date": item.end_date,
        "contract_type": item.contract_type,
        "contract_type_label": CONTRACT_TYPES.get(item.contract_type, item.contract_type),
        "position": item.position,
        "current": current,
    }


def labour_contracts(current: CurrentSession, cursor_text: str | None) -> dict:
    query = functools.partial(LabourContract.query, current.id_number, scan_index_forward=False)
    items, next_cursor = cursor.page(
        query,
        PAGE_SIZE,
        "labour-contracts",
        current.id_number,
        {},
        cursor_text,
        key_of=lambda item: {"k": item.contract_id},
        start_key_of=lambda pos: {
            "id_number": {"S": current.id_number},
            "contract_id": {"S": str(pos.get("k"))},
        },
    )
    return {"items": [_contract(i) for i in items], "next_cursor": next_cursor}


def _notice(item: EmploymentNotice) -> dict[str, Any]:
    return {
        "date": item.notice_date,
        "kind": item.kind,
        "kind_label": NOTICE_KINDS.get(item.kind, item.kind),
        "organisation": item.organisation,
        "detail": item.detail,
    }


def employment_notices(current: CurrentSession, cursor_text: str | None) -> dict:
    query = functools.partial(EmploymentNotice.query, current.id_number, scan_index_forward=False)
    items, next_cursor = cursor.page(
        query,
        PAGE_SIZE,
        "employment-notices",
        current.id_number,
        {},
        cursor_text,
        key_of=lambda item: {"k": item.notice_id},
        start_key_of=lambda pos: {
            "id_number": {"S": current.id_number},
            "notice_id": {"S": str(pos.get("k"))},
        },
    )
    return {"items": [_notice(i) for i in items], "next_cursor": next_cursor}
