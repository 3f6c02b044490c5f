"""Captchas table: image captchas, single use, 5-minute life.

Keys: hash `captcha_id` (random). `answer` is the upper-cased text; `expires_at` TTL (clean-up only).
"""
from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from .. import settings
from .base import BaseMeta


class Captcha(Model):
    class Meta(BaseMeta):
        table_name = settings.table_name("captchas")

    captcha_id = UnicodeAttribute(hash_key=True)
    answer = UnicodeAttribute()
    expires_at = NumberAttribute()
