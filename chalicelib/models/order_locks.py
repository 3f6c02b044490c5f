"""Month locks table: one item per person, insurance type and month that is in an order.

Keys: hash `person_type` = "<id_number>#<type_code>", range `period` (YYYYMM).
Created with attribute_not_exists in the transaction that creates or amends an order, so two
orders can never hold the same month (no read-then-write race). `order_no` is the holder;
deleted (conditioned on the holder) when the order is cancelled or expires; kept with
`state` PAID once the order is paid.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from .. import settings
from .base import BaseMeta, TableModel


class MonthLock(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("order_locks")

    person_type = UnicodeAttribute(hash_key=True)
    period = UnicodeAttribute(range_key=True)
    order_no = UnicodeAttribute()
    state = UnicodeAttribute(default="OPEN")
    created_at = NumberAttribute()
