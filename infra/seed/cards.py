"""Seed the demo residents' social-security cards (PRODUCT.md §4): 张伟, 李秀英 and 刘强 hold an
issued card (正常); 王芳 has none (card collection not started). A card is only created when
the resident has no card yet, so re-running never undoes a loss report or a replacement."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pynamodb.exceptions import PutError

from chalicelib import clock
from chalicelib.models.base import condition_failed
from chalicelib.models.cards import Card
from chalicelib.services import audit, cards

ORDER = 40

# Demo numbers only (not real cards or accounts). card_id sorts by the issue time.
DEMO_CARDS: list[dict[str, Any]] = [
    {
        "id_number": "371402198503142314",
        "card_id": "C20190315090000D001",
        "card_no": "D14020319",
        "bank_code": "icbc",
        "bank_account": "6212261609000142314",
        "issued_on": "2019-03-15",
    },
    {
        "id_number": "37142519620708352X",
        "card_id": "C20170911090000D002",
        "card_no": "D14250717",
        "bank_code": "psbc",
        "bank_account": "6217996540000352018",
        "issued_on": "2017-09-11",
    },
    {
        "id_number": "371403195501011110",
        "card_id": "C20200612090000D003",
        "card_no": "D14030620",
        "bank_code": "rcb",
        "bank_account": "6231760100000111102",
        "issued_on": "2020-06-12",
    },
]


def ensure_card(spec: dict[str, Any]) -> bool:
    """Create the card if the resident has none yet; return True when it was created."""
    if Card.count(spec["id_number"], limit=1):
        return False
    issued = dt.date.fromisoformat(spec["issued_on"])
    issued_at = int(dt.datetime.combine(issued, dt.time(9), clock.CHINA_TZ).timestamp())
    card = Card(
        id_number=spec["id_number"],
        card_id=spec["card_id"],
        status=cards.NORMAL,
        card_no=spec["card_no"],
        bank_code=spec["bank_code"],
        bank_account=spec["bank_account"],
        issued_on=spec["issued_on"],
        valid_until=cards.valid_until(issued),
        created_at=issued_at,
        status_changed_at=issued_at,
        status_reason="制卡完成",
    )
    try:
        card.save(condition=Card.card_id.does_not_exist())
    except PutError as exc:
        if condition_failed(exc):
            return False
        raise
    audit.record(spec["id_number"], "card_issue", "seeded", None, {"source": "demo_seed"})
    return True


def seed() -> dict[str, int]:
    created = existing = 0
    for spec in DEMO_CARDS:
        if ensure_card(spec):
            created += 1
        else:
            existing += 1
    return {"created": created, "existing": existing}
