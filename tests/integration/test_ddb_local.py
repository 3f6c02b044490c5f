"""The repository code against AWS DynamoDB Local: the conditional updates, atomic counters and
single-use deletes that moto might get more lenient than DynamoDB. Same services, same API, no
moto (see conftest.py)."""

from __future__ import annotations

import pytest

from chalicelib import clock, settings
from chalicelib.errors import BadInput, Unauthorized
from chalicelib.models.accounts import Account
from chalicelib.models.audit import AuditEvent
from chalicelib.models.base import BaseMeta
from chalicelib.models.contributions import Contribution
from chalicelib.models.registry import ALL_MODELS, create_missing_tables
from chalicelib.models.sessions import Session
from chalicelib.services import captcha, sessions

from ..helpers import (
    GOOD_PASSWORD,
    ZHANG,
    ZHANG_PHONE,
    cookie_from,
    get,
    last_code,
    login,
    make_account,
    post,
)


def test_models_talk_to_dynamodb_local(ddb_endpoint, tables):
    assert BaseMeta.host == ddb_endpoint
    assert Account.Meta.host == ddb_endpoint


def test_create_missing_tables_is_idempotent(tables):
    assert create_missing_tables() == []
    for model in ALL_MODELS:
        assert model.describe_table()["TableStatus"] == "ACTIVE"
    indexes = {index["IndexName"] for index in Session.describe_table().get("GlobalSecondaryIndexes", [])}
    assert "by_person" in indexes


def test_session_expires_after_idle_time(tables, frozen_clock):
    token = sessions.create(ZHANG, "127.0.0.1")
    frozen_clock.shift(settings.IDLE_TIMEOUT_S - 60)
    current = sessions.authenticate(token)
    assert current.last_seen == int(clock.now())
    frozen_clock.shift(settings.IDLE_TIMEOUT_S + 1)
    with pytest.raises(Unauthorized):
        sessions.authenticate(token)


def test_session_expires_at_the_absolute_limit_even_when_active(tables, frozen_clock):
    token = sessions.create(ZHANG, "127.0.0.1")
    step = settings.IDLE_TIMEOUT_S - 60
    elapsed = 0
    while elapsed + step < settings.ABSOLUTE_TIMEOUT_S:
        frozen_clock.shift(step)
        elapsed += step
        sessions.authenticate(token)
    frozen_clock.shift(step)
    with pytest.raises(Unauthorized):
        sessions.authenticate(token)


def test_captcha_is_single_use(tables):
    created = captcha.create()
    answer = captcha.peek(created["captcha_id"])
    captcha.consume(created["captcha_id"], answer.lower())
    with pytest.raises(BadInput) as second:
        captcha.consume(created["captcha_id"], answer)
    assert second.value.code == "captcha_expired"


def test_wrong_captcha_answer_burns_the_captcha(tables):
    created = captcha.create()
    answer = captcha.peek(created["captcha_id"])
    with pytest.raises(BadInput) as wrong:
        captcha.consume(created["captcha_id"], "????")
    assert wrong.value.code == "captcha_wrong"
    assert captcha.peek(created["captcha_id"]) is None
    with pytest.raises(BadInput):
        captcha.consume(created["captcha_id"], answer)


def test_activation_through_the_api_sets_the_password_once(client):
    make_account()
    token = login(client, password="888888").json_body["activation_token"]
    code = last_code(client, ZHANG_PHONE)
    body = {"activation_token": token, "sms_code": code, "new_password": GOOD_PASSWORD}
    first = post(client, "/api/auth/activate", body)
    assert first.status_code == 200, first.json_body
    assert get(client, "/api/me", cookie=cookie_from(first)).status_code == 200
    assert Account.get(ZHANG).password_state == "SET"
    again = post(client, "/api/auth/activate", dict(body, new_password="Another2026pw"))
    assert again.status_code == 410
    assert login(client, password=GOOD_PASSWORD).json_body["status"] == "ok"


def test_logout_kills_the_session_on_the_server(client):
    make_account(password=GOOD_PASSWORD, state="SET")
    cookie = cookie_from(login(client))
    assert post(client, "/api/auth/logout", cookie=cookie).status_code == 200
    assert get(client, "/api/me", cookie=cookie).status_code == 401
    assert Session.count() == 0


def test_demo_seed_is_idempotent_and_year_queries_work(tables):
    from infra.seed import seed_all
    from infra.seed.contributions import history_for
    from infra.seed.residents import by_name

    def counts():  # the audit table is a log, not data
        return {m.Meta.table_name: sum(1 for _ in m.scan()) for m in ALL_MODELS if m is not AuditEvent}

    seed_all()
    first = counts()
    again = seed_all()
    assert counts() == first
    assert set(again["contributions"].values()) == {0}
    assert first[Contribution.Meta.table_name] == sum(
        len(history_for(by_name(n))) for n in ("张伟", "李秀英", "王芳", "刘强", "赵敏")
    )
    year_2020 = list(Contribution.query(f"{ZHANG}#110", Contribution.period.between("202001", "202012")))
    assert [row.period for row in year_2020] == [f"2020{m:02d}" for m in range(1, 13)]
