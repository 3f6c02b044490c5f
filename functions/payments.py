"""Flexible-employment payment routes (社保缴费, seed manual 2.8) and resident messages."""

from chalice import Blueprint, Response

from chalicelib.services import messages, payment_bank_query, payment_orders, payment_requests
from functions import web
from functions.schemas import contract
from functions.schemas.payments import (
    AmendOrderBody,
    CreateOrderBody,
    KindQuery,
    Order,
    Orders,
    PayBody,
    PaymentOptions,
)
from functions.schemas.records import Items

bp = Blueprint(__name__)


@bp.route("/payments/options", methods=["GET"])
@contract(query=KindQuery, responses={200: PaymentOptions})
def payment_options():
    """What can be paid for a kind: months and base band, or resident years and levels; banks."""
    current = web.session()
    return payment_requests.options(current, web.query_model(KindQuery).kind)


@bp.route("/payments/orders", methods=["GET"])
@contract(responses={200: Orders})
def list_orders():
    """The resident's payment orders, newest first."""
    return payment_orders.list_orders(web.session())


@bp.route("/payments/orders", methods=["POST"])
@contract(body=CreateOrderBody, responses={201: Order}, errors=(409,))
def create_order():
    """A DRAFT order with its lines and total (201): flexible months + base, or a resident year."""
    current = web.session()
    web.body_model(CreateOrderBody)  # the shape; the kind's own rules in the service
    result = payment_requests.create_order(current, web.json_object(), web.client_ip())
    return Response(body=result, status_code=201, headers={"Content-Type": "application/json"})


@bp.route("/payments/orders/{order_no}", methods=["GET"])
@contract(responses={200: Order})
def get_order(order_no):
    """One order as the server records it."""
    return payment_orders.get_order(web.session(), order_no)


@bp.route("/payments/orders/{order_no}", methods=["PUT"])
@contract(body=AmendOrderBody, responses={200: Order}, errors=(409,))
def amend_order(order_no):
    """上一步: change months or base of a DRAFT or CONFIRMED order (back to DRAFT)."""
    current = web.session()
    data = web.body_model(AmendOrderBody)
    return payment_orders.amend_order(current, order_no, data.months, data.base_fen, web.client_ip())


@bp.route("/payments/orders/{order_no}/confirm", methods=["POST"])
@contract(responses={200: Order}, errors=(409,))
def confirm_order(order_no):
    """Dues reviewed: DRAFT → CONFIRMED."""
    return payment_orders.confirm(web.session(), order_no, web.client_ip())


@bp.route("/payments/orders/{order_no}/cancel", methods=["POST"])
@contract(responses={200: Order}, errors=(409,))
def cancel_order(order_no):
    """取消 / 作废 an order that is not at the bank."""
    return payment_orders.cancel(web.session(), order_no, web.client_ip())


@bp.route("/payments/orders/{order_no}/pay", methods=["POST"])
@contract(body=PayBody, responses={200: Order}, errors=(409,))
def pay_order(order_no):
    """Choose a bank: AWAITING_PAYMENT and the bank's checkout `redirect_url`."""
    current = web.session()
    data = web.body_model(PayBody)
    return payment_orders.pay(current, order_no, data.bank_code, web.client_ip())


@bp.route("/payments/orders/{order_no}/query-bank", methods=["POST"])
@contract(responses={200: Order}, errors=(409, 429))
def query_bank(order_no):
    """查询银行: ask the order's bank for its status and apply a final answer."""
    return payment_bank_query.query_bank(web.session(), order_no, web.client_ip())


@bp.route("/messages", methods=["GET"])
@contract(responses={200: Items})
def list_messages():
    """The resident's messages (e.g. 缴费成功), newest first."""
    return messages.list_for(web.session())
