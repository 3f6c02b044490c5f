"""Payment orders and bank notifications: requests and answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec

from chalicelib import policy
from chalicelib.services import banks

from . import MAX_FEN, Fen, Model, Period, Text, Timestamp, one_of

Months = Annotated[list[Period], msgspec.Meta(min_length=1, max_length=120)]
if TYPE_CHECKING:  # closed sets read from the data files: plain text to the type checker
    PaymentKind = str
    BankCode = str
else:
    PaymentKind = one_of([*policy.flexible()["kinds"], *policy.resident()["kinds"]])
    BankCode = one_of(banks.codes())
BaseFen = Annotated[Fen, msgspec.Meta(ge=0, le=MAX_FEN)]
OrderStatus = Literal["DRAFT", "CONFIRMED", "AWAITING_PAYMENT", "PAID", "FAILED", "CANCELLED", "EXPIRED"]


class KindQuery(Model):
    kind: PaymentKind


class PaymentOptions(Model):
    kind: str
    type_code: str
    type_name: str


class Insured(Model):
    id_number: Annotated[str, msgspec.Meta(min_length=1, max_length=32)] | None = None
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None


class CreateOrderBody(Model):
    """Flexible employment: `months` and `base_fen`. Resident medical: `year` and `insured`
    (optional: oneself). Resident pension: `year` and `level_fen`. The kind's rules are the service's."""

    kind: PaymentKind
    months: Months | None = None
    base_fen: BaseFen | None = None
    year: Annotated[int, msgspec.Meta(ge=1900, le=2999)] | None = None
    insured: Insured | None = None
    level_fen: BaseFen | None = None


class AmendOrderBody(Model):
    months: Months | None = None
    base_fen: BaseFen | None = None


class PayBody(Model):
    bank_code: BankCode


class Order(Model):
    order_no: str
    kind: str
    status: OrderStatus
    total_fen: Fen
    lines: list[dict[str, Any]]
    created_at: Timestamp
    months: list[str] | None = None
    redirect_url: str | None = None


class Orders(Model):
    items: list[Order]


class BankAck(Model):
    ack: str


__all__ = ["Text"]
