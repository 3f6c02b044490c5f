"""The failed-sign-in counter and the lock that follows from it (service level, moto).

Only the counting logic is tested here, one failure after another: moto serialises requests, so
a parallel burst on moto proves nothing about DynamoDB's atomicity. The parallel bursts run on
DynamoDB Local (tests/integration/test_ddb_local.py)."""
from __future__ import annotations

from chalicelib import clock
from chalicelib.models.accounts import Account
from chalicelib.services import accounts

from .helpers import ZHANG, make_account


def test_each_failure_in_a_row_sees_its_own_count_and_the_lock_follows(tables, frozen_clock):
    make_account()
    counts = [accounts.record_failure(ZHANG) for _ in range(20)]
    assert counts == list(range(1, 21))
    stored = Account.get(ZHANG)
    assert stored.failed_count == 20
    assert stored.locked_until == int(clock.now()) + accounts.LOCK_DURATION_S


def test_fifth_failure_locks_for_fifteen_minutes(tables, frozen_clock):
    make_account()
    counts = [accounts.record_failure(ZHANG) for _ in range(accounts.LOCK_THRESHOLD)]
    assert counts == list(range(1, accounts.LOCK_THRESHOLD + 1))
    account = Account.get(ZHANG)
    assert accounts.is_locked(account)
    frozen_clock.shift(accounts.LOCK_DURATION_S - 1)
    assert accounts.is_locked(account)
    frozen_clock.shift(1)
    assert not accounts.is_locked(account)


def test_failures_below_the_threshold_do_not_lock(tables, frozen_clock):
    make_account()
    for _ in range(accounts.LOCK_THRESHOLD - 1):
        accounts.record_failure(ZHANG)
    assert not accounts.is_locked(Account.get(ZHANG))


def test_a_failure_after_the_window_starts_counting_again(tables, frozen_clock):
    make_account()
    for _ in range(3):
        accounts.record_failure(ZHANG)
    frozen_clock.shift(accounts.FAILURE_WINDOW_S)
    assert accounts.record_failure(ZHANG) == 1
    stored = Account.get(ZHANG)
    assert (stored.failed_count, stored.failed_window_start) == (1, int(clock.now()))


def test_failure_for_unknown_account_creates_nothing(tables):
    accounts.record_failure(ZHANG)
    assert Account.count() == 0


def test_reset_to_initial_forces_activation(tables):
    make_account(password="Shebao2026go", state="SET")
    accounts.reset_to_initial(ZHANG)
    assert Account.get(ZHANG).password_state == "INITIAL"
