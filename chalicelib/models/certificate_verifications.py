"""Certificate verifications table: who checked a certificate, when (the owner can see it).

Keys: hash `code`, range `at_id` ("<unix ms 13 digits>#<random>").
`source_ip` is stored masked (last part hidden), `agent` is a short user-agent label,
`outcome`: VALID, REVOKED, EXPIRED.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from .. import settings
from .base import BaseMeta, TableModel


class CertificateVerification(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("certificate-verifications")

    code = UnicodeAttribute(hash_key=True)
    at_id = UnicodeAttribute(range_key=True)
    at = NumberAttribute()
    outcome = UnicodeAttribute()
    source_ip = UnicodeAttribute(null=True)
    agent = UnicodeAttribute(null=True)
