"""Seed the demo residents' accounts: initial password 888888 (activation required), registered
phone, basic information. An existing account is left alone (its password, phone or e-mail may
have been changed since), so re-running never undoes what a resident did."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import PutError

from chalicelib import clock
from chalicelib import id_number as ids
from chalicelib.models.accounts import Account
from chalicelib.models.base import condition_failed
from chalicelib.security import passwords
from chalicelib.services import audit

from .residents import INITIAL_PASSWORD, demo_residents

ORDER = 10


def build_account(resident: dict[str, Any], password_hash: str) -> Account:
    number = ids.normalise(resident["id_number"])
    profile = dict(resident.get("profile") or {})
    profile.setdefault("gender", ids.gender(number))
    profile.setdefault("birth_date", ids.birth_date(number).isoformat())
    return Account(
        id_number=number,
        name=resident["name"],
        phone=resident.get("phone"),
        email=resident.get("email"),
        password_hash=password_hash,
        password_state="INITIAL",
        failed_count=0,
        profile=profile,
        created_at=int(clock.now()),
    )


def ensure_account(resident: dict[str, Any]) -> bool:
    """Create the account if it does not exist; return True when it was created."""
    number = ids.normalise(resident["id_number"])
    if Account.count(number, limit=1):
        return False
    # Hashed per account (own salt), even though every demo resident starts with 888888.
    account = build_account(resident, passwords.hash_password(INITIAL_PASSWORD))
    try:
        account.save(condition=Account.id_number.does_not_exist())
    except PutError as exc:
        if condition_failed(exc):
            return False  # created meanwhile by another seeder
        raise
    audit.record(number, "account_create", "seeded", None, {"source": "demo_seed"})
    return True


def seed() -> dict[str, int]:
    created = existing = 0
    for resident in demo_residents():
        if ensure_account(resident):
            created += 1
        else:
            existing += 1
    return {"created": created, "existing": existing}
