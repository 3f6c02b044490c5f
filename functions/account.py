"""Account settings routes: password, password protection, registration info."""

from chalice import Blueprint

from chalicelib.services import account_settings, protection
from functions import web
from functions.schemas import as_dict, contract
from functions.schemas.account import (
    ChangePasswordBody,
    ContactBody,
    ContactChanged,
    ContactChangeStarted,
    ContactConfirmBody,
    PasswordChanged,
    Protection,
    ProtectionBody,
    ProtectionSet,
)

bp = Blueprint(__name__)


@bp.route("/account/password", methods=["POST"])
@contract(body=ChangePasswordBody, responses={200: PasswordChanged})
def change_password():
    """Change password (old password required)."""
    current = web.session()
    data = as_dict(web.body_model(ChangePasswordBody))
    return account_settings.change_password(current, **data, ip=web.client_ip())


@bp.route("/account/protection", methods=["GET"])
@contract(responses={200: Protection})
def get_protection():
    """Password protection status and the questions to choose from."""
    return protection.status(web.session().id_number)


@bp.route("/account/protection", methods=["PUT"])
@contract(body=ProtectionBody, responses={200: ProtectionSet})
def set_protection():
    """Set security questions (current password required)."""
    current = web.session()
    data = web.body_model(ProtectionBody)
    items = None if data.questions is None else [as_dict(q) for q in data.questions]
    return protection.set_questions(current.id_number, data.password, items, web.client_ip())


@bp.route("/account/contact", methods=["POST"])
@contract(body=ContactBody, responses={200: ContactChangeStarted}, errors=(429,))
def start_contact_change():
    """Change phone or e-mail: a code goes to the new address."""
    current = web.session()
    data = as_dict(web.body_model(ContactBody))
    return account_settings.start_contact_change(current, **data, ip=web.client_ip())


@bp.route("/account/contact/confirm", methods=["POST"])
@contract(body=ContactConfirmBody, responses={200: ContactChanged}, errors=(410, 429))
def confirm_contact_change():
    """Confirm the phone or e-mail change with the code."""
    current = web.session()
    data = as_dict(web.body_model(ContactConfirmBody))
    return account_settings.confirm_contact_change(current, **data, ip=web.client_ip())
