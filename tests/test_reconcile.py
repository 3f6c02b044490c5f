"""Reconciliation CLI: a statement planting one discrepancy of each kind → each reported once,
nothing else; `--apply` posts the bank-confirmed missing payment through the webhook transaction."""

from __future__ import annotations

import json

import pytest

from chalicelib.models.bank_events import BankEvent
from chalicelib.models.contributions import Contribution
from chalicelib.services import payment_settlement
from infra.cli import build_parser
from infra.commands import bank_events, reconcile

from .test_payments_service import FIXTURES, WANG, bank_result, order_at_bank, status_of


@pytest.fixture
def planted(fixed_time, tmp_path):
    """Six icbc orders of 2026-11-15 and the statement of that day, planted with discrepancies."""
    names = ["ok", "missing_in_portal", "amount_off", "duplicated", "in_portal_only", "failed_at_bank"]
    orders = {name: order_at_bank("icbc", months=[f"2026{6 + i:02d}"]) for i, name in enumerate(names)}
    for name in ("ok", "amount_off", "duplicated", "in_portal_only"):
        payment_settlement.apply_bank_result(bank_result(orders[name], "SUCCESS", f"evt-{name}", bank="icbc"))
    payment_settlement.apply_bank_result(
        bank_result(orders["failed_at_bank"], "FAILED", "evt-failed", bank="icbc")
    )
    values = {}
    for name, order in orders.items():
        values[name] = order["order_no"]
        values[f"{name}_amount"] = order["total_fen"]
    values["amount_off_wrong"] = orders["amount_off"]["total_fen"] + 1
    text = (FIXTURES / "bank" / "statement_planted.csv").read_text(encoding="utf-8").format(**values)
    statement = tmp_path / "icbc-2026-11-15.csv"
    statement.write_text(text, encoding="utf-8")
    return orders, statement


def parse(*argv: str):
    return build_parser().parse_args(["reconcile", *argv])


def test_each_planted_discrepancy_is_reported_once_and_nothing_else(planted, capsys):
    orders, statement = planted
    code = reconcile.run(parse("--bank", "icbc", "--statement", str(statement), "--json"))
    found = json.loads(capsys.readouterr().out)
    assert code == 1
    assert sorted((d["kind"], d["order_no"]) for d in found) == sorted(
        [
            ("paid_at_bank_not_in_portal", orders["missing_in_portal"]["order_no"]),
            ("amount_differs", orders["amount_off"]["order_no"]),
            ("duplicate_transaction", orders["duplicated"]["order_no"]),
            ("in_portal_not_at_bank", orders["in_portal_only"]["order_no"]),
        ]
    )
    assert status_of(orders["missing_in_portal"]["order_no"]) == "AWAITING_PAYMENT"  # nothing repaired


def test_apply_posts_the_missing_payment_through_the_webhook_transaction(planted, capsys):
    orders, statement = planted
    missing = orders["missing_in_portal"]["order_no"]
    reconcile.run(
        parse("--bank", "icbc", "--statement", str(statement), "--date", "2026-11-15", "--apply", "--yes")
    )
    assert "applied=APPLIED" in capsys.readouterr().out
    assert status_of(missing) == "PAID"
    assert Contribution.get(f"{WANG}#110", "202607").source == f"payment:{missing}"
    assert BankEvent.get("icbc#reconcile-ICBC-T-0002").source == "reconcile"
    code = reconcile.run(parse("--bank", "icbc", "--statement", str(statement), "--json"))
    kinds = sorted(d["kind"] for d in json.loads(capsys.readouterr().out))
    assert code == 1 and kinds == ["amount_differs", "duplicate_transaction", "in_portal_not_at_bank"]


def test_apply_without_yes_asks_and_does_nothing_on_no(planted, monkeypatch, capsys):
    orders, statement = planted
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    reconcile.run(parse("--bank", "icbc", "--statement", str(statement), "--apply"))
    assert "nothing applied" in capsys.readouterr().out
    assert status_of(orders["missing_in_portal"]["order_no"]) == "AWAITING_PAYMENT"


def test_a_statement_that_agrees_reports_nothing(fixed_time, tmp_path, capsys):
    order = order_at_bank("icbc", months=["202611"])
    payment_settlement.apply_bank_result(bank_result(order, "SUCCESS", "evt-a", bank="icbc"))
    statement = tmp_path / "s.csv"
    statement.write_text(
        "bank_txn_id,order_no,amount_fen,status,paid_at\n"
        f"T1,{order['order_no']},{order['total_fen']},SUCCESS,2026-11-15T10:05:00+08:00\n"
    )
    assert reconcile.run(parse("--bank", "icbc", "--statement", str(statement))) == 0
    assert "0 discrepancies" in capsys.readouterr().out


def test_flagged_notifications_are_listed_for_ops(fixed_time, capsys):
    order = order_at_bank("ccb", months=["202611"])
    payment_settlement.apply_bank_result(
        bank_result(order, "SUCCESS", "evt-off", amount_fen=order["total_fen"] - 1)
    )
    args = build_parser().parse_args(["bank-events", "flagged", "--json"])
    assert args.func is bank_events._flagged
    assert args.func(args) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(e["event_key"], e["reason"]) for e in listed] == [("ccb#evt-off", "amount_differs")]


def statement_of(tmp_path, *lines: str):
    path = tmp_path / "statement.csv"
    path.write_text(
        "bank_txn_id,order_no,amount_fen,status,paid_at\n" + "".join(line + "\n" for line in lines),
        encoding="utf-8",
    )
    return path


@pytest.mark.usefixtures("fixed_time")
def test_a_statement_line_listed_twice_is_a_duplicate_with_the_portal_side_shown(tmp_path, capsys):
    order = order_at_bank("icbc", months=["202611"])
    payment_settlement.apply_bank_result(bank_result(order, "SUCCESS", "evt-a", bank="icbc"))
    line = f"T1,{order['order_no']},{order['total_fen']},SUCCESS,2026-11-15T10:05:00+08:00"
    code = reconcile.run(
        parse("--bank", "icbc", "--statement", str(statement_of(tmp_path, line, line)), "--json")
    )
    (found,) = json.loads(capsys.readouterr().out)
    assert code == 1
    assert (found["kind"], found["bank_txn_ids"]) == ("duplicate_transaction", ["T1", "T1"])
    assert (found["portal_amount_fen"], found["portal_status"]) == (order["total_fen"], "PAID")


@pytest.mark.usefixtures("fixed_time")
def test_every_statement_line_of_an_order_is_compared(tmp_path, capsys):
    order = order_at_bank("icbc", months=["202611"])
    payment_settlement.apply_bank_result(bank_result(order, "SUCCESS", "evt-a", bank="icbc"))
    right = f"T1,{order['order_no']},{order['total_fen']},SUCCESS,2026-11-15T10:05:00+08:00"
    wrong = f"T2,{order['order_no']},{order['total_fen'] + 100},SUCCESS,2026-11-15T10:06:00+08:00"
    reconcile.run(parse("--bank", "icbc", "--statement", str(statement_of(tmp_path, right, wrong)), "--json"))
    found = sorted(
        (d["kind"], tuple(d["bank_txn_ids"]), d["bank_amount_fen"])
        for d in json.loads(capsys.readouterr().out)
    )
    assert found == [
        ("amount_differs", ("T2",), order["total_fen"] + 100),
        ("duplicate_transaction", ("T1", "T2"), order["total_fen"]),
    ]


@pytest.mark.parametrize(
    "content",
    [None, "order_no,amount\n", "bank_txn_id,order_no,amount_fen,status,paid_at\nT1,P1,ten,SUCCESS,\n"],
)
@pytest.mark.usefixtures("fixed_time")
def test_an_unusable_statement_is_a_clear_error_with_exit_code_2(tmp_path, capsys, content):
    path = tmp_path / "statement.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code = reconcile.run(parse("--bank", "icbc", "--statement", str(path)))
    captured = capsys.readouterr()
    assert code == 2 and "statement.csv" in captured.err and "Traceback" not in captured.err
    assert captured.out == ""


@pytest.mark.usefixtures("fixed_time")
def test_an_unknown_bank_is_a_clear_error(tmp_path, capsys):
    assert reconcile.run(parse("--bank", "nobank", "--statement", str(statement_of(tmp_path)))) == 2
    assert "unknown bank" in capsys.readouterr().err
