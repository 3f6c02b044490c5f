"""Shared pynamodb Meta: region, endpoint and on-demand billing from the stage's environment.

Each table module defines `class Meta(BaseMeta): table_name = settings.table_name("...")`.
pynamodb creates its connection lazily on first use, once per process.
"""
from __future__ import annotations

from .. import settings


class BaseMeta:
    region = settings.region()
    host = settings.ddb_endpoint()
    billing_mode = "PAY_PER_REQUEST"
    connect_timeout_seconds = 2
    read_timeout_seconds = 5
    max_retry_attempts = 3
