"""Keyed pseudonyms of ID numbers, so logs can be grouped per person without holding the number."""

from __future__ import annotations

import hashlib
import hmac

from .. import secrets_store


def of(id_number: str) -> str:
    key = secrets_store.get("pseudonym-key").encode("utf-8")
    return hmac.new(key, id_number.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
