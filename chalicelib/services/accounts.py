"""Account storage operations shared by sign-in, activation, password and contact changes."""
from __future__ import annotations

from pynamodb.exceptions import UpdateError

from .. import clock
from ..errors import NotFound
from ..models.accounts import Account
from ..models.base import condition_failed
from ..security import passwords

LOCK_THRESHOLD = 5
FAILURE_WINDOW_S = 15 * 60
LOCK_DURATION_S = 15 * 60


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


def record_failure(id_number: str) -> int:
    """Count one failed sign-in atomically; lock at the threshold. Return the count in the window.

    Two conditional updates, retried: ADD within the current window, or start a new window
    only if the old one has really ended — so parallel failures are never lost.
    """
    now = int(clock.now())
    item = Account(id_number=id_number)
    for _ in range(10):
        try:
            item.update(actions=[Account.failed_count.add(1)],
                        condition=Account.failed_window_start > now - FAILURE_WINDOW_S)
            break
        except UpdateError as exc:
            if not condition_failed(exc):
                raise
        try:
            item.update(actions=[Account.failed_count.set(1), Account.failed_window_start.set(now)],
                        condition=Account.id_number.exists()
                        & (Account.failed_window_start.does_not_exist()
                           | (Account.failed_window_start <= now - FAILURE_WINDOW_S)))
            break
        except UpdateError as exc:
            if not condition_failed(exc):
                raise
    count = int(item.failed_count or 0)
    if count >= LOCK_THRESHOLD:
        item.update(actions=[Account.locked_until.set(now + LOCK_DURATION_S)],
                    condition=Account.id_number.exists())
    return count


def clear_failures(id_number: str) -> None:
    Account(id_number=id_number).update(
        actions=[Account.failed_count.set(0), Account.failed_window_start.remove(),
                 Account.locked_until.remove()],
        condition=Account.id_number.exists())


def set_password(id_number: str, new_password: str) -> None:
    """Store a policy-checked password (argon2id) and leave the initial-password state."""
    Account(id_number=id_number).update(
        actions=[Account.password_hash.set(passwords.hash_password(new_password)),
                 Account.password_state.set("SET"),
                 Account.password_changed_at.set(int(clock.now())),
                 Account.failed_count.set(0), Account.failed_window_start.remove(),
                 Account.locked_until.remove()],
        condition=Account.id_number.exists())


def reset_to_initial(id_number: str) -> None:
    """Ops: back to 888888; the next sign-in must activate again."""
    get(id_number)
    Account(id_number=id_number).update(
        actions=[Account.password_hash.set(passwords.hash_password(passwords.INITIAL_PASSWORD)),
                 Account.password_state.set("INITIAL"), Account.failed_count.set(0),
                 Account.failed_window_start.remove(), Account.locked_until.remove()],
        condition=Account.id_number.exists())
