"""The payment routes' entry points that serve every kind of order: flexible employment
(`payment_orders`, months and base) and city-rural resident insurance (`payment_resident`,
one year)."""

from __future__ import annotations

from typing import Any

from . import payment_orders, payment_resident
from .sessions import CurrentSession


def create_order(current: CurrentSession, data: dict[str, Any], ip: str | None) -> dict:
    """A DRAFT order of the kind named in `data`."""
    kind = data.get("kind")
    if payment_resident.is_resident_kind(kind):
        return payment_resident.create_order(current, data, ip)
    return payment_orders.create_order(current, kind, data.get("months"), data.get("base_fen"), ip)


def options(current: CurrentSession, kind: Any) -> dict[str, Any]:
    """What can be paid now for `kind`, with the banks."""
    if payment_resident.is_resident_kind(kind):
        return payment_resident.options(current, kind)
    return payment_orders.options(current, kind)
