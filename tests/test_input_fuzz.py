"""Fuzz of nesting, sizes and path lengths through the API (moto): no input gives a 500
(PRODUCT.md section 8). Inputs come from a seeded generator (the seed is in the test id, so a
failure replays exactly); every answer must be below 500 and errors in the JSON error shape."""

from __future__ import annotations

import json
import random
from urllib.parse import quote

import pytest

from .helpers import XHR, signed_in

CASES = 40
UNAUTHENTICATED_POSTS = [
    "/api/auth/login",
    "/api/auth/activate",
    "/api/auth/forgot/start",
    "/api/auth/forgot/send-code",
    "/api/auth/forgot/complete",
    "/api/banks/ccb/notifications",
]
SIGNED_IN_ROUTES = [
    ("GET", "/api/card/applications/{}"),
    ("POST", "/api/card/applications/{}/bank"),
    ("GET", "/api/payments/orders/{}"),
    ("POST", "/api/payments/orders/{}/cancel"),
    ("GET", "/api/certificates/{}/download"),
    ("GET", "/api/certificates/verify/{}"),
    ("GET", "/api/insurance/{}/contributions"),
]
LEAVES = ['"x"', "1", "null", '"[[[{{{"', "[]", "{}", '"\\"]]"']
FILLERS = ["a", "中", "\\u0000", " ", "\\\\", "["]
PATH_ALPHABET = "AZaz09_-.~中/%?#&=+ \\\"'<>{}[]\x00\n"


@pytest.fixture(scope="module")
def fuzz_client(aws):
    """One client and one signed-in resident for all cases of the module."""
    from chalice.test import Client

    import app as app_module
    from tests.conftest import ROOT, clear_tables

    clear_tables()
    with Client(app_module.app, stage_name="local", project_dir=str(ROOT)) as client:
        yield client, signed_in(client)
    clear_tables()


def assert_no_server_error(response) -> None:
    assert response.status_code < 500, (response.status_code, response.body[:200])
    if response.status_code >= 400:
        assert "error" in json.loads(response.body)


def nested_body(rng: random.Random) -> tuple[str, int]:
    depth = rng.choice([0, 1, 31, 32, 33, rng.randint(0, 3000)])
    text = rng.choice(LEAVES)
    for _ in range(depth):
        text = f"[{text}]" if rng.random() < 0.5 else '{"k": ' + text + "}"
    return '{"id_number": ' + text + "}", depth + 1


@pytest.mark.parametrize("seed", range(CASES))
def test_any_nesting_gives_no_500(fuzz_client, seed):
    client, _ = fuzz_client
    rng = random.Random(seed)
    body, depth = nested_body(rng)
    response = client.http.post(rng.choice(UNAUTHENTICATED_POSTS), headers=XHR, body=body)
    assert_no_server_error(response)
    if depth > 32:
        assert response.status_code in (400, 401, 404, 413)


@pytest.mark.parametrize("seed", range(CASES))
def test_any_size_gives_no_500(fuzz_client, seed):
    client, _ = fuzz_client
    rng = random.Random(1000 + seed)
    size = rng.choice([0, 64 * 1024 - 20, 64 * 1024, 64 * 1024 + 1, rng.randint(0, 200 * 1024)])
    filler = rng.choice(FILLERS)
    body = '{"id_number": "' + filler * (size // len(filler.encode())) + '"}'
    response = client.http.post(rng.choice(UNAUTHENTICATED_POSTS), headers=XHR, body=body)
    assert_no_server_error(response)
    if len(body.encode()) > 64 * 1024:
        assert response.status_code == 413


@pytest.mark.parametrize("seed", range(CASES))
def test_any_path_identifier_gives_no_500(fuzz_client, seed):
    client, cookie = fuzz_client
    rng = random.Random(2000 + seed)
    length = rng.choice([1, 19, 20, 32, 33, 64, 65, 1025, rng.randint(1, 3000)])
    value = "".join(rng.choice(PATH_ALPHABET) for _ in range(length))
    method, template = rng.choice(SIGNED_IN_ROUTES)
    response = client.http.request(
        method,
        template.format(quote(value, safe="")),
        headers=dict(XHR, Cookie=cookie),
        body=b"{}" if method == "POST" else b"",
    )
    assert_no_server_error(response)
    if length > 64:
        assert response.status_code in (400, 404)
