"""Masking personal data for display."""

from __future__ import annotations


def phone(value: str | None) -> str:
    if not value:
        return ""
    return value[:3] + "****" + value[-4:] if len(value) >= 7 else "****"


def email(value: str | None) -> str:
    if not value or "@" not in value:
        return value or ""
    local, domain = value.split("@", 1)
    return (local[0] + "***" if local else "***") + "@" + domain


def account(value: str | None) -> str:
    """Bank or card numbers: last four only."""
    if not value:
        return ""
    return "**** **** " + value[-4:]
