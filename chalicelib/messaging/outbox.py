"""The local stage's "delivery": every SMS and e-mail is written to the outbox table."""

from __future__ import annotations

import secrets

from .. import clock
from ..models.outbox import OutboxMessage


def write(address: str, text: str, code: str | None) -> None:
    now = clock.now()
    OutboxMessage(
        address=address,
        sent_at_id=f"{int(now * 1000):013d}#{secrets.token_hex(3)}",
        text=text,
        code=code,
        sent_at=int(now),
    ).save()


def read(address: str, limit: int = 20) -> list[dict]:
    messages = OutboxMessage.query(address, scan_index_forward=False, limit=limit)
    return [{"text": m.text, "code": m.code, "sent_at": m.sent_at} for m in messages]
