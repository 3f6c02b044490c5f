"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import functools
import hmac
from pathlib import Path

from ..errors import BadInput

INITIAL_PASSWORD = "888888"
MIN_LENGTH = 8
MAX_LENGTH = 64
_COMMON_FILE = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"


@functools.lru_cache(maxsize=1)
def _hasher():
    # Imported lazily: argon2 is only needed on sign-in and password changes.
    from argon2 import PasswordHasher, Type  # noqa: PLC0415  (see above)

    # OWASP minimum for argon2id: m = 19 MiB, t = 2, p = 1.
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError  # noqa: PLC0415  (argon2 lazily)

    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY_HASH: list[str] = []


def burn_time(password: str) -> None:
    """Verify against a dummy hash so an unknown ID number takes as long as a wrong password."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password("dummy-password-for-timing"))
    verify_password(_DUMMY_HASH[0], password)


@functools.lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _id_fragments(id_number: str) -> list[str]:
    return [id_number.lower(), id_number[-6:].lower(), id_number[6:14], id_number[8:14]]


def check_policy(password: object, id_number: str, field: str = "new_password") -> str:
    """Return the password if it meets the policy, else raise BadInput saying how to fix it."""
    if not isinstance(password, str) or not password:
        raise BadInput("请输入新密码", code="weak_password", field=field)
    if hmac.compare_digest(password, INITIAL_PASSWORD):
        raise BadInput("不能使用初始密码888888，请设置新的密码", code="weak_password", field=field)
    if len(password) < MIN_LENGTH or len(password) > MAX_LENGTH:
        raise BadInput(f"密码长度需为{MIN_LENGTH}至{MAX_LENGTH}位", code="weak_password", field=field)
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        raise BadInput("密码需同时包含字母和数字", code="weak_password", field=field)
    lowered = password.lower()
    if lowered in _common():
        raise BadInput("该密码过于常见，容易被猜中，请换一个", code="weak_password", field=field)
    if any(fragment in lowered for fragment in _id_fragments(id_number)):
        raise BadInput("密码不能包含身份证号码或出生日期", code="weak_password", field=field)
    return password
