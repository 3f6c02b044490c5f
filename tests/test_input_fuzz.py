"""Fuzz of nesting, sizes and path lengths through the API (moto): no input gives a 500
(PRODUCT.md section 8). Hypothesis picks the inputs; every answer must be a 4xx/2xx JSON error
shape, never a 5xx."""
from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from .helpers import XHR, signed_in

FUZZ = settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
UNAUTHENTICATED_POSTS = ["/api/auth/login", "/api/auth/activate", "/api/auth/forgot/start",
                         "/api/auth/forgot/send-code", "/api/auth/forgot/complete", "/api/banks/ccb/notifications"]
SIGNED_IN_ROUTES = [("GET", "/api/card/applications/{}"), ("POST", "/api/card/applications/{}/bank"),
                    ("GET", "/api/payments/orders/{}"), ("POST", "/api/payments/orders/{}/cancel"),
                    ("GET", "/api/certificates/{}/download"), ("GET", "/api/certificates/verify/{}"),
                    ("GET", "/api/insurance/{}/contributions")]


@pytest.fixture(scope="module")
def fuzz_client(aws):
    """One client and one signed-in resident for all examples (tables are not cleared between)."""
    from chalice.test import Client

    import app as app_module
    from tests.conftest import ROOT, clear_tables
    clear_tables()
    with Client(app_module.app, stage_name="local", project_dir=str(ROOT)) as client:
        yield client, signed_in(client)
    clear_tables()


def nested(kinds: list[bool], leaf: str) -> str:
    text = leaf
    for is_list in reversed(kinds):
        text = f"[{text}]" if is_list else '{"k": ' + text + "}"
    return '{"id_number": ' + text + "}"


def assert_no_server_error(response) -> None:
    assert response.status_code < 500, (response.status_code, response.body[:200])
    if response.status_code >= 400:
        assert "error" in json.loads(response.body)


@FUZZ
@given(kinds=st.lists(st.booleans(), min_size=0, max_size=3000),
       leaf=st.sampled_from(['"x"', "1", "null", '"[[[{{{"', "[]", "{}"]),
       path=st.sampled_from(UNAUTHENTICATED_POSTS))
def test_any_nesting_gives_no_500(fuzz_client, kinds, leaf, path):
    client, _ = fuzz_client
    response = client.http.post(path, headers=XHR, body=nested(kinds, leaf))
    assert_no_server_error(response)
    if len(kinds) + 1 > 32:
        assert response.status_code in (400, 401, 404, 413)


@FUZZ
@given(size=st.integers(min_value=0, max_value=200 * 1024), filler=st.sampled_from(["a", "中", "\\u0000", " "]),
       path=st.sampled_from(UNAUTHENTICATED_POSTS))
def test_any_size_gives_no_500(fuzz_client, size, filler, path):
    client, _ = fuzz_client
    body = '{"id_number": "' + filler * (size // max(1, len(filler.encode()))) + '"}'
    response = client.http.post(path, headers=XHR, body=body)
    assert_no_server_error(response)
    if len(body.encode()) > 64 * 1024:
        assert response.status_code == 413


@FUZZ
@given(value=st.text(min_size=1, max_size=3000), route=st.sampled_from(SIGNED_IN_ROUTES))
def test_any_path_identifier_gives_no_500(fuzz_client, value, route):
    client, cookie = fuzz_client
    method, template = route
    path = template.format(quote(value, safe=""))
    headers = dict(XHR, Cookie=cookie)
    response = client.http.request(method, path, headers=headers, body=b"{}" if method == "POST" else b"")
    assert_no_server_error(response)
    if len(value) > 64:
        assert response.status_code in (400, 404)
