"""Accounts table: one item per resident, the sign-in account and basic personal information.

Keys: hash `id_number` (18-character citizen ID, upper-case X).
`password_state`: INITIAL (888888, activation required) or SET.
Failed sign-ins: `failed_count` within the window that began at `failed_window_start`;
`locked_until` (unix s) while locked.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from .. import settings
from .base import BaseMeta, TableModel


class Account(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("accounts")

    id_number = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    password_hash = UnicodeAttribute()
    password_state = UnicodeAttribute(default="INITIAL")
    password_changed_at = NumberAttribute(null=True)
    failed_count = NumberAttribute(default=0)
    failed_window_start = NumberAttribute(null=True)
    locked_until = NumberAttribute(null=True)
    # Password protection: [{"question": str, "answer_hash": str}]
    protection = JSONAttribute(null=True)
    # Basic information from the core system (gender, nation, hukou, work start, ...).
    profile = JSONAttribute(null=True)
    created_at = NumberAttribute(default=0)
