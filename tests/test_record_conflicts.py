"""Record precedence between the payment settlement and the core system's imports (moto), and
the conflicts list operations resolve (`python -m infra conflicts`)."""

from __future__ import annotations

import argparse
import csv

import pytest

from chalicelib import clock
from chalicelib.errors import Conflict
from chalicelib.models.contribution_summaries import ContributionSummary
from chalicelib.models.contributions import Contribution
from chalicelib.services import payment_orders, payment_settlement, record_conflicts
from infra.commands import conflicts as conflicts_cli
from infra.importer import Importer
from infra.importer.formats import FORMATS

from .helpers import freeze_at
from .test_payments_service import WANG, bank_result, me, order_at_bank, status_of


@pytest.fixture
def fixed_time(tables):
    freeze_at()
    yield
    clock.reset()


def import_rows(folder, name, rows) -> Importer:
    path = folder / name
    header = FORMATS["contributions"].header
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        for row in rows:
            out.writerow([row.get(c, "") for c in header])
    importer = Importer("contributions", path, progress=False)
    importer._known[WANG] = True  # the person is known (no accounts table row needed here)
    importer.run()
    return importer


def stale_row(period: str, status: str = "OWED") -> dict:
    return {
        "id_number": WANG,
        "type_code": "110",
        "period": period,
        "employer": "灵活就业",
        "base_fen": "500000",
        "employer_fen": "0",
        "personal_fen": "100000",
        "account_fen": "40000",
        "status": status,
        "posted_on": "2026-11-20" if status != "OWED" else "",
    }


def rejects_of(importer: Importer) -> list[list[str]]:
    with importer.rejects_path.open(encoding="utf-8", newline="") as handle:
        return [r[:2] for r in list(csv.reader(handle))[1:]]


def month_state(period: str) -> str:
    months = payment_orders.options(me(), "flexible_pension")["months"]
    return next(m["state"] for m in months if m["period"] == period)


def test_a_month_paid_online_keeps_its_payment_when_an_import_says_owed(fixed_time, tmp_path):
    order = order_at_bank()
    assert payment_settlement.apply_bank_result(bank_result(order)) == "APPLIED"
    importer = import_rows(tmp_path, "stale.csv", [stale_row("202609")])
    assert rejects_of(importer) == [["2", "conflicts_with_paid"]]
    kept = Contribution.get(f"{WANG}#110", "202609")
    assert kept.status == "PAID" and kept.personal_fen == order["lines"][0]["amount_fen"]
    assert "202609" in ContributionSummary.get(WANG, "110").paid
    assert not (ContributionSummary.get(WANG, "110").owed or set())
    assert month_state("202609") == "paid"  # the dues page does not offer it again
    (listed,) = record_conflicts.open_conflicts()
    assert listed["kind"] == "import_row" and listed["existing"]["source"] == f"payment:{order['order_no']}"


def test_a_month_paid_in_an_import_refuses_a_later_bank_payment_and_lists_it(fixed_time, tmp_path):
    order = order_at_bank()
    import_rows(tmp_path, "paid.csv", [stale_row("202609", "PAID")])
    assert payment_settlement.apply_bank_result(bank_result(order)) == "FLAGGED"
    assert status_of(order["order_no"]) == "AWAITING_PAYMENT"
    kept = Contribution.get(f"{WANG}#110", "202609")
    assert kept.source == "import" and kept.personal_fen == 100000
    (listed,) = record_conflicts.open_conflicts()
    assert (listed["kind"], listed["period"], listed["origin"]) == (
        "payment",
        "202609",
        f"payment:{order['order_no']}",
    )
    with pytest.raises(Conflict):
        record_conflicts.resolve(listed["conflict_id"], record_conflicts.APPLY_ROW)


def test_an_import_paid_row_restates_a_month_and_an_owed_row_fills_a_free_one(fixed_time, tmp_path):
    import_rows(tmp_path, "a.csv", [stale_row("202601"), stale_row("202602")])
    importer = import_rows(tmp_path, "b.csv", [stale_row("202601", "PAID"), stale_row("202602", "BACKPAID")])
    assert rejects_of(importer) == []
    assert {c.period: c.status for c in Contribution.query(f"{WANG}#110")} == {
        "202601": "PAID",
        "202602": "BACKPAID",
    }
    summary = ContributionSummary.get(WANG, "110")
    assert summary.paid == {"202601", "202602"} and not summary.owed


def test_ops_keep_the_record_or_apply_the_row_once_and_both_are_audited(fixed_time, tmp_path, capsys):
    import_rows(tmp_path, "paid.csv", [stale_row("202601", "PAID"), stale_row("202602", "PAID")])
    import_rows(tmp_path, "stale.csv", [stale_row("202601"), stale_row("202602")])
    first, second = record_conflicts.open_conflicts()
    args = argparse.Namespace(limit=100, json=False)
    assert conflicts_cli._list(args) == 0
    assert "2 open conflict(s)" in capsys.readouterr().out

    keep = argparse.Namespace(
        conflict_id=first["conflict_id"],
        apply_row=False,
        keep_record=True,
        note="核心系统数据滞后",
        yes=False,
    )
    assert conflicts_cli._resolve(keep) == 0
    assert Contribution.get(f"{WANG}#110", first["period"]).status == "PAID"
    assert conflicts_cli._resolve(keep) == 1  # already resolved
    assert "已处理" in capsys.readouterr().out

    apply = argparse.Namespace(
        conflict_id=second["conflict_id"], apply_row=True, keep_record=False, note="退费后改为欠缴", yes=True
    )
    assert conflicts_cli._resolve(apply) == 0
    assert Contribution.get(f"{WANG}#110", second["period"]).status == "OWED"
    summary = ContributionSummary.get(WANG, "110")
    assert summary.owed == {second["period"]} and summary.paid == {first["period"]}
    assert record_conflicts.open_conflicts() == []
    from chalicelib.models.audit import AuditEvent

    actions = [e.detail["resolution"] for e in AuditEvent.scan() if e.action == "records.conflict_resolved"]
    assert sorted(actions) == ["APPLY_ROW", "KEEP_RECORD"]


def test_show_of_an_unknown_conflict_says_so(fixed_time, capsys):
    assert conflicts_cli._show(argparse.Namespace(conflict_id="C0000")) == 1
    assert "C0000" in capsys.readouterr().out
