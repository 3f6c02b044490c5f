"""Sign-in by SMS code and captcha-free password recovery through the API (moto)."""

from __future__ import annotations

from chalicelib import clock
from chalicelib.models.accounts import Account
from chalicelib.models.outbox import OutboxMessage
from chalicelib.models.sessions import Session
from chalicelib.services import codes

from .helpers import GOOD_PASSWORD, ZHANG, ZHANG_PHONE, cookie_from, get, last_code, login, make_account, post

OTHER_PHONE = "13900009999"
UNKNOWN_ID = "110101199003070038"


def start(client, id_number: str = ZHANG, phone: str = ZHANG_PHONE):
    return post(client, "/api/auth/sms-login/start", {"id_number": id_number, "phone": phone})


def one_a_minute(calls):
    """Run the calls a minute apart: each starts a code flow, and codes to one phone or one
    account are limited to one a minute (PRODUCT.md section 8)."""
    answers = []
    for call in calls:
        if answers:
            clock.travel(61)
        answers.append(call())
    return answers


def complete(client, challenge_id: str, code: str):
    return post(client, "/api/auth/sms-login/complete", {"challenge_id": challenge_id, "sms_code": code})


def sent_to(phone: str) -> int:
    return sum(1 for _ in OutboxMessage.query(phone))


def test_sms_code_signs_in(client):
    make_account(password=GOOD_PASSWORD, state="SET")
    started = start(client)
    assert started.status_code == 200 and set(started.json_body) == {"challenge_id"}
    response = complete(client, started.json_body["challenge_id"], last_code(client, ZHANG_PHONE))
    assert response.status_code == 200, response.json_body
    assert response.json_body == {"status": "ok"}
    assert get(client, "/api/me", cookie=cookie_from(response)).status_code == 200


def test_start_answers_the_same_whether_or_not_id_and_phone_match(client):
    make_account(password=GOOD_PASSWORD, state="SET")
    answers = one_a_minute(
        [
            lambda: start(client),
            lambda: start(client, phone=OTHER_PHONE),
            lambda: start(client, id_number=UNKNOWN_ID),
        ]
    )
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert all(set(a.json_body) == {"challenge_id"} for a in answers)
    assert sent_to(ZHANG_PHONE) == 1 and sent_to(OTHER_PHONE) == 0


def test_mismatched_start_fails_later_exactly_like_a_wrong_code(client):
    make_account(password=GOOD_PASSWORD, state="SET")
    matched, mismatched, unknown = (
        a.json_body["challenge_id"]
        for a in one_a_minute(
            [
                lambda: start(client),
                lambda: start(client, phone=OTHER_PHONE),
                lambda: start(client, id_number=UNKNOWN_ID, phone=OTHER_PHONE),
            ]
        )
    )
    answers = [complete(client, flow, "123456") for flow in (matched, mismatched, unknown)]
    assert {a.status_code for a in answers} == {400}
    assert answers[0].json_body == answers[1].json_body == answers[2].json_body
    assert answers[0].json_body["error"]["code"] == "code_wrong"
    assert Session.count() == 0


def test_wrong_code_gives_no_session_and_the_flow_ends_after_the_attempt_limit(client):
    make_account(password=GOOD_PASSWORD, state="SET")
    flow = start(client).json_body["challenge_id"]
    good = last_code(client, ZHANG_PHONE)
    wrong = "000000" if good != "000000" else "111111"
    for _ in range(codes.max_checks() - 1):
        assert complete(client, flow, wrong).status_code == 400
    assert complete(client, flow, wrong).status_code in (400, 410)
    assert complete(client, flow, good).status_code == 410
    assert Session.count() == 0


def test_code_is_single_use(client):
    make_account(password=GOOD_PASSWORD, state="SET")
    flow = start(client).json_body["challenge_id"]
    code = last_code(client, ZHANG_PHONE)
    assert complete(client, flow, code).status_code == 200
    again = complete(client, flow, code)
    assert again.status_code == 410 and again.json_body["error"]["code"] == "flow_expired"


def test_expired_challenge_is_refused(client):
    make_account(password=GOOD_PASSWORD, state="SET")
    flow = start(client).json_body["challenge_id"]
    code = last_code(client, ZHANG_PHONE)
    clock.travel(codes.code_lifetime_s() + 1)
    response = complete(client, flow, code)
    assert response.status_code == 410
    assert Session.count() == 0


def test_initial_password_account_goes_through_activation_without_a_second_code(client):
    make_account()
    flow = start(client).json_body["challenge_id"]
    response = complete(client, flow, last_code(client, ZHANG_PHONE))
    assert response.status_code == 200
    assert response.json_body["status"] == "activation_required"
    assert response.json_body["phone_verified"] is True
    assert "Set-Cookie" not in response.headers and Session.count() == 0
    assert sent_to(ZHANG_PHONE) == 1  # the sign-in code proved the phone
    token = response.json_body["activation_token"]
    weak = post(client, "/api/auth/activate", {"activation_token": token, "new_password": "888888"})
    assert weak.status_code == 400 and Account.get(ZHANG).password_state == "INITIAL"
    activated = post(client, "/api/auth/activate", {"activation_token": token, "new_password": GOOD_PASSWORD})
    assert activated.status_code == 200, activated.json_body
    assert Account.get(ZHANG).password_state == "SET"
    assert get(client, "/api/me", cookie=cookie_from(activated)).status_code == 200


def test_activation_after_a_password_sign_in_still_needs_its_code(client):
    make_account()
    response = login(client, password="888888")
    assert response.json_body["phone_verified"] is False
    refused = post(
        client,
        "/api/auth/activate",
        {"activation_token": response.json_body["activation_token"], "new_password": GOOD_PASSWORD},
    )
    assert refused.status_code == 400 and refused.json_body["error"]["code"] == "code_required"
    assert Account.get(ZHANG).password_state == "INITIAL"


def test_start_checks_the_formats(client):
    bad_id = post(client, "/api/auth/sms-login/start", {"id_number": "123", "phone": ZHANG_PHONE})
    assert bad_id.status_code == 400 and bad_id.json_body["error"]["field"] == "id_number"
    bad_phone = post(client, "/api/auth/sms-login/start", {"id_number": ZHANG, "phone": "12345"})
    assert bad_phone.status_code == 400 and bad_phone.json_body["error"]["field"] == "phone"


# ---- password recovery without the captcha ----------------------------------------------


def forgot(client, id_number: str = ZHANG, phone: str = ZHANG_PHONE):
    return post(client, "/api/auth/forgot/start", {"id_number": id_number, "phone": phone})


def test_recovery_by_registered_phone_needs_no_captcha(client):
    make_account(password=GOOD_PASSWORD, state="SET")
    started = forgot(client)
    assert started.status_code == 200, started.json_body
    done = post(
        client,
        "/api/auth/forgot/complete",
        {
            "reset_token": started.json_body["reset_token"],
            "method": "phone",
            "sms_code": last_code(client, ZHANG_PHONE),
            "new_password": "Reset2026pw",
        },
    )
    assert done.status_code == 200, done.json_body


def test_recovery_answers_the_same_whether_or_not_id_and_phone_match(client):
    make_account(password=GOOD_PASSWORD, state="SET", protection=[{"question": "q", "answer_hash": "x"}])
    answers = one_a_minute(
        [
            lambda: forgot(client),
            lambda: forgot(client, phone=OTHER_PHONE),
            lambda: forgot(client, id_number=UNKNOWN_ID, phone=OTHER_PHONE),
        ]
    )
    assert [a.status_code for a in answers] == [200, 200, 200]
    shapes = [
        {k: v for k, v in a.json_body.items() if k not in ("reset_token", "phone_masked")} for a in answers
    ]
    assert shapes[0] == shapes[1] == shapes[2]
    assert sent_to(OTHER_PHONE) == 0
    resent = [
        post(client, "/api/auth/forgot/send-code", {"reset_token": a.json_body["reset_token"]})
        for a in answers
    ]
    assert [r.status_code for r in resent] == [400, 400, 400]
    assert resent[0].json_body == resent[1].json_body == resent[2].json_body
    assert sent_to(OTHER_PHONE) == 0 and sent_to(ZHANG_PHONE) == 1
    completed = [
        post(
            client,
            "/api/auth/forgot/complete",
            {
                "reset_token": a.json_body["reset_token"],
                "method": "phone",
                "sms_code": "123456",
                "new_password": "Reset2026pw",
            },
        )
        for a in answers
    ]
    assert completed[0].json_body == completed[1].json_body == completed[2].json_body
    assert completed[0].status_code == 400


def test_phone_recovery_flow_cannot_switch_to_security_questions(client):
    make_account(password=GOOD_PASSWORD, state="SET")
    token = forgot(client, phone=OTHER_PHONE).json_body["reset_token"]
    response = post(
        client,
        "/api/auth/forgot/complete",
        {"reset_token": token, "method": "questions", "answers": ["x"], "new_password": "Reset2026pw"},
    )
    assert response.status_code == 400 and response.json_body["error"]["code"] == "invalid_method"
