"""PRODUCT.md section 8 through the API (Chalice test client, moto): one-time codes across
resends, sending limits, enumeration, input limits, cross-site requests, storage faults.
The parallel bursts of the same rules run on DynamoDB Local in tests/integration."""

from __future__ import annotations

import json

import pytest
from pynamodb.exceptions import GetError, UpdateError

from chalicelib import clock
from chalicelib.models.accounts import Account
from chalicelib.models.codes import OneTimeCode
from chalicelib.security import limits

from .helpers import (
    GOOD_PASSWORD,
    XHR,
    ZHANG,
    ZHANG_PHONE,
    captcha,
    get,
    last_code,
    login,
    make_account,
    post,
    signed_in,
)

UNKNOWN = "371403195501011110"


def fresh_hour() -> None:
    clock.travel(3600 - clock.now() % 3600 + 1)


def forgot_start(client, id_number: str = ZHANG):
    captcha_id, answer = captcha(client)
    return post(
        client,
        "/api/auth/forgot/start",
        {"id_number": id_number, "captcha_id": captcha_id, "captcha_answer": answer},
    )


def complete(client, token: str, code: str, password: str = "Reset2026pw"):
    return post(
        client,
        "/api/auth/forgot/complete",
        {"reset_token": token, "method": "phone", "sms_code": code, "new_password": password},
    )


# ---- one-time codes ----------------------------------------------------------------------


def test_sixth_code_check_is_refused_even_with_the_right_code(client):
    make_account()
    token = login(client, password="888888").json_body["activation_token"]
    code = last_code(client, ZHANG_PHONE)
    wrong = "000000" if code != "000000" else "111111"
    body = {"activation_token": token, "sms_code": wrong, "new_password": GOOD_PASSWORD}
    statuses = [post(client, "/api/auth/activate", body).status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 410]
    right = post(client, "/api/auth/activate", dict(body, sms_code=code))
    assert right.status_code == 410 and right.json_body["error"]["code"] == "flow_expired"
    assert Account.get(ZHANG).password_state == "INITIAL"


def test_resending_a_code_does_not_reset_the_attempts(client):
    signed_in(client)
    fresh_hour()
    token = forgot_start(client).json_body["reset_token"]
    assert post(client, "/api/auth/forgot/send-code", {"reset_token": token}).status_code == 200
    for _ in range(3):
        assert complete(client, token, "999999x").status_code == 400
    clock.travel(61)
    assert post(client, "/api/auth/forgot/send-code", {"reset_token": token}).status_code == 200
    assert complete(client, token, "999999x").status_code == 400
    assert complete(client, token, "999999x").status_code == 410  # the 5th check, counted across the resend
    assert complete(client, token, last_code(client, ZHANG_PHONE)).status_code == 410


def test_a_resent_code_replaces_the_old_one(client):
    signed_in(client)
    fresh_hour()
    token = forgot_start(client).json_body["reset_token"]
    post(client, "/api/auth/forgot/send-code", {"reset_token": token})
    old = last_code(client, ZHANG_PHONE)
    clock.travel(61)
    post(client, "/api/auth/forgot/send-code", {"reset_token": token})
    new = last_code(client, ZHANG_PHONE)
    if old != new:
        assert complete(client, token, old).status_code == 400
    assert complete(client, token, new).status_code == 200


def test_a_code_expires_after_five_minutes(client):
    make_account()
    token = login(client, password="888888").json_body["activation_token"]
    code = last_code(client, ZHANG_PHONE)
    clock.travel(5 * 60 + 1)
    answer = post(
        client,
        "/api/auth/activate",
        {"activation_token": token, "sms_code": code, "new_password": GOOD_PASSWORD},
    )
    assert answer.status_code == 410
    assert Account.get(ZHANG).password_state == "INITIAL"


def test_the_code_is_stored_only_as_a_hash(client):
    make_account()
    login(client, password="888888")
    code = last_code(client, ZHANG_PHONE)
    stored = [item.attribute_values for item in OneTimeCode.scan()]
    assert len(stored) == 1 and code not in json.dumps(stored, default=str).replace(ZHANG, "")


# ---- sending limits ----------------------------------------------------------------------


def test_one_sms_a_minute_per_phone_with_retry_after(client):
    signed_in(client)
    fresh_hour()
    token = forgot_start(client).json_body["reset_token"]
    assert post(client, "/api/auth/forgot/send-code", {"reset_token": token}).status_code == 200
    again = post(client, "/api/auth/forgot/send-code", {"reset_token": token})
    assert again.status_code == 429 and again.json_body["error"]["code"] == "rate_limited"
    assert 1 <= int(again.headers["Retry-After"]) <= 60
    clock.travel(61)
    assert post(client, "/api/auth/forgot/send-code", {"reset_token": token}).status_code == 200


def test_five_sms_an_hour_per_phone(client):
    signed_in(client)
    fresh_hour()
    statuses = []
    for _ in range(6):
        token = forgot_start(client).json_body["reset_token"]
        statuses.append(post(client, "/api/auth/forgot/send-code", {"reset_token": token}).status_code)
        clock.travel(61)
    assert statuses == [200] * 5 + [429]
    assert len(get(client, f"/api/dev/outbox?phone={ZHANG_PHONE}").json_body["messages"]) == 5


def test_contact_change_to_any_number_is_limited_too(client):
    fresh_hour()
    cookie = signed_in(client)
    first = post(client, "/api/account/contact", {"field": "phone", "value": "13900009999"}, cookie=cookie)
    second = post(client, "/api/account/contact", {"field": "phone", "value": "13900009999"}, cookie=cookie)
    assert (first.status_code, second.status_code) == (200, 429)
    assert "Retry-After" in second.headers


def test_one_source_address_is_limited_across_phones(client, monkeypatch):
    monkeypatch.setitem(limits.data()["sending"], "per_source", [{"window_s": 3600, "limit": 2}])
    fresh_hour()
    cookie = signed_in(client)
    statuses = []
    for n in range(3):
        statuses.append(
            post(
                client, "/api/account/contact", {"field": "phone", "value": f"1390000{n:04d}"}, cookie=cookie
            ).status_code
        )
        clock.travel(61)  # past the per-phone and per-account minute
    assert statuses == [200, 200, 429]


# ---- no enumeration ----------------------------------------------------------------------


def test_forgot_start_answers_the_same_shape_for_an_unknown_id_number(client):
    signed_in(client)
    known, unknown = forgot_start(client).json_body, forgot_start(client, UNKNOWN).json_body
    assert set(known) == set(unknown) and known["methods"] == unknown["methods"]
    assert len(unknown["questions"]) == 2 and unknown["phone_masked"].count("*") == 4
    assert forgot_start(client, UNKNOWN).json_body["questions"] == unknown["questions"]  # stable
    sent = post(client, "/api/auth/forgot/send-code", {"reset_token": unknown["reset_token"]})
    assert sent.status_code == 200 and sent.json_body["phone_masked"] == unknown["phone_masked"]
    assert complete(client, unknown["reset_token"], "123456").status_code == 400


# ---- input limits ------------------------------------------------------------------------


def nested(depth: int) -> str:
    return '{"id_number": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


@pytest.mark.parametrize("depth", [33, 1000, 100_000 // 2])
def test_json_nested_deeper_than_32_is_a_400(client, depth):
    answer = post(client, "/api/auth/login", nested(depth))
    assert answer.status_code in (400, 413)
    assert answer.json_body["error"]["code"] in ("json_too_deep", "payload_too_large")


def test_json_nested_32_deep_is_parsed(client):
    answer = post(client, "/api/auth/login", nested(32))
    assert answer.status_code == 400 and answer.json_body["error"]["code"] != "json_too_deep"


def test_body_over_64_kib_is_a_413(client):
    body = json.dumps({"id_number": "x" * (64 * 1024)})
    answer = post(client, "/api/auth/login", body)
    assert answer.status_code == 413 and answer.json_body["error"]["code"] == "payload_too_large"


def test_nine_mib_bank_notification_is_a_413_before_the_signature_check(client):
    answer = client.http.post(
        "/api/banks/ccb/notifications",
        body=b"{" + b" " * (9 * 1024 * 1024) + b"}",
        headers={"Content-Type": "application/json", "X-Bank-Timestamp": "0", "X-Bank-Signature": "v1=00"},
    )
    assert answer.status_code == 413


def test_deep_bank_notification_is_a_400():
    from chalicelib.errors import BadInput
    from chalicelib.services import bank_notifications

    with pytest.raises(BadInput) as caught:
        bank_notifications.parse_notification("ccb", ("[" * 1000 + "]" * 1000).encode())
    assert caught.value.code == "json_too_deep"


def test_over_long_path_identifier_is_a_404_before_any_storage_call(client, monkeypatch):
    from chalicelib.services import card_applications

    cookie = signed_in(client)
    called = []
    monkeypatch.setattr(card_applications, "get", lambda *a: called.append(a))
    answer = get(client, "/api/card/applications/" + "A" * 1025, cookie=cookie)
    assert answer.status_code == 404 and called == []
    answer = post(client, "/api/payments/orders/" + "P" * 300 + "/cancel", cookie=cookie)
    assert answer.status_code == 404


# ---- cross-site requests -----------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}],
)
def test_state_change_from_another_site_is_a_403(client, headers):
    answer = client.http.post("/api/auth/captcha", headers=dict(XHR, **headers), body="{}")
    assert answer.status_code == 403 and answer.json_body["error"]["code"] == "cross_site_request"


@pytest.mark.parametrize(
    "headers", [{"Origin": "http://127.0.0.1:8080"}, {"Sec-Fetch-Site": "same-origin"}, {}]
)
def test_state_change_from_our_site_passes(client, headers):
    assert client.http.post("/api/auth/captcha", headers=dict(XHR, **headers), body="{}").status_code == 200


# ---- storage faults ----------------------------------------------------------------------


class _TimeoutWithoutResponse(Exception):
    """Like botocore's ReadTimeoutError as pynamodb wraps it: a cause whose `response` is None."""

    response = None


class ReadTimeoutError(Exception):
    pass


def test_session_check_timing_out_is_a_503_with_retry_after(client, monkeypatch):
    from chalicelib.models.sessions import Session

    cookie = signed_in(client)
    cause = ReadTimeoutError("Read timeout on endpoint URL")
    cause.response = None

    def hang(*_args, **_kwargs):
        raise UpdateError("Failed to update item", cause=cause)

    def hang_reading(*_args, **_kwargs):  # the check reads the session (and writes once a minute)
        raise GetError("Failed to get item", cause=cause)

    monkeypatch.setattr(Session, "update", hang)
    monkeypatch.setattr(Session, "get", hang_reading)
    answer = get(client, "/api/me", cookie)
    assert answer.status_code == 503
    assert answer.json_body["error"]["code"] == "temporarily_unavailable"
    assert int(answer.headers["Retry-After"]) >= 1


def test_throttled_storage_is_a_503(client, monkeypatch):
    from botocore.exceptions import ClientError

    from chalicelib.models.captchas import Captcha

    throttle = ClientError(
        {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"}}, "PutItem"
    )

    def throttled(*_args, **_kwargs):
        from pynamodb.exceptions import PutError

        raise PutError("Failed to put item", cause=throttle)

    monkeypatch.setattr(Captcha, "save", throttled)
    answer = post(client, "/api/auth/captcha")
    assert answer.status_code == 503 and "Retry-After" in answer.headers


def test_a_code_check_before_any_code_was_sent_is_a_wrong_code(client):
    signed_in(client)
    token = forgot_start(client).json_body["reset_token"]
    answer = complete(client, token, "123456")
    assert answer.status_code == 400 and answer.json_body["error"]["code"] == "code_wrong"


# ---- masking -----------------------------------------------------------------------------


def test_card_delivery_phone_typed_by_the_resident_is_masked_in_every_card_route(client):
    from .test_card_api import sign_in_wang

    cookie = sign_in_wang(client)
    typed = "13955556666"
    app_id = post(client, "/api/card/applications", {"kind": "new"}, cookie=cookie).json_body[
        "application_id"
    ]
    base = f"/api/card/applications/{app_id}"
    answers = [
        post(client, f"{base}/details", {"confirmed": True}, cookie=cookie),
        post(client, f"{base}/bank", {"bank_code": "dzbank"}, cookie=cookie),
        post(
            client,
            f"{base}/delivery",
            {
                "method": "mail",
                "recipient": "王芳",
                "phone": typed,
                "address": "德州市德城区新湖大街88号",
                "postal_code": "253000",
            },
            cookie=cookie,
        ),
        get(client, base, cookie=cookie),
        get(client, "/api/card", cookie=cookie),
        post(client, f"{base}/withdraw", cookie=cookie),
        get(client, "/api/card", cookie=cookie),
    ]
    assert all(a.status_code == 200 for a in answers), [a.json_body for a in answers]
    assert answers[2].json_body["delivery"]["phone_masked"] == "139****6666"
    for answer in answers:
        assert typed not in answer.body.decode("utf-8")
