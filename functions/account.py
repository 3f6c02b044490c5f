"""Account settings routes: password, password protection, registration info."""
from chalice import Blueprint

from functions import web
from chalicelib.services import account_settings, protection

bp = Blueprint(__name__)


@bp.route("/account/password", methods=["POST"])
def change_password():
    """Change password (old password required)."""
    data = web.body("old_password", "new_password")
    return account_settings.change_password(web.session(), **data, ip=web.client_ip())


@bp.route("/account/protection", methods=["GET"])
def get_protection():
    """Password protection status and the questions to choose from."""
    return protection.status(web.session().id_number)


@bp.route("/account/protection", methods=["PUT"])
def set_protection():
    """Set security questions (current password required)."""
    data = web.body("password")
    items = web.json_object().get("questions")
    return protection.set_questions(web.session().id_number, data["password"], items, web.client_ip())


@bp.route("/account/contact", methods=["POST"])
def start_contact_change():
    """Change phone or e-mail: a code goes to the new address."""
    data = web.body("field", "value")
    return account_settings.start_contact_change(web.session(), **data, ip=web.client_ip())


@bp.route("/account/contact/confirm", methods=["POST"])
def confirm_contact_change():
    """Confirm the phone or e-mail change with the code."""
    data = web.body("change_id", "code")
    return account_settings.confirm_contact_change(web.session(), **data, ip=web.client_ip())
