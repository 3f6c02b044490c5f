"""Audit log of sign-ins and changes: who (pseudonym + masked ID), what, when, source IP, outcome."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

from .. import clock
from .. import id_number as ids
from ..models.audit import AuditEvent
from ..security import pseudonym

RESIDENT_VISIBLE_LIMIT = 50


def _at_id(at_ms: int) -> str:
    return f"{at_ms:013d}#{secrets.token_hex(4)}"


def record(
    id_number: str | None, action: str, outcome: str, ip: str | None, detail: dict[str, Any] | None = None
) -> None:
    """Append one event. `detail` must never hold a password, token or full ID number."""
    now = clock.now()
    at_ms = int(now * 1000)
    subject = pseudonym.of(id_number) if id_number else "anonymous"
    AuditEvent(
        subject=subject,
        at_id=_at_id(at_ms),
        day=clock.now_dt().strftime("%Y-%m-%d"),
        at=int(now),
        action=action,
        outcome=outcome,
        id_masked=ids.mask(id_number) if id_number else None,
        source_ip=ip,
        detail=detail or None,
    ).save()


def for_person(id_number: str, limit: int = RESIDENT_VISIBLE_LIMIT) -> list[dict[str, Any]]:
    """The resident's own access log, newest first (one Query)."""
    events = AuditEvent.query(pseudonym.of(id_number), scan_index_forward=False, limit=limit)
    return [{"at": e.at, "action": e.action, "outcome": e.outcome, "source_ip": e.source_ip} for e in events]


def for_days(days: list[str]) -> Iterator[AuditEvent]:
    """Every event of the given days (YYYY-MM-DD), oldest first: one Query per day on `by_day`."""
    for day in days:
        yield from AuditEvent.by_day.query(day)
