"""Certificates (参保证明): requests and answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import msgspec

from chalicelib import policy

from . import Model, Period, one_of

if TYPE_CHECKING:  # a closed set read from the data files: plain text to the type checker
    TypeCode = str
else:
    TypeCode = one_of(policy.insurance_types())


class IssueBody(Model):
    types: Annotated[list[TypeCode], msgspec.Meta(min_length=1, max_length=10)]
    from_period: Period = msgspec.field(name="from")
    to: Period


class Certificate(Model):
    code: str
    code_display: str
    issued_at: int
    expires_at: int
    status: str
    types: list[dict[str, Any]]
    download_url: str | None = None


class Certificates(Model):
    items: list[Certificate]


class Download(Model):
    download_url: str


class Verifications(Model):
    code_display: str
    items: list[dict[str, Any]]


class Verified(Model):
    valid: bool
    code_display: str
    name_masked: str | None = None
    id_number_masked: str | None = None
