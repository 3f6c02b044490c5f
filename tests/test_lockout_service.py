"""The password-check counter is a conditional reservation and the lock follows from it.

Service level on moto, one check after another: moto serialises requests, so a parallel burst
here proves nothing; the bursts run on DynamoDB Local (tests/integration/test_security_races.py)."""

from __future__ import annotations

from chalicelib.models.accounts import Account
from chalicelib.models.outbox import OutboxMessage
from chalicelib.services import accounts

from .helpers import GOOD_PASSWORD, ZHANG, ZHANG_PHONE, make_account


def test_sixth_check_in_the_window_is_refused_before_hashing(tables, monkeypatch, frozen_clock):
    account = make_account(password=GOOD_PASSWORD, state="SET")
    numbers = [accounts.reserve_password_check(ZHANG) for _ in range(5)]
    assert numbers == [1, 2, 3, 4, 5]
    hashed = []
    monkeypatch.setattr(accounts.passwords, "verify_password", lambda *a: hashed.append(a[0]) or True)
    assert accounts.check_password(Account.get(ZHANG), ZHANG, GOOD_PASSWORD) == "refused"
    assert account.password_hash not in hashed  # only the dummy hash ran, for the timing


def test_fifth_wrong_password_locks_for_fifteen_minutes_and_tells_the_owner(tables, frozen_clock):
    make_account(password=GOOD_PASSWORD, state="SET")
    outcomes = [accounts.check_password(Account.get(ZHANG), ZHANG, "Wrong2026pw") for _ in range(5)]
    assert outcomes == ["wrong"] * 4 + ["wrong_now_locked"]
    assert accounts.is_locked(Account.get(ZHANG))
    texts = [m.text for m in OutboxMessage.query(ZHANG_PHONE)]
    assert len(texts) == 1 and "锁定15分钟" in texts[0]
    assert accounts.check_password(Account.get(ZHANG), ZHANG, GOOD_PASSWORD) == "refused"
    frozen_clock.shift(15 * 60 - 1)
    assert accounts.check_password(Account.get(ZHANG), ZHANG, GOOD_PASSWORD) == "refused"
    frozen_clock.shift(1)
    assert accounts.check_password(Account.get(ZHANG), ZHANG, GOOD_PASSWORD) == "ok"
    assert Account.get(ZHANG).failed_count == 0


def test_right_password_gives_the_checks_back(tables, frozen_clock):
    make_account(password=GOOD_PASSWORD, state="SET")
    for _ in range(4):
        accounts.check_password(Account.get(ZHANG), ZHANG, "Wrong2026pw")
    assert accounts.check_password(Account.get(ZHANG), ZHANG, GOOD_PASSWORD) == "ok"
    assert accounts.check_password(Account.get(ZHANG), ZHANG, "Wrong2026pw") == "wrong"


def test_a_check_after_the_window_starts_counting_again(tables, frozen_clock):
    make_account()
    for _ in range(3):
        accounts.reserve_password_check(ZHANG)
    frozen_clock.shift(15 * 60)
    assert accounts.reserve_password_check(ZHANG) == 1


def test_check_for_unknown_account_is_refused_and_creates_nothing(tables):
    assert accounts.check_password(None, ZHANG, "Whatever2026") == "refused"
    assert Account.count() == 0


def test_reset_to_initial_forces_activation(tables):
    make_account(password="Shebao2026go", state="SET")
    accounts.reset_to_initial(ZHANG)
    assert Account.get(ZHANG).password_state == "INITIAL"


def test_a_usual_check_is_reserved_with_one_write_the_one_its_read_calls_for(
    tables, frozen_clock, monkeypatch
):
    make_account(password=GOOD_PASSWORD, state="SET")
    writes: list[str] = []
    original = Account.update

    def counted(self, *args, **kwargs):
        writes.append(self.id_number)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Account, "update", counted)
    assert accounts.reserve_password_check(ZHANG, Account.get(ZHANG)) == 1  # no window: one is opened
    assert len(writes) == 1
    assert accounts.reserve_password_check(ZHANG, Account.get(ZHANG)) == 2  # counted in the open window
    assert len(writes) == 2
    assert accounts.check_password(Account.get(ZHANG), ZHANG, GOOD_PASSWORD) == "ok"
    assert len(writes) == 4  # its reservation and the give-back


def test_after_a_stale_read_the_conditions_still_decide(tables, frozen_clock):
    make_account()
    before = Account.get(ZHANG)  # no window open yet
    assert accounts.reserve_password_check(ZHANG) == 1  # meanwhile another check opens one
    assert accounts.reserve_password_check(ZHANG, before) == 2  # not a second window of 1
    for _ in range(3):
        accounts.reserve_password_check(ZHANG)
    assert accounts.reserve_password_check(ZHANG, before) is None  # the sixth, whatever the read said
