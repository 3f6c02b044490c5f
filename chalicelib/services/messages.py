"""Resident messages (站内消息): short notices such as "缴费成功", newest first.

`build(...)` makes the item without saving it, so a business transaction can write it
together with its own change (e.g. the PAID transaction of services/payment_settlement.py).
"""

from __future__ import annotations

import secrets

from .. import clock
from ..models.messages import ResidentMessage
from .sessions import CurrentSession

LIST_LIMIT = 50


def build(id_number: str, kind: str, title: str, text: str, ref: str | None = None) -> ResidentMessage:
    now = clock.now()
    return ResidentMessage(
        id_number=id_number,
        at_id=f"{int(now * 1000):013d}#{secrets.token_hex(4)}",
        kind=kind,
        title=title,
        text=text,
        ref=ref,
        created_at=int(now),
    )


def append(id_number: str, kind: str, title: str, text: str, ref: str | None = None) -> None:
    build(id_number, kind, title, text, ref).save()


def list_for(current: CurrentSession, limit: int = LIST_LIMIT) -> dict:
    items = ResidentMessage.query(current.id_number, scan_index_forward=False, limit=limit)
    return {
        "items": [
            {
                "kind": m.kind,
                "title": m.title,
                "text": m.text,
                "ref": m.ref,
                "created_at": m.created_at,
                "read": m.read_at is not None,
            }
            for m in items
        ]
    }
