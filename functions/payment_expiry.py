"""Scheduled job: expire payment orders left open (every 5 minutes)."""
import logging

from chalice import Blueprint, Rate

from chalicelib.services import payment_expiry

bp = Blueprint(__name__)
log = logging.getLogger("sbp.payment_expiry")


@bp.schedule(Rate(5, unit=Rate.MINUTES))
def expire_payment_orders(event):
    """Expire DRAFT/CONFIRMED/AWAITING_PAYMENT/FAILED orders idle past the policy's TTL."""
    counts = payment_expiry.expire_stale()
    log.info("payment expiry: %s", counts)
    return counts
