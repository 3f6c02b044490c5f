"""The API description."""

from chalice import Blueprint

from functions import openapi
from functions.schemas import OpenApiDocument, contract

bp = Blueprint(__name__)


@bp.route("/openapi.json", methods=["GET"])
@contract(responses={200: OpenApiDocument}, public=True)
def openapi_document():
    """OpenAPI 3 description of every route."""
    return openapi.document(bp.current_app.routes)
