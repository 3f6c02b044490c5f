"""Scheduled job: expire payment orders left open (every 5 minutes)."""

import logging

from chalice import Blueprint, Rate

from chalicelib import observability
from chalicelib.services import payment_expiry

bp = Blueprint(__name__)
log = logging.getLogger("sbp.payment_expiry")


def _time_left_s() -> float:
    """Seconds until this invocation's timeout (no limit outside Lambda)."""
    context = bp.lambda_context
    return context.get_remaining_time_in_millis() / 1000 if context is not None else float("inf")


@bp.schedule(Rate(5, unit=Rate.MINUTES))
def expire_payment_orders(_event):
    """Expire DRAFT/CONFIRMED/AWAITING_PAYMENT/FAILED orders idle past the policy's TTL."""
    try:
        counts = payment_expiry.expire_stale(time_left_s=_time_left_s)
    except Exception:
        observability.metric(observability.EXPIRY_JOB_FAILED)
        log.exception("payment expiry failed")
        raise  # the failure destination and the Lambda Errors alarm take it from here
    if counts["stopped_early"]:
        observability.metric(observability.EXPIRY_JOB_STOPPED_EARLY)
    log.info("payment expiry done", extra={"counts": counts})
    return counts
