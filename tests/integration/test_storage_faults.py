"""Bounded failure (PRODUCT.md section 8): DynamoDB Local paused with SIGSTOP must give
503 temporarily_unavailable with Retry-After within 10 s, never a 500 or a hang."""

from __future__ import annotations

import os
import signal
import time
from contextlib import contextmanager

from chalicelib.models.captchas import Captcha

from ..helpers import get, post, signed_in

BUDGET_S = 10


@contextmanager
def paused(server):
    os.kill(server.process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(server.process.pid, signal.SIGCONT)


def timed(call):
    started = time.monotonic()
    answer = call()
    return answer, time.monotonic() - started


def test_signed_in_request_while_storage_hangs_is_a_503_within_ten_seconds(client, ddb_server):
    cookie = signed_in(client)
    with paused(ddb_server):
        answer, elapsed = timed(lambda: get(client, "/api/me", cookie))
    print(f"\n/api/me with DynamoDB paused: {answer.status_code} after {elapsed:.1f} s")
    assert answer.status_code == 503, answer.json_body
    assert answer.json_body["error"]["code"] == "temporarily_unavailable"
    assert int(answer.headers["Retry-After"]) >= 1
    assert elapsed < BUDGET_S
    assert get(client, "/api/me", cookie).status_code == 200  # back once it resumes


def test_write_while_storage_hangs_is_a_503_within_ten_seconds(client, ddb_server):
    before = Captcha.count()
    with paused(ddb_server):
        answer, elapsed = timed(lambda: post(client, "/api/auth/captcha"))
    print(f"\ncaptcha with DynamoDB paused: {answer.status_code} after {elapsed:.1f} s")
    assert answer.status_code == 503 and elapsed < BUDGET_S
    assert "captcha_id" not in answer.json_body
    assert Captcha.count() <= before + 1
