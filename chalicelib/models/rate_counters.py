"""Rate counters table: fixed-window request counters, shared by every Lambda instance.

Keys: hash `counter_key` = "<purpose>#<source>#<window start, unix s>" (e.g.
"verify#203.0.113.9#1767225600"). `count` is raised by one conditional UpdateItem
(ADD, only while below the limit), so the check and the count are one atomic step.
A cool-down counter ("<purpose>#<source>#cooldown<window s>", limits of 1) holds `next_at`
instead: the time the next request is allowed, set only while it has passed.
`expires_at` is a DynamoDB TTL attribute (clean-up only).
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from .. import settings
from .base import BaseMeta, TableModel


class RateCounter(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("rate-counters")

    counter_key = UnicodeAttribute(hash_key=True)
    # the stored name is `count`, so the attribute hides Model.count() (never called on this table)
    count = NumberAttribute(default=0)  # type: ignore[assignment]
    next_at = NumberAttribute(null=True)
    expires_at = NumberAttribute()
