"""账号设置 → 通行密钥: list, register, remove (each change confirmed by password or SMS code)."""
from chalice import Blueprint, Response

from chalicelib.services import confirmation, passkeys
from functions import web

bp = Blueprint(__name__)

CONFIRMATION_FIELDS = ("password", "confirm_id", "sms_code")


@bp.route("/account/passkeys", methods=["GET"])
def list_passkeys():
    """The resident's passkeys (name, when added, when last used)."""
    return passkeys.list_for(web.session())


@bp.route("/account/passkeys/confirm-code", methods=["POST"])
def send_confirm_code():
    """A code to the registered phone, to confirm adding or removing a passkey."""
    return confirmation.send_code(web.session(), ip=web.client_ip())


@bp.route("/account/passkeys/options", methods=["POST"])
def registration_options():
    """After password or SMS confirmation: WebAuthn creation options."""
    data = web.body(optional=CONFIRMATION_FIELDS)
    return passkeys.registration_options(web.session(), ip=web.client_ip(), **data)


@bp.route("/account/passkeys", methods=["POST"])
def register_passkey():
    """Store a new passkey from the authenticator's attestation."""
    data = web.body("challenge_id", optional=("name",))
    credential = web.json_object().get("credential")
    result = passkeys.register(web.session(), data["challenge_id"], credential, data["name"], ip=web.client_ip())
    return Response(body=result, status_code=201, headers={"Content-Type": "application/json"})


@bp.route("/account/passkeys/{passkey_id}", methods=["DELETE"])
def remove_passkey(passkey_id):
    """Remove a passkey (password or SMS confirmation in the body)."""
    data = web.body(optional=CONFIRMATION_FIELDS)
    return passkeys.remove(web.session(), passkey_id, ip=web.client_ip(), **data)
