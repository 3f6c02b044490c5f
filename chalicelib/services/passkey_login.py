"""Sign-in with a passkey: no ID number to type, no captcha. The browser asks for a
discoverable credential with user verification; the assertion is checked by py_webauthn
against our single-use challenge, the rp id and origin of the stage, the stored public key and
sign counter. The new counter is stored by a conditional write that fails if another sign-in
with the same counter got there first (a replayed or cloned assertion), or the passkey is gone.
"""

from __future__ import annotations

import json
from typing import Any

from .. import clock
from ..errors import BadInput, Unauthorized
from ..models.base import on_condition_failed
from ..models.passkeys import Passkey
from . import accounts, audit, auth, relying_party, sign_in

LOGIN = "login"
REFUSED = "通行密钥验证未通过，请重试或改用其他方式登录"


def options() -> dict[str, Any]:
    """WebAuthn request options (no allowCredentials: the authenticator offers its passkeys)."""
    from webauthn import generate_authentication_options, options_to_json  # noqa: PLC0415
    from webauthn.helpers.structs import UserVerificationRequirement  # noqa: PLC0415

    challenge_id, challenge = relying_party.new_challenge(LOGIN)
    request = generate_authentication_options(
        rp_id=relying_party.rp_id(),
        challenge=challenge,
        timeout=relying_party.CHALLENGE_LIFETIME_S * 1000,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return {"challenge_id": challenge_id, "publicKey": json.loads(options_to_json(request))}


def _refused(id_number: str | None, outcome: str, ip: str) -> Unauthorized:
    audit.record(id_number, "passkey_login", outcome, ip)
    return Unauthorized(REFUSED, code="passkey_refused")


def _stored(credential: dict) -> Passkey | None:
    """The passkey of this credential id, read from the table itself (not the index)."""
    credential_id = credential.get("id")
    if not isinstance(credential_id, str) or not 16 <= len(credential_id) <= 1400:
        return None
    for key in Passkey.by_credential.query(credential_id, limit=1):
        try:
            return Passkey.get(key.id_number, key.passkey_id, consistent_read=True)
        except Passkey.DoesNotExist:
            return None
    return None


def login(challenge_id: str, credential: Any, ip: str) -> dict[str, Any]:
    from webauthn import verify_authentication_response  # noqa: PLC0415
    from webauthn.helpers import base64url_to_bytes  # noqa: PLC0415
    from webauthn.helpers.exceptions import WebAuthnException  # noqa: PLC0415

    auth.count_sign_in_attempt(ip)
    if not isinstance(credential, dict):
        raise BadInput("缺少通行密钥信息", code="missing_field", field="credential")
    challenge = relying_party.use_challenge(challenge_id, LOGIN)
    passkey = _stored(credential)
    if passkey is None:
        raise _refused(None, "unknown_passkey", ip)
    handle = (credential.get("response") or {}).get("userHandle")
    try:
        if handle and base64url_to_bytes(handle) != relying_party.user_handle(passkey.id_number):
            raise _refused(passkey.id_number, "wrong_user", ip)
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=relying_party.rp_id(),
            expected_origin=relying_party.origin(),
            credential_public_key=base64url_to_bytes(passkey.public_key),
            credential_current_sign_count=int(passkey.sign_count),
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError):
        raise _refused(passkey.id_number, "invalid_assertion", ip) from None
    _advance_counter(passkey, verified.new_sign_count, ip)
    account = accounts.find(passkey.id_number)
    if account is None:
        raise _refused(passkey.id_number, "unknown_account", ip)
    return sign_in.finish(account, ip, "passkey_login")


def _advance_counter(passkey: Passkey, new_count: int, ip: str) -> None:
    """Store the new sign counter only if it still is the one we verified against (and the
    passkey still exists): of two uses with the same counter, one wins."""
    condition = Passkey.passkey_id.exists() & (Passkey.sign_count == passkey.sign_count)
    with on_condition_failed(lambda: _refused(passkey.id_number, "counter_conflict", ip)):
        passkey.update(
            actions=[Passkey.sign_count.set(new_count), Passkey.last_used_at.set(int(clock.now()))],
            condition=condition,
        )
