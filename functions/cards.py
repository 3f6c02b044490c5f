"""Social-security card routes: card information, loss report, application steps, photo."""

from chalice import Blueprint, Response

from chalicelib.services import card_actions, card_applications, card_photos
from functions import web
from functions.schemas import as_dict, contract
from functions.schemas.cards import (
    Application,
    BankBody,
    CardAction,
    CardOptions,
    CardOverview,
    ConfirmBody,
    DeliveryBody,
    PasswordBody,
    PhotoCheckBody,
    PhotoChecked,
    PhotoUrl,
    StartBody,
    UploadForm,
)

bp = Blueprint(__name__)


@bp.route("/card", methods=["GET"])
@contract(responses={200: CardOverview})
def card_overview():
    """Card basic information, the open application and past applications."""
    return card_actions.overview(web.session())


@bp.route("/card/options", methods=["GET"])
@contract(responses={200: CardOptions})
def card_options():
    """Banks, service outlets, delivery and photo rules of the card application."""
    web.session()
    return card_applications.choices()


@bp.route("/card/loss", methods=["POST"])
@contract(body=PasswordBody, responses={200: CardAction}, errors=(409, 423))
def report_loss():
    """Report the card lost (挂失, password required); takes effect at once."""
    current = web.session()
    data = web.body_model(PasswordBody)
    return card_actions.report_loss(current, data.password, web.client_ip())


@bp.route("/card/loss/cancel", methods=["POST"])
@contract(body=PasswordBody, responses={200: CardAction}, errors=(409, 423))
def cancel_loss():
    """Cancel the loss report (解除挂失, password required)."""
    current = web.session()
    data = web.body_model(PasswordBody)
    return card_actions.cancel_loss(current, data.password, web.client_ip())


@bp.route("/card/applications", methods=["POST"])
@contract(body=StartBody, responses={201: Application}, errors=(409,))
def start_application():
    """Start a card application ("new") or a replacement after a loss report ("replacement")."""
    current = web.session()
    data = web.body_model(StartBody)
    result = card_applications.start(current, data.kind, web.client_ip())
    return Response(body=result, status_code=201, headers={"Content-Type": "application/json"})


@bp.route("/card/applications/{application_id}", methods=["GET"])
@contract(responses={200: Application})
def get_application(application_id):
    """One application with its steps and the personal details to confirm."""
    return card_applications.get(web.session(), application_id)


@bp.route("/card/applications/{application_id}/details", methods=["POST"])
@contract(body=ConfirmBody, responses={200: Application}, errors=(409,))
def confirm_details(application_id):
    """Step 1: confirm the registered personal details."""
    current = web.session()
    data = web.body_model(ConfirmBody)
    return card_applications.confirm_details(current, application_id, data.confirmed, web.client_ip())


@bp.route("/card/applications/{application_id}/bank", methods=["POST"])
@contract(body=BankBody, responses={200: Application}, errors=(409,))
def choose_bank(application_id):
    """Step 2: choose the cooperating bank."""
    current = web.session()
    data = web.body_model(BankBody)
    return card_applications.choose_bank(current, application_id, data.bank_code, web.client_ip())


@bp.route("/card/applications/{application_id}/delivery", methods=["POST"])
@contract(body=DeliveryBody, responses={200: Application}, errors=(409,))
def set_delivery(application_id):
    """Step 3: pick up at a service outlet or mail to an address."""
    current = web.session()
    data = as_dict(web.body_model(DeliveryBody))
    return card_applications.set_delivery(current, application_id, data, web.client_ip())


@bp.route("/card/applications/{application_id}/photo/upload", methods=["POST"])
@contract(responses={200: UploadForm}, errors=(409,))
def photo_upload_form(application_id):
    """Step 4a: a presigned POST to upload the photo straight to storage (5 minutes)."""
    return card_photos.upload_form(web.session(), application_id, web.client_ip())


@bp.route("/card/applications/{application_id}/photo/check", methods=["POST"])
@contract(body=PhotoCheckBody, responses={200: PhotoChecked}, errors=(409,))
def photo_check(application_id):
    """Step 4b: check the uploaded photo; accepted photos are normalised and linked."""
    current = web.session()
    data = web.body_model(PhotoCheckBody)
    return card_photos.check(current, application_id, data.key, web.client_ip())


@bp.route("/card/applications/{application_id}/photo", methods=["GET"])
@contract(responses={200: PhotoUrl})
def photo_url(application_id):
    """The stored photo through a short-lived presigned URL."""
    return card_photos.photo_url(web.session(), application_id)


@bp.route("/card/applications/{application_id}/submit", methods=["POST"])
@contract(responses={200: Application}, errors=(409,))
def submit_application(application_id):
    """Step 5: submit the application; the card goes into production."""
    return card_applications.submit(web.session(), application_id, web.client_ip())


@bp.route("/card/applications/{application_id}/withdraw", methods=["POST"])
@contract(responses={200: Application}, errors=(409,))
def withdraw_application(application_id):
    """Withdraw an application that has not been submitted."""
    return card_applications.withdraw(web.session(), application_id, web.client_ip())
