"""Account settings and personal information: requests and answers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from . import Model, OptionalText, Text
from .auth import SessionTiming


class ChangePasswordBody(Model):
    old_password: Text
    new_password: Text


class PasswordChanged(Model):
    status: str
    other_sessions_ended: int


class Protection(Model):
    questions: list[str]
    choices: list[str] | None = None


class QuestionAnswer(Model):
    question: OptionalText | None = None
    answer: OptionalText | None = None


class ProtectionBody(Model):
    password: Text
    questions: Annotated[list[QuestionAnswer], msgspec.Meta(max_length=8)] | None = None


class ProtectionSet(Model):
    status: str
    questions: list[str]


class ContactBody(Model):
    field: Literal["phone", "email"]
    value: Text


class ContactChangeStarted(Model):
    change_id: str
    sent_to: str


class ContactConfirmBody(Model):
    change_id: Text
    code: Text


class ContactChanged(Model):
    status: str
    field: str


class Me(Model):
    """Personal basic information, masked: never a full ID or phone number."""

    name: str
    id_number_masked: str
    phone_masked: str | None = None
    email: str | None = None
    gender: str | None = None
    birth_date: str | None = None
    profile: dict[str, Any] | None = None
    password_protection_set: bool | None = None
    session: SessionTiming | None = None


class Export(Model):
    download_url: str
    expires_at: int


class Home(Model):
    """The home page's first view (latest pension payment, dues and gaps, open to-dos)."""


class AccessLog(Model):
    items: list[dict[str, Any]]
