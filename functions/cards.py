"""Social-security card routes: card information, loss report, application steps, photo."""
from chalice import Blueprint, Response

from functions import web
from chalicelib.services import card_actions, card_applications, card_photos

bp = Blueprint(__name__)


@bp.route("/card", methods=["GET"])
def card_overview():
    """Card basic information, the open application and past applications."""
    return card_actions.overview(web.session())


@bp.route("/card/options", methods=["GET"])
def card_options():
    """Banks, service outlets, delivery and photo rules of the card application."""
    web.session()
    return card_applications.choices()


@bp.route("/card/loss", methods=["POST"])
def report_loss():
    """Report the card lost (挂失, password required); takes effect at once."""
    data = web.body(optional=("password",))
    return card_actions.report_loss(web.session(), data["password"], web.client_ip())


@bp.route("/card/loss/cancel", methods=["POST"])
def cancel_loss():
    """Cancel the loss report (解除挂失, password required)."""
    data = web.body(optional=("password",))
    return card_actions.cancel_loss(web.session(), data["password"], web.client_ip())


@bp.route("/card/applications", methods=["POST"])
def start_application():
    """Start a card application ("new") or a replacement after a loss report ("replacement")."""
    data = web.body("kind")
    result = card_applications.start(web.session(), data["kind"], web.client_ip())
    return Response(body=result, status_code=201, headers={"Content-Type": "application/json"})


@bp.route("/card/applications/{application_id}", methods=["GET"])
def get_application(application_id):
    """One application with its steps and the personal details to confirm."""
    return card_applications.get(web.session(), application_id)


@bp.route("/card/applications/{application_id}/details", methods=["POST"])
def confirm_details(application_id):
    """Step 1: confirm the registered personal details."""
    confirmed = web.json_object().get("confirmed")
    return card_applications.confirm_details(web.session(), application_id, confirmed, web.client_ip())


@bp.route("/card/applications/{application_id}/bank", methods=["POST"])
def choose_bank(application_id):
    """Step 2: choose the cooperating bank."""
    data = web.body(optional=("bank_code",))
    return card_applications.choose_bank(web.session(), application_id, data["bank_code"],
                                         web.client_ip())


@bp.route("/card/applications/{application_id}/delivery", methods=["POST"])
def set_delivery(application_id):
    """Step 3: pick up at a service outlet or mail to an address."""
    data = web.body(optional=("method", "outlet_code", "recipient", "phone", "address", "postal_code"))
    return card_applications.set_delivery(web.session(), application_id, data, web.client_ip())


@bp.route("/card/applications/{application_id}/photo/upload", methods=["POST"])
def photo_upload_form(application_id):
    """Step 4a: a presigned POST to upload the photo straight to storage (5 minutes)."""
    return card_photos.upload_form(web.session(), application_id, web.client_ip())


@bp.route("/card/applications/{application_id}/photo/check", methods=["POST"])
def photo_check(application_id):
    """Step 4b: check the uploaded photo; accepted photos are normalised and linked."""
    data = web.body(optional=("key",), max_chars=200)
    return card_photos.check(web.session(), application_id, data["key"], web.client_ip())


@bp.route("/card/applications/{application_id}/photo", methods=["GET"])
def photo_url(application_id):
    """The stored photo through a short-lived presigned URL."""
    return card_photos.photo_url(web.session(), application_id)


@bp.route("/card/applications/{application_id}/submit", methods=["POST"])
def submit_application(application_id):
    """Step 5: submit the application; the card goes into production."""
    return card_applications.submit(web.session(), application_id, web.client_ip())


@bp.route("/card/applications/{application_id}/withdraw", methods=["POST"])
def withdraw_application(application_id):
    """Withdraw an application that has not been submitted."""
    return card_applications.withdraw(web.session(), application_id, web.client_ip())
