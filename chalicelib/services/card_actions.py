"""What the resident does on the card page: the overview (card and applications), loss report
(挂失) and its cancellation (解除挂失). Both need the sign-in password again and take effect at once.

Above `cards` (the card records) and `card_applications` (which make cards), so neither of those
needs the other's caller.
"""

from __future__ import annotations

from typing import Any

from .. import clock
from ..errors import BadInput, Conflict, Locked, NotFound
from ..models.base import on_condition_failed
from ..models.cards import Card
from . import accounts, audit, card_applications, cards
from .sessions import CurrentSession

HOW_TO_APPLY = (
    "您还没有社会保障卡。请点击“申领社保卡”，依次确认个人信息、选择合作银行、"
    "选择领卡方式并上传照片后提交，制卡完成后按您选择的方式领取。"
)
LOCKED_MESSAGE = "密码连续输错次数过多，账号已锁定15分钟，请稍后再试"


def overview(current_session: CurrentSession) -> dict[str, Any]:
    """Card basic information (社保卡基本信息), the open application and past applications."""
    id_number = current_session.id_number
    card = cards.current(id_number)
    history = card_applications.history(id_number)
    open_app = next((a for a in history if a["status"] in card_applications.OPEN_STATUSES), None)
    status = card.status if card else None
    return {
        "card": cards.view(card) if card else None,
        "how_to_apply": None if card else HOW_TO_APPLY,
        "open_application": open_app,
        "applications": history,
        "actions": {
            "report_loss": status == cards.NORMAL,
            "cancel_loss": status == cards.LOST,
            "apply": card is None and open_app is None,
            "apply_replacement": status == cards.LOST and open_app is None,
        },
    }


# ---- loss report -------------------------------------------------------------------------


def _check_password(id_number: str, password: str | None, action: str, ip: str) -> None:
    """The sign-in password again; the check counts towards the sign-in lock."""
    if not password:
        raise BadInput("请输入登录密码", code="missing_field", field="password")
    outcome = accounts.check_password(accounts.get(id_number), id_number, password)
    if outcome in ("refused", "wrong_now_locked"):
        audit.record(id_number, action, "locked" if outcome == "refused" else "bad_password", ip)
        raise Locked(LOCKED_MESSAGE)
    if outcome == "wrong":
        audit.record(id_number, action, "bad_password", ip)
        raise BadInput("密码不正确（连续输错5次账号将被锁定15分钟）", code="bad_password", field="password")


def _change_status(card: Card, expected: str, new: str, reason: str) -> None:
    now = int(clock.now())
    with on_condition_failed(Conflict("社保卡状态已变化，请刷新页面后再试", code="card_status_changed")):
        card.update(
            actions=[Card.status.set(new), Card.status_changed_at.set(now), Card.status_reason.set(reason)],
            condition=Card.status == expected,
        )


def report_loss(current_session: CurrentSession, password: str | None, ip: str) -> dict[str, Any]:
    """挂失: takes effect at once; the password is required again."""
    id_number = current_session.id_number
    card = cards.current(id_number)
    if card is None:
        raise NotFound("您还没有社会保障卡，无需挂失", code="no_card")
    if card.status == cards.LOST:
        raise Conflict("您的社保卡已经处于挂失状态", code="card_already_lost")
    if card.status != cards.NORMAL:
        raise Conflict(
            f"社保卡当前状态为“{cards.STATUS_LABELS[card.status]}”，不能挂失", code="card_not_normal"
        )
    _check_password(id_number, password, "card_loss_report", ip)
    _change_status(card, cards.NORMAL, cards.LOST, "本人网上挂失")
    audit.record(id_number, "card_loss_report", "ok", ip, {"card": cards.mask_card_no(card.card_no)})
    return {"status": "ok", "card": cards.view(card)}


def cancel_loss(current_session: CurrentSession, password: str | None, ip: str) -> dict[str, Any]:
    """解除挂失: back to 正常 at once; the password is required again."""
    id_number = current_session.id_number
    card = cards.current(id_number)
    if card is None:
        raise NotFound("您还没有社会保障卡", code="no_card")
    if card.status != cards.LOST:
        raise Conflict("您的社保卡没有挂失，无需解除挂失", code="card_not_lost")
    if card_applications.open_replacement(id_number, card.card_id):
        raise Conflict("您有一个未提交的补卡申请，请先撤销该申请再解除挂失", code="replacement_open")
    _check_password(id_number, password, "card_loss_cancel", ip)
    _change_status(card, cards.LOST, cards.NORMAL, "本人网上解除挂失")
    audit.record(id_number, "card_loss_cancel", "ok", ip, {"card": cards.mask_card_no(card.card_no)})
    return {"status": "ok", "card": cards.view(card)}
