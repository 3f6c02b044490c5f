"""Who we are to passkey authenticators, and the single-use challenges of WebAuthn ceremonies.

The relying-party id and the expected origin come from the stage's SITE_ORIGIN (the host of
https://shebao.example.gov.cn). WebAuthn refuses IP addresses as relying-party ids, so a stage
served from a loopback address (the local stack, http://127.0.0.1:8080) offers passkeys under
the name localhost on the same port: open http://localhost:8080 to use them. A challenge is random, lives
CHALLENGE_LIFETIME_S, is kept server-side, and is read back only by the conditional write that
marks it used: a second use, even a concurrent one, finds it gone.
"""

from __future__ import annotations

import ipaddress
import secrets
from urllib.parse import urlsplit

from .. import clock, settings
from ..errors import Gone
from ..models.base import on_condition_failed
from ..models.webauthn_challenges import WebAuthnChallenge
from ..security import pseudonym, tokens

RP_NAME = "社保个人网上服务"
CHALLENGE_LIFETIME_S = 3 * 60
CHALLENGE_BYTES = 32


def _is_loopback_address(host: str | None) -> bool:
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def origin() -> str:
    """The origin the browser reports in clientDataJSON."""
    configured = settings.site_origin().rstrip("/")
    parts = urlsplit(configured)
    if _is_loopback_address(parts.hostname):
        return f"{parts.scheme}://localhost" + (f":{parts.port}" if parts.port else "")
    return configured


def rp_id() -> str:
    return urlsplit(origin()).hostname or "localhost"


def user_handle(id_number: str) -> bytes:
    """The WebAuthn user id of a resident: a keyed pseudonym, never the ID number itself."""
    return pseudonym.of(id_number).encode("ascii")


def new_challenge(purpose: str, id_number: str | None = None) -> tuple[str, bytes]:
    """Store a fresh challenge; return (challenge_id for the browser, challenge bytes)."""
    from webauthn.helpers import bytes_to_base64url  # noqa: PLC0415 (heavy; passkey routes only)

    challenge = secrets.token_bytes(CHALLENGE_BYTES)
    challenge_id = tokens.new_token()
    WebAuthnChallenge(
        challenge_id=challenge_id,
        purpose=purpose,
        challenge=bytes_to_base64url(challenge),
        id_number=id_number,
        expires_at=int(clock.now()) + CHALLENGE_LIFETIME_S,
    ).save()
    return challenge_id, challenge


def use_challenge(challenge_id: str | None, purpose: str, id_number: str | None = None) -> bytes:
    """The challenge bytes, once: Gone if unknown, used, expired, or not this purpose/resident."""
    from webauthn.helpers import base64url_to_bytes  # noqa: PLC0415

    expired = Gone("通行密钥验证已超时或已使用，请重新操作", code="challenge_expired")
    if not challenge_id or len(challenge_id) > 64:
        raise expired
    now = int(clock.now())
    item = WebAuthnChallenge(challenge_id=challenge_id)
    condition = (
        WebAuthnChallenge.challenge_id.exists()
        & WebAuthnChallenge.used_at.does_not_exist()
        & (WebAuthnChallenge.expires_at >= now)
        & (WebAuthnChallenge.purpose == purpose)
    )
    if id_number is not None:
        condition &= WebAuthnChallenge.id_number == id_number
    with on_condition_failed(expired):
        item.update(actions=[WebAuthnChallenge.used_at.set(now)], condition=condition)
    return base64url_to_bytes(item.challenge)
