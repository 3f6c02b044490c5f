"""Passkeys through the API (moto): registration in 账号设置 and sign-in, with real WebAuthn
ceremonies from a software authenticator that py_webauthn verifies."""

from __future__ import annotations

import json

from chalicelib import clock
from chalicelib.models.audit import AuditEvent
from chalicelib.models.passkeys import Passkey
from chalicelib.security import pseudonym
from chalicelib.services import relying_party

from .helpers import GOOD_PASSWORD, ZHANG, ZHANG_PHONE, cookie_from, get, last_code, post, signed_in
from .soft_authenticator import SoftAuthenticator

LI = "37142519620708352X"
LI_PHONE = "13800002222"


def delete(client, path: str, cookie: str, body: dict | None = None):
    headers = {"X-Requested-With": "XMLHttpRequest", "Content-Type": "application/json", "Cookie": cookie}
    return client.http.request("DELETE", path, headers=headers, body=json.dumps(body or {}).encode())


def register(client, cookie: str, authenticator: SoftAuthenticator, name: str = "我的手机", **create_kwargs):
    options = post(client, "/api/account/passkeys/options", {"password": GOOD_PASSWORD}, cookie=cookie)
    assert options.status_code == 200, options.json_body
    credential = authenticator.create(options.json_body["publicKey"], **create_kwargs)
    return post(
        client,
        "/api/account/passkeys",
        {"challenge_id": options.json_body["challenge_id"], "name": name, "credential": credential},
        cookie=cookie,
    )


def sign_in_options(client) -> dict:
    response = post(client, "/api/auth/passkey/options")
    assert response.status_code == 200, response.json_body
    return response.json_body


def passkey_login(client, options: dict, assertion: dict):
    return post(
        client, "/api/auth/passkey/login", {"challenge_id": options["challenge_id"], "credential": assertion}
    )


def actions_of(id_number: str) -> list[tuple[str, str]]:
    return [(e.action, e.outcome) for e in AuditEvent.query(pseudonym.of(id_number))]


def test_registered_passkey_signs_in_without_id_number(client):
    cookie = signed_in(client)
    authenticator = SoftAuthenticator()
    added = register(client, cookie, authenticator, name="我的手机")
    assert added.status_code == 201, added.json_body
    options = sign_in_options(client)
    assert options["publicKey"]["userVerification"] == "required"
    assert options["publicKey"]["rpId"] == "localhost"
    assert not options["publicKey"].get("allowCredentials")
    response = passkey_login(client, options, authenticator.get(options["publicKey"]))
    assert response.status_code == 200, response.json_body
    assert response.json_body == {"status": "ok"}
    me = get(client, "/api/me", cookie=cookie_from(response))
    assert me.status_code == 200 and me.json_body["id_number_masked"] == "3714**********2314"
    assert ("passkey_login", "ok") in actions_of(ZHANG)
    assert Passkey.get(ZHANG, added.json_body["id"]).sign_count == 1


def test_registration_options_ask_for_a_discoverable_verified_credential(client):
    cookie = signed_in(client)
    options = post(
        client, "/api/account/passkeys/options", {"password": GOOD_PASSWORD}, cookie=cookie
    ).json_body
    selection = options["publicKey"]["authenticatorSelection"]
    assert selection["residentKey"] == "required" and selection["userVerification"] == "required"
    assert options["publicKey"]["rp"]["id"] == "localhost"
    assert ZHANG not in json.dumps(options)


def test_passkey_list_names_and_removal_are_audited(client):
    cookie = signed_in(client)
    added = register(client, cookie, SoftAuthenticator(), name="办公室电脑").json_body
    listed = get(client, "/api/account/passkeys", cookie=cookie).json_body["items"]
    assert [(p["id"], p["name"]) for p in listed] == [(added["id"], "办公室电脑")]
    removed = delete(client, f"/api/account/passkeys/{added['id']}", cookie, {"password": GOOD_PASSWORD})
    assert removed.status_code == 200, removed.json_body
    assert get(client, "/api/account/passkeys", cookie=cookie).json_body["items"] == []
    assert {("passkey_add", "ok"), ("passkey_remove", "ok")} <= set(actions_of(ZHANG))
    log = get(client, "/api/me/access-log", cookie=cookie).json_body["items"]
    assert {"passkey_add", "passkey_remove"} <= {item["action"] for item in log}


def test_adding_a_passkey_needs_the_password_or_an_sms_code(client):
    cookie = signed_in(client)
    missing = post(client, "/api/account/passkeys/options", {}, cookie=cookie)
    assert missing.status_code == 400 and missing.json_body["error"]["code"] == "confirmation_required"
    wrong = post(client, "/api/account/passkeys/options", {"password": "Wrong2026pw"}, cookie=cookie)
    assert wrong.status_code == 400 and wrong.json_body["error"]["field"] == "password"
    sent = post(client, "/api/account/passkeys/confirm-code", cookie=cookie).json_body
    assert sent["phone_masked"] == "138****1111"
    by_code = post(
        client,
        "/api/account/passkeys/options",
        {"confirm_id": sent["confirm_id"], "sms_code": last_code(client, ZHANG_PHONE)},
        cookie=cookie,
    )
    assert by_code.status_code == 200, by_code.json_body
    again = post(
        client,
        "/api/account/passkeys/options",
        {"confirm_id": sent["confirm_id"], "sms_code": last_code(client, ZHANG_PHONE)},
        cookie=cookie,
    )
    assert again.status_code == 410


def test_removing_a_passkey_needs_confirmation_and_keeps_it_otherwise(client):
    cookie = signed_in(client)
    added = register(client, cookie, SoftAuthenticator()).json_body
    refused = delete(client, f"/api/account/passkeys/{added['id']}", cookie, {"password": "Wrong2026pw"})
    assert refused.status_code == 400
    assert [p["id"] for p in get(client, "/api/account/passkeys", cookie=cookie).json_body["items"]] == [
        added["id"]
    ]


def test_removed_passkey_no_longer_signs_in(client):
    cookie = signed_in(client)
    authenticator = SoftAuthenticator()
    added = register(client, cookie, authenticator).json_body
    delete(client, f"/api/account/passkeys/{added['id']}", cookie, {"password": GOOD_PASSWORD})
    options = sign_in_options(client)
    response = passkey_login(client, options, authenticator.get(options["publicKey"]))
    assert response.status_code == 401
    assert response.json_body["error"]["code"] == "passkey_refused"
    assert "Set-Cookie" not in response.headers


def test_replayed_assertion_is_refused(client):
    cookie = signed_in(client)
    authenticator = SoftAuthenticator()
    register(client, cookie, authenticator)
    options = sign_in_options(client)
    assertion = authenticator.get(options["publicKey"])
    assert passkey_login(client, options, assertion).status_code == 200
    same_challenge = passkey_login(client, options, assertion)
    assert same_challenge.status_code == 410
    assert same_challenge.json_body["error"]["code"] == "challenge_expired"
    fresh = sign_in_options(client)
    other_challenge = passkey_login(client, fresh, assertion)
    assert other_challenge.status_code == 401


def test_assertion_with_a_counter_that_did_not_grow_is_refused(client):
    cookie = signed_in(client)
    authenticator = SoftAuthenticator()
    register(client, cookie, authenticator)
    options = sign_in_options(client)
    assert (
        passkey_login(client, options, authenticator.get(options["publicKey"], sign_count=5)).status_code
        == 200
    )
    cloned = sign_in_options(client)
    response = passkey_login(client, cloned, authenticator.get(cloned["publicKey"], sign_count=5))
    assert response.status_code == 401


def test_expired_sign_in_challenge_is_refused(client):
    cookie = signed_in(client)
    authenticator = SoftAuthenticator()
    register(client, cookie, authenticator)
    options = sign_in_options(client)
    clock.travel(relying_party.CHALLENGE_LIFETIME_S + 1)
    response = passkey_login(client, options, authenticator.get(options["publicKey"]))
    assert response.status_code == 410
    assert response.json_body["error"]["code"] == "challenge_expired"


def test_credential_of_another_resident_is_refused(client):
    zhang_cookie = signed_in(client)
    li_cookie = signed_in(client, LI)
    zhang_key, li_key = SoftAuthenticator(), SoftAuthenticator()
    register(client, zhang_cookie, zhang_key)
    register(client, li_cookie, li_key)
    zhang_credential, li_credential = zhang_key.credentials[0], li_key.credentials[0]

    options = sign_in_options(client)
    claims_li = zhang_key.get(options["publicKey"], zhang_credential, user_handle=li_credential.user_handle)
    assert passkey_login(client, options, claims_li).status_code == 401

    options = sign_in_options(client)
    li_id_zhang_key = zhang_key.get(
        options["publicKey"],
        zhang_credential,
        credential_id=li_credential.credential_id,
        user_handle=li_credential.user_handle,
    )
    assert passkey_login(client, options, li_id_zhang_key).status_code == 401
    assert ("passkey_login", "ok") not in actions_of(LI)


def test_another_residents_passkey_cannot_be_removed(client):
    zhang_cookie = signed_in(client)
    li_cookie = signed_in(client, LI)
    added = register(client, li_cookie, SoftAuthenticator()).json_body
    response = delete(
        client, f"/api/account/passkeys/{added['id']}", zhang_cookie, {"password": GOOD_PASSWORD}
    )
    assert response.status_code == 404
    assert Passkey.get(LI, added["id"]).name


def test_assertion_for_another_origin_or_without_user_verification_is_refused(client):
    cookie = signed_in(client)
    authenticator = SoftAuthenticator()
    register(client, cookie, authenticator)
    options = sign_in_options(client)
    assert (
        passkey_login(
            client, options, authenticator.get(options["publicKey"], origin="https://evil.example")
        ).status_code
        == 401
    )
    options = sign_in_options(client)
    assert (
        passkey_login(
            client, options, authenticator.get(options["publicKey"], user_verified=False)
        ).status_code
        == 401
    )


def test_registration_without_user_verification_or_for_another_rp_is_refused(client):
    cookie = signed_in(client)
    assert register(client, cookie, SoftAuthenticator(), user_verified=False).status_code == 400
    assert register(client, cookie, SoftAuthenticator(), rp_id="evil.example").status_code == 400
    assert Passkey.count() == 0


def test_registration_challenge_is_single_use_and_not_a_sign_in_challenge(client):
    cookie = signed_in(client)
    authenticator = SoftAuthenticator()
    options = post(
        client, "/api/account/passkeys/options", {"password": GOOD_PASSWORD}, cookie=cookie
    ).json_body
    credential = authenticator.create(options["publicKey"])
    as_login = passkey_login(client, options, authenticator.get(options["publicKey"]))
    assert as_login.status_code == 410
    body = {"challenge_id": options["challenge_id"], "credential": credential}
    assert post(client, "/api/account/passkeys", body, cookie=cookie).status_code == 201
    second = authenticator.create(options["publicKey"])
    replay = post(client, "/api/account/passkeys", dict(body, credential=second), cookie=cookie)
    assert replay.status_code == 410
    assert Passkey.count() == 1


def test_passkey_routes_need_a_session(client):
    assert get(client, "/api/account/passkeys").status_code == 401
    assert post(client, "/api/account/passkeys/options", {"password": GOOD_PASSWORD}).status_code == 401


def test_malformed_credential_is_a_clear_400_or_401(client):
    options = sign_in_options(client)
    for credential in ("text", {"id": "x"}, {"id": "A" * 40, "rawId": "A" * 40, "response": {}}):
        response = post(
            client,
            "/api/auth/passkey/login",
            {"challenge_id": options["challenge_id"], "credential": credential},
        )
        assert response.status_code in (400, 401, 410), response.json_body
        assert "error" in response.json_body
        options = sign_in_options(client)
