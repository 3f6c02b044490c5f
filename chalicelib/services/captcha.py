"""Image captchas: single use, 5-minute life, case-insensitive."""

from __future__ import annotations

import base64
import secrets

from .. import clock
from ..errors import BadInput
from ..models.base import on_condition_failed
from ..models.captchas import Captcha

LIFETIME_S = 5 * 60
# No 0/O, 1/I/L: residents should not have to guess which glyph is meant.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 4


def _render_png(text: str) -> bytes:
    from captcha.image import ImageCaptcha  # noqa: PLC0415  (Pillow only loads when a captcha is drawn)

    return ImageCaptcha(width=160, height=60).generate(text, format="png").getvalue()


def create() -> dict:
    text = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    captcha_id = secrets.token_urlsafe(18)
    Captcha(captcha_id=captcha_id, answer=text, expires_at=int(clock.now()) + LIFETIME_S).save()
    image = base64.b64encode(_render_png(text)).decode("ascii")
    return {"captcha_id": captcha_id, "image": f"data:image/png;base64,{image}", "expires_in": LIFETIME_S}


def consume(captcha_id: str | None, answer: str | None) -> None:
    """Check and burn the captcha (whatever the answer): raise BadInput if it does not match."""
    if not captcha_id or not answer:
        raise BadInput("请输入图片中的验证码", code="captcha_required", field="captcha_answer")
    gone = BadInput("验证码已失效，请点击图片换一张", code="captcha_expired", field="captcha_answer")
    # One request: the conditional DeleteItem burns the captcha and hands back what it held, so
    # only one of parallel attempts gets it (the others find it gone).
    with on_condition_failed(gone):
        deleted = Captcha._get_connection().delete_item(
            captcha_id, condition=Captcha.captcha_id.exists(), return_values="ALL_OLD"
        )
    stored = Captcha.from_raw_data(deleted["Attributes"])
    if stored.expires_at < clock.now():
        raise BadInput("验证码已过期，请点击图片换一张", code="captcha_expired", field="captcha_answer")
    if stored.answer != answer.strip().upper():
        raise BadInput(
            "验证码不正确，请重新输入（已为您换一张）", code="captcha_wrong", field="captcha_answer"
        )


def peek(captcha_id: str) -> str | None:
    """Local stage only (dev endpoint): the answer, for automated tests."""
    try:
        return Captcha.get(captcha_id).answer
    except Captcha.DoesNotExist:
        return None
