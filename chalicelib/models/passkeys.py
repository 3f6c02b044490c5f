"""Passkeys table: WebAuthn credentials residents registered in 账号设置.

Keys: hash `id_number`, range `passkey_id` (first 16 hex digits of the SHA-256 of the credential
id: short enough for a URL path, shown to nobody). GSI `by_credential`: hash `credential_id`
(base64url, as the authenticator sends it) → the owner, keys only; sign-in then reads the item
from the table itself with a consistent read, so a removed passkey is never honoured.
`public_key` is the COSE public key (base64url); `sign_count` only ever grows (conditional write).
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from .. import settings
from .base import BaseMeta, TableModel


class PasskeysByCredential(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_credential"
        projection = KeysOnlyProjection()

    credential_id = UnicodeAttribute(hash_key=True)


class Passkey(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("passkeys")

    id_number = UnicodeAttribute(hash_key=True)
    passkey_id = UnicodeAttribute(range_key=True)
    credential_id = UnicodeAttribute()
    public_key = UnicodeAttribute()
    sign_count = NumberAttribute(default=0)
    name = UnicodeAttribute()
    created_at = NumberAttribute()
    last_used_at = NumberAttribute(null=True)
    by_credential = PasskeysByCredential()
