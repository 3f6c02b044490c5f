"""Bank payment notifications (PRODUCT.md section 5): server to server, signed, no session."""

from chalice import Blueprint

from chalicelib.services import bank_notifications
from functions import web
from functions.schemas import contract
from functions.schemas.payments import BankAck

bp = Blueprint(__name__)


@bp.route(
    "/banks/{bank_code}/notifications", methods=["POST"], content_types=["application/json", "text/plain"]
)
@contract(responses={200: BankAck}, public=True)
def bank_notification(bank_code):
    """A bank's signed payment notification; 200 {"ack":"OK"} once durably handled."""
    req = web.request()
    return bank_notifications.handle_notification(
        bank_code,
        req.headers.get("x-bank-timestamp"),
        req.headers.get("x-bank-signature"),
        req.raw_body or b"",
    )
