"""Ops CLI (`python -m infra`): accounts unlock/reset/revoke-sessions and audit export, run
in-process against moto (stage local, no DDB_ENDPOINT)."""

from __future__ import annotations

import csv
import io

import pytest

from chalicelib import clock
from chalicelib.models.accounts import Account
from chalicelib.models.audit import AuditEvent
from chalicelib.models.sessions import Session
from chalicelib.security import passwords
from chalicelib.services import audit, sessions
from infra import cli, stage_env
from tests.helpers import GOOD_PASSWORD, ZHANG, make_account

UNKNOWN_BUT_VALID = "37142519620708352X"  # 李秀英's valid number; no account is made for her here


@pytest.fixture
def ops(tables, monkeypatch, tmp_path):
    """The CLI on moto: no running local stack's endpoints are picked up."""
    monkeypatch.setattr(stage_env, "STACK_FILE", tmp_path / "no-stack.json")
    monkeypatch.delenv("DDB_ENDPOINT", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no terminal: confirmation cannot be asked

    def run(*argv: str) -> int:
        return cli.main(["--stage", "local", *argv])

    return run


def _ops_events(action: str) -> list[AuditEvent]:
    return [e for e in audit.for_days([clock.now_dt().strftime("%Y-%m-%d")]) if e.action == action]


def test_every_command_has_help(capsys):
    parser = cli.build_parser()
    commands = {"accounts": ["unlock", "reset", "revoke-sessions"], "audit": ["export"]}
    for command, actions in commands.items():
        for argv in ([command, "--help"], *([command, action, "--help"] for action in actions)):
            with pytest.raises(SystemExit) as exited:
                parser.parse_args(argv)
            assert exited.value.code == 0
            assert "usage:" in capsys.readouterr().out


def test_unlock_clears_lock_and_failures_and_is_audited(ops, capsys):
    make_account(
        state="SET",
        password=GOOD_PASSWORD,
        failed_count=5,
        failed_window_start=int(clock.now()),
        locked_until=int(clock.now()) + 900,
    )
    assert ops("accounts", "unlock", ZHANG, "--operator", "wang.ops") == 0
    account = Account.get(ZHANG)
    assert account.locked_until is None and account.failed_count == 0
    assert passwords.verify_password(account.password_hash, GOOD_PASSWORD)  # password unchanged
    assert "was locked" in capsys.readouterr().out
    [event] = _ops_events("ops.unlock")
    assert event.detail["by"] == "wang.ops" and event.detail["was_locked"] is True
    assert ZHANG not in str(event.detail)


def test_unlock_of_unknown_resident_exits_1(ops, capsys):
    assert ops("accounts", "unlock", UNKNOWN_BUT_VALID) == 1
    assert "no account" in capsys.readouterr().err
    assert _ops_events("ops.unlock") == []


def test_malformed_id_number_exits_2(ops, capsys):
    make_account()
    assert ops("accounts", "unlock", "371402198503142315") == 2  # wrong check digit
    assert "not a valid" in capsys.readouterr().err


def test_reset_without_yes_is_refused_and_changes_nothing(ops, capsys):
    make_account(state="SET", password=GOOD_PASSWORD)
    assert ops("accounts", "reset", ZHANG) == 1
    assert "--yes" in capsys.readouterr().err
    assert Account.get(ZHANG).password_state == "SET"


def test_reset_forces_activation_and_ends_sessions(ops):
    make_account(state="SET", password=GOOD_PASSWORD)
    sessions.create(ZHANG, "127.0.0.1")
    sessions.create(ZHANG, "127.0.0.1")
    assert ops("accounts", "reset", ZHANG, "--yes") == 0
    account = Account.get(ZHANG)
    assert account.password_state == "INITIAL"
    assert passwords.verify_password(account.password_hash, passwords.INITIAL_PASSWORD)
    assert list(Session.by_person.query(ZHANG)) == []
    [event] = _ops_events("ops.reset")
    assert event.detail["sessions_ended"] == 2


def test_reset_of_unknown_resident_exits_1(ops):
    assert ops("accounts", "reset", UNKNOWN_BUT_VALID, "--yes") == 1


def test_revoke_sessions_ends_every_session(ops, capsys):
    make_account(state="SET", password=GOOD_PASSWORD)
    for _ in range(3):
        sessions.create(ZHANG, "127.0.0.1")
    assert ops("accounts", "revoke-sessions", ZHANG, "--yes") == 0
    assert "ended 3 session(s)" in capsys.readouterr().out
    assert list(Session.by_person.query(ZHANG)) == []
    assert Account.get(ZHANG).password_state == "SET"


def test_revoke_sessions_without_yes_keeps_sessions(ops):
    make_account(state="SET", password=GOOD_PASSWORD)
    sessions.create(ZHANG, "127.0.0.1")
    assert ops("accounts", "revoke-sessions", ZHANG) == 1
    assert len(list(Session.by_person.query(ZHANG))) == 1


def _write_events_on_three_days() -> list[str]:
    days = []
    for n in range(3):
        audit.record(ZHANG, f"test.day{n}", "ok", "10.0.0.1", {"n": n})
        days.append(clock.now_dt().strftime("%Y-%m-%d"))
        clock.travel(24 * 3600)
    return days


def test_audit_export_writes_the_days_of_the_range_as_csv(ops, tmp_path, capsys):
    days = _write_events_on_three_days()
    out = tmp_path / "audit.csv"
    assert ops("audit", "export", "--from", days[1], "--to", days[2], "--out", str(out)) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["action"] for r in rows] == ["test.day1", "test.day2"]
    assert rows[0]["day"] == days[1] and rows[0]["source_ip"] == "10.0.0.1"
    assert rows[0]["id_masked"] != ZHANG and ZHANG not in out.read_text(encoding="utf-8")
    assert rows[0]["at"].endswith("+08:00")
    assert "2 audit event(s)" in capsys.readouterr().err


def test_audit_export_to_stdout(ops, capsys):
    days = _write_events_on_three_days()
    assert ops("audit", "export", "--from", days[0], "--to", days[0]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["action"] for r in rows] == ["test.day0"]


@pytest.mark.parametrize(
    "date_from,date_to",
    [
        ("2026-13-01", "2026-12-01"),
        ("2026/11/01", "2026-11-02"),
        ("20261101", "2026-11-02"),
        ("2026-11-05", "2026-11-01"),
        ("2024-01-01", "2026-01-01"),
    ],
)
def test_audit_export_refuses_malformed_or_reversed_or_too_long_range(ops, capsys, date_from, date_to):
    assert ops("audit", "export", "--from", date_from, "--to", date_to) == 2
    assert "error:" in capsys.readouterr().err
