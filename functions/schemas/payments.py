"""Payment orders and bank notifications: requests and answers."""
from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from . import Fen, Model, Period, Text, Timestamp

Months = Annotated[list[Period], msgspec.Meta(min_length=1, max_length=120)]
OrderStatus = Literal["DRAFT", "CONFIRMED", "AWAITING_PAYMENT", "PAID", "FAILED", "CANCELLED", "EXPIRED"]


class KindQuery(Model):
    kind: Annotated[str, msgspec.Meta(min_length=1, max_length=32, examples=["flexible_pension"])]


class PaymentOptions(Model):
    kind: str
    type_code: str
    type_name: str


class CreateOrderBody(Model):
    kind: Annotated[str, msgspec.Meta(min_length=1, max_length=32, examples=["flexible_pension"])]
    months: Months | None = None
    base_fen: Annotated[Fen, msgspec.Meta(ge=0)] | None = None


class AmendOrderBody(Model):
    months: Months | None = None
    base_fen: Annotated[Fen, msgspec.Meta(ge=0)] | None = None


class PayBody(Model):
    bank_code: Annotated[str, msgspec.Meta(min_length=1, max_length=16)]


class Order(Model):
    order_no: str
    kind: str
    status: OrderStatus
    total_fen: Fen
    months: list[str]
    lines: list[dict[str, Any]]
    created_at: Timestamp
    redirect_url: str | None = None


class Orders(Model):
    items: list[Order]


class BankAck(Model):
    ack: str


__all__ = ["Text"]
