"""Cross-cutting HTTP behaviour: CSRF header, security headers, error shape, dev endpoints, OpenAPI."""

from __future__ import annotations

import json

import pytest
from chalice.test import Client

import app as app_module
from chalicelib.models.audit import AuditEvent

from .conftest import ROOT
from .helpers import ZHANG, captcha, get, post, signed_in


def test_state_change_without_xhr_header_is_403(client):
    response = client.http.post("/api/auth/captcha", headers={"Content-Type": "application/json"}, body="{}")
    assert response.status_code == 403
    assert response.json_body["error"]["code"] == "csrf_header_missing"


def test_security_headers_on_every_response(client):
    for response in (
        get(client, "/api/me"),
        post(client, "/api/auth/captcha"),
        get(client, "/api/openapi.json"),
    ):
        headers = {k.lower(): v for k, v in response.headers.items()}
        assert "object-src 'none'" in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["content-type"] == "application/json"
        assert headers["cache-control"] == "no-store"
        assert "strict-transport-security" not in headers  # local stage is plain http


def test_hsts_and_secure_cookie_outside_local(tables):
    with Client(app_module.app, stage_name="prod", project_dir=str(ROOT)) as prod:
        response = prod.http.get("/api/openapi.json")
        assert "max-age" in response.headers["Strict-Transport-Security"]


@pytest.mark.parametrize(
    "raw, code",
    [
        ("{not json", "malformed_json"),
        ("[1,2]", "malformed_json"),
        (
            '{"id_number": 371402198503142314, "password": "x", "captcha_id": "a", "captcha_answer": "b"}',
            "wrong_type",
        ),
        ('{"id_number": "371402198503142314"}', "missing_field"),
    ],
)
def test_bad_bodies_get_400_and_write_nothing(client, raw, code):
    response = post(client, "/api/auth/login", raw)
    assert response.status_code == 400
    assert response.json_body["error"]["code"] == code
    assert AuditEvent.count() == 0


def test_overlong_field_is_refused(client):
    captcha_id, answer = captcha(client)
    response = post(
        client,
        "/api/auth/login",
        {"id_number": ZHANG, "password": "x" * 5000, "captcha_id": captcha_id, "captcha_answer": answer},
    )
    assert response.status_code == 400 and response.json_body["error"]["code"] == "too_long"


def test_wrong_method_gets_our_error_shape(client):
    response = client.http.delete("/api/me", headers={"X-Requested-With": "XMLHttpRequest"})
    assert response.status_code == 405
    assert "error" in response.json_body


def test_unexpected_failure_is_500_without_stack_trace(client, monkeypatch):
    from chalicelib.services import person

    cookie = signed_in(client)
    monkeypatch.setattr(person.accounts, "get", lambda _: 1 / 0)
    response = get(client, "/api/me", cookie)
    assert response.status_code == 500
    assert response.json_body == {"error": {"code": "internal_error", "message": "系统内部错误，请稍后再试"}}


def test_storage_outage_is_503(client, monkeypatch):
    from botocore.exceptions import EndpointConnectionError

    from chalicelib.services import person

    cookie = signed_in(client)

    def down(_):
        raise EndpointConnectionError(endpoint_url="http://dynamodb")

    monkeypatch.setattr(person.accounts, "get", down)
    assert get(client, "/api/me", cookie).status_code == 503


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_dev_endpoints_are_refused_outside_local(tables, stage, monkeypatch):
    """Deployed apps do not even register them (tests/test_stage.py); if the code ever ran there,
    the service refuses too. The request carries the origin secret CloudFront would add."""
    monkeypatch.setenv("ORIGIN_SECRET", "test-origin-secret")
    edge = {"X-Origin-Verify": "test-origin-secret"}
    with Client(app_module.app, stage_name="local", project_dir=str(ROOT)) as local:
        created = local.http.post(
            "/api/auth/captcha", headers={"X-Requested-With": "XMLHttpRequest"}
        ).json_body
        assert local.http.get(f"/api/dev/captcha/{created['captcha_id']}").status_code == 200
    with Client(app_module.app, stage_name=stage, project_dir=str(ROOT)) as other:
        refused = other.http.get(f"/api/dev/captcha/{created['captcha_id']}", headers=edge)
        assert refused.status_code == 404 and refused.json_body["error"]["code"] == "dev_only"
        outbox = other.http.get("/api/dev/outbox?phone=13800001111", headers=edge)
        assert outbox.status_code == 404


def test_openapi_describes_every_route(client):
    document = get(client, "/api/openapi.json").json_body
    assert document["openapi"].startswith("3.")
    for path, methods in app_module.app.routes.items():
        for method in methods:
            assert method.lower() in document["paths"][path], (path, method)
    assert "security" in document["paths"]["/api/me"]["get"]
    assert "security" not in document["paths"]["/api/auth/login"]["post"]


def test_captcha_image_is_a_png_data_url(client):
    import base64

    created = post(client, "/api/auth/captcha").json_body
    assert created["image"].startswith("data:image/png;base64,")
    assert base64.b64decode(created["image"].split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(created["captcha_id"]) >= 20
    json.dumps(created)


def test_cookie_is_secure_outside_local(monkeypatch):
    from functions import web

    monkeypatch.setenv("STAGE", "prod")
    assert "; Secure" in web._cookie("token", 60)
    monkeypatch.setenv("STAGE", "local")
    assert "Secure" not in web._cookie("token", 60)
