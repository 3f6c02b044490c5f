"""E-mail: one interface, three providers (outbox locally, Amazon SES, SMTP where SES is absent).

MAIL_PROVIDER   outbox | ses | smtp
MAIL_FROM       sender address (default no-reply@<site domain>)
SMTP_HOST, SMTP_PORT (465, implicit TLS); credentials in the secret `smtp`
                (`{"username": ..., "password": ...}`; Secrets Manager outside local)
"""

from __future__ import annotations

import json
import os
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import urlparse

from .. import secrets_store, settings
from ..errors import TemporarilyUnavailable
from . import outbox

SEND_FAILED = "邮件发送失败，请稍后再试"
SMTP_TIMEOUT_S = 5


class MailSender(Protocol):
    def send(self, address: str, subject: str, text: str, code: str | None) -> None:
        """Deliver a plain-text message; `code` is the one-time code inside it (None otherwise)."""


def mail_from() -> str:
    if os.environ.get("MAIL_FROM"):
        return os.environ["MAIL_FROM"]
    host = urlparse(settings.site_origin()).hostname or "localhost"
    # dev.shebao.example.gov.cn sends as shebao.example.gov.cn (the verified SES identity).
    return "no-reply@" + (host.split(".", 1)[1] if host.count(".") > 3 else host)


class OutboxMail:
    def send(self, address: str, subject: str, text: str, code: str | None) -> None:
        del subject  # the outbox keeps the text and the code
        outbox.write(address, text, code)


class SesMail:
    def send(self, address: str, subject: str, text: str, code: str | None) -> None:
        del code  # the text carries it
        import boto3  # noqa: PLC0415 (boto3 only when mail is sent)

        boto3.client("ses", region_name=settings.region()).send_email(
            Source=mail_from(),
            Destination={"ToAddresses": [address]},
            Message={
                "Subject": {"Data": subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": text, "Charset": "UTF-8"}},
            },
        )


class SmtpMail:
    def send(self, address: str, subject: str, text: str, code: str | None) -> None:
        del code  # the text carries it
        import smtplib  # noqa: PLC0415 (only on stages that mail by SMTP)

        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = mail_from(), address, subject
        message.set_content(text)
        login = json.loads(secrets_store.get("smtp"))
        try:
            with smtplib.SMTP_SSL(
                os.environ["SMTP_HOST"], int(os.environ.get("SMTP_PORT", "465")), timeout=SMTP_TIMEOUT_S
            ) as smtp:
                smtp.login(login["username"], login["password"])
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporarilyUnavailable(SEND_FAILED, code="mail_unavailable") from exc


PROVIDERS: dict[str, type[MailSender]] = {"outbox": OutboxMail, "ses": SesMail, "smtp": SmtpMail}


def sender() -> MailSender:
    name = os.environ.get("MAIL_PROVIDER") or ("outbox" if settings.is_local() else "")
    if name not in PROVIDERS:
        raise RuntimeError(f"MAIL_PROVIDER {name!r} is not one of {', '.join(PROVIDERS)}")
    return PROVIDERS[name]()
