"""The bank simulator as a separate HTTP party: checkout, signed notifications with retries until
acked, the signed status query and the daily statement — against the API served over HTTP
(infra.gateway on moto). Real clock here: the simulator signs with the wall-clock time."""

from __future__ import annotations

import csv
import http.client
import json
import re
import time
import urllib.parse
import urllib.request

import pytest

from chalicelib import policy
from chalicelib.errors import TemporarilyUnavailable
from chalicelib.models.orders import PaymentOrder
from chalicelib.services import banks, payment_bank_query, payment_dues, payment_orders, payment_settlement
from infra.bank_simulator import Simulator

from .test_payments_service import WANG, me

DEADLINE_S = 30


def wait_for(predicate, what: str):
    """Poll until predicate() is truthy (a deadline, not a timing assertion)."""
    end = time.monotonic() + DEADLINE_S
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"gave up waiting for {what}")


@pytest.fixture
def stack(tables, tmp_path, monkeypatch):
    import app as app_module
    from infra.gateway import Gateway

    with (
        Gateway(app_module.app) as gateway,
        Simulator(gateway.url, tmp_path / "statements", retry_scale=0.002) as sim,
    ):
        monkeypatch.setenv("BANK_BASE_URL", sim.url + "/{code}")
        monkeypatch.setenv("SITE_ORIGIN", gateway.url)
        yield gateway, sim, tmp_path / "statements"


def open_order(bank: str = "ccb", months=("202611",)) -> dict:
    window = payment_dues.payable_window()
    chosen = [window[-1]] if months == ("202611",) else list(months)
    order = payment_orders.create_order(
        me(), "flexible_pension", chosen, policy.base_band(chosen[0][:4])[0], None
    )
    payment_orders.confirm(me(), order["order_no"], None)
    return payment_orders.pay(me(), order["order_no"], bank, None)


def checkout(url: str, action: str) -> http.client.HTTPResponse:
    page = urllib.request.urlopen(url, timeout=10).read().decode()
    assert "立即支付" in page and "支付失败" in page and "德州市社会保险服务中心" in page
    form = dict(re.findall(r'name="(order_no|token)" value="([^"]+)"', page))
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request(
        "POST",
        parts.path + "/" + action,
        body=urllib.parse.urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    return conn.getresponse()


def test_checkout_pay_notifies_the_portal_and_redirects_back(stack):
    gateway, _, statements = stack
    order = open_order("ccb")
    response = checkout(order["redirect_url"], "pay")
    assert response.status == 303
    assert response.getheader("Location") == f"{gateway.url}/pay/order.html?no={order['order_no']}"
    wait_for(lambda: PaymentOrder.get(order["order_no"], consistent_read=True).status == "PAID", "PAID")
    rows = list(csv.DictReader(next(statements.glob("ccb-*.csv")).open(encoding="utf-8")))
    assert [(r["order_no"], r["status"], int(r["amount_fen"])) for r in rows] == [
        (order["order_no"], "SUCCESS", order["total_fen"])
    ]
    assert rows[0]["bank_txn_id"] == PaymentOrder.get(order["order_no"]).bank_txn_id


def test_checkout_fail_marks_the_order_failed(stack):
    order = open_order("icbc")
    assert checkout(order["redirect_url"], "fail").status == 303
    wait_for(lambda: PaymentOrder.get(order["order_no"], consistent_read=True).status == "FAILED", "FAILED")


def test_checkout_link_not_signed_by_the_portal_is_refused(stack):
    order = open_order("abc")
    forged = order["redirect_url"].replace(f"amount_fen={order['total_fen']}", "amount_fen=1")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forged, timeout=10)
    assert refused.value.code == 403


def test_notifications_are_retried_until_acknowledged(stack, monkeypatch):
    _, sim, _ = stack
    order = open_order("ccb")
    failures = {"left": 2}
    real = payment_settlement.apply_bank_result

    def flaky(result, *args, **kwargs):
        if failures["left"]:
            failures["left"] -= 1
            raise TemporarilyUnavailable("storage busy")
        return real(result, *args, **kwargs)

    monkeypatch.setattr(payment_settlement, "apply_bank_result", flaky)
    checkout(order["redirect_url"], "pay")
    wait_for(lambda: PaymentOrder.get(order["order_no"], consistent_read=True).status == "PAID", "PAID")
    deliveries = wait_for(
        lambda: [d for d in sim.bank.state()["deliveries"] if d["http_status"] == 200], "ack"
    )
    statuses = [d["http_status"] for d in sim.bank.state()["deliveries"]]
    assert statuses == [503, 503, 200] and deliveries[0]["attempt"] == 3


def test_portal_asks_the_bank_when_the_notification_is_held_back(stack):
    _, sim, _ = stack
    sim.bank.deliver = False
    order = open_order("ccb")
    checkout(order["redirect_url"], "pay")
    assert payment_orders.get_order(me(), order["order_no"])["status"] == "AWAITING_PAYMENT"
    answer = payment_bank_query.query_bank(me(), order["order_no"], None)
    assert answer["bank_status"] == "SUCCESS" and answer["status"] == "PAID"
    sim.bank.deliver = True  # the late notification is then acked as already handled
    wait_for(lambda: [d for d in sim.bank.state()["deliveries"] if d["http_status"] == 200], "late ack")
    assert PaymentOrder.get(order["order_no"]).status == "PAID"


def test_status_query_of_an_unknown_order_and_unsigned_query(stack):
    _, sim, _ = stack
    assert banks.query_status("ccb", "P20261115AAAAAAAAAA")["status"] == "UNKNOWN"
    with pytest.raises(urllib.error.HTTPError) as unsigned:
        urllib.request.urlopen(f"{sim.url}/ccb/orders/P20261115AAAAAAAAAA", timeout=10)
    assert unsigned.value.code == 401
    assert json.loads(urllib.request.urlopen(f"{sim.url}/_sim/state", timeout=10).read())["deliver"] is True
    assert WANG  # the orders above belong to 王芳
