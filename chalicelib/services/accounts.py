"""Account storage operations shared by sign-in, activation, password and contact changes."""

from __future__ import annotations

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from .. import clock
from ..errors import NotFound
from ..models.accounts import Account
from ..models.base import condition_failed
from ..security import limits, passwords
from . import notify

LOCKED_SMS = (
    "【社保个人网上服务】您的账号因密码连续输错已被锁定{minutes}分钟。"
    "如非本人操作，请尽快通过“忘记密码”重置密码。"
)


def _password_rules() -> dict:
    return limits.section("password")


def get(id_number: str) -> Account:
    try:
        return Account.get(id_number)
    except Account.DoesNotExist:
        raise NotFound("未找到该参保人账号", code="account_not_found") from None


def find(id_number: str) -> Account | None:
    try:
        return Account.get(id_number)
    except Account.DoesNotExist:
        return None


def is_locked(account: Account) -> bool:
    return bool(account.locked_until and account.locked_until > clock.now())


def reserve_password_check(id_number: str, seen: Account | None = None) -> int | None:
    """Take one of the account's password checks BEFORE the password is looked at.

    At most `max_checks` checks per `window_s`, whatever the concurrency: ADD 1 to
    `failed_count` only while it is below the limit within the current window and the account
    is not locked, or open a new window only if the old one has ended and no lock is running.
    Return the check's number in the window (1..max), or None when refused (locked, limit
    reached or unknown account: the caller answers the same in every case). A successful
    sign-in gives the checks back (`clear_failures`, which ends the window).

    `seen`: the account as the caller has just read it. The write that fits it goes first, so a
    usual sign-in (no window open) makes one write instead of a refused one and a second. Only
    the conditions decide: after a stale read the other write follows.
    """
    rules = _password_rules()
    now = int(clock.now())
    not_locked = Account.locked_until.does_not_exist() | (Account.locked_until <= now)
    item = Account(id_number=id_number)
    count_in_window: tuple[list[Action], Condition] = (
        [Account.failed_count.add(1)],
        Account.id_number.exists()
        & not_locked
        & (Account.failed_window_start > now - rules["window_s"])
        & (Account.failed_count < rules["max_checks"]),
    )
    open_window: tuple[list[Action], Condition] = (
        [Account.failed_count.set(1), Account.failed_window_start.set(now)],
        Account.id_number.exists()
        & not_locked
        & (
            Account.failed_window_start.does_not_exist()
            | (Account.failed_window_start <= now - rules["window_s"])
        ),
    )
    window_ended = seen is not None and (seen.failed_window_start or 0) <= now - rules["window_s"]
    for actions, condition in (
        (open_window, count_in_window) if window_ended else (count_in_window, open_window)
    ):
        try:
            item.update(actions=actions, condition=condition)
        except UpdateError as exc:
            if not condition_failed(exc):
                raise
            continue
        return int(item.failed_count)
    return None


def lock(id_number: str) -> None:
    """Lock the account for `lock_s` (after its last allowed check failed)."""
    now = int(clock.now())
    Account(id_number=id_number).update(
        actions=[Account.locked_until.set(now + _password_rules()["lock_s"])],
        condition=Account.id_number.exists(),
    )


def max_password_checks() -> int:
    return int(_password_rules()["max_checks"])


def check_password(account: Account | None, id_number: str, password: str) -> str:
    """One password check under the account's lockout: "ok", "wrong", "wrong_now_locked" (the
    last try failed) or "refused" (locked, no try left, or no such account).

    The check is reserved first (a conditional write), so a check beyond the limit is refused
    without looking at the password; the argon2 hash runs in every case (against a dummy hash
    for an unknown account or a refused check) so the answer time does not tell them apart.
    The check that uses up the last try locks the account and tells the owner by SMS.
    """
    number = reserve_password_check(id_number, account)
    if account is None or number is None:
        passwords.burn_time(password)
        return "refused"
    if passwords.verify_password(account.password_hash, password):
        clear_failures(id_number)
        return "ok"
    if number >= max_password_checks():
        lock(id_number)
        if account.phone:
            notify.send(account.phone, LOCKED_SMS.format(minutes=_password_rules()["lock_s"] // 60))
        return "wrong_now_locked"
    return "wrong"


def clear_failures(id_number: str) -> None:
    Account(id_number=id_number).update(
        actions=[
            Account.failed_count.set(0),
            Account.failed_window_start.remove(),
            Account.locked_until.remove(),
        ],
        condition=Account.id_number.exists(),
    )


def set_password(id_number: str, new_password: str) -> None:
    """Store a policy-checked password (argon2id) and leave the initial-password state."""
    Account(id_number=id_number).update(
        actions=[
            Account.password_hash.set(passwords.hash_password(new_password)),
            Account.password_state.set("SET"),
            Account.password_changed_at.set(int(clock.now())),
            Account.failed_count.set(0),
            Account.failed_window_start.remove(),
            Account.locked_until.remove(),
        ],
        condition=Account.id_number.exists(),
    )


def reset_to_initial(id_number: str) -> None:
    """Ops: back to 888888; the next sign-in must activate again."""
    get(id_number)
    Account(id_number=id_number).update(
        actions=[
            Account.password_hash.set(passwords.hash_password(passwords.INITIAL_PASSWORD)),
            Account.password_state.set("INITIAL"),
            Account.failed_count.set(0),
            Account.failed_window_start.remove(),
            Account.locked_until.remove(),
        ],
        condition=Account.id_number.exists(),
    )
