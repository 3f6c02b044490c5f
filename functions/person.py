"""Personal information routes."""

from chalice import Blueprint, Response

from chalicelib.services import audit, data_export, home, person
from functions import web
from functions.schemas import contract
from functions.schemas.account import AccessLog, Export, Home, Me

bp = Blueprint(__name__)


@bp.route("/me", methods=["GET"])
@contract(responses={200: Me})
def me():
    """Personal basic information, masked."""
    return person.basic_info(web.session())


@bp.route("/me/access-log", methods=["GET"])
@contract(responses={200: AccessLog})
def access_log():
    """The resident's own sign-in and change log, newest first."""
    return {"items": audit.for_person(web.session().id_number)}


@bp.route("/me/export", methods=["POST"])
@contract(responses={201: Export}, errors=(429,))
def export_my_data():
    """下载我的数据: everything the portal holds about the resident, a zip of JSON + CSV (201)."""
    result = data_export.export(web.session(), web.client_ip())
    return Response(body=result, status_code=201, headers={"Content-Type": "application/json"})


@bp.route("/me/home", methods=["GET"])
@contract(responses={200: Home})
def home_overview():
    """What the home page shows first: the latest pension payment, dues and gaps, open to-dos."""
    return home.overview(web.session())
