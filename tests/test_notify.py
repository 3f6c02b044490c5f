"""Codes go to the outbox only on the local stage; elsewhere through SNS (SMS) and SES (e-mail)."""
from __future__ import annotations

from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from chalicelib.models.outbox import OutboxMessage
from chalicelib.services import notify


def test_local_stage_writes_the_outbox(tables):
    notify.send("13800001111", "验证码123456", "123456")
    assert notify.outbox("13800001111")[0]["code"] == "123456"


def test_other_stages_send_sms_through_sns_and_store_nothing(tables, monkeypatch):
    monkeypatch.setenv("STAGE", "prod")
    notify.send("13800001111", "验证码654321", "654321")
    sent = sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sms_messages
    assert any(phone == "+8613800001111" and "654321" in text for phone, text, *_ in sent.values())
    assert OutboxMessage.count("13800001111") == 0
