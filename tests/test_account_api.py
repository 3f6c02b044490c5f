"""Account settings through the API: password, protection + forgot password, contact change."""

from __future__ import annotations

import json

from chalicelib.models.accounts import Account
from chalicelib.models.sessions import Session
from chalicelib.security import passwords

from .helpers import GOOD_PASSWORD, ZHANG, ZHANG_PHONE, captcha, get, last_code, login, post, signed_in

QUESTIONS = ["您母亲的姓名是？", "您出生的城市是？"]


def test_change_password_with_old_password(client):
    cookie = signed_in(client)
    response = post(
        client,
        "/api/account/password",
        {"old_password": GOOD_PASSWORD, "new_password": "Newer2026pass"},
        cookie=cookie,
    )
    assert response.status_code == 200
    assert login(client, password="Newer2026pass").status_code == 200


def test_wrong_old_password_keeps_hash(client):
    cookie = signed_in(client)
    before = Account.get(ZHANG).password_hash
    response = post(
        client,
        "/api/account/password",
        {"old_password": "Wrong2026x", "new_password": "Newer2026pass"},
        cookie=cookie,
    )
    assert response.status_code == 400
    assert response.json_body["error"]["field"] == "old_password"
    assert Account.get(ZHANG).password_hash == before


def test_password_change_ends_other_sessions_but_keeps_this_one(client):
    cookie = signed_in(client)
    other = login(client).headers["Set-Cookie"].split(";")[0]
    post(
        client,
        "/api/account/password",
        {"old_password": GOOD_PASSWORD, "new_password": "Newer2026pass"},
        cookie=cookie,
    )
    assert get(client, "/api/me", cookie).status_code == 200
    assert get(client, "/api/me", other).status_code == 401


def test_initial_password_can_never_be_set_again(client):
    cookie = signed_in(client)
    response = post(
        client,
        "/api/account/password",
        {"old_password": GOOD_PASSWORD, "new_password": "888888"},
        cookie=cookie,
    )
    assert response.status_code == 400
    assert passwords.verify_password(Account.get(ZHANG).password_hash, GOOD_PASSWORD)


def _set_protection(client, cookie):
    return client.http.put(
        "/api/account/protection",
        headers={"X-Requested-With": "XMLHttpRequest", "Content-Type": "application/json", "Cookie": cookie},
        body=json.dumps(
            {
                "password": GOOD_PASSWORD,
                "questions": [
                    {"question": QUESTIONS[0], "answer": "王 丽"},
                    {"question": QUESTIONS[1], "answer": "Dezhou"},
                ],
            },
            ensure_ascii=False,
        ),
    )


def test_protection_questions_then_forgot_password_by_answers(client):
    cookie = signed_in(client)
    assert _set_protection(client, cookie).status_code == 200
    stored = Account.get(ZHANG).protection
    assert "王" not in str(stored) and all(p["answer_hash"].startswith("$argon2id$") for p in stored)
    captcha_id, answer = captcha(client)
    start = post(
        client,
        "/api/auth/forgot/start",
        {"id_number": ZHANG, "captcha_id": captcha_id, "captcha_answer": answer},
    ).json_body
    assert start["questions"] == QUESTIONS and set(start["methods"]) == {"phone", "questions"}
    wrong = post(
        client,
        "/api/auth/forgot/complete",
        {
            "reset_token": start["reset_token"],
            "method": "questions",
            "answers": ["王丽", "jinan"],
            "new_password": "Reset2026pw",
        },
    )
    assert wrong.status_code == 400 and wrong.json_body["error"]["code"] == "answers_wrong"
    done = post(
        client,
        "/api/auth/forgot/complete",
        {
            "reset_token": start["reset_token"],
            "method": "questions",
            "answers": ["王丽", "DEZHOU"],
            "new_password": "Reset2026pw",
        },
    )
    assert done.status_code == 200, done.json_body
    assert get(client, "/api/me", cookie).status_code == 401  # every session ended by the reset
    assert login(client, password="Reset2026pw").status_code == 200


def test_forgot_password_by_sms_code(client):
    signed_in(client)
    captcha_id, answer = captcha(client)
    start = post(
        client,
        "/api/auth/forgot/start",
        {"id_number": ZHANG, "captcha_id": captcha_id, "captcha_answer": answer},
    ).json_body
    assert start["methods"] == ["phone", "questions"]  # the same for every ID number
    sent = post(client, "/api/auth/forgot/send-code", {"reset_token": start["reset_token"]})
    assert sent.json_body["phone_masked"] == "138****1111"
    code = last_code(client, ZHANG_PHONE)
    done = post(
        client,
        "/api/auth/forgot/complete",
        {
            "reset_token": start["reset_token"],
            "method": "phone",
            "sms_code": code,
            "new_password": "Reset2026pw",
        },
    )
    assert done.status_code == 200
    reuse = post(
        client,
        "/api/auth/forgot/complete",
        {
            "reset_token": start["reset_token"],
            "method": "phone",
            "sms_code": code,
            "new_password": "Again2026pw",
        },
    )
    assert reuse.status_code == 410


def test_protection_requires_current_password(client):
    cookie = signed_in(client)
    response = client.http.put(
        "/api/account/protection",
        headers={"X-Requested-With": "XMLHttpRequest", "Content-Type": "application/json", "Cookie": cookie},
        body='{"password": "Wrong2026x", "questions": []}',
    )
    assert response.status_code == 400
    assert Account.get(ZHANG).protection is None


def test_change_phone_confirmed_by_code_sent_to_new_number(client):
    cookie = signed_in(client)
    start = post(client, "/api/account/contact", {"field": "phone", "value": "13912345678"}, cookie=cookie)
    assert start.status_code == 200 and start.json_body["sent_to"] == "139****5678"
    assert Account.get(ZHANG).phone == ZHANG_PHONE  # nothing changes before the code
    code = last_code(client, "13912345678")
    done = post(
        client,
        "/api/account/contact/confirm",
        {"change_id": start.json_body["change_id"], "code": code},
        cookie=cookie,
    )
    assert done.status_code == 200
    assert Account.get(ZHANG).phone == "13912345678"


def test_change_email_with_wrong_code_changes_nothing(client):
    cookie = signed_in(client)
    start = post(
        client, "/api/account/contact", {"field": "email", "value": "Zhang@Example.com"}, cookie=cookie
    ).json_body
    wrong = post(
        client, "/api/account/contact/confirm", {"change_id": start["change_id"], "code": "x"}, cookie=cookie
    )
    assert wrong.status_code == 400
    assert Account.get(ZHANG).email is None
    code = last_code(client, "zhang@example.com")
    assert (
        post(
            client,
            "/api/account/contact/confirm",
            {"change_id": start["change_id"], "code": code},
            cookie=cookie,
        ).status_code
        == 200
    )
    assert Account.get(ZHANG).email == "zhang@example.com"


def test_only_phone_and_email_can_be_changed(client):
    cookie = signed_in(client)
    response = post(client, "/api/account/contact", {"field": "name", "value": "李四"}, cookie=cookie)
    assert response.status_code == 400 and response.json_body["error"]["field"] == "field"
    bad_phone = post(client, "/api/account/contact", {"field": "phone", "value": "12345"}, cookie=cookie)
    assert bad_phone.json_body["error"]["code"] == "invalid_phone"


def test_contact_code_is_bound_to_the_resident(client):
    cookie = signed_in(client)
    start = post(
        client, "/api/account/contact", {"field": "phone", "value": "13912345678"}, cookie=cookie
    ).json_body
    other = signed_in(client, id_number="371403195501011110")
    code = last_code(client, "13912345678")
    stolen = post(
        client, "/api/account/contact/confirm", {"change_id": start["change_id"], "code": code}, cookie=other
    )
    assert stolen.status_code == 400
    assert Account.get("371403195501011110").phone == ZHANG_PHONE


def test_to_do_list_is_empty_but_real(client):
    from chalicelib.services import tasks

    cookie = signed_in(client)
    assert get(client, "/api/tasks", cookie).json_body == {"items": []}
    tasks.upsert(
        ZHANG, "card_application", "A1", "社保卡申领信息采集", "/card/apply.html?step=bank", step="bank"
    )
    items = get(client, "/api/tasks", cookie).json_body["items"]
    assert [(i["kind"], i["resume_path"]) for i in items] == [
        ("card_application", "/card/apply.html?step=bank")
    ]
    tasks.close(ZHANG, "card_application", "A1")
    assert get(client, "/api/tasks", cookie).json_body == {"items": []}


def test_access_log_shows_own_events_only(client):
    cookie = signed_in(client)
    signed_in(client, id_number="371403195501011110")
    items = get(client, "/api/me/access-log", cookie).json_body["items"]
    assert [i["action"] for i in items] == ["login"]
    assert Session.count() == 2
