"""Certificates table (参保证明): one item per issued certificate.

Keys: hash `code` (the verification code, 100 random bits in Crockford base32, printed on the
PDF). GSI `by_person`: hash `id_number`, range `issued_at` (the resident's own list, newest
first). `facts` is what the public verification shows: masked name and ID, the period and per
type {"type_code", "months", "total_fen"}. `expires_at` (90 days) and `revoked_at` are checked on
every verification; `revoked_by` says who revoked (RESIDENT, or OPS with `revoke_reason`);
`pdf_key` is the private S3 object.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from .. import settings
from .base import BaseMeta, TableModel


class CertificatesByPerson(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_person"
        projection = AllProjection()

    id_number = UnicodeAttribute(hash_key=True)
    issued_at = NumberAttribute(range_key=True)


class Certificate(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("certificates")

    code = UnicodeAttribute(hash_key=True)
    id_number = UnicodeAttribute()
    issued_at = NumberAttribute()
    expires_at = NumberAttribute()
    revoked_at = NumberAttribute(null=True)
    revoked_by = UnicodeAttribute(null=True)
    revoke_reason = UnicodeAttribute(null=True)
    from_period = UnicodeAttribute()
    to_period = UnicodeAttribute()
    facts = JSONAttribute()
    pdf_key = UnicodeAttribute()
    verify_count = NumberAttribute(default=0)
    by_person = CertificatesByPerson()
