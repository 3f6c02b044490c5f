"""Captchas table: image captchas, single use, 5-minute life.

Keys: hash `captcha_id` (random). `answer` is the upper-cased text; `expires_at` TTL (clean-up only).
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from .. import settings
from .base import BaseMeta, TableModel


class Captcha(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("captchas")

    captcha_id = UnicodeAttribute(hash_key=True)
    answer = UnicodeAttribute()
    expires_at = NumberAttribute()
