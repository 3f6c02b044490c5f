"""Audit table: sign-ins and changes. Never a password, token or full ID number.

Keys: hash `subject` (keyed pseudonym of the ID number, see security/pseudonym.py),
range `at_id` ("<unix ms 13 digits>#<random>").
GSI `by_day`: hash `day` (YYYY-MM-DD, China time), range `at_id` (ops export by date range).
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from .. import settings
from .base import BaseMeta, TableModel


class AuditByDay(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_day"
        projection = AllProjection()

    day = UnicodeAttribute(hash_key=True)
    at_id = UnicodeAttribute(range_key=True)


class AuditEvent(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("audit")

    subject = UnicodeAttribute(hash_key=True)
    at_id = UnicodeAttribute(range_key=True)
    day = UnicodeAttribute()
    at = NumberAttribute()
    action = UnicodeAttribute()
    outcome = UnicodeAttribute()
    id_masked = UnicodeAttribute(null=True)
    source_ip = UnicodeAttribute(null=True)
    detail = JSONAttribute(null=True)
    by_day = AuditByDay()
