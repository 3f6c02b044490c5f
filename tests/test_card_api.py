"""Card routes through the Chalice test client (moto): the application in two sittings resumed
from the to-do list, field errors, photo upload and check, submit, loss report and cancel."""

from __future__ import annotations

import json

from chalicelib import storage
from chalicelib.models.cards import Card

from .fixtures.photos import images
from .helpers import GOOD_PASSWORD, ZHANG, cookie_from, get, login, make_account, post, signed_in
from .test_card_service import WANG, give_card


def sign_in_wang(client) -> str:
    make_account(WANG, password=GOOD_PASSWORD, state="SET", phone="13800003333", name="王芳")
    response = login(client, WANG)
    assert response.status_code == 200, response.json_body
    return cookie_from(response)


def test_card_routes_need_a_session(client):
    assert get(client, "/api/card").status_code == 401
    assert post(client, "/api/card/applications", {"kind": "new"}).status_code == 401


def test_state_changes_need_the_xhr_header(client):
    cookie = sign_in_wang(client)
    response = client.http.post(
        "/api/card/applications",
        body=json.dumps({"kind": "new"}),
        headers={"Cookie": cookie, "Content-Type": "application/json"},
    )
    assert response.status_code == 403


def test_options_list_banks_outlets_and_photo_rules(client):
    cookie = sign_in_wang(client)
    answer = get(client, "/api/card/options", cookie=cookie).json_body
    assert {"code": "ccb", "name": "中国建设银行"} in answer["banks"]
    assert any(o["district"] == "德城区" for o in answer["outlets"])
    assert answer["photo"]["width_px"] == 358 and answer["photo"]["height_px"] == 441


def test_resident_without_card_is_told_how_to_apply(client):
    cookie = sign_in_wang(client)
    answer = get(client, "/api/card", cookie=cookie).json_body
    assert answer["card"] is None
    assert answer["how_to_apply"]
    assert answer["actions"]["apply"] is True


def test_application_in_two_sittings_resumes_from_the_to_do_list(client):
    cookie = sign_in_wang(client)
    started = post(client, "/api/card/applications", {"kind": "new"}, cookie=cookie)
    assert started.status_code == 201
    app_id = started.json_body["application_id"]
    base = f"/api/card/applications/{app_id}"
    assert post(client, f"{base}/details", {"confirmed": True}, cookie=cookie).status_code == 200
    assert post(client, f"{base}/bank", {"bank_code": "dzbank"}, cookie=cookie).status_code == 200
    assert post(client, "/api/auth/logout", cookie=cookie).status_code == 200

    cookie = cookie_from(login(client, WANG))
    tasks = get(client, "/api/tasks", cookie=cookie).json_body["items"]
    card_task = next(t for t in tasks if t["kind"] == "card_application")
    assert card_task["resume_path"] == f"/card/apply.html?id={app_id}&step=delivery"
    resumed = get(client, base, cookie=cookie).json_body
    assert resumed["step"] == "delivery" and resumed["bank_name"] == "德州银行"

    bad = post(
        client,
        f"{base}/delivery",
        {
            "method": "mail",
            "recipient": "王芳",
            "phone": "13800003333",
            "address": "德州市德城区新湖大街88号",
            "postal_code": "2530",
        },
        cookie=cookie,
    )
    assert bad.status_code == 400
    assert bad.json_body["error"]["field"] == "postal_code"
    assert "6位数字" in bad.json_body["error"]["message"]
    good = post(client, f"{base}/delivery", {"method": "pickup", "outlet_code": "dz-tianqu"}, cookie=cookie)
    assert good.json_body["step"] == "photo"

    form = post(client, f"{base}/photo/upload", cookie=cookie).json_body
    storage.client().put_object(Bucket=storage.bucket(), Key=form["key"], Body=images.valid())
    checked = post(client, f"{base}/photo/check", {"key": form["key"]}, cookie=cookie)
    assert checked.status_code == 200, checked.json_body
    assert checked.json_body["step"] == "review"
    assert get(client, f"{base}/photo", cookie=cookie).json_body["url"].startswith("http")

    submitted = post(client, f"{base}/submit", cookie=cookie)
    assert submitted.status_code == 200
    assert submitted.json_body["status_label"] == "已提交，制卡中"
    assert [
        t
        for t in get(client, "/api/tasks", cookie=cookie).json_body["items"]
        if t["kind"] == "card_application"
    ] == []
    overview = get(client, "/api/card", cookie=cookie).json_body
    assert overview["card"]["status_label"] == "制卡中"
    assert overview["applications"][0]["status"] == "SUBMITTED"


def test_second_application_is_a_conflict(client):
    cookie = sign_in_wang(client)
    assert post(client, "/api/card/applications", {"kind": "new"}, cookie=cookie).status_code == 201
    again = post(client, "/api/card/applications", {"kind": "new"}, cookie=cookie)
    assert again.status_code == 409
    assert again.json_body["error"]["code"] == "application_open"


def test_rejected_photo_answers_400_with_reason_at_the_photo_field(client):
    cookie = sign_in_wang(client)
    app_id = post(client, "/api/card/applications", {"kind": "new"}, cookie=cookie).json_body[
        "application_id"
    ]
    form = post(client, f"/api/card/applications/{app_id}/photo/upload", cookie=cookie).json_body
    assert form["fields"]["key"] == form["key"] and form["max_bytes"] == 5242880
    storage.client().put_object(Bucket=storage.bucket(), Key=form["key"], Body=images.png_named_jpg())
    response = post(
        client, f"/api/card/applications/{app_id}/photo/check", {"key": form["key"]}, cookie=cookie
    )
    assert response.status_code == 400
    assert response.json_body["error"] == {
        "code": "photo_not_jpeg",
        "field": "photo",
        "message": "照片不是JPEG格式（实际为PNG格式）：请上传JPEG格式（.jpg）的照片，不能只修改文件扩展名",
    }


def test_submit_incomplete_application_names_the_missing_step(client):
    cookie = sign_in_wang(client)
    app_id = post(client, "/api/card/applications", {"kind": "new"}, cookie=cookie).json_body[
        "application_id"
    ]
    response = post(client, f"/api/card/applications/{app_id}/submit", cookie=cookie)
    assert response.status_code == 400
    assert response.json_body["error"]["field"] == "details"


def test_loss_report_and_cancel_through_the_api(client):
    cookie = signed_in(client, ZHANG)
    give_card()
    wrong = post(client, "/api/card/loss", {"password": "Wrong2026pw"}, cookie=cookie)
    assert wrong.status_code == 400 and wrong.json_body["error"]["field"] == "password"
    reported = post(client, "/api/card/loss", {"password": GOOD_PASSWORD}, cookie=cookie)
    assert reported.status_code == 200
    overview = get(client, "/api/card", cookie=cookie).json_body
    assert overview["card"]["status_label"] == "挂失"
    assert overview["actions"]["cancel_loss"] and overview["actions"]["apply_replacement"]
    cancelled = post(client, "/api/card/loss/cancel", {"password": GOOD_PASSWORD}, cookie=cookie)
    assert cancelled.status_code == 200
    assert Card.get(ZHANG, "C20150601000000AAAA").status == "NORMAL"
    log = [e["action"] for e in get(client, "/api/me/access-log", cookie=cookie).json_body["items"]]
    assert {"card_loss_report", "card_loss_cancel"} <= set(log)


def test_replacement_application_after_loss_report(client):
    cookie = signed_in(client, ZHANG)
    give_card(status="LOST")
    started = post(client, "/api/card/applications", {"kind": "replacement"}, cookie=cookie)
    assert started.status_code == 201
    assert started.json_body["kind_label"] == "社保卡补卡"
    assert started.json_body["bank_code"] == "icbc"


def test_openapi_lists_the_card_routes(client):
    paths = get(client, "/api/openapi.json").json_body["paths"]
    assert "/api/card/applications/{application_id}/photo/check" in paths
    assert "/api/card/loss" in paths
