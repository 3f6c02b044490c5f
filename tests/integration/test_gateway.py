"""The local origin (infra/gateway.py) in front of the app on DynamoDB Local: the caller's address
reaches the app as API Gateway's sourceIp, raw request bytes reach it unchanged, the site's files
and the security headers."""

from __future__ import annotations

import http.client
import json
import urllib.parse

import pytest

from chalicelib.models.audit import AuditEvent
from chalicelib.security import pseudonym

from ..helpers import GOOD_PASSWORD, ZHANG, make_account

S3_ORIGIN = "http://127.0.0.1:9"  # only named in the CSP; nothing is fetched from it


@pytest.fixture
def gateway(tables):
    import app as app_module
    from infra.gateway import Gateway

    with Gateway(app_module.app, connect_src=(S3_ORIGIN,)) as running:
        yield running


def request(
    gateway,
    method: str,
    path: str,
    body: bytes | None = None,
    source: str = "127.0.0.1",
    headers: dict | None = None,
):
    parts = urllib.parse.urlsplit(gateway.url)
    connection = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=30, source_address=(source, 0)
    )
    all_headers = {"X-Requested-With": "XMLHttpRequest", "Content-Type": "application/json"}
    all_headers.update(headers or {})
    connection.request(method, path, body=body, headers=all_headers)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    return response, payload


def test_the_callers_address_reaches_the_app_as_source_ip(gateway):
    make_account(password=GOOD_PASSWORD, state="SET")
    _, created = request(gateway, "POST", "/api/auth/captcha", b"", source="127.0.0.2")
    captcha_id = json.loads(created)["captcha_id"]
    _, answer = request(gateway, "GET", f"/api/dev/captcha/{captcha_id}")
    body = json.dumps(
        {
            "id_number": ZHANG,
            "password": "wrong-password-1",
            "captcha_id": captcha_id,
            "captcha_answer": json.loads(answer)["answer"],
        }
    ).encode()
    response, _ = request(gateway, "POST", "/api/auth/login", body, source="127.0.0.2")
    assert response.status == 401
    events = list(AuditEvent.query(pseudonym.of(ZHANG)))
    assert [e.source_ip for e in events if e.action == "login"] == ["127.0.0.2"]


def test_raw_bytes_reach_the_app_and_bad_json_is_a_400(gateway):
    response, payload = request(gateway, "POST", "/api/auth/login", b"\xff\xfe{not json")
    assert response.status == 400
    assert json.loads(payload)["error"]["code"] == "malformed_json"


def test_api_answers_keep_the_apps_headers_and_site_pages_get_the_sites(gateway):
    response, _ = request(gateway, "GET", "/api/openapi.json")
    assert response.status == 200
    assert response.getheader("Cache-Control") == "no-store"
    page, _ = request(gateway, "GET", "/")
    csp = page.getheader("Content-Security-Policy")
    assert page.status == 200 and page.getheader("Content-Type") == "text/html; charset=utf-8"
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert f"connect-src 'self' {S3_ORIGIN}" in csp


def test_unknown_api_route_is_refused_like_api_gateway(gateway):
    response, payload = request(gateway, "GET", "/api/no-such-route")
    assert response.status == 403
    assert json.loads(payload)["message"] == "Missing Authentication Token"


def test_site_files_only_answer_get_and_head(gateway):
    response, _ = request(gateway, "POST", "/index.html", b"x=1")
    assert response.status == 405
    head, body = request(gateway, "HEAD", "/index.html")
    assert head.status == 200 and body == b"" and int(head.getheader("Content-Length")) > 0
