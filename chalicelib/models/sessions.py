"""Sessions table: server-side sessions.

Keys: hash `token_hash` (hex SHA-256 of the 256-bit cookie token; the token itself is never stored).
GSI `by_person`: hash `id_number` (revoke all sessions of a resident).
`expires_at` is a DynamoDB TTL attribute for clean-up only; expiry is checked on every request.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from .. import settings
from .base import BaseMeta, TableModel


class SessionsByPerson(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_person"
        projection = KeysOnlyProjection()

    id_number = UnicodeAttribute(hash_key=True)


class Session(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("sessions")

    token_hash = UnicodeAttribute(hash_key=True)
    id_number = UnicodeAttribute()
    created_at = NumberAttribute()
    last_seen = NumberAttribute()
    expires_at = NumberAttribute()
    source_ip = UnicodeAttribute(null=True)
    by_person = SessionsByPerson()
