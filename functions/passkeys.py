"""账号设置 → 通行密钥: list, register, remove (each change confirmed by password or SMS code)."""

from chalice import Blueprint, Response

from chalicelib.services import confirmation, passkeys
from functions import web
from functions.schemas import Status, as_dict, contract
from functions.schemas.auth import (
    ConfirmationBody,
    ConfirmCodeSent,
    Passkey,
    PasskeyRegisterBody,
    Passkeys,
    WebAuthnOptions,
)

bp = Blueprint(__name__)


@bp.route("/account/passkeys", methods=["GET"])
@contract(responses={200: Passkeys})
def list_passkeys():
    """The resident's passkeys (name, when added, when last used)."""
    return passkeys.list_for(web.session())


@bp.route("/account/passkeys/confirm-code", methods=["POST"])
@contract(responses={200: ConfirmCodeSent}, errors=(429,))
def send_confirm_code():
    """A code to the registered phone, to confirm adding or removing a passkey."""
    return confirmation.send_code(web.session(), ip=web.client_ip())


@bp.route("/account/passkeys/options", methods=["POST"])
@contract(body=ConfirmationBody, responses={200: WebAuthnOptions}, errors=(410, 423, 429))
def registration_options():
    """After password or SMS confirmation: WebAuthn creation options."""
    current = web.session()
    data = as_dict(web.body_model(ConfirmationBody))
    return passkeys.registration_options(current, ip=web.client_ip(), **data)


@bp.route("/account/passkeys", methods=["POST"])
@contract(body=PasskeyRegisterBody, responses={201: Passkey}, errors=(409, 410))
def register_passkey():
    """Store a new passkey from the authenticator's attestation."""
    current = web.session()
    data = web.body_model(PasskeyRegisterBody)
    result = passkeys.register(current, data.challenge_id, data.credential, data.name, ip=web.client_ip())
    return Response(body=result, status_code=201, headers={"Content-Type": "application/json"})


@bp.route("/account/passkeys/{passkey_id}", methods=["DELETE"])
@contract(body=ConfirmationBody, responses={200: Status}, errors=(410, 423, 429))
def remove_passkey(passkey_id):
    """Remove a passkey (password or SMS confirmation in the body)."""
    current = web.session()
    data = as_dict(web.body_model(ConfirmationBody))
    return passkeys.remove(current, passkey_id, ip=web.client_ip(), **data)
