"""WebAuthn challenges table: the random challenge of one passkey registration or sign-in.

Keys: hash `challenge_id` (random token given to the browser). `purpose` is "login" or
"register"; `id_number` is set for registrations only (the signed-in resident). A challenge is
used once: the conditional UpdateItem that sets `used_at` is the only way to read it back for
verification, and it fails once used or past `expires_at` (TTL attribute, clean-up only).
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from .. import settings
from .base import BaseMeta, TableModel


class WebAuthnChallenge(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("webauthn-challenges")

    challenge_id = UnicodeAttribute(hash_key=True)
    purpose = UnicodeAttribute()
    challenge = UnicodeAttribute()
    id_number = UnicodeAttribute(null=True)
    expires_at = NumberAttribute()
    used_at = NumberAttribute(null=True)
