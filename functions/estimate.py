"""Pension estimator route (养老金测算) for the signed-in resident's employee pension."""
from chalice import Blueprint

from functions import web
from chalicelib.services import pension_estimate

bp = Blueprint(__name__)


@bp.route("/records/pension-estimate", methods=["GET"])
def pension_estimate_answer():
    """Estimated monthly pension for a retirement month (?retire_period=&base_index_bp=&wage_growth_bp=&interest_bp=)."""
    return pension_estimate.estimate(web.session(), web.query("retire_period", max_chars=8),
                                     web.query("base_index_bp", max_chars=8),
                                     web.query("wage_growth_bp", max_chars=8),
                                     web.query("interest_bp", max_chars=8))
