"""Service-level tests of the puzzle-free ways in: SMS-code flows opened with ID + phone, the
single-use WebAuthn challenges, and the passkey sign counter."""

from __future__ import annotations

import pytest

from chalicelib import clock
from chalicelib.errors import BadInput, Gone, Unauthorized
from chalicelib.models.outbox import OutboxMessage
from chalicelib.models.passkeys import Passkey
from chalicelib.services import notify, passkey_login, passkeys, phone_flows, relying_party, sms_login
from chalicelib.services.sessions import CurrentSession

from .helpers import GOOD_PASSWORD, ZHANG, ZHANG_PHONE, make_account
from .soft_authenticator import SoftAuthenticator

IP = "198.51.100.7"


def current_of(id_number: str = ZHANG) -> CurrentSession:
    now = int(clock.now())
    return CurrentSession(id_number, "h" * 64, now, now)


def test_phone_flow_sends_only_when_the_phone_is_the_registered_one(tables):
    make_account(password=GOOD_PASSWORD, state="SET")
    matched = phone_flows.start("sms_login", ZHANG, ZHANG_PHONE, "code {code}", IP)
    clock.travel(61)  # one code a minute per account
    mismatched = phone_flows.start("sms_login", ZHANG, "13900009999", "code {code}", IP)
    assert matched.matched and not mismatched.matched
    assert [m.address for m in OutboxMessage.scan()] == [ZHANG_PHONE]


def test_matched_and_mismatched_starts_take_the_same_time(tables, monkeypatch):
    """On a fake clock: sending takes 0.3 s; both answers still come at the same floor."""
    make_account(password=GOOD_PASSWORD, state="SET")
    now = [100.0]
    monkeypatch.setenv("EVEN_ANSWER_S", "0.8")
    monkeypatch.setattr(phone_flows, "_monotonic", lambda: now[0])
    monkeypatch.setattr(phone_flows, "_sleep", lambda seconds: now.__setitem__(0, now[0] + seconds))
    real_send = notify.send
    monkeypatch.setattr(
        notify, "send", lambda *a, **k: (now.__setitem__(0, now[0] + 0.3), real_send(*a, **k))
    )
    elapsed = []
    for phone in (ZHANG_PHONE, "13900009999"):
        clock.travel(61)  # one code a minute per account
        began = now[0]
        phone_flows.start("sms_login", ZHANG, phone, "code {code}", IP)
        elapsed.append(now[0] - began)
    assert elapsed == [pytest.approx(0.8), pytest.approx(0.8)]


def test_sms_login_complete_with_the_code_gives_a_session_token(tables):
    make_account(password=GOOD_PASSWORD, state="SET")
    challenge = sms_login.start(ZHANG, ZHANG_PHONE, IP)["challenge_id"]
    code = next(OutboxMessage.query(ZHANG_PHONE)).code
    with pytest.raises(BadInput):
        sms_login.complete(challenge, "x" + code, IP)
    result = sms_login.complete(challenge, code, IP)
    assert result["status"] == "ok" and result["token"]


def test_challenge_is_used_once(tables):
    challenge_id, challenge = relying_party.new_challenge("login")
    assert relying_party.use_challenge(challenge_id, "login") == challenge
    with pytest.raises(Gone):
        relying_party.use_challenge(challenge_id, "login")


def test_challenge_of_another_purpose_or_resident_is_refused(tables):
    challenge_id, _ = relying_party.new_challenge("register", ZHANG)
    with pytest.raises(Gone):
        relying_party.use_challenge(challenge_id, "login")
    with pytest.raises(Gone):
        relying_party.use_challenge(challenge_id, "register", "37142519620708352X")
    assert relying_party.use_challenge(challenge_id, "register", ZHANG)


def test_challenge_expires(tables):
    challenge_id, _ = relying_party.new_challenge("login")
    clock.travel(relying_party.CHALLENGE_LIFETIME_S + 1)
    with pytest.raises(Gone):
        relying_party.use_challenge(challenge_id, "login")


def test_rp_id_and_origin_come_from_the_site_origin(monkeypatch):
    monkeypatch.setenv("SITE_ORIGIN", "https://shebao.example.gov.cn/")
    assert relying_party.origin() == "https://shebao.example.gov.cn"
    assert relying_party.rp_id() == "shebao.example.gov.cn"


def test_a_loopback_site_origin_is_named_localhost_for_webauthn(monkeypatch):
    monkeypatch.setenv("SITE_ORIGIN", "http://127.0.0.1:8123")
    assert relying_party.origin() == "http://localhost:8123"
    assert relying_party.rp_id() == "localhost"


def _registered(authenticator: SoftAuthenticator) -> Passkey:
    make_account(password=GOOD_PASSWORD, state="SET")
    options = passkeys.registration_options(current_of(), IP, password=GOOD_PASSWORD)
    added = passkeys.register(
        current_of(), options["challenge_id"], authenticator.create(options["publicKey"]), "钥匙", IP
    )
    return Passkey.get(ZHANG, added["id"])


def test_sign_counter_is_stored_only_over_the_count_that_was_verified(tables):
    authenticator = SoftAuthenticator()
    stale = _registered(authenticator)
    options = passkey_login.options()
    assert (
        passkey_login.login(options["challenge_id"], authenticator.get(options["publicKey"]), IP)["status"]
        == "ok"
    )
    with pytest.raises(Unauthorized):  # a second sign-in verified against the old counter loses
        passkey_login._advance_counter(stale, 1, IP)
    assert Passkey.get(ZHANG, stale.passkey_id).sign_count == 1


def test_user_handle_is_a_pseudonym_not_the_id_number(tables):
    authenticator = SoftAuthenticator()
    _registered(authenticator)
    assert ZHANG.encode() not in authenticator.credentials[0].user_handle
