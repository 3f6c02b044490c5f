"""What the API trusts from the edge (PRODUCT.md section 9).

Outside the local stage every request must come through CloudFront, which adds the origin
secret header (its value in Secrets Manager `sbp/<stage>/origin-secret`, or `ORIGIN_SECRET` in
the environment) and sets `CloudFront-Viewer-Address` to the viewer's `ip:port`. That header is
the client address used for rate limits and the audit log; `X-Forwarded-For` is ignored, since
anything the client sends in it is passed on. Locally the stack's gateway gives the caller's
address as the source IP and no secret is needed.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Mapping

from . import secrets_store, settings

ORIGIN_SECRET_HEADER = "x-origin-verify"
VIEWER_ADDRESS_HEADER = "cloudfront-viewer-address"


def origin_secret() -> str:
    return os.environ.get("ORIGIN_SECRET") or secrets_store.get("origin-secret")


def came_through_edge(headers: Mapping[str, str]) -> bool:
    """True on the local stage; elsewhere only with the right origin secret (constant time)."""
    if settings.is_local():
        return True
    sent = (headers.get(ORIGIN_SECRET_HEADER) or "").encode("utf-8", "replace")
    return bool(sent) and hmac.compare_digest(sent, origin_secret().encode("utf-8"))


def viewer_ip(value: str | None) -> str | None:
    """'203.0.113.7:52311' or '2001:db8::7:52311' -> the address; None if not an ip:port."""
    if not value:
        return None
    host, sep, port = value.strip().rpartition(":")
    if not sep or not port.isdigit():
        return None
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def client_address(headers: Mapping[str, str], source_ip: str | None) -> str:
    """The resident's address: the source IP locally, the edge's viewer address elsewhere."""
    if settings.is_local():
        return source_ip or "unknown"
    return viewer_ip(headers.get(VIEWER_ADDRESS_HEADER)) or source_ip or "unknown"
