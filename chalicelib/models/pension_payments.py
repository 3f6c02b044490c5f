"""Pension payments table (养老待遇发放): one item per pensioner and paid month.

Keys: hash `id_number`, range `period` (YYYYMM). A month range is one Query with
period BETWEEN :from AND :to. `items` is [{"name": "基础养老金", "amount_fen": int}, ...];
`gross_fen` their sum. Only the masked bank account is stored (`bank_account_masked`).
`scheme`: "employee" (职工基本养老金, 退休金; absent on older items) or "resident"
(城乡居民基本养老金).
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from .. import settings
from .base import BaseMeta, TableModel


class PensionPayment(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("pension-payments")

    id_number = UnicodeAttribute(hash_key=True)
    period = UnicodeAttribute(range_key=True)
    items = JSONAttribute()
    gross_fen = NumberAttribute()
    bank_name = UnicodeAttribute(null=True)
    bank_account_masked = UnicodeAttribute(null=True)
    pay_date = UnicodeAttribute(null=True)
    source = UnicodeAttribute(null=True)
    scheme = UnicodeAttribute(null=True)
