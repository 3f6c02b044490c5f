"""Records, benefits, estimate and to-do answers, and their query parameters."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from . import Cursor, Model, Period, Year

# Query models: optional fields default to None without admitting null (hence the type: ignore),
# so "?year=null" is refused rather than read as absent (query values are text, which msgspec's
# lax mode converts).


class YearQuery(Model):
    year: Year
    cursor: Cursor = None  # type: ignore[assignment]


class CursorQuery(Model):
    cursor: Cursor = None  # type: ignore[assignment]


class RangeQuery(Model):
    # `from` is a Python keyword: the field is renamed on the wire.
    from_period: Annotated[Period, msgspec.Meta(description="first month, YYYYMM")] = msgspec.field(
        name="from"
    )
    to: Annotated[Period, msgspec.Meta(description="last month, YYYYMM")]
    cursor: Cursor = None  # type: ignore[assignment]


Bp = Annotated[int, msgspec.Meta(ge=0, le=100000, description="basis points (1/100 of a percent)")]


class EstimateQuery(Model):
    retire_period: Period = None  # type: ignore[assignment]
    base_index_bp: Bp = None  # type: ignore[assignment]
    wage_growth_bp: Bp = None  # type: ignore[assignment]
    interest_bp: Bp = None  # type: ignore[assignment]


class Page(Model):
    items: list[dict[str, Any]]
    next_cursor: str | None = None


class YearContributions(Model):
    type_code: str
    type_name: str
    year: int
    items: list[dict[str, Any]]
    next_cursor: str | None = None


class Types(Model):
    types: list[dict[str, Any]]


class PensionPayments(Model):
    items: list[dict[str, Any]]
    from_period: str | None = msgspec.field(default=None, name="from")
    to: str | None = None
    next_cursor: str | None = None


class PensionAccount(Model):
    items: list[dict[str, Any]]


class Estimate(Model):
    """The estimate, or a `status` saying why there is none (retired, no employee pension)."""

    status: str | None = None


class StatementBody(Model):
    year: Annotated[int, msgspec.Meta(ge=1900, le=2999)]


class StatementYears(Model):
    years: list[int]


class Statement(Model):
    year: int
    download_url: str
    expires_in: int | None = None


class Items(Model):
    items: list[dict[str, Any]]


class Outbox(Model):
    messages: list[dict[str, Any]]


class CaptchaAnswer(Model):
    answer: str


class DevOutboxQuery(Model):
    phone: Annotated[str, msgspec.Meta(max_length=64)] = None  # type: ignore[assignment]
    email: Annotated[str, msgspec.Meta(max_length=256)] = None  # type: ignore[assignment]
