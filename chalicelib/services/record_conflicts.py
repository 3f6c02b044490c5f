"""Conflicts of record precedence (PRODUCT section 3), listed for operations to resolve.

A month recorded as PAID is never downgraded: the write that would do it is refused by its
condition (`records.precedence_condition`) and the refused row lands here. Nothing is decided
silently; an operator either keeps the record (`KEEP_RECORD`) or, for a core-system row, applies
it explicitly (`APPLY_ROW`: the month and its summary rewritten with the row's values in one
transaction with the conflict's resolution, e.g. after a refund). Every resolution is audited.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError
from pynamodb.expressions.update import Action

from .. import clock
from .. import id_number as ids
from ..errors import Conflict, NotFound
from ..models.base import condition_failed, transaction
from ..models.contributions import Contribution
from ..models.record_conflicts import RecordConflict
from . import audit, records

OPEN = "OPEN"
KEEP_RECORD = "KEEP_RECORD"
APPLY_ROW = "APPLY_ROW"
ROW_FIELDS = ("employer", "base_fen", "employer_fen", "personal_fen", "account_fen", "status", "posted_on")


def conflict_id(kind: str, id_number: str, type_code: str, period: str, row: dict[str, Any]) -> str:
    text = json.dumps(
        [kind, id_number, type_code, period, {k: row.get(k) for k in ROW_FIELDS}],
        ensure_ascii=False,
        sort_keys=True,
    )
    return "C" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16].upper()


def _existing(id_number: str, type_code: str, period: str) -> dict[str, Any] | None:
    """The record the refused row met (for the operator's eyes only; decides nothing)."""
    try:
        item = Contribution.get(f"{id_number}#{type_code}", period, consistent_read=True)
    except DoesNotExist:
        return None
    return {
        "status": item.status,
        "source": item.source,
        "personal_fen": int(item.personal_fen),
        "account_fen": int(item.account_fen or 0),
        "posted_on": item.posted_on,
    }


def record(kind: str, id_number: str, type_code: str, period: str, row: dict[str, Any], origin: str) -> str:
    """List a refused row (idempotent: the same refusal is listed once). Returns its id."""
    key = conflict_id(kind, id_number, type_code, period, row)
    item = RecordConflict(
        conflict_id=key,
        kind=kind,
        id_number=id_number,
        type_code=type_code,
        period=period,
        origin=origin,
        row={k: row.get(k) for k in ROW_FIELDS},
        existing=_existing(id_number, type_code, period),
        created_at=int(clock.now()),
        review=OPEN,
    )
    try:
        item.save(condition=RecordConflict.conflict_id.does_not_exist())
    except PutError as exc:
        if not condition_failed(exc):
            raise
    return key


def _view(item: RecordConflict) -> dict[str, Any]:
    return {
        "conflict_id": item.conflict_id,
        "kind": item.kind,
        "id_masked": ids.mask(item.id_number),
        "type_code": item.type_code,
        "period": item.period,
        "origin": item.origin,
        "row": item.row,
        "existing": item.existing,
        "created_at": int(item.created_at),
        "open": item.review == OPEN,
        "resolution": item.resolution,
        "resolved_at": None if item.resolved_at is None else int(item.resolved_at),
        "note": item.note,
    }


def open_conflicts(limit: int = 100) -> list[dict[str, Any]]:
    """Unresolved conflicts, oldest first (one Query of the sparse index)."""
    return [_view(i) for i in RecordConflict.open.query(OPEN, limit=limit)]


def show(key: str) -> dict[str, Any]:
    return _view(_get(key))


def _get(key: str) -> RecordConflict:
    try:
        return RecordConflict.get(key, consistent_read=True)
    except DoesNotExist:
        raise NotFound(f"没有编号为{key}的记录冲突", code="conflict_not_found") from None


def resolve(key: str, resolution: str, note: str | None = None) -> dict[str, Any]:
    """Close an open conflict: KEEP_RECORD leaves the month as it is; APPLY_ROW writes the
    refused core-system row over it (with its summary) in the same transaction that closes
    the conflict, so a conflict is applied at most once."""
    if resolution not in (KEEP_RECORD, APPLY_ROW):
        raise ValueError(f"unknown resolution {resolution!r}")
    item = _get(key)
    if item.review != OPEN:
        raise Conflict(f"记录冲突{key}已处理（{item.resolution}）", code="conflict_resolved")
    if resolution == APPLY_ROW and item.kind != "import_row":
        raise Conflict("银行缴费的冲突只能保留现有记录（退款在银行办理）", code="not_applicable")
    close: list[Action] = [
        RecordConflict.review.remove(),
        RecordConflict.resolution.set(resolution),
        RecordConflict.resolved_at.set(int(clock.now())),
    ]
    if note:
        close.append(RecordConflict.note.set(note))
    try:
        with transaction() as tx:
            tx.update(item, actions=close, condition=RecordConflict.review == OPEN)
            if resolution == APPLY_ROW:
                row = dict(item.row, period=item.period, source=f"conflict:{key}")
                records.add_to_transaction(tx, item.id_number, item.type_code, [row])
    except TransactWriteError as exc:
        if condition_failed(exc):
            raise Conflict(f"记录冲突{key}已被他人处理", code="conflict_resolved") from None
        raise
    audit.record(
        item.id_number,
        "records.conflict_resolved",
        "ok",
        None,
        {"conflict_id": key, "resolution": resolution, "type_code": item.type_code, "period": item.period},
    )
    return show(key)
