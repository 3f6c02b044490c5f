"""Social-security card and card application: requests and answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec

from chalicelib.services import card_applications, cards

from . import Model, OptionalText, Text, one_of

if TYPE_CHECKING:  # closed sets read from the data files: plain text to the type checker
    ApplicationKind = str
    CardBank = str
    Outlet = str
else:
    ApplicationKind = one_of(card_applications.KINDS)
    CardBank = one_of(b["code"] for b in cards.options()["banks"])
    Outlet = one_of(o["code"] for o in cards.options()["outlets"])


class PasswordBody(Model):
    password: OptionalText | None = None


class CardOverview(Model):
    card: dict[str, Any] | None = None


class CardOptions(Model):
    banks: list[Any]
    outlets: list[Any]
    delivery: Any


class CardAction(Model):
    status: str
    card: dict[str, Any] | None = None


class StartBody(Model):
    kind: ApplicationKind


class Application(Model):
    application_id: str
    kind: str
    status: str
    steps: list[dict[str, Any]]


class ConfirmBody(Model):
    confirmed: bool | None = None


class BankBody(Model):
    bank_code: CardBank


class DeliveryBody(Model):
    method: Literal["pickup", "mail"]
    outlet_code: Outlet | None = None
    recipient: OptionalText | None = None
    phone: OptionalText | None = None
    address: OptionalText | None = None
    postal_code: OptionalText | None = None


class UploadForm(Model):
    url: str
    fields: dict[str, str]
    key: str
    expires_in: int


class PhotoCheckBody(Model):
    key: Annotated[str, msgspec.Meta(max_length=200)] | None = None


class PhotoUrl(Model):
    url: str
    expires_in: int


class PhotoChecked(Model):
    photo: PhotoUrl | None = None


__all__ = ["Text"]
