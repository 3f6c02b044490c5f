"""Demo cards (infra/seed/cards.py): 张伟, 李秀英 and 刘强 hold a card, 王芳 has none; re-running
the seed never undoes a loss report."""

from __future__ import annotations

from chalicelib.models.cards import Card
from chalicelib.services import cards
from infra.seed import cards as seed_cards

ZHANG, LI, WANG, LIU = "371402198503142314", "37142519620708352X", "371481199004225625", "371403195501011110"


def test_demo_residents_get_their_cards_and_wang_fang_none(tables):
    assert seed_cards.seed() == {"created": 3, "existing": 0}
    for number in (ZHANG, LI, LIU):
        card = cards.current(number)
        assert card.status == cards.NORMAL
        assert len(card.card_no) == 9 and card.bank_account.isdigit()
        assert card.valid_until[:4] == str(int(card.issued_on[:4]) + 10)
        assert cards.bank_name(card.bank_code)
    assert cards.current(WANG) is None


def test_reseeding_keeps_a_lost_card_lost(tables):
    seed_cards.seed()
    card = cards.current(ZHANG)
    card.update(actions=[Card.status.set(cards.LOST)])
    assert seed_cards.seed() == {"created": 0, "existing": 3}
    assert cards.current(ZHANG).status == cards.LOST
