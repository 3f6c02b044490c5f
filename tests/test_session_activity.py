"""The session check reads once and records activity at most once a minute, with idle and
absolute expiry still enforced (frozen time, moto)."""

from __future__ import annotations

import pytest

from chalicelib import clock, settings
from chalicelib.errors import Unauthorized
from chalicelib.models.sessions import Session
from chalicelib.security import tokens
from chalicelib.services import auth, sessions

ZHANG = "371402198503142314"


def _stored_last_seen(token: str) -> int:
    return int(Session.get(tokens.digest(token), consistent_read=True).last_seen)


def test_a_check_within_a_minute_writes_nothing(tables, frozen_clock):
    token = sessions.create(ZHANG, "127.0.0.1")
    started = int(clock.now())
    clock.travel(settings.SESSION_TOUCH_INTERVAL_S - 1)
    current = sessions.authenticate(token)
    assert current.last_seen == started and _stored_last_seen(token) == started


def test_a_check_a_minute_later_records_the_activity(tables, frozen_clock):
    token = sessions.create(ZHANG, "127.0.0.1")
    clock.travel(settings.SESSION_TOUCH_INTERVAL_S)
    current = sessions.authenticate(token)
    assert current.last_seen == int(clock.now()) == _stored_last_seen(token)


def test_idle_expiry_counts_from_the_recorded_activity(tables, frozen_clock):
    token = sessions.create(ZHANG, "127.0.0.1")
    clock.travel(30)
    sessions.authenticate(token)  # not recorded: within the minute
    clock.travel(settings.IDLE_TIMEOUT_S - 30)
    sessions.authenticate(token)  # exactly at the idle limit of the recorded activity: still valid
    assert _stored_last_seen(token) == int(clock.now())
    clock.travel(settings.IDLE_TIMEOUT_S + 1)
    with pytest.raises(Unauthorized):
        sessions.authenticate(token)


def test_an_unrecorded_check_past_the_idle_limit_is_refused(tables, frozen_clock):
    token = sessions.create(ZHANG, "127.0.0.1")
    clock.travel(settings.IDLE_TIMEOUT_S + 1)
    with pytest.raises(Unauthorized):
        sessions.authenticate(token)


def test_absolute_expiry_holds_for_a_session_in_constant_use(tables, frozen_clock):
    token = sessions.create(ZHANG, "127.0.0.1")
    for _ in range(settings.ABSOLUTE_TIMEOUT_S // 600):
        clock.travel(600)
        sessions.authenticate(token)
    clock.travel(600)
    with pytest.raises(Unauthorized):
        sessions.authenticate(token)


def test_keepalive_records_even_within_the_minute(tables, frozen_clock):
    token = sessions.create(ZHANG, "127.0.0.1")
    clock.travel(10)
    answer = auth.keepalive(sessions.authenticate(token))
    assert _stored_last_seen(token) == int(clock.now())
    assert answer["idle_expires_at"] == int(clock.now()) + settings.IDLE_TIMEOUT_S


def test_a_revoked_session_is_refused_at_once(tables, frozen_clock):
    token = sessions.create(ZHANG, "127.0.0.1")
    sessions.revoke(tokens.digest(token))
    with pytest.raises(Unauthorized):
        sessions.authenticate(token)
