"""Bank events table: every signed bank notification (and reconciliation repair), kept for audit.

Keys: hash `event_key` = "<bank_code>#<event_id>" — written with attribute_not_exists, in the same
transaction as the order's change, so a notification is applied at most once (dedupe).
`outcome`: APPLIED (changed the order), IGNORED (no change needed, e.g. the order is already
PAID by the same bank transaction), FLAGGED (signed but not matching the order: for review).
GSI `flagged` (sparse): hash `review` ("OPEN" while flagged and unreviewed), range `received_at`.
GSI `by_day`: hash `day` (YYYY-MM-DD China time of receipt), range `event_key`.
`body` is the raw notification as received.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from .. import settings
from .base import BaseMeta, TableModel


class FlaggedEvents(GlobalSecondaryIndex):
    class Meta:
        index_name = "flagged"
        projection = AllProjection()

    review = UnicodeAttribute(hash_key=True)
    received_at = NumberAttribute(range_key=True)


class EventsByDay(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_day"
        projection = AllProjection()

    day = UnicodeAttribute(hash_key=True)
    event_key = UnicodeAttribute(range_key=True)


class BankEvent(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("bank_events")

    event_key = UnicodeAttribute(hash_key=True)
    bank_code = UnicodeAttribute()
    event_id = UnicodeAttribute()
    source = UnicodeAttribute(default="notification")
    order_no = UnicodeAttribute(null=True)
    bank_txn_id = UnicodeAttribute(null=True)
    amount_fen = NumberAttribute(null=True)
    currency = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    paid_at = UnicodeAttribute(null=True)
    received_at = NumberAttribute()
    day = UnicodeAttribute()
    outcome = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    review = UnicodeAttribute(null=True)
    body = UnicodeAttribute(null=True)
    flagged = FlaggedEvents()
    by_day = EventsByDay()
