"""Sending one-time codes by SMS or e-mail.

Local stage: written to the outbox table (read by `GET /api/dev/outbox`). Other stages: SMS
through Amazon SNS, e-mail through Amazon SES; the code is never stored in clear there.
"""
from __future__ import annotations

import os
import secrets

from .. import clock, settings
from ..models.outbox import OutboxMessage


def send(address: str, text: str, code: str | None = None) -> None:
    if settings.is_local():
        now = clock.now()
        OutboxMessage(address=address, sent_at_id=f"{int(now * 1000):013d}#{secrets.token_hex(3)}",
                      text=text, code=code, sent_at=int(now)).save()
        return
    import boto3
    if "@" in address:
        boto3.client("ses", region_name=settings.region()).send_email(
            Source=os.environ.get("MAIL_FROM", "no-reply@shebao.example.gov.cn"),
            Destination={"ToAddresses": [address]},
            Message={"Subject": {"Data": "社保个人网上服务验证码", "Charset": "UTF-8"},
                     "Body": {"Text": {"Data": text, "Charset": "UTF-8"}}})
    else:
        boto3.client("sns", region_name=settings.region()).publish(
            PhoneNumber="+86" + address, Message=text)


def outbox(address: str, limit: int = 20) -> list[dict]:
    """Local stage only: the newest messages sent to `address`."""
    messages = OutboxMessage.query(address, scan_index_forward=False, limit=limit)
    return [{"text": m.text, "code": m.code, "sent_at": m.sent_at} for m in messages]
