"""Contribution summaries table: one small item per person and insurance type.

Keys: hash `id_number`, range `type_code` (110 210 310 410 510 170 390).
`paid` is the string set of periods (YYYYMM) with a PAID or BACKPAID contribution, `owed` the
set of periods still OWED. Both are maintained with UpdateItem ADD/DELETE (atomic, idempotent),
so first/last month and months counted come from the sets and the summary page of a resident is
one Query, whatever the length of the history (480 periods ≈ 4 KB). Maintained by the import,
the seed and the payments transaction (see `services/records.py`).
`state` is set by the import from the core system when the scheme ended (RETIRED, ENDED).
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UnicodeSetAttribute

from .. import settings
from .base import BaseMeta, TableModel


class ContributionSummary(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("contribution-summaries")

    id_number = UnicodeAttribute(hash_key=True)
    type_code = UnicodeAttribute(range_key=True)
    paid = UnicodeSetAttribute(null=True)
    owed = UnicodeSetAttribute(null=True)
    state = UnicodeAttribute(null=True)
