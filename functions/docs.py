"""The API description."""
from chalice import Blueprint

from functions import openapi

bp = Blueprint(__name__)


@bp.route("/openapi.json", methods=["GET"])
def openapi_document():
    """OpenAPI 3 description of every route."""
    return openapi.document(bp.current_app.routes)
