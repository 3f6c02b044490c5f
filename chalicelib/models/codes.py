"""One-time codes table: activation, password-reset, SMS sign-in and contact-change flows.

Keys: hash `code_key` = "<purpose>#<sha256 of the flow token>" (purposes: activation, reset,
contact, ...). `attempts` counts every code (or answer) check of the flow, across resends;
`expires_at` ends the whole flow, `code_expires_at` the code last sent (TTL is clean-up only).
`live` is a map holding at most one key: the hash of the code that is valid now (sha256 of
"<code_key>:<code>"). A check removes `live.<hash of the guess>` and adds 1 to `attempts` in
ONE conditional UpdateItem: the code is accepted exactly when that key was there, and so is
consumed by the write that accepts it. `data` holds flow details (e.g. the new phone number).
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, MapAttribute, NumberAttribute, UnicodeAttribute

from .. import settings
from .base import BaseMeta, TableModel


class OneTimeCode(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("codes")

    code_key = UnicodeAttribute(hash_key=True)
    id_number = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    expires_at = NumberAttribute()
    code_expires_at = NumberAttribute(null=True)
    sends = NumberAttribute(default=0)
    live: MapAttribute = MapAttribute(default=dict)
    data = JSONAttribute(null=True)
