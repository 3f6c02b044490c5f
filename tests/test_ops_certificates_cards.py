"""Ops CLI `certificates show|revoke` and `cards show|issue` (run in-process against moto, like
tests/test_ops_cli.py), and the service function behind the ops revocation."""

from __future__ import annotations

import io

import pytest

from chalicelib import clock
from chalicelib.errors import BadInput, Gone, NotFound
from chalicelib.models.card_applications import CardApplication
from chalicelib.models.cards import Card
from chalicelib.models.certificates import Certificate
from chalicelib.services import audit, certificates
from chalicelib.services import card_applications as apps
from chalicelib.services.sessions import CurrentSession
from infra import cli, stage_env
from infra.seed.contributions import generate_employee_history
from infra.seed.records import store_history
from tests.helpers import GOOD_PASSWORD, ZHANG, get, make_account

WANG = "371481199004225625"
UNKNOWN_BUT_VALID = "37142519620708352X"  # a valid number; no account is made for it here
CARD_NO, BANK_ACCOUNT = "E98765432", "6217002430001234567"
IP = "203.0.113.9"


@pytest.fixture
def ops(tables, monkeypatch, tmp_path):
    """The CLI on moto: no running local stack's endpoints are picked up; no terminal."""
    monkeypatch.setattr(stage_env, "STACK_FILE", tmp_path / "no-stack.json")
    monkeypatch.delenv("DDB_ENDPOINT", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    def run(*argv: str) -> int:
        return cli.main(["--stage", "local", *argv])

    return run


def _events(action: str) -> list:
    return [e for e in audit.for_days([clock.now_dt().strftime("%Y-%m-%d")]) if e.action == action]


def me(id_number: str = ZHANG) -> CurrentSession:
    now = int(clock.now())
    return CurrentSession(id_number, "test-token-hash", now, now)


@pytest.fixture
def cert(tables) -> dict:
    """One valid certificate of 张伟 over 2020–2021 (pension and unemployment)."""
    make_account(ZHANG)
    store_history(
        generate_employee_history(ZHANG, "202001", "202112", "德州市恒信机械制造有限公司", ["110", "310"])
    )
    return certificates.issue(me(), {"types": ["110", "310"], "from": "202001", "to": "202112"}, IP)


def test_new_commands_have_help(capsys):
    parser = cli.build_parser()
    for argv in (
        ["certificates", "--help"],
        ["certificates", "show", "--help"],
        ["certificates", "revoke", "--help"],
        ["cards", "--help"],
        ["cards", "show", "--help"],
        ["cards", "issue", "--help"],
    ):
        with pytest.raises(SystemExit) as exited:
            parser.parse_args(argv)
        assert exited.value.code == 0
        assert "usage:" in capsys.readouterr().out


# ---- certificates: service ---------------------------------------------------------------


def test_revoke_by_ops_revokes_with_reason_and_verification_says_by_the_office(cert):
    view = certificates.revoke_by_ops(cert["code_display"].lower(), "  单位申请作废  ", "ops-cli", "wang.ops")
    assert view["status"] == "REVOKED" and view["revoked_by"] == "OPS"
    assert view["revoke_reason"] == "单位申请作废"
    stored = Certificate.get(cert["code"])
    assert stored.revoked_by == "OPS" and stored.revoked_at
    with pytest.raises(Gone) as caught:
        certificates.verify(cert["code"], "192.0.2.1", "")
    assert caught.value.code == "certificate_revoked" and "社保经办机构" in caught.value.message
    [event] = _events("ops.certificate_revoke")
    assert event.source_ip == "ops-cli"
    assert event.detail == {"code_tail": cert["code"][-4:], "by": "wang.ops", "reason": "单位申请作废"}


def test_resident_revocation_is_recorded_as_by_the_resident(cert):
    answer = certificates.revoke(me(), cert["code"], IP)
    assert answer["revoked_by_label"] == "本人"
    assert Certificate.get(cert["code"]).revoked_by == "RESIDENT"
    with pytest.raises(Gone) as caught:
        certificates.verify(cert["code"], "192.0.2.1", "")
    assert "被本人撤销" in caught.value.message
    assert [e.action for e in _events("certificate_revoke")] == ["certificate_revoke"]


def test_revoke_by_ops_of_a_revoked_certificate_is_gone_and_keeps_the_first_revocation(cert):
    certificates.revoke(me(), cert["code"], IP)
    first = Certificate.get(cert["code"]).revoked_at
    clock.travel(60)
    with pytest.raises(Gone):
        certificates.revoke_by_ops(cert["code"], "重复", "ops-cli")
    stored = Certificate.get(cert["code"])
    assert stored.revoked_at == first and stored.revoked_by == "RESIDENT" and stored.revoke_reason is None
    assert _events("ops.certificate_revoke") == []


def test_revoke_by_ops_refuses_malformed_and_unknown_codes(cert):
    with pytest.raises(BadInput) as caught:
        certificates.revoke_by_ops("ABC-123", None, "ops-cli")
    assert caught.value.field == "code"
    with pytest.raises(NotFound):
        certificates.revoke_by_ops("ABCD-EFGH-JKMN-PQRS-TVWX", None, "ops-cli")
    assert Certificate.get(cert["code"]).revoked_at is None


@pytest.mark.parametrize("reason", ["x" * 201, f"本人{ZHANG}申请", f"申请人 {UNKNOWN_BUT_VALID.lower()}"])
def test_revoke_by_ops_refuses_a_too_long_reason_or_one_holding_an_id_number(cert, reason):
    with pytest.raises(BadInput) as caught:
        certificates.revoke_by_ops(cert["code"], reason, "ops-cli")
    assert caught.value.field == "reason"
    assert Certificate.get(cert["code"]).revoked_at is None


def test_ops_view_counts_successful_verifications_and_every_logged_attempt(cert):
    certificates.verify(cert["code"], "192.0.2.1", "")
    certificates.verify(cert["code"], "192.0.2.2", "")
    view = certificates.ops_view(cert["code"])
    assert view["verify_count"] == 2 and view["verifications_logged"] == 2
    assert view["name"] == "张伟" and view["id_number_masked"] == "3714**********2314"
    certificates.revoke_by_ops(cert["code"], None, "ops-cli")
    with pytest.raises(Gone):
        certificates.verify(cert["code"], "192.0.2.3", "")
    view = certificates.ops_view(cert["code"])
    assert view["verify_count"] == 2 and view["verifications_logged"] == 3
    assert view["revoked_by"] == "OPS" and view["revoke_reason"] is None


# ---- certificates: CLI ---------------------------------------------------------------------


def test_certificates_show_prints_facts_state_and_verification_count(ops, cert, capsys):
    certificates.verify(cert["code"], "192.0.2.1", "")
    assert ops("certificates", "show", cert["code_display"]) == 0
    out = capsys.readouterr().out
    assert cert["code_display"] in out and "张伟 (3714**********2314)" in out
    assert "202001 – 202112" in out and "110 职工基本养老保险: 24 month(s) paid" in out
    assert "VALID (有效)" in out and "1 time(s) successfully" in out
    assert ZHANG not in out


def test_certificates_revoke_with_yes_makes_public_verification_answer_410(ops, cert, client, capsys):
    assert (
        ops(
            "certificates",
            "revoke",
            cert["code"],
            "--reason",
            "证明信息有误",
            "--operator",
            "wang.ops",
            "--yes",
        )
        == 0
    )
    assert "revoked " + cert["code_display"] in capsys.readouterr().out
    gone = get(client, f"/api/certificates/verify/{cert['code']}")
    assert gone.status_code == 410 and gone.json_body["error"]["code"] == "certificate_revoked"
    [event] = _events("ops.certificate_revoke")
    assert event.source_ip == "ops-cli" and event.detail["by"] == "wang.ops"
    assert event.detail["reason"] == "证明信息有误"
    assert ops("certificates", "show", cert["code"]) == 0
    assert "REVOKED (已撤销)" in capsys.readouterr().out


def test_certificates_revoke_without_yes_says_what_would_happen_and_changes_nothing(ops, cert, capsys):
    assert ops("certificates", "revoke", cert["code"]) == 1
    err = capsys.readouterr().err
    assert f"would revoke certificate {cert['code_display']}" in err and "--yes" in err
    assert Certificate.get(cert["code"]).revoked_at is None
    assert _events("ops.certificate_revoke") == []


@pytest.mark.parametrize("command", [["show"], ["revoke", "--yes"]])
def test_certificates_unknown_code_exits_1_and_malformed_code_exits_2(ops, cert, capsys, command):
    action, *flags = command
    assert ops("certificates", action, "ABCD-EFGH-JKMN-PQRS-TVWX", *flags) == 1
    assert "no certificate with code" in capsys.readouterr().err
    assert ops("certificates", action, "ABCD-EFGH", *flags) == 2
    assert "is not a certificate code" in capsys.readouterr().err
    assert Certificate.get(cert["code"]).revoked_at is None
    assert _events("ops.certificate_revoke") == []


def test_certificates_revoke_of_an_already_revoked_certificate_exits_1(ops, cert, capsys):
    certificates.revoke(me(), cert["code"], IP)
    assert ops("certificates", "revoke", cert["code"], "--yes") == 1
    assert "already revoked" in capsys.readouterr().err
    assert Certificate.get(cert["code"]).revoked_by == "RESIDENT"


def test_certificates_revoke_with_an_id_number_in_the_reason_exits_2(ops, cert, capsys):
    assert ops("certificates", "revoke", cert["code"], "--reason", f"{ZHANG} 要求", "--yes") == 2
    err = capsys.readouterr().err
    assert "--reason" in err and ZHANG not in _events_text()
    assert Certificate.get(cert["code"]).revoked_at is None


def _events_text() -> str:
    return str([(e.action, e.detail) for e in audit.for_days([clock.now_dt().strftime("%Y-%m-%d")])])


# ---- cards ---------------------------------------------------------------------------------


def _application(until: str = "submitted") -> str:
    """王芳's new-card application, filled (and submitted unless until="draft")."""
    make_account(WANG, password=GOOD_PASSWORD, state="SET", phone="13800003333", name="王芳")
    session = me(WANG)
    app_id = apps.start(session, "new", IP)["application_id"]
    apps.confirm_details(session, app_id, True, IP)
    apps.choose_bank(session, app_id, "ccb", IP)
    apps.set_delivery(session, app_id, {"method": "pickup", "outlet_code": "dz-center"}, IP)
    # the photo checks are card_photos' business (tests/test_card_photos.py); record a checked photo
    apps.save_photo(apps.load(WANG, app_id), f"incoming/{app_id}.jpg", IP)
    if until == "submitted":
        apps.submit(session, app_id, IP)
    return app_id


def _issue(ops, app_id: str, *extra: str, id_number: str = WANG) -> int:
    return ops(
        "cards",
        "issue",
        app_id,
        "--id-number",
        id_number,
        "--card-no",
        CARD_NO,
        "--bank-account",
        BANK_ACCOUNT,
        *extra,
    )


def test_cards_issue_makes_the_card_normal_and_the_application_issued(ops, tables, capsys):
    app_id = _application()
    assert _issue(ops, app_id, "--issued-on", "2026-03-02", "--operator", "li.ops", "--yes") == 0
    out = capsys.readouterr().out
    assert "NORMAL (正常)" in out and "E*****432" in out and "2036-03-02" in out
    assert CARD_NO not in out and BANK_ACCOUNT not in out
    assert CardApplication.get(WANG, app_id).status == "ISSUED"
    [card] = list(Card.query(WANG))
    assert card.status == "NORMAL" and card.card_no == CARD_NO and card.issued_on == "2026-03-02"
    with pytest.raises(CardApplication.DoesNotExist):
        CardApplication.get(WANG, "OPEN")
    [event] = _events("card_issue")
    assert event.source_ip == "ops-cli" and event.detail["by"] == "li.ops"
    assert event.detail["card"] == "E*****432" and event.detail["application_id"] == app_id


def test_cards_issue_without_yes_says_what_would_happen_and_changes_nothing(ops, tables, capsys):
    app_id = _application()
    assert _issue(ops, app_id) == 1
    err = capsys.readouterr().err
    assert "would record card E*****432" in err and "--yes" in err
    assert CardApplication.get(WANG, app_id).status == "SUBMITTED"
    assert [c.status for c in Card.query(WANG)] == ["IN_PRODUCTION"]


def test_cards_issue_of_an_unknown_resident_exits_1(ops, tables, capsys):
    app_id = _application()
    assert _issue(ops, app_id, "--yes", id_number=UNKNOWN_BUT_VALID) == 1
    assert "no account" in capsys.readouterr().err
    assert CardApplication.get(WANG, app_id).status == "SUBMITTED"


def test_cards_issue_of_an_unknown_application_exits_1(ops, tables, capsys):
    _application()
    assert _issue(ops, "A20260101000000FFFF", "--yes") == 1
    assert "no card application" in capsys.readouterr().err
    assert _issue(ops, "OPEN", "--yes") == 1  # the one-open-application marker is not an application
    assert _events("card_issue") == []


def test_cards_issue_refuses_an_application_that_is_not_submitted(ops, tables, capsys):
    draft = _application(until="draft")
    assert _issue(ops, draft, "--yes") == 1
    assert "is DRAFT" in capsys.readouterr().err
    assert CardApplication.get(WANG, draft).status == "DRAFT"
    assert list(Card.query(WANG)) == []


def test_cards_issue_twice_is_refused_the_second_time(ops, tables, capsys):
    app_id = _application()
    assert _issue(ops, app_id, "--yes") == 0
    assert (
        ops(
            "cards",
            "issue",
            app_id,
            "--id-number",
            WANG,
            "--card-no",
            "F11111111",
            "--bank-account",
            "6217002430009999999",
            "--yes",
        )
        == 1
    )
    assert "is ISSUED" in capsys.readouterr().err
    assert [c.card_no for c in Card.query(WANG)] == [CARD_NO]


@pytest.mark.parametrize(
    "argv,message",
    [
        (
            ["--id-number", "371481199004225624", "--card-no", CARD_NO, "--bank-account", BANK_ACCOUNT],
            "not a valid",
        ),
        (["--id-number", WANG, "--card-no", "E123", "--bank-account", BANK_ACCOUNT], "--card-no"),
        (["--id-number", WANG, "--card-no", CARD_NO, "--bank-account", "6217-0024"], "--bank-account"),
        (
            [
                "--id-number",
                WANG,
                "--card-no",
                CARD_NO,
                "--bank-account",
                BANK_ACCOUNT,
                "--issued-on",
                "2026-02-30",
            ],
            "--issued-on",
        ),
    ],
)
def test_cards_issue_refuses_bad_input_with_exit_2(ops, tables, capsys, argv, message):
    app_id = _application()
    assert ops("cards", "issue", app_id, *argv, "--yes") == 2
    assert message in capsys.readouterr().err
    assert CardApplication.get(WANG, app_id).status == "SUBMITTED"


def test_cards_show_lists_cards_and_applications_masked(ops, tables, capsys):
    app_id = _application()
    assert _issue(ops, app_id, "--yes") == 0
    capsys.readouterr()
    assert ops("cards", "show", "--id-number", WANG.lower()) == 0
    out = capsys.readouterr().out
    assert "王芳 (3714**********5625)" in out
    assert "NORMAL (正常)" in out and "card E*****432" in out and "**** **** 4567" in out
    assert app_id in out and "ISSUED (已制卡)" in out and "社保卡申领" in out
    assert WANG not in out and CARD_NO not in out and BANK_ACCOUNT not in out


def test_cards_show_of_unknown_or_malformed_id_number(ops, tables, capsys):
    assert ops("cards", "show", "--id-number", UNKNOWN_BUT_VALID) == 1
    assert "no account" in capsys.readouterr().err
    assert ops("cards", "show", "--id-number", "12345") == 2
    assert "not a valid" in capsys.readouterr().err
