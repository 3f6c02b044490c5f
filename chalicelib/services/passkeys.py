"""Passkeys in 账号设置: register (WebAuthn, discoverable credential, user verification
required), name, list, remove. Adding and removing need a fresh confirmation (password or SMS
code) and are written to the audit table, which is also the resident's access log.

py_webauthn is imported inside the functions: it is not light, and only these routes need it.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from .. import clock
from .. import id_number as ids
from ..errors import BadInput, Conflict, NotFound
from ..models.base import on_condition_failed
from ..models.passkeys import Passkey
from . import accounts, audit, confirmation, relying_party
from .sessions import CurrentSession

MAX_PASSKEYS = 10
NAME_MAX_CHARS = 30
DEFAULT_NAME = "我的通行密钥"
PASSKEY_ID_RE = re.compile(r"^[0-9a-f]{16}$")
REGISTER = "register"


def passkey_id_of(credential_id: str) -> str:
    return hashlib.sha256(credential_id.encode("ascii")).hexdigest()[:16]


def _public(item: Passkey) -> dict[str, Any]:
    return {
        "id": item.passkey_id,
        "name": item.name,
        "created_at": item.created_at,
        "last_used_at": item.last_used_at,
    }


def list_for(current: CurrentSession) -> dict[str, Any]:
    items = Passkey.query(current.id_number, consistent_read=True)
    return {"items": sorted((_public(i) for i in items), key=lambda p: p["created_at"], reverse=True)}


def registration_options(
    current: CurrentSession,
    ip: str,
    password: str | None = None,
    confirm_id: str | None = None,
    sms_code: str | None = None,
) -> dict[str, Any]:
    """After a fresh confirmation: WebAuthn creation options and the challenge's id."""
    from webauthn import generate_registration_options, options_to_json  # noqa: PLC0415
    from webauthn.helpers import base64url_to_bytes  # noqa: PLC0415
    from webauthn.helpers.structs import (  # noqa: PLC0415
        AuthenticatorSelectionCriteria,
        PublicKeyCredentialDescriptor,
        ResidentKeyRequirement,
        UserVerificationRequirement,
    )

    existing = list(Passkey.query(current.id_number, consistent_read=True))
    if len(existing) >= MAX_PASSKEYS:
        raise Conflict(f"最多可登记{MAX_PASSKEYS}个通行密钥，请先删除不再使用的", code="too_many_passkeys")
    confirmation.require(current, "passkey_add", ip, password, confirm_id, sms_code)
    account = accounts.get(current.id_number)
    challenge_id, challenge = relying_party.new_challenge(REGISTER, current.id_number)
    options = generate_registration_options(
        rp_id=relying_party.rp_id(),
        rp_name=relying_party.RP_NAME,
        user_id=relying_party.user_handle(current.id_number),
        user_name=ids.mask(current.id_number),
        user_display_name=account.name or ids.mask(current.id_number),
        challenge=challenge,
        timeout=relying_party.CHALLENGE_LIFETIME_S * 1000,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            require_resident_key=True,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id)) for p in existing
        ],
    )
    return {"challenge_id": challenge_id, "publicKey": json.loads(options_to_json(options))}


def _checked_name(name: str | None) -> str:
    name = (name or "").strip() or DEFAULT_NAME
    if len(name) > NAME_MAX_CHARS:
        raise BadInput(f"名称最多{NAME_MAX_CHARS}个字", code="name_too_long", field="name")
    return name


def register(
    current: CurrentSession, challenge_id: str, credential: Any, name: str | None, ip: str
) -> dict[str, Any]:
    """Verify the authenticator's attestation against our challenge and store the passkey."""
    from webauthn import verify_registration_response  # noqa: PLC0415
    from webauthn.helpers import bytes_to_base64url  # noqa: PLC0415
    from webauthn.helpers.exceptions import WebAuthnException  # noqa: PLC0415

    name = _checked_name(name)
    if not isinstance(credential, dict):
        raise BadInput("缺少通行密钥信息", code="missing_field", field="credential")
    challenge = relying_party.use_challenge(challenge_id, REGISTER, current.id_number)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=relying_party.rp_id(),
            expected_origin=relying_party.origin(),
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError):
        audit.record(current.id_number, "passkey_add", "invalid_credential", ip)
        raise BadInput("通行密钥登记未通过验证，请重新操作", code="passkey_invalid") from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if any(True for _ in Passkey.by_credential.query(credential_id, limit=1)):
        raise Conflict("这个通行密钥已经登记过了", code="passkey_exists")
    item = Passkey(
        id_number=current.id_number,
        passkey_id=passkey_id_of(credential_id),
        credential_id=credential_id,
        public_key=bytes_to_base64url(verified.credential_public_key),
        sign_count=verified.sign_count,
        name=name,
        created_at=int(clock.now()),
    )
    with on_condition_failed(Conflict("这个通行密钥已经登记过了", code="passkey_exists")):
        item.save(condition=Passkey.passkey_id.does_not_exist())
    audit.record(current.id_number, "passkey_add", "ok", ip, {"passkey_id": item.passkey_id})
    return _public(item)


def remove(
    current: CurrentSession,
    passkey_id: str,
    ip: str,
    password: str | None = None,
    confirm_id: str | None = None,
    sms_code: str | None = None,
) -> dict[str, str]:
    if not PASSKEY_ID_RE.match(passkey_id or ""):
        raise NotFound("未找到这个通行密钥", code="passkey_not_found")
    try:
        Passkey.get(current.id_number, passkey_id, consistent_read=True)
    except Passkey.DoesNotExist:
        raise NotFound("未找到这个通行密钥", code="passkey_not_found") from None
    confirmation.require(current, "passkey_remove", ip, password, confirm_id, sms_code)
    with on_condition_failed(NotFound("未找到这个通行密钥", code="passkey_not_found")):
        Passkey(id_number=current.id_number, passkey_id=passkey_id).delete(
            condition=Passkey.passkey_id.exists()
        )
    audit.record(current.id_number, "passkey_remove", "ok", ip, {"passkey_id": passkey_id})
    return {"status": "ok"}
