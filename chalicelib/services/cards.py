"""Social-security card (社会保障卡) records: the resident's cards, their view, card options.

The card itself is made offline after a submitted application (services/card_applications.py,
which records the made card). What the resident does on the card page — overview, loss report
and its cancellation — is in services/card_actions.py.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import secrets
from pathlib import Path
from typing import Any

from .. import clock, masking, policy
from ..errors import BadInput
from ..models.cards import Card

OPTIONS_FILE = Path(__file__).resolve().parent.parent / "data" / "card_options.json"

IN_PRODUCTION, NORMAL, LOST, CANCELLED = "IN_PRODUCTION", "NORMAL", "LOST", "CANCELLED"
STATUS_LABELS = {IN_PRODUCTION: "制卡中", NORMAL: "正常", LOST: "挂失", CANCELLED: "注销"}


@functools.lru_cache(maxsize=1)
def options() -> dict[str, Any]:
    """Banks, service outlets and delivery field rules (chalicelib/data/card_options.json)."""
    return json.loads(OPTIONS_FILE.read_text(encoding="utf-8"))


def bank_name(code: str | None) -> str | None:
    return next((b["name"] for b in options()["banks"] if b["code"] == code), None)


def new_id(prefix: str) -> str:
    return f"{prefix}{clock.now_dt().strftime('%Y%m%d%H%M%S')}{secrets.token_hex(2).upper()}"


def mask_card_no(card_no: str | None) -> str:
    if not card_no:
        return ""
    return card_no[:1] + "*" * (len(card_no) - 4) + card_no[-3:]


def all_cards(id_number: str) -> list[Card]:
    """Every card of the resident, newest first."""
    return list(Card.query(id_number, scan_index_forward=False, consistent_read=True))


def current(id_number: str) -> Card | None:
    """The newest card that is not cancelled."""
    return next((c for c in all_cards(id_number) if c.status != CANCELLED), None)


def view(card: Card) -> dict[str, Any]:
    return {
        "card_id": card.card_id,
        "card_no_masked": mask_card_no(card.card_no),
        "bank_code": card.bank_code,
        "bank_name": bank_name(card.bank_code),
        "bank_account_masked": masking.account(card.bank_account),
        "issued_on": card.issued_on,
        "valid_until": card.valid_until,
        "status": card.status,
        "status_label": STATUS_LABELS[card.status],
        "status_changed_at": card.status_changed_at,
        "status_reason": card.status_reason,
    }


# ---- production (ops, seed) ----------------------------------------------------------------


def valid_until(issued_on: dt.date) -> str:
    years = policy.data()["social_security_card"]["validity_years"]
    try:
        return issued_on.replace(year=issued_on.year + years).isoformat()
    except ValueError:  # 29 February
        return issued_on.replace(year=issued_on.year + years, day=28).isoformat()


def check_card_numbers(card_no: str, bank_account: str) -> None:
    if len(card_no) != 9 or not card_no.isalnum():
        raise BadInput("社保卡卡号应为9位字母或数字", code="invalid_card_no", field="card_no")
    if not bank_account.isdigit() or not 16 <= len(bank_account) <= 19:
        raise BadInput("银行账号应为16至19位数字", code="invalid_bank_account", field="bank_account")
