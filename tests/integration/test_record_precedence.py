"""Record precedence on DynamoDB Local (PRODUCT section 3), the scenarios of issue 11 in order:
pay then import a stale row; import then pay; two imports racing in parallel threads. Only the
conditional writes keep them apart: DynamoDB Local applies requests concurrently, as DynamoDB does."""

from __future__ import annotations

import threading

import pytest

from chalicelib import clock
from chalicelib.models.contribution_summaries import ContributionSummary
from chalicelib.models.contributions import Contribution
from chalicelib.services import payment_settlement, record_conflicts

from ..helpers import freeze_at
from ..test_payments_service import WANG, bank_result, order_at_bank, status_of
from ..test_record_conflicts import import_rows, month_state, rejects_of, stale_row


@pytest.fixture
def fixed_time(tables):
    freeze_at()
    yield
    clock.reset()


def test_pay_then_import_a_stale_row_keeps_the_payment(fixed_time, tmp_path):
    order = order_at_bank()
    assert payment_settlement.apply_bank_result(bank_result(order)) == "APPLIED"
    importer = import_rows(tmp_path, "stale.csv", [stale_row("202609"), stale_row("202611")])
    assert rejects_of(importer) == [["2", "conflicts_with_paid"]]
    paid = Contribution.get(f"{WANG}#110", "202609", consistent_read=True)
    assert (paid.status, paid.personal_fen, paid.source) == (
        "PAID",
        order["lines"][0]["amount_fen"],
        f"payment:{order['order_no']}",
    )
    summary = ContributionSummary.get(WANG, "110", consistent_read=True)
    assert {"202609", "202610"} <= summary.paid and summary.owed == {"202611"}
    assert month_state("202609") == "paid" and month_state("202611") == "owed"
    assert [c["period"] for c in record_conflicts.open_conflicts()] == ["202609"]


def test_import_then_pay_leaves_the_imported_month_and_flags_the_payment(fixed_time, tmp_path):
    order = order_at_bank()
    import_rows(tmp_path, "paid.csv", [stale_row("202610", "PAID")])
    assert payment_settlement.apply_bank_result(bank_result(order)) == "FLAGGED"
    assert status_of(order["order_no"]) == "AWAITING_PAYMENT"
    assert Contribution.get(f"{WANG}#110", "202610", consistent_read=True).source == "import"
    with pytest.raises(Contribution.DoesNotExist):  # the transaction posted nothing
        Contribution.get(f"{WANG}#110", "202609", consistent_read=True)
    assert [(c["kind"], c["period"]) for c in record_conflicts.open_conflicts()] == [("payment", "202610")]


@pytest.mark.parametrize("round_", range(4))
def test_two_imports_racing_never_downgrade_a_paid_month(fixed_time, tmp_path, round_):
    months = [f"2025{m:02d}" for m in range(1, 13)]
    barrier = threading.Barrier(2)
    importers = {}

    def run(name: str, status: str) -> None:
        barrier.wait()
        importers[name] = import_rows(tmp_path, f"{name}.csv", [stale_row(m, status) for m in months])

    threads = [
        threading.Thread(target=run, args=("owed", "OWED")),
        threading.Thread(target=run, args=("paid", "PAID")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert rejects_of(importers["paid"]) == []
    refused = {row[0] for row in rejects_of(importers["owed"])}
    assert {code for _, code in rejects_of(importers["owed"])} <= {"conflicts_with_paid"}
    stored = {c.period: c.status for c in Contribution.query(f"{WANG}#110", consistent_read=True)}
    assert stored == dict.fromkeys(months, "PAID")
    summary = ContributionSummary.get(WANG, "110", consistent_read=True)
    assert summary.paid == set(months) and not summary.owed  # the summary agrees with the months
    assert len(record_conflicts.open_conflicts()) == len(refused)
