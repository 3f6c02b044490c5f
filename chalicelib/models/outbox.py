"""Outbox table (local stage only): the SMS and e-mails the local stack "sent".

Keys: hash `address` (phone number or e-mail), range `sent_at_id` ("<unix ms 13 digits>#<random>").
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from .. import settings
from .base import BaseMeta, TableModel


class OutboxMessage(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("outbox")

    address = UnicodeAttribute(hash_key=True)
    sent_at_id = UnicodeAttribute(range_key=True)
    text = UnicodeAttribute()
    code = UnicodeAttribute(null=True)
    sent_at = NumberAttribute()
