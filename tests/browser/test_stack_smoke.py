"""The local stack as a browser sees it: one origin with the site and the API, the security
headers on every answer, the 404 page, and a demo resident activated and signed in through the
real pages (tests/browser/flows.py)."""

from __future__ import annotations

import http.client
import re
import urllib.parse

from .flows import sign_in

LI_XIUYING = "37142519620708352X"


def test_stack_serves_the_site_with_the_content_security_policy(page, stack):
    response = page.goto(f"{stack.url}/")
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert page.locator("#login-form").is_visible()


def test_stack_serves_the_openapi_description_on_the_same_origin(page, stack):
    response = page.goto(f"{stack.url}/api/openapi.json")
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/json")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    paths = response.json()["paths"]
    assert "/api/auth/login" in paths and "/api/me" in paths


def test_stack_answers_a_missing_page_with_the_404_page(page, stack):
    response = page.goto(f"{stack.url}/no-such-page.html")
    assert response.status == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "object-src 'none'" in response.headers["content-security-policy"]


def test_stack_does_not_serve_files_outside_the_site(stack):
    parts = urllib.parse.urlsplit(stack.url)
    for raw_path in ("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/css/..%2f..%2f.chalice/config.json"):
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        connection.request("GET", raw_path)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        assert response.status == 404, raw_path
        assert b"root:" not in body and b"PSEUDONYM_KEY" not in body


def test_stack_serves_scripts_and_styles_with_their_content_types(page, stack):
    script = page.request.get(f"{stack.url}/js/common.js")
    style = page.request.get(f"{stack.url}/css/site.css")
    assert script.status == 200 and script.headers["content-type"].startswith("text/javascript")
    assert style.status == 200 and style.headers["content-type"].startswith("text/css")


def test_demo_resident_activates_and_signs_in_through_the_pages(page, stack):
    # Another browser test may have activated her already: then her password stays theirs.
    expected_password = stack.passwords.get(LI_XIUYING, "Lxy2026stack")
    sign_in(page, stack, LI_XIUYING, "Lxy2026stack")
    assert re.search(r"/home\.html$", page.url)
    me = page.request.get(f"{stack.url}/api/me")
    assert me.status == 200
    assert me.json()["name"] == "李秀英"
    assert me.json()["id_number_masked"] == "3714**********352X"
    assert stack.passwords[LI_XIUYING] == expected_password
