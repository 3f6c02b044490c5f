"""DynamoDB Local: the shared connection under parallel use (one botocore client for all threads)
and the captcha's single use enforced by a conditional delete."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from chalicelib.errors import BadInput
from chalicelib.services import captcha


def test_parallel_attempts_with_the_right_answer_use_a_captcha_once(tables):
    created = captcha.create()
    answer = captcha.peek(created["captcha_id"])

    def attempt(_: int) -> str:
        try:
            captcha.consume(created["captcha_id"], answer)
            return "ok"
        except BadInput as refused:
            return refused.code

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = sorted(pool.map(attempt, range(10)))
    assert outcomes == ["captcha_expired"] * 9 + ["ok"]
    assert captcha.peek(created["captcha_id"]) is None
