"""To-do list route."""

from chalice import Blueprint

from chalicelib.services import tasks
from functions import web
from functions.schemas import contract
from functions.schemas.records import Items

bp = Blueprint(__name__)


@bp.route("/tasks", methods=["GET"])
@contract(responses={200: Items})
def list_tasks():
    """Unfinished business, newest first, each with the page that resumes it."""
    return tasks.list_for(web.session())
