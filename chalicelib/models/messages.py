"""Resident messages table (站内消息): notices to a resident, e.g. "缴费成功".

Keys: hash `id_number`, range `at_id` ("<unix ms 13 digits>#<random>"), newest last.
`kind` (payment_paid, payment_failed, payment_expired, ...), `ref` the business reference
(an order number), `read_at` once the resident has seen it.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from .. import settings
from .base import BaseMeta, TableModel


class ResidentMessage(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("messages")

    id_number = UnicodeAttribute(hash_key=True)
    at_id = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute()
    title = UnicodeAttribute()
    text = UnicodeAttribute()
    ref = UnicodeAttribute(null=True)
    created_at = NumberAttribute()
    read_at = NumberAttribute(null=True)
