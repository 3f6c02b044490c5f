"""Contributions table: one item per person, insurance type and month.

Keys: hash `person_type` = "<id_number>#<type_code>" (type codes 110 210 310 410 510 170 390),
range `period` (YYYYMM). A year view is one Query: person_type = :pt AND period BETWEEN
"<year>01" AND "<year>12" — its cost depends only on that year's rows.
Money fields are integer fen. `status`: PAID (到账), OWED (欠缴), BACKPAID (补缴).
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from .. import settings
from .base import BaseMeta, TableModel


class Contribution(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("contributions")

    person_type = UnicodeAttribute(hash_key=True)
    period = UnicodeAttribute(range_key=True)
    employer = UnicodeAttribute()
    base_fen = NumberAttribute()
    employer_fen = NumberAttribute()
    personal_fen = NumberAttribute()
    account_fen = NumberAttribute(default=0)
    status = UnicodeAttribute()
    posted_on = UnicodeAttribute(null=True)
    source = UnicodeAttribute(null=True)
