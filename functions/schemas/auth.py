"""Sign-in, activation, sign-out, keep-alive and forgot-password: requests and answers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from . import IdNumber, Model, OptionalText, Text, Timestamp

Answers = Annotated[
    list[OptionalText], msgspec.Meta(max_length=8, description="security answers, in question order")
]


class Captcha(Model):
    captcha_id: str
    image: Annotated[str, msgspec.Meta(description="PNG data URL")]
    expires_in: int | None = None


class LoginBody(Model):
    id_number: IdNumber
    password: Text
    captcha_id: Text
    captcha_answer: Text


class SignInAnswer(Model):
    """`ok` (the session cookie is set) or `activation_required` (initial password; SMS sent)."""

    status: Literal["ok", "activation_required"]
    activation_token: str | None = None
    phone_masked: str | None = None


class ActivateBody(Model):
    activation_token: Text
    new_password: Text
    sms_code: OptionalText | None = None


class SessionTiming(Model):
    idle_timeout_s: int
    idle_expires_at: Timestamp
    absolute_expires_at: Timestamp
    server_time: Timestamp
    status: str | None = None


class ForgotStartBody(Model):
    """ID number + registered phone (a code is sent; the same answer either way), or ID number +
    captcha."""

    id_number: IdNumber
    phone: OptionalText | None = None
    captcha_id: OptionalText | None = None
    captcha_answer: OptionalText | None = None


class ForgotStartAnswer(Model):
    reset_token: str
    methods: list[str]
    questions: list[str]
    phone_masked: str | None = None


class ResetTokenBody(Model):
    reset_token: Text


class CodeSent(Model):
    status: str
    phone_masked: str | None = None


class ForgotCompleteBody(Model):
    reset_token: Text
    method: Literal["phone", "questions"]
    new_password: Text
    sms_code: OptionalText | None = None
    answers: Answers | None = None


__all__ = ["Any"]


class SmsLoginStartBody(Model):
    id_number: IdNumber
    phone: Text


class Challenge(Model):
    challenge_id: str


class SmsLoginCompleteBody(Model):
    challenge_id: Text
    sms_code: Text


class WebAuthnOptions(Model):
    """WebAuthn request or creation options (publicKey as the browser API takes them)."""

    challenge_id: str
    publicKey: dict[str, Any]  # noqa: N815 (the WebAuthn name)


class PasskeyLoginBody(Model):
    challenge_id: Text
    credential: dict[str, Any]


class ConfirmationBody(Model):
    """Password, or the confirmation id and SMS code of /account/passkeys/confirm-code."""

    password: OptionalText | None = None
    confirm_id: OptionalText | None = None
    sms_code: OptionalText | None = None


class ConfirmCodeSent(Model):
    confirm_id: str
    phone_masked: str | None = None


class PasskeyRegisterBody(Model):
    challenge_id: Text
    credential: dict[str, Any]
    name: OptionalText | None = None


class Passkeys(Model):
    items: list[dict[str, Any]]


class Passkey(Model):
    id: str
