"""Server-side sessions: 256-bit token in the cookie, SHA-256 of it in the table.

Idle timeout 15 min, absolute 12 h, both checked on every request with no reliance on TTL: a
strongly consistent GetItem reads the session (a revoked one is gone at once), and the activity
is written at most once a minute per session (settings.SESSION_TOUCH_INTERVAL_S) by an UpdateItem
whose condition checks both expiries again. So a read view costs one read request and no write in
the common case. Idle expiry counts from the last *recorded* activity: it can come up to a
minute early, never late. "Stay signed in" (keep-alive) always records.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from pynamodb.exceptions import DeleteError

from .. import clock, settings
from ..errors import Unauthorized
from ..models.base import on_condition_failed
from ..models.sessions import Session
from ..security import tokens


@dataclass(frozen=True)
class CurrentSession:
    id_number: str
    token_hash: str
    created_at: int
    last_seen: int

    @property
    def idle_expires_at(self) -> int:
        return min(self.last_seen + settings.IDLE_TIMEOUT_S, self.absolute_expires_at)

    @property
    def absolute_expires_at(self) -> int:
        return self.created_at + settings.ABSOLUTE_TIMEOUT_S

    def timing(self) -> dict:
        return {
            "idle_timeout_s": settings.IDLE_TIMEOUT_S,
            "idle_expires_at": self.idle_expires_at,
            "absolute_expires_at": self.absolute_expires_at,
            "server_time": int(clock.now()),
        }


def create(id_number: str, ip: str | None) -> str:
    """Start a session; return the cookie token (never stored)."""
    token = tokens.new_token()
    now = int(clock.now())
    Session(
        token_hash=tokens.digest(token),
        id_number=id_number,
        created_at=now,
        last_seen=now,
        expires_at=now + settings.ABSOLUTE_TIMEOUT_S,
        source_ip=ip,
    ).save()
    return token


def _expired() -> Unauthorized:
    return Unauthorized("登录已超时或已退出，请重新登录", code="session_expired")


def authenticate(token: str) -> CurrentSession:
    """Check idle and absolute expiry on the server; record the activity if the last record is
    a minute old or more."""
    now = int(clock.now())
    try:
        item = Session.get(tokens.digest(token), consistent_read=True)
    except Session.DoesNotExist:
        raise _expired() from None
    if item.last_seen < now - settings.IDLE_TIMEOUT_S or item.created_at < now - settings.ABSOLUTE_TIMEOUT_S:
        raise _expired()
    current = CurrentSession(item.id_number, item.token_hash, int(item.created_at), int(item.last_seen))
    if now - item.last_seen >= settings.SESSION_TOUCH_INTERVAL_S:
        current = record_activity(current)
    return current


def record_activity(current: CurrentSession) -> CurrentSession:
    """Write `last_seen = now`, on condition that the session still exists and has not expired."""
    now = int(clock.now())
    item = Session(token_hash=current.token_hash)
    with on_condition_failed(_expired):
        item.update(
            actions=[Session.last_seen.set(now)],
            condition=(Session.last_seen >= now - settings.IDLE_TIMEOUT_S)
            & (Session.created_at >= now - settings.ABSOLUTE_TIMEOUT_S),
        )
    return CurrentSession(item.id_number, item.token_hash, int(item.created_at), int(item.last_seen))


def revoke(token_hash: str) -> None:
    with contextlib.suppress(DeleteError):
        Session(token_hash=token_hash).delete()


def revoke_all(id_number: str, keep_token_hash: str | None = None) -> int:
    """End every session of a resident (optionally keeping the current one); return how many."""
    count = 0
    for key in Session.by_person.query(id_number):
        if key.token_hash != keep_token_hash:
            revoke(key.token_hash)
            count += 1
    return count
