"""Record conflicts table: what record precedence refused, kept until operations decide.

A core-system row that would downgrade a PAID month (import reason `conflicts_with_paid`), or a
bank payment for a month that was already paid when the payment arrived, is never applied; it
is listed here instead (`python -m infra conflicts`).

Keys: hash `conflict_id` = "C" + 16 hex digits of SHA-256 over the person, type, month, origin
kind and the refused values — deterministic, so importing the same file again lists each
conflict once.
GSI `open` (sparse): hash `review` ("OPEN" until resolved, then removed), range `created_at`.
`row` is the refused values (a contribution row: employer, base_fen, ..., status, posted_on),
`existing` the record it met (status, source, personal_fen, posted_on); `origin` says where it
came from ("import:<file>:<line>" or "payment:<order_no>"). `resolution` KEEP_RECORD or
APPLY_ROW, with `resolved_at` and `note`.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from .. import settings
from .base import BaseMeta, TableModel


class OpenConflicts(GlobalSecondaryIndex):
    class Meta:
        index_name = "open"
        projection = AllProjection()

    review = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class RecordConflict(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("record-conflicts")

    conflict_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()  # import_row | payment
    id_number = UnicodeAttribute()
    type_code = UnicodeAttribute()
    period = UnicodeAttribute()
    origin = UnicodeAttribute()
    row = JSONAttribute()
    existing = JSONAttribute(null=True)
    created_at = NumberAttribute()
    review = UnicodeAttribute(null=True)
    resolution = UnicodeAttribute(null=True)
    resolved_at = NumberAttribute(null=True)
    note = UnicodeAttribute(null=True)
    open = OpenConflicts()
