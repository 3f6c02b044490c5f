"""Pending tasks table (待办事项): a resident's unfinished business, each resumable.

Keys: hash `id_number`, range `task_id` ("<kind>#<reference>", e.g. "payment#P2026...").
`kind` names the business (card_application, payment_order, ...); `step` where it stopped;
`resume_path` the site page that continues it.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from .. import settings
from .base import BaseMeta, TableModel


class PendingTask(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("tasks")

    id_number = UnicodeAttribute(hash_key=True)
    task_id = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute()
    title = UnicodeAttribute()
    step = UnicodeAttribute(null=True)
    resume_path = UnicodeAttribute()
    created_at = NumberAttribute()
    updated_at = NumberAttribute()
    data = JSONAttribute(null=True)
