"""Sending one-time codes and notices by SMS or e-mail, through the stage's providers
(`chalicelib/messaging`: the outbox locally, SNS/SES in global regions, Tencent Cloud SMS and
SMTP in the China regions). The code is never stored in clear outside the local outbox."""

from __future__ import annotations

from .. import settings
from ..messaging import mail, sms
from ..messaging import outbox as outbox_table

MAIL_SUBJECT = "社保个人网上服务验证码"


def send(address: str, text: str, code: str | None = None) -> None:
    """`address` is an e-mail address (contains @) or a mainland phone number."""
    if "@" in address:
        mail.sender().send(address, MAIL_SUBJECT, text, code)
    else:
        sms.sender().send(address, text, code)


def outbox(address: str, limit: int = 20) -> list[dict]:
    """Local stage only: the newest messages sent to `address`."""
    if not settings.is_local():
        return []
    return outbox_table.read(address, limit)
