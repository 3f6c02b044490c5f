"""SMS and e-mail providers: the real Tencent Cloud SDK against the local simulator of its API
(signed requests checked there), SNS on global stages, the outbox only locally."""

from __future__ import annotations

import json

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from chalicelib.errors import TemporarilyUnavailable
from chalicelib.messaging import sms
from chalicelib.services import notify
from infra.sms_simulator import SmsAccount, SmsSimulator

SECRET_ID, SECRET_KEY = "AKIDsimulatedsecretid0000000000", "simulated-secret-key-not-real"


@pytest.fixture
def simulator():
    sim = SmsSimulator(SmsAccount(SECRET_ID, SECRET_KEY))
    url = sim.start()
    yield sim, url
    sim.stop()


@pytest.fixture
def tencent_stage(monkeypatch, simulator):
    """A China stage's SMS settings, with the provider's endpoint pointed at the simulator."""
    sim, url = simulator
    monkeypatch.setenv("SMS_PROVIDER", "tencent")
    monkeypatch.setenv("TENCENT_SMS_ENDPOINT", url)
    monkeypatch.setenv("TENCENT_SMS_APP_ID", sim.account.app_id)
    monkeypatch.setenv("TENCENT_SMS_SIGN_NAME", sim.account.sign_name)
    monkeypatch.setenv("TENCENT_SMS_CODE_TEMPLATE_ID", "100001")
    monkeypatch.setenv("TENCENT_SMS_NOTICE_TEMPLATE_ID", "100002")
    monkeypatch.setenv("TENCENT_SMS", json.dumps({"secret_id": SECRET_ID, "secret_key": SECRET_KEY}))
    return sim


def test_code_goes_through_the_tencent_sdk_signed_and_accepted_by_the_simulator(tables, tencent_stage):
    notify.send("13800001111", "验证码123456，5分钟内有效", "123456")
    assert tencent_stage.rejected == []
    [sent] = tencent_stage.sent
    assert sent["phone"] == "+8613800001111"
    assert sent["template_id"] == "100001" and sent["params"] == ["123456", "5"]
    assert sent["region"] == "ap-guangzhou"
    from chalicelib.models.outbox import OutboxMessage

    assert OutboxMessage.count("13800001111") == 0


def test_a_notice_without_code_uses_the_notice_template(tables, tencent_stage):
    notify.send("13800002222", "您的账户已被临时锁定", None)
    [sent] = tencent_stage.sent
    assert sent["template_id"] == "100002" and sent["params"] == []


def test_wrong_secret_key_is_refused_by_the_simulator_and_becomes_503(tables, tencent_stage, monkeypatch):
    monkeypatch.setenv("TENCENT_SMS", json.dumps({"secret_id": SECRET_ID, "secret_key": "not-the-key"}))
    with pytest.raises(TemporarilyUnavailable):
        notify.send("13800001111", "验证码123456", "123456")
    assert tencent_stage.rejected == ["AuthFailure.SignatureFailure"] and tencent_stage.sent == []


def test_simulator_refuses_a_tampered_body_even_with_the_original_signature(simulator):
    """A request signed by the SDK is accepted once as signed, refused with another phone number."""
    from tencentcloud.common import credential
    from tencentcloud.common.http.request import RequestInternal
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.sms.v20210111 import sms_client

    sim, _ = simulator
    client = sms_client.SmsClient(
        credential.Credential(SECRET_ID, SECRET_KEY),
        "ap-guangzhou",
        ClientProfile(httpProfile=HttpProfile(endpoint="127.0.0.1:1")),
    )
    req = RequestInternal("127.0.0.1:1", "POST", "/")
    body = {
        "SmsSdkAppId": sim.account.app_id,
        "SignName": sim.account.sign_name,
        "TemplateId": "100001",
        "TemplateParamSet": ["123456", "5"],
        "PhoneNumberSet": ["+8613800001111"],
    }
    client._build_req_with_tc3_signature("SendSms", body, req)  # the SDK's own signing, not sent
    headers = {k.lower(): v for k, v in req.header.items()}
    assert sim.handle("POST", "/", headers, req.data.encode())["Response"]["SendStatusSet"][0]["Code"] == "Ok"
    tampered = req.data.replace("+8613800001111", "+8613900009999").encode()
    answer = sim.handle("POST", "/", headers, tampered)
    assert answer["Response"]["Error"]["Code"] == "AuthFailure.SignatureFailure"
    assert [s["phone"] for s in sim.sent] == ["+8613800001111"]


def test_global_stages_send_sms_through_sns_and_store_nothing(tables, monkeypatch):
    monkeypatch.setenv("STAGE", "dev")
    monkeypatch.setenv("SMS_PROVIDER", "sns")
    notify.send("13800001111", "验证码654321", "654321")
    sent = sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sms_messages
    assert any(phone == "+8613800001111" and "654321" in text for phone, text, *_ in sent.values())
    assert notify.outbox("13800001111") == []


def test_a_deployed_stage_without_a_provider_refuses_to_fall_back_to_the_outbox(monkeypatch):
    monkeypatch.setenv("STAGE", "prod")
    monkeypatch.delenv("SMS_PROVIDER", raising=False)
    with pytest.raises(RuntimeError):
        sms.sender()


def test_local_stage_writes_the_outbox(tables, monkeypatch):
    monkeypatch.delenv("SMS_PROVIDER", raising=False)
    notify.send("13800001111", "验证码123456", "123456")
    assert notify.outbox("13800001111")[0]["code"] == "123456"
