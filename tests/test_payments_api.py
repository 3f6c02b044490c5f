"""Payment routes through the Chalice client on moto: the resident's three steps, errors, to-do list."""

from __future__ import annotations

import pytest

from chalicelib import clock, policy

from .helpers import get, post, signed_in
from .test_payments_service import WANG, bank_sign, notification


@pytest.fixture
def wang(client, fixed_time):
    return signed_in(client, WANG)


def create(client, cookie, months=("202609", "202610"), base_fen=500000, kind="flexible_pension"):
    return post(
        client,
        "/api/payments/orders",
        {"kind": kind, "months": list(months), "base_fen": base_fen},
        cookie=cookie,
    )


def test_full_flow_draft_confirm_pay_then_bank_notification(client, wang):
    options = get(client, "/api/payments/options?kind=flexible_pension", wang)
    assert options.status_code == 200 and options.json_body["type_code"] == "110"
    created = create(client, wang)
    assert created.status_code == 201, created.json_body
    order = created.json_body
    assert order["status"] == "DRAFT" and order["total_fen"] == 200000 and len(order["lines"]) == 2
    no = order["order_no"]
    assert post(client, f"/api/payments/orders/{no}/confirm", cookie=wang).json_body["status"] == "CONFIRMED"
    paying = post(client, f"/api/payments/orders/{no}/pay", {"bank_code": "ccb"}, cookie=wang)
    assert paying.status_code == 200
    assert (
        paying.json_body["status"] == "AWAITING_PAYMENT"
        and "/ccb/checkout?" in paying.json_body["redirect_url"]
    )
    tasks = get(client, "/api/tasks", wang).json_body["items"]
    assert [t["resume_path"] for t in tasks] == [f"/pay/order.html?no={no}"]
    body = notification(order)
    ts = str(int(clock.now()))
    ack = client.http.post(
        "/api/banks/ccb/notifications",
        body=body,
        headers={
            "Content-Type": "application/json",
            "X-Bank-Timestamp": ts,
            "X-Bank-Signature": bank_sign("ccb", ts, body),
        },
    )
    assert ack.status_code == 200
    assert get(client, f"/api/payments/orders/{no}", wang).json_body["status"] == "PAID"
    assert get(client, "/api/tasks", wang).json_body["items"] == []
    assert get(client, "/api/messages", wang).json_body["items"][0]["title"] == "缴费成功"
    listed = get(client, "/api/payments/orders", wang).json_body["items"]
    assert [o["order_no"] for o in listed] == [no]


def test_base_outside_band_is_400_with_the_field(client, wang):
    response = create(client, wang, base_fen=policy.base_band("2026")[1] + 1)
    assert response.status_code == 400
    assert response.json_body["error"]["field"] == "base_fen"
    assert "缴费基数" in response.json_body["error"]["message"]


def test_month_already_paid_or_in_an_open_order_is_409(client, wang):
    assert create(client, wang, months=["202610"]).status_code == 201
    again = create(client, wang, months=["202610", "202611"])
    assert again.status_code == 409 and again.json_body["error"]["code"] == "months_taken"
    assert again.json_body["error"]["field"] == "months"


def test_amend_goes_back_to_draft(client, wang):
    no = create(client, wang).json_body["order_no"]
    post(client, f"/api/payments/orders/{no}/confirm", cookie=wang)
    response = client.http.put(
        f"/api/payments/orders/{no}",
        body='{"months":["202611"],"base_fen":600000}',
        headers={"Cookie": wang, "X-Requested-With": "XMLHttpRequest", "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.json_body
    assert response.json_body["status"] == "DRAFT" and response.json_body["months"] == ["202611"]


def test_pay_before_confirm_and_cancel_at_bank_are_409(client, wang):
    no = create(client, wang).json_body["order_no"]
    assert (
        post(client, f"/api/payments/orders/{no}/pay", {"bank_code": "ccb"}, cookie=wang).status_code == 409
    )
    post(client, f"/api/payments/orders/{no}/confirm", cookie=wang)
    assert (
        post(client, f"/api/payments/orders/{no}/pay", {"bank_code": "zzz"}, cookie=wang).status_code == 400
    )
    post(client, f"/api/payments/orders/{no}/pay", {"bank_code": "ccb"}, cookie=wang)
    assert post(client, f"/api/payments/orders/{no}/cancel", cookie=wang).status_code == 409


def test_cancel_closes_the_order_and_its_to_do_item(client, wang):
    no = create(client, wang).json_body["order_no"]
    cancelled = post(client, f"/api/payments/orders/{no}/cancel", cookie=wang)
    assert cancelled.status_code == 200 and cancelled.json_body["status"] == "CANCELLED"
    assert get(client, "/api/tasks", wang).json_body["items"] == []
    assert create(client, wang).status_code == 201  # months free again


def test_orders_need_sign_in_csrf_header_and_belong_to_their_resident(client, wang):
    no = create(client, wang).json_body["order_no"]
    assert get(client, f"/api/payments/orders/{no}").status_code == 401
    no_header = client.http.post(f"/api/payments/orders/{no}/confirm", headers={"Cookie": wang})
    assert no_header.status_code == 403
    other = signed_in(client, "371402198503142314")
    assert get(client, f"/api/payments/orders/{no}", other).status_code == 404
    assert get(client, "/api/payments/orders/not-an-order", wang).status_code == 404


def test_query_bank_when_the_bank_is_unreachable_is_503(client, wang, monkeypatch):
    monkeypatch.setenv("BANK_BASE_URL", "http://127.0.0.1:9/{code}")  # discard port: nobody listens
    no = create(client, wang).json_body["order_no"]
    post(client, f"/api/payments/orders/{no}/confirm", cookie=wang)
    post(client, f"/api/payments/orders/{no}/pay", {"bank_code": "ccb"}, cookie=wang)
    response = post(client, f"/api/payments/orders/{no}/query-bank", cookie=wang)
    assert response.status_code == 503 and response.json_body["error"]["code"] == "bank_unavailable"
    assert get(client, f"/api/payments/orders/{no}", wang).json_body["status"] == "AWAITING_PAYMENT"


def test_scheduled_expiry_function_expires_idle_orders(client, wang):
    no = create(client, wang).json_body["order_no"]
    clock.travel(31 * 60)
    wang_again = signed_in(client, WANG)
    result = client.lambda_.invoke(
        "expire_payment_orders",
        client.events.generate_cw_event(
            source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
        ),
    )
    assert result.payload["expired"] == 1
    assert get(client, f"/api/payments/orders/{no}", wang_again).json_body["status"] == "EXPIRED"
