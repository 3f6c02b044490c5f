"""SMS: one interface, three providers (outbox locally, Amazon SNS, Tencent Cloud SMS)."""

from __future__ import annotations

import os
from typing import Protocol

from .. import settings
from . import outbox

# Mainland numbers are stored without the country code.
COUNTRY_PREFIX = "+86"
SEND_FAILED = "短信发送失败，请稍后再试"


class SmsSender(Protocol):
    def send(self, phone: str, text: str, code: str | None) -> None:
        """Deliver `text` to `phone`; `code` is the one-time code inside it (None for notices)."""


class OutboxSms:
    def send(self, phone: str, text: str, code: str | None) -> None:
        outbox.write(phone, text, code)


class SnsSms:
    """Amazon SNS direct publish to a phone number (global regions only)."""

    def send(self, phone: str, text: str, code: str | None) -> None:
        del code  # the text carries it
        import boto3  # noqa: PLC0415 (boto3 only when an SMS is sent)

        boto3.client("sns", region_name=settings.region()).publish(
            PhoneNumber=COUNTRY_PREFIX + phone,
            Message=text,
            MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
        )


PROVIDERS: dict[str, type[SmsSender]] = {"outbox": OutboxSms, "sns": SnsSms}


def provider_name() -> str:
    """SMS_PROVIDER from the stage's environment; the outbox only on the local stage."""
    name = os.environ.get("SMS_PROVIDER") or ("outbox" if settings.is_local() else "")
    if not name:
        raise RuntimeError(f"SMS_PROVIDER is not set for stage {settings.stage()!r}")
    return name


def sender() -> SmsSender:
    name = provider_name()
    if name == "tencent":
        from .tencent_sms import TencentSms  # noqa: PLC0415 (its SDK only on China stages)

        return TencentSms.from_environment()
    if name not in PROVIDERS:
        raise RuntimeError(f"unknown SMS_PROVIDER {name!r}")
    return PROVIDERS[name]()
