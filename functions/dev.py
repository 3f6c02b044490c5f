"""Local-stage test helpers (refused on every other stage)."""

from chalice import Blueprint

from chalicelib.services import dev
from functions import web
from functions.schemas import contract
from functions.schemas.records import CaptchaAnswer, DevOutboxQuery, Outbox

bp = Blueprint(__name__)


@bp.route("/dev/captcha/{captcha_id}", methods=["GET"])
@contract(responses={200: CaptchaAnswer}, errors=(404,), public=True)
def captcha_answer(captcha_id):
    """Local stage only: a captcha's answer."""
    return dev.captcha_answer(captcha_id)


@bp.route("/dev/outbox", methods=["GET"])
@contract(query=DevOutboxQuery, responses={200: Outbox}, errors=(404,), public=True)
def outbox():
    """Local stage only: SMS / e-mail sent to ?phone= or ?email=."""
    query = web.query_model(DevOutboxQuery)
    return dev.outbox(query.phone or query.email)
