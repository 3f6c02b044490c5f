"""PRODUCT.md section 8 under parallel bursts on DynamoDB Local (moto serialises requests and
would hide these races): threads wait on a barrier and fire at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from chalicelib import clock
from chalicelib.errors import BadInput, Gone, TooManyRequests, Unauthorized
from chalicelib.models.accounts import Account
from chalicelib.models.codes import OneTimeCode
from chalicelib.models.outbox import OutboxMessage
from chalicelib.security import passwords
from chalicelib.services import accounts, auth, captcha, codes

from ..helpers import GOOD_PASSWORD, ZHANG, ZHANG_PHONE, make_account

MESSAGE = "验证码{code}"


def burst(count: int, action: Callable[[int], Any]) -> list[str]:
    """Run action(0..count-1) in `count` threads released together; each outcome as a word."""
    barrier = threading.Barrier(count)

    def run(index: int) -> str:
        barrier.wait()
        try:
            action(index)
            return "ok"
        except (BadInput, Gone, TooManyRequests, Unauthorized) as exc:
            return exc.code

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def sent_codes(address: str) -> list[str]:
    return [m.code for m in OutboxMessage.query(address) if m.code]


def open_flow(round_no: int) -> tuple[str, str, str]:
    """An activation flow with a code sent to a phone of its own: (token, code, phone)."""
    phone = f"1390000{round_no:04d}"
    token = codes.start(
        "activation", f"ID{round_no}", send_to=phone, message=MESSAGE, ip=f"198.51.100.{round_no}"
    )
    return token, sent_codes(phone)[0], phone


def wrong_code(right: str, index: int) -> str:
    guess = f"{(int(right) + 1 + index) % 1_000_000:06d}"
    return guess if guess != right else f"{(int(right) + 999_999) % 1_000_000:06d}"


def attempts_of(token: str) -> int:
    return OneTimeCode.get(codes._key("activation", token), consistent_read=True).attempts


def test_twenty_parallel_checks_with_the_right_code_among_them_check_at_most_five(tables):
    for round_no in range(4):
        token, right, _ = open_flow(round_no)
        flow = codes.load("activation", token)
        outcomes = burst(
            20,
            lambda i, flow=flow, right=right: codes.check_code(
                flow, right if i == 13 else wrong_code(right, i)
            ),
        )
        checked = outcomes.count("ok") + outcomes.count("code_wrong")
        assert outcomes.count("ok") <= 1 and checked <= 5, outcomes
        assert attempts_of(token) <= 5
        assert set(outcomes) <= {"ok", "code_wrong", "flow_expired"}


def test_forty_parallel_wrong_codes_are_five_checks(tables):
    token, right, _ = open_flow(0)
    flow = codes.load("activation", token)
    outcomes = burst(40, lambda i: codes.check_code(flow, wrong_code(right, i)))
    assert outcomes.count("code_wrong") == 4 and outcomes.count("flow_expired") == 36
    assert attempts_of(token) == 5
    outcome = burst(1, lambda _: codes.check_code(flow, right))
    assert outcome == ["flow_expired"]  # the 6th check, even with the right code


def test_two_parallel_right_codes_are_accepted_once(tables):
    token, right, _ = open_flow(0)
    flow = codes.load("activation", token)
    outcomes = burst(10, lambda _: codes.check_code(flow, right))
    assert outcomes.count("ok") == 1


def test_wrong_guesses_racing_the_right_one_never_revive_the_used_flow(tables):
    for round_no in range(3):
        token, right, _ = open_flow(round_no)
        flow = codes.load("activation", token)

        def use(index: int, flow: OneTimeCode = flow, right: str = right) -> None:
            codes.check_code(flow, right if index == 0 else wrong_code(right, index))
            codes.consume(flow)

        outcomes = burst(12, use)
        assert outcomes.count("ok") <= 1
        if outcomes.count("ok"):
            assert burst(1, lambda _, token=token: codes.load("activation", token)) == ["flow_expired"]
            assert all(item.expires_at for item in OneTimeCode.scan())  # nothing rewritten without expiry
            assert codes._key("activation", token) not in {i.code_key for i in OneTimeCode.scan()}


def test_twenty_parallel_resends_send_one_code_and_keep_the_attempts(tables):
    token = codes.start("reset", ZHANG, data={"real": True})
    flow = codes.load("reset", token)
    outcomes = burst(20, lambda i: codes.resend(flow, ZHANG_PHONE, MESSAGE, ip="198.51.100.7"))
    assert outcomes.count("ok") == 1 and outcomes.count("rate_limited") == 19
    assert len(sent_codes(ZHANG_PHONE)) == 1
    assert OneTimeCode.get(codes._key("reset", token)).attempts == 0


def test_twenty_parallel_contact_changes_to_one_number_send_one_sms(tables):
    target = "13912345678"
    outcomes = burst(
        20,
        lambda i: codes.start(
            "contact",
            f"ID{i}",
            data={"field": "phone", "value": target},
            send_to=target,
            message=MESSAGE,
            ip=f"203.0.113.{i}",
        ),
    )
    assert outcomes.count("ok") == 1
    assert len(sent_codes(target)) == 1


def test_one_source_address_sends_thirty_codes_an_hour_whatever_the_burst(tables):
    clock.travel(3600 - clock.now() % 3600 + 5)  # not across an hour boundary mid-burst
    outcomes = burst(40, lambda i: codes.check_send_limits(f"1380000{i:04d}", f"ID{i}", "192.0.2.99"))
    assert outcomes.count("ok") == 30 and outcomes.count("rate_limited") == 10


def test_nineteen_parallel_wrong_passwords_check_at_most_five(tables, monkeypatch):
    account = make_account(password=GOOD_PASSWORD, state="SET")
    real_hash_checks = []
    original = passwords.verify_password

    def counting(password_hash: str, password: str) -> bool:
        if password_hash == account.password_hash:
            real_hash_checks.append(password)
        return original(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", counting)
    pairs = []
    for _ in range(20):
        created = captcha.create()
        pairs.append((created["captcha_id"], captcha.peek(created["captcha_id"])))
    outcomes = burst(19, lambda i: auth.login(ZHANG, f"Wrong{i}pass", *pairs[i], "192.0.2.10"))
    assert outcomes == ["bad_credentials"] * 19
    assert len(real_hash_checks) == 5
    assert accounts.is_locked(Account.get(ZHANG, consistent_read=True))
    lock_messages = [m for m in OutboxMessage.query(ZHANG_PHONE) if "锁定" in m.text]
    assert len(lock_messages) == 1
    # Locked: even the right password is refused, without the real hash being looked at.
    assert burst(1, lambda _: auth.login(ZHANG, GOOD_PASSWORD, *pairs[19], "192.0.2.10")) == [
        "bad_credentials"
    ]
    assert len(real_hash_checks) == 5


def test_a_flow_without_a_code_counts_checks_and_accepts_none(tables):
    token = codes.start("reset", ZHANG, data={"real": True})
    flow = codes.load("reset", token)
    outcomes = burst(8, lambda i: codes.check_code(flow, f"{i:06d}"))
    assert outcomes.count("code_wrong") == 4 and outcomes.count("flow_expired") == 4
