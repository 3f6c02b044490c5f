"""One-time codes table: activation tokens, SMS/e-mail codes, password-reset and contact-change flows.

Keys: hash `code_key` = "<purpose>#<sha256 of the flow token>" (purposes: activation, reset,
contact). The code sent to the resident is stored only as a hash; `attempts` counts wrong
entries; `expires_at` is checked on use (TTL is clean-up only). `data` holds flow details
(e.g. the new phone number awaiting confirmation).
"""
from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from .. import settings
from .base import BaseMeta, TableModel


class OneTimeCode(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("codes")

    code_key = UnicodeAttribute(hash_key=True)
    id_number = UnicodeAttribute()
    code_hash = UnicodeAttribute(null=True)
    attempts = NumberAttribute(default=0)
    expires_at = NumberAttribute()
    data = JSONAttribute(null=True)
