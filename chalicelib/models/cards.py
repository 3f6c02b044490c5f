"""Cards table (社会保障卡): every card a resident has held, the current one and the cancelled.

Keys: hash `id_number`, range `card_id` ("C<yyyymmddHHMMSS><4 hex>", sorts by creation).
`status`: IN_PRODUCTION (制卡中, from a submitted application; no card number yet),
NORMAL (正常), LOST (挂失), CANCELLED (注销, e.g. replaced after a loss). The current card is the
newest one not CANCELLED. `status_changed_at` / `status_reason` describe the last change.
`card_no` (9 characters, printed on the card) and `bank_account` (the card's financial account)
are stored in full and only ever shown masked.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from .. import settings
from .base import BaseMeta, TableModel


class Card(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("cards")

    id_number = UnicodeAttribute(hash_key=True)
    card_id = UnicodeAttribute(range_key=True)
    status = UnicodeAttribute()
    card_no = UnicodeAttribute(null=True)
    bank_code = UnicodeAttribute()
    bank_account = UnicodeAttribute(null=True)
    issued_on = UnicodeAttribute(null=True)  # YYYY-MM-DD
    valid_until = UnicodeAttribute(null=True)  # YYYY-MM-DD
    application_id = UnicodeAttribute(null=True)
    created_at = NumberAttribute()
    status_changed_at = NumberAttribute()
    status_reason = UnicodeAttribute(null=True)
