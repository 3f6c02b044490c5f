"""Pension estimator route (养老金测算) for the signed-in resident's employee pension."""

from chalice import Blueprint

from chalicelib.services import pension_estimate
from functions import web
from functions.schemas import contract
from functions.schemas.records import Estimate, EstimateQuery

bp = Blueprint(__name__)


@bp.route("/records/pension-estimate", methods=["GET"])
@contract(query=EstimateQuery, responses={200: Estimate})
def pension_estimate_answer():
    """Estimated monthly pension for a retirement month (?retire_period=&base_index_bp=&wage_growth_bp=&interest_bp=)."""
    current = web.session()
    query = web.query_model(EstimateQuery)
    return pension_estimate.estimate(
        current, query.retire_period, query.base_index_bp, query.wage_growth_bp, query.interest_bp
    )
