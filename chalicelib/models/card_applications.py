"""Card applications table (社保卡申领信息采集 and 补卡): multi-step, saved at every step.

Keys: hash `id_number`, range `application_id` ("A<yyyymmddHHMMSS><4 hex>").
One more item per resident, range "OPEN", exists while an application is open (DRAFT or
SUBMITTED); it holds `open_application_id` and is created and removed in the same transaction
as the application's state change, so a resident never has two open applications.
`kind`: NEW (first card) or REPLACEMENT (补卡 after a loss report; `replaces_card_id`).
`status`: DRAFT → SUBMITTED (制卡中) → ISSUED, or DRAFT → WITHDRAWN.
`step`: the next step to complete: details, bank, delivery, photo, review.
`delivery`: {"method":"pickup","outlet_code"} or
{"method":"mail","recipient","phone","address","postal_code"}.
`photo_key`: the S3 key of the accepted, normalised photo.
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute

from .. import settings
from .base import BaseMeta, TableModel

OPEN_MARKER = "OPEN"


class CardApplication(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("card-applications")

    id_number = UnicodeAttribute(hash_key=True)
    application_id = UnicodeAttribute(range_key=True)
    # OPEN marker item only
    open_application_id = UnicodeAttribute(null=True)
    # application items
    kind = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    step = UnicodeAttribute(null=True)
    details_confirmed = BooleanAttribute(null=True)
    bank_code = UnicodeAttribute(null=True)
    delivery = JSONAttribute(null=True)
    photo_key = UnicodeAttribute(null=True)
    photo_checked_at = NumberAttribute(null=True)
    replaces_card_id = UnicodeAttribute(null=True)
    card_id = UnicodeAttribute(null=True)
    created_at = NumberAttribute(null=True)
    updated_at = NumberAttribute(null=True)
    submitted_at = NumberAttribute(null=True)
