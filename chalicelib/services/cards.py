"""Social-security card (社会保障卡): basic information, loss report (挂失) and its cancellation.

The card itself is made offline after a submitted application (services/card_applications.py);
`issue` records the made card. Loss report and cancellation need the sign-in password again
and take effect at once.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import secrets
from pathlib import Path
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import UpdateError
from pynamodb.transactions import TransactWrite

from .. import clock, masking, policy, settings
from ..errors import BadInput, Conflict, Locked, NotFound
from ..models.cards import Card
from ..security import passwords
from . import accounts, audit
from .sessions import CurrentSession

OPTIONS_FILE = Path(__file__).resolve().parent.parent / "data" / "card_options.json"

IN_PRODUCTION, NORMAL, LOST, CANCELLED = "IN_PRODUCTION", "NORMAL", "LOST", "CANCELLED"
STATUS_LABELS = {IN_PRODUCTION: "制卡中", NORMAL: "正常", LOST: "挂失", CANCELLED: "注销"}
HOW_TO_APPLY = ("您还没有社会保障卡。请点击“申领社保卡”，依次确认个人信息、选择合作银行、"
                "选择领卡方式并上传照片后提交，制卡完成后按您选择的方式领取。")
LOCKED_MESSAGE = "密码连续输错次数过多，账号已锁定15分钟，请稍后再试"


@functools.lru_cache(maxsize=1)
def options() -> dict[str, Any]:
    """Banks, service outlets and delivery field rules (chalicelib/data/card_options.json)."""
    return json.loads(OPTIONS_FILE.read_text(encoding="utf-8"))


def bank_name(code: str | None) -> str | None:
    return next((b["name"] for b in options()["banks"] if b["code"] == code), None)


def transaction() -> TransactWrite:
    return TransactWrite(connection=Connection(region=settings.region(), host=settings.ddb_endpoint()))


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


def overview(current_session: CurrentSession) -> dict[str, Any]:
    """Card basic information (社保卡基本信息), the open application and past applications."""
    from . import card_applications
    id_number = current_session.id_number
    card = current(id_number)
    history = card_applications.history(id_number)
    open_app = next((a for a in history if a["status"] in card_applications.OPEN_STATUSES), None)
    status = card.status if card else None
    return {
        "card": view(card) if card else None,
        "how_to_apply": None if card else HOW_TO_APPLY,
        "open_application": open_app,
        "applications": history,
        "actions": {
            "report_loss": status == NORMAL,
            "cancel_loss": status == LOST,
            "apply": card is None and open_app is None,
            "apply_replacement": status == LOST and open_app is None,
        },
    }


# ---- loss report -------------------------------------------------------------------------

def _check_password(id_number: str, password: str | None, action: str, ip: str) -> None:
    """The sign-in password again; wrong tries count towards the sign-in lock."""
    account = accounts.get(id_number)
    if accounts.is_locked(account):
        audit.record(id_number, action, "locked", ip)
        raise Locked(LOCKED_MESSAGE)
    if not password:
        raise BadInput("请输入登录密码", code="missing_field", field="password")
    if not passwords.verify_password(account.password_hash, password):
        count = accounts.record_failure(id_number)
        audit.record(id_number, action, "bad_password", ip, {"failures": count})
        left = accounts.LOCK_THRESHOLD - count
        if left <= 0:
            raise Locked(LOCKED_MESSAGE)
        raise BadInput(f"密码不正确，再错{left}次账号将被锁定15分钟", code="bad_password",
                       field="password")
    if account.failed_count:
        accounts.clear_failures(id_number)


def _change_status(card: Card, expected: str, new: str, reason: str) -> None:
    now = int(clock.now())
    try:
        card.update(actions=[Card.status.set(new), Card.status_changed_at.set(now),
                             Card.status_reason.set(reason)],
                    condition=Card.status == expected)
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict("社保卡状态已变化，请刷新页面后再试", code="card_status_changed") from None
        raise


def report_loss(current_session: CurrentSession, password: str | None, ip: str) -> dict[str, Any]:
    """挂失: takes effect at once; the password is required again."""
    id_number = current_session.id_number
    card = current(id_number)
    if card is None:
        raise NotFound("您还没有社会保障卡，无需挂失", code="no_card")
    if card.status == LOST:
        raise Conflict("您的社保卡已经处于挂失状态", code="card_already_lost")
    if card.status != NORMAL:
        raise Conflict(f"社保卡当前状态为“{STATUS_LABELS[card.status]}”，不能挂失",
                       code="card_not_normal")
    _check_password(id_number, password, "card_loss_report", ip)
    _change_status(card, NORMAL, LOST, "本人网上挂失")
    audit.record(id_number, "card_loss_report", "ok", ip, {"card": mask_card_no(card.card_no)})
    return {"status": "ok", "card": view(card)}


def cancel_loss(current_session: CurrentSession, password: str | None, ip: str) -> dict[str, Any]:
    """解除挂失: back to 正常 at once; the password is required again."""
    from . import card_applications
    id_number = current_session.id_number
    card = current(id_number)
    if card is None:
        raise NotFound("您还没有社会保障卡", code="no_card")
    if card.status != LOST:
        raise Conflict("您的社保卡没有挂失，无需解除挂失", code="card_not_lost")
    if card_applications.open_replacement(id_number, card.card_id):
        raise Conflict("您有一个未提交的补卡申请，请先撤销该申请再解除挂失",
                       code="replacement_open")
    _check_password(id_number, password, "card_loss_cancel", ip)
    _change_status(card, LOST, NORMAL, "本人网上解除挂失")
    audit.record(id_number, "card_loss_cancel", "ok", ip, {"card": mask_card_no(card.card_no)})
    return {"status": "ok", "card": view(card)}


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
