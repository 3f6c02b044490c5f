"""A software passkey authenticator for API and service tests: EC P-256 keys (cryptography),
'none' attestation, real ECDSA assertions, so py_webauthn verifies every byte for real.

It behaves as a platform authenticator with a resident key and user verification; switches
let a test break one rule at a time (origin, rp id, UV flag, counter, user handle).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from dataclasses import dataclass, field

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, AT = 0x01, 0x04, 0x40
ORIGIN = "http://localhost:8080"  # the local stage's SITE_ORIGIN, http://127.0.0.1:8080, as WebAuthn names it


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Credential:
    credential_id: bytes
    key: ec.EllipticCurvePrivateKey
    user_handle: bytes
    rp_id: str
    sign_count: int = 0

    @property
    def id(self) -> str:
        return b64url(self.credential_id)


@dataclass
class SoftAuthenticator:
    origin: str = ORIGIN
    credentials: list[Credential] = field(default_factory=list)

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": False}
        ).encode("utf-8")

    def create(
        self,
        public_key: dict,
        *,
        user_verified: bool = True,
        origin: str | None = None,
        rp_id: str | None = None,
    ) -> dict:
        """navigator.credentials.create() for these creation options → the JSON the site posts."""
        rp = rp_id or public_key["rp"]["id"]
        cred = Credential(
            os.urandom(32), ec.generate_private_key(ec.SECP256R1()), unb64url(public_key["user"]["id"]), rp
        )
        numbers = cred.key.public_key().public_numbers()
        cose_key = cbor2.dumps(
            {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        )
        flags = UP | AT | (UV if user_verified else 0)
        auth_data = (
            hashlib.sha256(rp.encode()).digest()
            + bytes([flags])
            + struct.pack(">I", 0)
            + bytes(16)
            + struct.pack(">H", len(cred.credential_id))
            + cred.credential_id
            + cose_key
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        self.credentials.append(cred)
        return {
            "id": cred.id,
            "rawId": cred.id,
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64url(
                    self._client_data("webauthn.create", public_key["challenge"], origin)
                ),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
        }

    def get(
        self,
        public_key: dict,
        credential: Credential | None = None,
        *,
        user_verified: bool = True,
        origin: str | None = None,
        sign_count: int | None = None,
        user_handle: bytes | None = None,
        credential_id: bytes | None = None,
    ) -> dict:
        """navigator.credentials.get() for these request options → the assertion JSON."""
        cred = credential or self.credentials[-1]
        cred.sign_count = cred.sign_count + 1 if sign_count is None else sign_count
        flags = UP | (UV if user_verified else 0)
        auth_data = (
            hashlib.sha256(cred.rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", cred.sign_count)
        )
        client_data = self._client_data("webauthn.get", public_key["challenge"], origin)
        signature = cred.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        raw_id = b64url(credential_id or cred.credential_id)
        return {
            "id": raw_id,
            "rawId": raw_id,
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(user_handle if user_handle is not None else cred.user_handle),
            },
        }
