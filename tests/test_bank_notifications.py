"""POST /api/banks/{bank_code}/notifications (PRODUCT.md section 5) through the Chalice client on moto."""

from __future__ import annotations

import json
import threading
from unittest import mock

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from chalicelib import clock
from chalicelib.models import base
from chalicelib.models.audit import AuditEvent
from chalicelib.models.bank_events import BankEvent
from chalicelib.models.contributions import Contribution
from chalicelib.models.messages import ResidentMessage
from chalicelib.models.orders import PaymentOrder
from chalicelib.models.tasks import PendingTask
from chalicelib.services import bank_notifications, banks, payment_expiry

from .test_payments_service import (
    WANG,
    bank_sign,
    notification,
    order_at_bank,
    status_of,
)


def deliver(
    client,
    bank: str,
    body: bytes,
    timestamp: int | None = None,
    secret: bytes | None = None,
    signature: str | None = None,
):
    ts = str(int(clock.now()) if timestamp is None else timestamp)
    headers = {
        "Content-Type": "application/json",
        "X-Bank-Timestamp": ts,
        "X-Bank-Signature": signature or bank_sign(bank, ts, body, secret),
    }
    return client.http.post(f"/api/banks/{bank}/notifications", headers=headers, body=body)


def nothing_posted() -> bool:
    return Contribution.count() == 0 and ResidentMessage.count() == 0


@pytest.fixture
def awaiting(client, fixed_time):
    return order_at_bank("ccb", months=["202609", "202610"])


def test_valid_success_notification_marks_the_order_paid(client, awaiting):
    response = deliver(client, "ccb", notification(awaiting))
    assert response.status_code == 200 and response.json_body == {"ack": "OK"}
    assert status_of(awaiting["order_no"]) == "PAID"
    assert Contribution.count() == 2 and PendingTask.count(WANG) == 0


def test_valid_failed_notification_marks_the_order_failed(client, awaiting):
    response = deliver(client, "ccb", notification(awaiting, "FAILED", "evt-f"))
    assert response.status_code == 200
    assert status_of(awaiting["order_no"]) == "FAILED" and nothing_posted() is False
    assert Contribution.count() == 0


def test_tampered_body_is_refused(client, awaiting):
    body = notification(awaiting)
    ts = str(int(clock.now()))
    signature = bank_sign("ccb", ts, body)
    tampered = body.replace(b'"SUCCESS"', b'"FAILED"')
    response = client.http.post(
        "/api/banks/ccb/notifications",
        body=tampered,
        headers={"Content-Type": "application/json", "X-Bank-Timestamp": ts, "X-Bank-Signature": signature},
    )
    assert response.status_code == 401
    assert status_of(awaiting["order_no"]) == "AWAITING_PAYMENT" and BankEvent.count() == 0


def test_wrong_secret_or_another_banks_secret_is_refused(client, awaiting):
    assert deliver(client, "ccb", notification(awaiting), secret=b"not-the-secret").status_code == 401
    assert deliver(client, "ccb", notification(awaiting), secret=b"local-secret-icbc").status_code == 401
    assert deliver(client, "ccb", notification(awaiting), signature="v1=").status_code == 401
    assert status_of(awaiting["order_no"]) == "AWAITING_PAYMENT" and BankEvent.count() == 0


@pytest.mark.parametrize("offset,accepted", [(-301, False), (301, False), (-299, True), (299, True)])
def test_timestamps_more_than_300_seconds_from_now_are_refused(client, awaiting, offset, accepted):
    response = deliver(client, "ccb", notification(awaiting), timestamp=int(clock.now()) + offset)
    assert response.status_code == (200 if accepted else 401)
    assert status_of(awaiting["order_no"]) == ("PAID" if accepted else "AWAITING_PAYMENT")


def test_missing_signature_headers_are_refused(client, awaiting):
    response = client.http.post(
        "/api/banks/ccb/notifications",
        body=notification(awaiting),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 401


def test_replay_of_the_same_event_is_acknowledged_and_changes_nothing(client, awaiting):
    body = notification(awaiting)
    assert deliver(client, "ccb", body).status_code == 200
    clock.travel(60)
    second = deliver(client, "ccb", body)
    assert second.status_code == 200 and second.json_body == {"ack": "OK"}
    assert Contribution.count() == 2 and ResidentMessage.count() == 1 and BankEvent.count() == 1


def test_ten_identical_deliveries_in_parallel_make_one_transition(client, awaiting, serial_moto):
    body = notification(awaiting)
    ts = str(int(clock.now()))
    signature = bank_sign("ccb", ts, body)
    answers: list = []
    barrier = threading.Barrier(10)

    def deliver_once():
        barrier.wait()
        try:
            answers.append(bank_notifications.handle_notification("ccb", ts, signature, body))
        except Exception as exc:  # noqa: BLE001 (recorded and asserted below)
            answers.append(exc)

    threads = [threading.Thread(target=deliver_once) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [{"ack": "OK"}] * 10
    assert status_of(awaiting["order_no"]) == "PAID"
    assert Contribution.count() == 2 and ResidentMessage.count() == 1 and BankEvent.count() == 1
    assert len([e for e in AuditEvent.scan() if e.action == "payment.paid"]) == 1


def test_amount_off_by_one_fen_is_flagged_acknowledged_and_leaves_the_order(client, awaiting):
    body = notification(awaiting, amount_fen=awaiting["total_fen"] - 1)
    response = deliver(client, "ccb", body)
    assert response.status_code == 200 and response.json_body == {"ack": "OK"}
    assert status_of(awaiting["order_no"]) == "AWAITING_PAYMENT" and Contribution.count() == 0
    event = BankEvent.get("ccb#evt-1")
    assert (event.outcome, event.reason, event.review) == ("FLAGGED", "amount_differs", "OPEN")
    assert [e.event_key for e in BankEvent.flagged.query("OPEN")] == ["ccb#evt-1"]


def test_currency_or_bank_mismatch_is_flagged(client, awaiting):
    assert deliver(client, "ccb", notification(awaiting, currency="USD", event_id="e1")).status_code == 200
    assert deliver(client, "icbc", notification(awaiting, event_id="e2")).status_code == 200
    assert status_of(awaiting["order_no"]) == "AWAITING_PAYMENT"
    reasons = {e.event_key: e.reason for e in BankEvent.scan()}
    assert reasons == {"ccb#e1": "currency_differs", "icbc#e2": "bank_differs"}


def test_unknown_order_is_flagged_and_acknowledged(client, awaiting):
    body = notification(dict(awaiting, order_no="P20261115ABCDEF0123"))
    assert deliver(client, "ccb", body).status_code == 200
    assert BankEvent.get("ccb#evt-1").reason == "unknown_order"


def test_success_after_expiry_is_flagged_for_review(client, awaiting, monkeypatch):
    clock.travel(31 * 60)
    monkeypatch.setattr(banks, "query_status", lambda *a, **k: {"status": "PENDING"})
    payment_expiry.expire_stale()
    assert deliver(client, "ccb", notification(awaiting)).status_code == 200
    assert status_of(awaiting["order_no"]) == "EXPIRED" and Contribution.count() == 0
    assert BankEvent.get("ccb#evt-1").reason == "order_expired"


def test_unknown_bank_is_404(client, awaiting):
    assert deliver(client, "boc", notification(awaiting), secret=b"x").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1,2]",
        b'{"event_id":"e"}',
        b'{"event_id":"e","order_no":"P1","bank_txn_id":"t","amount_fen":"100",'
        b'"currency":"CNY","status":"SUCCESS","paid_at":"x"}',
        b'{"event_id":"e","order_no":"P1","bank_txn_id":"t","amount_fen":100,'
        b'"currency":"CNY","status":"PAID","paid_at":"x"}',
    ],
)
def test_signed_but_malformed_notifications_are_400(client, awaiting, body):
    response = deliver(client, "ccb", body)
    assert response.status_code == 400
    assert BankEvent.count() == 0 and status_of(awaiting["order_no"]) == "AWAITING_PAYMENT"


def _failing_transactions(error: Exception):
    """Make DynamoDB's TransactWriteItems fail (as throttling or a dropped connection would)."""
    client = base.connection().client
    real = client._make_api_call

    def call(operation, params):
        if operation == "TransactWriteItems":
            raise error
        return real(operation, params)

    return mock.patch.object(client, "_make_api_call", side_effect=call)


@pytest.mark.parametrize(
    "error",
    [
        ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "TransactWriteItems"),
        EndpointConnectionError(endpoint_url="https://dynamodb.example"),
    ],
)
def test_storage_failure_is_503_with_nothing_written_and_the_retry_succeeds(client, awaiting, error):
    body = notification(awaiting)
    with _failing_transactions(error):
        response = deliver(client, "ccb", body)
    assert response.status_code == 503
    assert status_of(awaiting["order_no"]) == "AWAITING_PAYMENT"
    assert Contribution.count() == 0 and BankEvent.count() == 0 and ResidentMessage.count() == 0
    assert PendingTask.count(WANG) == 1
    retry = deliver(client, "ccb", body)  # the bank retries the same event
    assert retry.status_code == 200 and status_of(awaiting["order_no"]) == "PAID"
    assert Contribution.count() == 2


def test_notifications_need_no_csrf_header_or_session(client, awaiting):
    response = deliver(client, "ccb", notification(awaiting))
    assert response.status_code == 200
    assert json.loads(response.body) == {"ack": "OK"}
    assert PaymentOrder.get(awaiting["order_no"]).event_id == "evt-1"


def test_other_stages_read_bank_secrets_from_secrets_manager_once_per_process(tables, monkeypatch):
    import boto3

    from chalicelib import secrets_store
    from chalicelib.services import banks

    boto3.client("secretsmanager", region_name="us-east-1").create_secret(
        Name="sbp/dev/bank-secret-ccb", SecretString="dev-secret-ccb"
    )
    monkeypatch.setenv("STAGE", "dev")
    secrets_store.clear_cache()
    try:
        assert banks.secret("ccb") == b"dev-secret-ccb"
        boto3.client("secretsmanager", region_name="us-east-1").put_secret_value(
            SecretId="sbp/dev/bank-secret-ccb", SecretString="rotated"
        )
        assert banks.secret("ccb") == b"dev-secret-ccb"  # cached for the life of the process
    finally:
        secrets_store.clear_cache()
