"""Opaque, person-bound, tamper-evident paging cursors.

A cursor is `<base64url(JSON position)>.<base64url(HMAC-SHA256)>`; the MAC covers the purpose
(which list), the resident's ID number and the query it continues (e.g. type and year), so a
cursor edited by hand, taken from another resident or replayed on another query is refused
with 400. The key comes from `secrets_store.get("cursor-key")`. The ID number itself is never
inside the cursor (only inside the MAC).

`page(...)` runs the one Query a paged view makes: it asks for `size + 1` items, returns
`size` of them and a cursor only when a further item exists (no empty "next page").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from typing import Any

from . import secrets_store
from .errors import BadInput

MAX_PAGE = 50
MAX_CURSOR_CHARS = 512


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(purpose: str, id_number: str, bind: dict[str, Any], payload: bytes) -> bytes:
    key = secrets_store.get("cursor-key").encode("utf-8")
    message = b"\x1f".join(
        [
            purpose.encode(),
            id_number.encode(),
            json.dumps(bind, sort_keys=True, separators=(",", ":")).encode(),
            payload,
        ]
    )
    return hmac.new(key, message, hashlib.sha256).digest()


def encode(purpose: str, id_number: str, bind: dict[str, Any], position: dict[str, Any]) -> str:
    payload = json.dumps(position, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return f"{_b64(payload)}.{_b64(_mac(purpose, id_number, bind, payload)[:16])}"


def _invalid() -> BadInput:
    return BadInput("翻页参数无效，请重新查询", code="invalid_cursor", field="cursor")


def decode(purpose: str, id_number: str, bind: dict[str, Any], cursor: str) -> dict[str, Any]:
    """The position inside `cursor`, or BadInput if it was altered or belongs elsewhere."""
    if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR_CHARS or cursor.count(".") != 1:
        raise _invalid()
    body, _, mac = cursor.partition(".")
    try:
        payload = _unb64(body)
        given = _unb64(mac)
    except (ValueError, TypeError):
        raise _invalid() from None
    if not hmac.compare_digest(given, _mac(purpose, id_number, bind, payload)[:16]):
        raise _invalid()
    try:
        position = json.loads(payload)
    except ValueError:
        raise _invalid() from None
    if not isinstance(position, dict):
        raise _invalid()
    return position


def page(
    query: Callable[..., Iterable[Any]],
    size: int,
    purpose: str,
    id_number: str,
    bind: dict[str, Any],
    cursor: str | None,
    key_of: Callable[[Any], dict[str, Any]],
    start_key_of: Callable[[dict[str, Any]], dict[str, Any]],
) -> tuple[list[Any], str | None]:
    """One Query: `query(limit=, last_evaluated_key=)` is a pynamodb Model.query partial.

    `key_of(item)` gives the position to store in the cursor (e.g. {"p": "202603"});
    `start_key_of(position)` turns it back into DynamoDB's ExclusiveStartKey.
    """
    if not 1 <= size <= MAX_PAGE:
        raise ValueError("page size out of bounds")
    start = start_key_of(decode(purpose, id_number, bind, cursor)) if cursor else None
    result = query(limit=size + 1, page_size=size + 1, last_evaluated_key=start)
    items = []
    for item in result:
        items.append(item)
        if len(items) > size:
            break
    if len(items) > size:
        items = items[:size]
        return items, encode(purpose, id_number, bind, key_of(items[-1]))
    return items, None
