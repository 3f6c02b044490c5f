"""chalicelib/models/base.py: one connection for every table, the client's time budget, conditions
refused by DynamoDB turned into domain errors, and `configure()` after import."""

from __future__ import annotations

from unittest import mock

import pytest
from botocore.exceptions import ClientError
from pynamodb.exceptions import PutError

from chalicelib import settings
from chalicelib.errors import Conflict
from chalicelib.models import base
from chalicelib.models.cards import Card
from chalicelib.models.registry import ALL_MODELS
from chalicelib.models.sessions import Session


def test_every_table_and_transaction_uses_the_one_shared_connection(tables):
    shared = base.connection()
    for model in ALL_MODELS:
        model.describe_table()  # a real request through the model's connection
        assert model._get_connection().connection is shared
    assert base.transaction()._connection is shared
    assert shared.session is base.session()


def test_client_budget_ends_a_request_well_within_ten_seconds(tables):
    config = base.connection().client.meta.config
    assert config.connect_timeout == settings.DDB_CONNECT_TIMEOUT_S
    assert config.read_timeout == settings.DDB_READ_TIMEOUT_S
    assert config.retries == {"mode": "standard", "total_max_attempts": settings.DDB_MAX_ATTEMPTS}
    assert settings.ddb_worst_case_s() <= 8


def _card(card_id: str = "C1") -> Card:
    return Card(
        id_number="110101199001011234",
        card_id=card_id,
        status="NORMAL",
        bank_code="ccb",
        created_at=1,
        status_changed_at=1,
    )


def test_refused_condition_becomes_the_given_domain_error(tables):
    _card().save()
    with pytest.raises(Conflict) as refused, base.on_condition_failed(Conflict("已存在", code="exists")):
        _card().save(condition=Card.card_id.does_not_exist())
    assert refused.value.code == "exists" and refused.value.__cause__ is None


def test_refused_transaction_becomes_the_error_the_callable_builds(tables):
    _card().save()
    built = []

    def error() -> Conflict:
        built.append(True)
        return Conflict("已存在", code="exists")

    with pytest.raises(Conflict), base.on_condition_failed(error), base.transaction() as tx:
        tx.save(_card(), condition=Card.card_id.does_not_exist())
        tx.save(_card("C2"), condition=Card.card_id.does_not_exist())
    assert built == [True]
    assert [c.card_id for c in Card.query("110101199001011234")] == ["C1"]


def test_other_storage_failures_are_not_mistaken_for_a_refused_condition(tables):
    throttled = ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "PutItem")
    with (
        mock.patch.object(base.connection().client, "_make_api_call", side_effect=throttled),
        pytest.raises(PutError) as failed,
        base.on_condition_failed(Conflict("不应出现")),
    ):
        _card().save(condition=Card.card_id.does_not_exist())
    assert failed.value.cause_response_code == "ThrottlingException"
    with pytest.raises(ValueError), base.on_condition_failed(Conflict("不应出现")):
        raise ValueError("not a storage error")


def test_configure_repoints_every_model_after_import(tables):
    try:
        base.configure(endpoint="http://127.0.0.1:9", region="eu-west-1", table_prefix="sbp-other-")
        assert Session.Meta.table_name == "sbp-other-sessions"
        assert all(m.Meta.table_name.startswith("sbp-other-") for m in ALL_MODELS)
        connection = Session._get_connection().connection
        assert connection is base.connection()
        assert (connection.host, connection.region) == ("http://127.0.0.1:9", "eu-west-1")
    finally:
        base.configure()
    assert Session.Meta.table_name == settings.table_name("sessions")
    assert Session._get_connection().connection.host == settings.ddb_endpoint()
    assert Session.describe_table()["TableName"] == settings.table_name("sessions")  # back on the test tables
