"""Labour contracts table (劳动关系 / 劳动合同), imported from the core system.

Keys: hash `id_number`, range `contract_id` ("<start YYYY-MM-DD>#<contract number>"), so a
resident's contracts come back in start order from one Query.
`end_date` is empty for an open-ended contract. `contract_type`: FIXED (固定期限),
OPEN (无固定期限), TASK (以完成一定工作任务为期限).
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from .. import settings
from .base import BaseMeta, TableModel


class LabourContract(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("labour-contracts")

    id_number = UnicodeAttribute(hash_key=True)
    contract_id = UnicodeAttribute(range_key=True)
    employer = UnicodeAttribute()
    start_date = UnicodeAttribute()
    end_date = UnicodeAttribute(null=True)
    contract_type = UnicodeAttribute()
    position = UnicodeAttribute(null=True)
    source = UnicodeAttribute(null=True)
