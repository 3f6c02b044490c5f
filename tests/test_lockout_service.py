"""The failed-sign-in counter is atomic and the lock follows from it (service level, moto)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from chalicelib import clock
from chalicelib.models.accounts import Account
from chalicelib.services import accounts

from .helpers import ZHANG, make_account


def test_twenty_parallel_failures_count_twenty(tables):
    make_account()
    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(lambda _: accounts.record_failure(ZHANG), range(20)))
    stored = Account.get(ZHANG)
    assert stored.failed_count == 20
    assert stored.locked_until > clock.now()


def test_fifth_failure_locks_for_fifteen_minutes(tables):
    make_account()
    counts = [accounts.record_failure(ZHANG) for _ in range(5)]
    assert counts == [1, 2, 3, 4, 5]
    account = Account.get(ZHANG)
    assert accounts.is_locked(account)
    clock.travel(15 * 60 + 1)
    assert not accounts.is_locked(account)


def test_failure_for_unknown_account_creates_nothing(tables):
    accounts.record_failure(ZHANG)
    assert Account.count() == 0


def test_reset_to_initial_forces_activation(tables):
    make_account(password="Shebao2026go", state="SET")
    accounts.reset_to_initial(ZHANG)
    assert Account.get(ZHANG).password_state == "INITIAL"
