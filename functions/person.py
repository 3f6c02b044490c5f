"""Personal information routes."""
from chalice import Blueprint

from functions import web
from chalicelib.services import audit, person

bp = Blueprint(__name__)


@bp.route("/me", methods=["GET"])
def me():
    """Personal basic information, masked."""
    return person.basic_info(web.session())


@bp.route("/me/access-log", methods=["GET"])
def access_log():
    """The resident's own sign-in and change log, newest first."""
    return {"items": audit.for_person(web.session().id_number)}
