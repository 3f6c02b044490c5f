"""Sign-in, activation, session and logout through the API (moto)."""

from __future__ import annotations

from chalicelib import clock, settings
from chalicelib.models.accounts import Account
from chalicelib.models.audit import AuditEvent
from chalicelib.models.sessions import Session

from .helpers import (
    GOOD_PASSWORD,
    ZHANG,
    ZHANG_PHONE,
    captcha,
    cookie_from,
    get,
    last_code,
    login,
    make_account,
    post,
    signed_in,
)


def test_initial_password_requires_activation_and_gives_no_session(client):
    make_account()
    response = login(client, password="888888")
    assert response.status_code == 200
    assert response.json_body["status"] == "activation_required"
    assert "Set-Cookie" not in response.headers
    assert "token" not in response.json_body
    assert Session.count() == 0


def test_activation_sets_password_and_signs_in(client):
    make_account()
    token = login(client, password="888888").json_body["activation_token"]
    code = last_code(client, ZHANG_PHONE)
    response = post(
        client,
        "/api/auth/activate",
        {"activation_token": token, "sms_code": code, "new_password": GOOD_PASSWORD},
    )
    assert response.status_code == 200, response.json_body
    me = get(client, "/api/me", cookie=cookie_from(response))
    assert me.status_code == 200
    assert me.json_body["id_number_masked"] == "3714**********2314"
    assert me.json_body["phone_masked"] == "138****1111"
    assert Account.get(ZHANG).password_state == "SET"


def test_activation_token_is_single_use(client):
    make_account()
    token = login(client, password="888888").json_body["activation_token"]
    code = last_code(client, ZHANG_PHONE)
    body = {"activation_token": token, "sms_code": code, "new_password": GOOD_PASSWORD}
    assert post(client, "/api/auth/activate", body).status_code == 200
    second = post(client, "/api/auth/activate", dict(body, new_password="Another2026pw"))
    assert second.status_code == 410
    assert second.json_body["error"]["code"] == "flow_expired"


def test_activation_refuses_initial_password_as_new(client):
    make_account()
    token = login(client, password="888888").json_body["activation_token"]
    code = last_code(client, ZHANG_PHONE)
    response = post(
        client, "/api/auth/activate", {"activation_token": token, "sms_code": code, "new_password": "888888"}
    )
    assert response.status_code == 400
    assert response.json_body["error"]["field"] == "new_password"
    assert Account.get(ZHANG).password_state == "INITIAL"


def test_wrong_sms_code_keeps_initial_state(client):
    make_account()
    token = login(client, password="888888").json_body["activation_token"]
    response = post(
        client,
        "/api/auth/activate",
        {"activation_token": token, "sms_code": "000000x", "new_password": GOOD_PASSWORD},
    )
    assert response.status_code == 400
    assert response.json_body["error"]["code"] == "code_wrong"
    assert Account.get(ZHANG).password_state == "INITIAL"


def test_captcha_is_single_use(client):
    make_account(password=GOOD_PASSWORD, state="SET")
    captcha_id, answer = captcha(client)
    body = {"id_number": ZHANG, "password": "wrong-pass1", "captcha_id": captcha_id, "captcha_answer": answer}
    assert post(client, "/api/auth/login", body).status_code == 401
    again = post(client, "/api/auth/login", dict(body, password=GOOD_PASSWORD))
    assert again.status_code == 400
    assert again.json_body["error"]["code"] == "captcha_expired"


def test_captcha_is_case_insensitive_and_expires(client):
    make_account(password=GOOD_PASSWORD, state="SET")
    captcha_id, answer = captcha(client)
    ok = post(
        client,
        "/api/auth/login",
        {
            "id_number": ZHANG,
            "password": GOOD_PASSWORD,
            "captcha_id": captcha_id,
            "captcha_answer": answer.lower(),
        },
    )
    assert ok.status_code == 200
    captcha_id, answer = captcha(client)
    clock.travel(5 * 60 + 1)
    late = post(
        client,
        "/api/auth/login",
        {"id_number": ZHANG, "password": GOOD_PASSWORD, "captcha_id": captcha_id, "captcha_answer": answer},
    )
    assert late.json_body["error"]["code"] == "captcha_expired"


def test_wrong_captcha_gives_clear_message(client):
    make_account(password=GOOD_PASSWORD, state="SET")
    captcha_id, answer = captcha(client)
    wrong = "ZZZZ" if answer != "ZZZZ" else "YYYY"
    response = post(
        client,
        "/api/auth/login",
        {"id_number": ZHANG, "password": GOOD_PASSWORD, "captcha_id": captcha_id, "captcha_answer": wrong},
    )
    assert response.status_code == 400
    assert response.json_body["error"] == {
        "code": "captcha_wrong",
        "field": "captcha_answer",
        "message": response.json_body["error"]["message"],
    }
    assert "验证码" in response.json_body["error"]["message"]


def test_five_failures_lock_the_account_and_the_owner_gets_an_sms(client):
    make_account(password=GOOD_PASSWORD, state="SET")
    answers = [login(client, password="Wrong12345") for _ in range(5)]
    assert [a.status_code for a in answers] == [401] * 5
    locked = login(client)  # the right password, but no check is left
    assert locked.status_code == 401 and locked.json_body == answers[0].json_body
    outbox = get(client, f"/api/dev/outbox?phone={ZHANG_PHONE}").json_body["messages"]
    assert len(outbox) == 1 and "锁定15分钟" in outbox[0]["text"]
    clock.travel(15 * 60 + 1)
    assert login(client).status_code == 200


def test_failures_outside_the_window_start_a_new_count(client):
    make_account(password=GOOD_PASSWORD, state="SET")
    for _ in range(4):
        login(client, password="Wrong12345")
    clock.travel(15 * 60 + 1)
    assert login(client, password="Wrong12345").status_code == 401
    assert Account.get(ZHANG).failed_count == 1


def test_unknown_wrong_and_locked_get_the_same_status_and_body(client):
    make_account(password=GOOD_PASSWORD, state="SET")
    unknown = login(client, id_number="371403195501011110", password="Whatever123")
    wrong = login(client, password="Wrong12345")
    for _ in range(4):
        login(client, password="Wrong12345")
    locked = login(client, password="Wrong12345")
    assert unknown.status_code == wrong.status_code == locked.status_code == 401
    assert unknown.json_body == wrong.json_body == locked.json_body
    assert unknown.json_body["error"]["code"] == "bad_credentials"
    assert "再错" not in str(wrong.json_body)


def test_one_address_gets_429_after_its_sign_in_attempts_per_hour(client, monkeypatch):
    from chalicelib.security import limits

    monkeypatch.setitem(limits.data(), "sign_in_per_source", {"window_s": 3600, "limit": 3})
    clock.travel(3600 - clock.now() % 3600 + 1)  # the start of a fresh window
    answers = [login(client, id_number="371403195501011110", password="Whatever123") for _ in range(4)]
    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    assert answers[3].json_body["error"]["code"] == "rate_limited"
    assert 0 < int(answers[3].headers["Retry-After"]) <= 3600


def test_bad_checksum_is_rejected_before_anything_is_written(client):
    captcha_id, answer = captcha(client)
    response = post(
        client,
        "/api/auth/login",
        {
            "id_number": "371402198503142315",
            "password": "x",
            "captcha_id": captcha_id,
            "captcha_answer": answer,
        },
    )
    assert response.status_code == 400
    assert response.json_body["error"]["code"] == "invalid_id_number"
    assert AuditEvent.count() == 0


def test_session_idle_timeout(client):
    cookie = signed_in(client)
    clock.travel(settings.IDLE_TIMEOUT_S - 10)
    assert get(client, "/api/me", cookie).status_code == 200
    clock.travel(settings.IDLE_TIMEOUT_S - 10)
    assert get(client, "/api/me", cookie).status_code == 200
    clock.travel(settings.IDLE_TIMEOUT_S + 1)
    expired = get(client, "/api/me", cookie)
    assert expired.status_code == 401
    assert expired.json_body["error"]["code"] == "session_expired"


def test_session_absolute_timeout_despite_activity(client):
    cookie = signed_in(client)
    for _ in range(settings.ABSOLUTE_TIMEOUT_S // (10 * 60)):
        clock.travel(10 * 60)
        if get(client, "/api/me", cookie).status_code != 200:
            break
    clock.travel(10 * 60)
    assert get(client, "/api/me", cookie).status_code == 401


def test_keepalive_extends_idle_time(client):
    cookie = signed_in(client)
    clock.travel(14 * 60)
    response = post(client, "/api/auth/keepalive", cookie=cookie)
    assert response.status_code == 200
    assert response.json_body["idle_expires_at"] >= int(clock.now()) + settings.IDLE_TIMEOUT_S - 1
    clock.travel(14 * 60)
    assert get(client, "/api/me", cookie).status_code == 200


def test_logout_kills_the_session_on_the_server(client):
    cookie = signed_in(client)
    response = post(client, "/api/auth/logout", cookie=cookie)
    assert response.status_code == 200
    assert "Max-Age=0" in response.headers["Set-Cookie"]
    assert get(client, "/api/me", cookie).status_code == 401
    assert Session.count() == 0


def test_session_token_is_stored_only_as_hash(client):
    cookie = signed_in(client)
    token = cookie.split("=", 1)[1]
    stored = list(Session.scan())
    assert len(stored) == 1
    assert token not in str(stored[0].attribute_values)
    assert len(token) >= 43  # 256 bits, URL-safe base64


def test_cookie_flags(client):
    make_account(password=GOOD_PASSWORD, state="SET")
    header = login(client).headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Strict" in header and "Path=/" in header


def test_not_signed_in_gets_401_json(client):
    response = get(client, "/api/me")
    assert response.status_code == 401
    assert response.json_body["error"]["code"] == "not_signed_in"


def test_audit_records_sign_in_without_secrets(client):
    make_account(password=GOOD_PASSWORD, state="SET")
    login(client, password="Wrong12345")
    login(client)
    events = list(AuditEvent.scan())
    assert sorted(e.outcome for e in events) == ["bad_password", "ok"]
    dump = str([e.attribute_values for e in events])
    assert ZHANG not in dump and GOOD_PASSWORD not in dump and "Wrong12345" not in dump
    assert all(e.id_masked == "3714**********2314" and e.source_ip for e in events)


def test_me_never_returns_a_full_id_number_or_phone(client):
    from .helpers import make_account

    make_account(
        password=GOOD_PASSWORD,
        state="SET",
        profile={"gender": "男", "social_security_no": ZHANG, "address": "德州市"},
    )
    cookie = cookie_from(login(client))
    body = get(client, "/api/me", cookie).json_body
    assert ZHANG not in str(body) and ZHANG_PHONE not in str(body)
    assert body["profile"]["social_security_no_masked"] == "3714**********2314"
    assert body["profile"]["address"] == "德州市"
