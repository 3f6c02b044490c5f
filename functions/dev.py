"""Local-stage test helpers (refused on every other stage)."""
from chalice import Blueprint

from functions import web
from chalicelib.services import dev

bp = Blueprint(__name__)


@bp.route("/dev/captcha/{captcha_id}", methods=["GET"])
def captcha_answer(captcha_id):
    """Local stage only: a captcha's answer."""
    return dev.captcha_answer(captcha_id)


@bp.route("/dev/outbox", methods=["GET"])
def outbox():
    """Local stage only: SMS / e-mail sent to ?phone= or ?email=."""
    return dev.outbox(web.query("phone") or web.query("email"))
