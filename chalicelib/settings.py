"""Stage settings, read from the environment Chalice sets from `.chalice/config.json`.

Everything is read at call time so tests can switch stage; table names are fixed per
process when the pynamodb models are imported (see `models/base.py`).
"""
from __future__ import annotations

import os

LOCAL = "local"

IDLE_TIMEOUT_S = 15 * 60
ABSOLUTE_TIMEOUT_S = 12 * 60 * 60


def stage() -> str:
    return os.environ.get("STAGE", LOCAL)


def is_local() -> bool:
    return stage() == LOCAL


def table_prefix() -> str:
    return os.environ.get("TABLE_PREFIX", f"sbp-{stage()}-")


def table_name(short: str) -> str:
    return f"{table_prefix()}{short}"


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def ddb_endpoint() -> str | None:
    """DynamoDB Local's URL on the local stack; None means the real service."""
    return os.environ.get("DDB_ENDPOINT") or None


def s3_endpoint() -> str | None:
    return os.environ.get("S3_ENDPOINT") or None


def uploads_bucket() -> str:
    return os.environ.get("UPLOADS_BUCKET", f"sbp-{stage()}-uploads")


def site_origin() -> str:
    """Public origin of the site (used in links such as certificate QR codes)."""
    return os.environ.get("SITE_ORIGIN", "http://127.0.0.1:8080")
