"""No enumeration by answer time (PRODUCT.md section 8): unknown ID number, wrong password and
locked account, measured on DynamoDB Local as a benchmark — medians over dozens of interleaved
tries, printed, and compared with a tolerance meant to catch a skipped hash or a skipped
storage call (tens of ms), not scheduler noise."""

from __future__ import annotations

import statistics
import time

from chalicelib.errors import Unauthorized
from chalicelib.security import passwords
from chalicelib.services import accounts, auth, captcha

from ..helpers import GOOD_PASSWORD, make_account

KNOWN, LOCKED, UNKNOWN = "371402198503142314", "110101199003077774", "371403195501011110"
TRIES = 41


def answer_time(id_number: str, password: str, index: int) -> tuple[float, dict]:
    created = captcha.create()
    answer = captcha.peek(created["captcha_id"])
    started = time.perf_counter()
    try:
        auth.login(id_number, password, created["captcha_id"], answer, f"192.0.2.{index % 200}")
    except Unauthorized as exc:
        elapsed = time.perf_counter() - started
        return elapsed, {"status": exc.status, "code": exc.code, "message": exc.message}
    raise AssertionError("signed in with a wrong password")


def test_unknown_wrong_and_locked_take_the_same_time(tables):
    make_account(KNOWN, password=GOOD_PASSWORD, state="SET")
    make_account(LOCKED, password=GOOD_PASSWORD, state="SET", phone="13800002222")
    for _ in range(accounts.max_password_checks()):
        accounts.check_password(accounts.find(LOCKED), LOCKED, "Wrong2026pw")
    assert accounts.is_locked(accounts.find(LOCKED))
    passwords.burn_time("warm-up")  # the dummy hash is made once per process
    times: dict[str, list[float]] = {"unknown": [], "wrong": [], "locked": []}
    bodies = set()
    for index in range(TRIES):
        cases = [("unknown", UNKNOWN), ("wrong", KNOWN), ("locked", LOCKED)]
        for name, number in cases[index % 3 :] + cases[: index % 3]:  # no case always first
            elapsed, body = answer_time(number, "Wrong2026pw", index)
            times[name].append(elapsed)
            bodies.add(tuple(sorted(body.items())))
        accounts.clear_failures(KNOWN)  # keep the known account below its limit
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    shown = ", ".join(f"{name} {value:.1f}" for name, value in medians.items())
    print(f"\nsign-in answer medians (ms, {TRIES} tries each): {shown}")
    assert len(bodies) == 1  # one status and body for the three
    spread = max(medians.values()) - min(medians.values())
    assert spread < max(30.0, 0.3 * min(medians.values())), medians  # one skipped argon2 verify: ~50 ms here
