"""To-do list route."""
from chalice import Blueprint

from functions import web
from chalicelib.services import tasks

bp = Blueprint(__name__)


@bp.route("/tasks", methods=["GET"])
def list_tasks():
    """Unfinished business, newest first, each with the page that resumes it."""
    return tasks.list_for(web.session())
