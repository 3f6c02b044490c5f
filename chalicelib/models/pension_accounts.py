"""Pension personal account table (养老个人账户): one item per person and calendar year.

Keys: hash `id_number`, range `year` ("YYYY").
From the core system: `months` paid that year and `credited_fen` (the amounts credited to the
account that year). `opening_fen` is only present on the first year (a balance carried in from
before the portal's records); every later opening balance is the previous closing balance,
computed in `services/pension_account.py` with the annual formula and the policy rates.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from .. import settings
from .base import BaseMeta, TableModel


class PensionAccountYear(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("pension-accounts")

    id_number = UnicodeAttribute(hash_key=True)
    year = UnicodeAttribute(range_key=True)
    months = NumberAttribute()
    credited_fen = NumberAttribute()
    opening_fen = NumberAttribute(null=True)
    source = UnicodeAttribute(null=True)
