"""Integration: the payment transactions against DynamoDB Local (real TransactWriteItems semantics:
isolation, conditions, cancellation reasons) — not moto.

The test starts DynamoDB Local on a free port and runs this file as a script in a child process
whose models point at it (chalicelib binds the endpoint when its models are imported, so the
pytest process, already on moto, cannot). The script prints one JSON line that the test checks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WANG = "371481199004225625"


@pytest.fixture(scope="module")
def ddb_endpoint():
    from infra.ddb_local import DynamoDBLocal

    with DynamoDBLocal() as ddb:
        yield ddb.endpoint


def run_scenario(endpoint: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DDB_ENDPOINT", "S3_ENDPOINT", "TABLE_PREFIX")}
    env.update(
        {
            "DDB_ENDPOINT": endpoint,
            "SBP_ITEST_PREFIX": "sbp-itest-",
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
    )
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_payment_transactions_on_dynamodb_local(ddb_endpoint):
    result = run_scenario(ddb_endpoint)
    # ten identical deliveries in parallel: one transition, one set of postings, all acked
    assert result["parallel_answers"] == [{"ack": "OK"}] * 10
    assert result["parallel_status"] == "PAID"
    assert result["contributions"] == 2 and result["messages"] == 1 and result["events"] == 1
    assert result["summary_paid"] == ["202609", "202610"] and result["tasks"] == 0
    # the paid months cannot be ordered again, by the transaction's condition
    assert result["reorder"] == "months_taken"
    # parallel orders for one month: exactly one wins
    assert sorted(result["race"]) == ["conflict"] * 4 + ["created"]
    # FAILED then paid again; amount off by one fen flagged with the order unchanged
    assert result["failed_then_paid"] == ["FAILED", "PAID"]
    assert result["off_by_one"] == ["FLAGGED", "AWAITING_PAYMENT"]
    # expiry releases the months of an idle order
    assert result["expired"] == ["EXPIRED", 0]


def _scenario() -> dict:  # runs in the child process
    import threading
    import time

    from infra.stage_env import stage_variables

    for key, value in stage_variables("local").items():
        os.environ.setdefault(key, value)
    os.environ["TABLE_PREFIX"] = os.environ["SBP_ITEST_PREFIX"] + str(os.getpid()) + "-"

    from datetime import datetime

    from chalicelib import clock
    from chalicelib.errors import Conflict
    from chalicelib.models.bank_events import BankEvent
    from chalicelib.models.contribution_summaries import ContributionSummary
    from chalicelib.models.contributions import Contribution
    from chalicelib.models.messages import ResidentMessage
    from chalicelib.models.order_locks import MonthLock
    from chalicelib.models.orders import PaymentOrder
    from chalicelib.models.registry import create_missing_tables
    from chalicelib.models.tasks import PendingTask
    from chalicelib.services import (
        bank_notifications,
        banks,
        payment_expiry,
        payment_orders,
        payment_settlement,
    )
    from chalicelib.services.sessions import CurrentSession

    clock.travel(datetime(2026, 11, 15, 10, 0, tzinfo=clock.CHINA_TZ).timestamp() - time.time())
    create_missing_tables()
    me = CurrentSession(WANG, "h", int(clock.now()), int(clock.now()))
    out: dict = {}

    def at_bank(months, bank="ccb"):
        order = payment_orders.create_order(me, "flexible_pension", months, 500000, None)
        payment_orders.confirm(me, order["order_no"], None)
        return payment_orders.pay(me, order["order_no"], bank, None)

    def body(order, event_id, status="SUCCESS", **extra):
        data = {
            "event_id": event_id,
            "order_no": order["order_no"],
            "bank_txn_id": "T-" + event_id,
            "amount_fen": order["total_fen"],
            "currency": "CNY",
            "status": status,
            "paid_at": "2026-11-15T10:05:00+08:00" if status == "SUCCESS" else None,
        }
        data.update(extra)
        return json.dumps(data).encode()

    order = at_bank(["202609", "202610"])
    raw = body(order, "evt-1")
    headers = banks.signed_headers("ccb", raw)
    answers: list = []
    barrier = threading.Barrier(10)

    def deliver():
        barrier.wait()
        try:
            answers.append(
                bank_notifications.handle_notification(
                    "ccb", headers["X-Bank-Timestamp"], headers["X-Bank-Signature"], raw
                )
            )
        except Exception as exc:  # noqa: BLE001
            answers.append(repr(exc))

    threads = [threading.Thread(target=deliver) for _ in range(10)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    out["parallel_answers"] = answers
    out["parallel_status"] = PaymentOrder.get(order["order_no"], consistent_read=True).status
    out["contributions"] = sum(1 for _ in Contribution.query(f"{WANG}#110"))
    out["messages"] = sum(1 for _ in ResidentMessage.query(WANG))
    out["events"] = sum(1 for _ in BankEvent.scan())
    out["summary_paid"] = sorted(ContributionSummary.get(WANG, "110").paid)
    out["tasks"] = sum(1 for _ in PendingTask.query(WANG))
    try:
        payment_orders.create_order(me, "flexible_pension", ["202610"], 500000, None)
        out["reorder"] = "created"
    except Conflict as exc:
        out["reorder"] = exc.code

    race: list = []
    barrier2 = threading.Barrier(5)

    def create():
        barrier2.wait()
        try:
            payment_orders.create_order(me, "flexible_pension", ["202611"], 500000, None)
            race.append("created")
        except Conflict:
            race.append("conflict")

    threads = [threading.Thread(target=create) for _ in range(5)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    out["race"] = race
    racer = next(o for o in PaymentOrder.scan() if o.months == ["202611"])
    payment_orders.cancel(me, racer.order_no, None)

    second = at_bank(["202608"])
    states = []
    payment_settlement.apply_bank_result(
        bank_notifications.parse_notification("ccb", body(second, "evt-f", "FAILED"))
    )
    states.append(PaymentOrder.get(second["order_no"], consistent_read=True).status)
    payment_orders.pay(me, second["order_no"], "icbc", None)
    payment_settlement.apply_bank_result(bank_notifications.parse_notification("icbc", body(second, "evt-s")))
    states.append(PaymentOrder.get(second["order_no"], consistent_read=True).status)
    out["failed_then_paid"] = states

    third = at_bank(["202607"])
    outcome = payment_settlement.apply_bank_result(
        bank_notifications.parse_notification(
            "ccb", body(third, "evt-off", amount_fen=third["total_fen"] - 1)
        )
    )
    out["off_by_one"] = [outcome, PaymentOrder.get(third["order_no"], consistent_read=True).status]

    idle = payment_orders.create_order(me, "flexible_pension", ["202606"], 500000, None)
    clock.travel(31 * 60)
    banks.query_status = lambda *a, **k: {"status": "PENDING"}
    payment_expiry.expire_stale()
    out["expired"] = [
        PaymentOrder.get(idle["order_no"], consistent_read=True).status,
        sum(1 for _ in MonthLock.query(f"{WANG}#110", MonthLock.period == "202606")),
    ]
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    print(json.dumps(_scenario(), ensure_ascii=False))
