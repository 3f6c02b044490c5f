"""Stage settings, read from the environment Chalice sets from `.chalice/config.json`.

Everything is read at call time so tests can switch stage; the pynamodb models take endpoint,
region and table prefix when imported and again on `models.base.configure()`.
"""

from __future__ import annotations

import os

LOCAL = "local"

IDLE_TIMEOUT_S = 15 * 60
ABSOLUTE_TIMEOUT_S = 12 * 60 * 60
# The session check records activity at most this often per session (chalicelib/services/sessions.py).
SESSION_TOUCH_INTERVAL_S = 60

# DynamoDB client budget (models/base.py): a request, retries included, ends well within 10 s —
# worst case DDB_MAX_ATTEMPTS * (connect + read) plus the standard retry mode's backoff
# (at most 2**(n-1) s before retry n; see `ddb_worst_case_s`).
DDB_CONNECT_TIMEOUT_S = 1
DDB_READ_TIMEOUT_S = 2
DDB_MAX_ATTEMPTS = 2  # total, first try included ("standard" retry mode)


class StageNotSet(RuntimeError):
    """STAGE is missing: refusing to guess (a deployed function must never act as `local`)."""


def stage() -> str:
    """The stage this process runs as; a missing or empty STAGE is an error, never `local`."""
    value = os.environ.get("STAGE")
    if not value:
        raise StageNotSet("STAGE is not set (local, dev or prod); see .chalice/config.json")
    return value


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


def ddb_worst_case_s() -> float:
    """Longest a DynamoDB request can take under the client budget above, in seconds."""
    backoff = sum(2 ** (n - 1) for n in range(1, DDB_MAX_ATTEMPTS))
    return DDB_MAX_ATTEMPTS * (DDB_CONNECT_TIMEOUT_S + DDB_READ_TIMEOUT_S) + backoff


def s3_endpoint() -> str | None:
    return os.environ.get("S3_ENDPOINT") or None


def uploads_bucket() -> str:
    return os.environ.get("UPLOADS_BUCKET", f"sbp-{stage()}-uploads")


def site_origin() -> str:
    """Public origin of the site (used in links such as certificate QR codes)."""
    return os.environ.get("SITE_ORIGIN", "http://127.0.0.1:8080")


def even_answer_s() -> float:
    """Answers that must not tell by their time whether an ID number and phone match (SMS
    sign-in, recovery) all take at least this long; tests set EVEN_ANSWER_S=0."""
    return float(os.environ.get("EVEN_ANSWER_S", "0.8"))
