"""Local-stage helpers for automated tests: refused on every other stage."""

from __future__ import annotations

from .. import settings
from ..errors import NotFound
from . import captcha, notify


def _local_only() -> None:
    if not settings.is_local():
        raise NotFound("该接口仅在本地环境提供", code="dev_only")


def captcha_answer(captcha_id: str) -> dict:
    _local_only()
    answer = captcha.peek(captcha_id)
    if answer is None:
        raise NotFound("验证码不存在或已使用", code="captcha_unknown")
    return {"answer": answer}


def outbox(address: str | None) -> dict:
    _local_only()
    if not address:
        raise NotFound("请指定 phone 或 email", code="missing_field")
    return {"messages": notify.outbox(address)}
