"""Card photo collection (社保卡照片采集).

1. `upload_form`: a presigned POST for one upload key under card-photos/<application id>/, with
   the size limit of the policy as a content-length-range condition, SSE and a 5-minute expiry;
   the browser uploads straight to S3.
2. `check`: the API fetches the object and decodes it with Pillow (never trusting the name or the
   declared type): real JPEG, at least 358×441 px with the same aspect within the tolerance, in
   colour, ≤ 200 KB once normalised (EXIF stripped, resized to 358×441). A failing photo is
   deleted and the exact reason given; an accepted one is stored and linked to the application.
3. `photo_url`: the stored photo through a short-lived presigned GET.
"""

from __future__ import annotations

import io
import re
import secrets
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from .. import policy, storage
from ..errors import BadInput, DomainError, NotFound
from . import audit, card_applications
from .sessions import CurrentSession

if TYPE_CHECKING:
    from PIL import Image

PREFIX = "card-photos"
# Browser uploads land under incoming/, which the bucket's lifecycle expires after a day, so an
# upload that is never checked does not stay; accepted photos are copied under PREFIX.
UPLOAD_PREFIX = f"incoming/{PREFIX}"
JPEG_QUALITY = 95
MAX_PIXELS = 40_000_000
GRAY_SPREAD = 12  # max(R,G,B) - min(R,G,B) at or below this counts as a grey pixel
COLOUR_SHARE_MIN = 0.01  # a colour photo has at least 1% clearly coloured pixels


def rules() -> dict[str, int]:
    return policy.data()["social_security_card"]["photo"]


def _upload_key_re(application_id: str) -> re.Pattern:
    return re.compile(rf"^{UPLOAD_PREFIX}/{re.escape(application_id)}/upload-[0-9a-f]{{16}}\.jpg$")


def upload_form(current: CurrentSession, application_id: str, ip: str) -> dict[str, Any]:
    """A presigned POST for one photo upload of this (unsubmitted) application."""
    app = card_applications.load_draft(current.id_number, application_id)
    limits = rules()
    key = f"{UPLOAD_PREFIX}/{app.application_id}/upload-{secrets.token_hex(8)}.jpg"
    fields = {
        "Content-Type": "image/jpeg",
        "x-amz-server-side-encryption": "AES256",
        "success_action_status": "201",
    }
    conditions = [
        {"Content-Type": "image/jpeg"},
        {"x-amz-server-side-encryption": "AES256"},
        {"success_action_status": "201"},
        ["content-length-range", 1, limits["max_upload_bytes"]],
    ]
    expires = min(limits["url_expires_s"], storage.PRESIGN_MAX_S)
    post = storage.client().generate_presigned_post(
        Bucket=storage.bucket(), Key=key, Fields=fields, Conditions=conditions, ExpiresIn=expires
    )
    audit.record(
        current.id_number, "card_photo_upload_start", "ok", ip, {"application_id": app.application_id}
    )
    return {
        "url": post["url"],
        "fields": post["fields"],
        "key": key,
        "expires_in": expires,
        "max_bytes": limits["max_upload_bytes"],
    }


class PhotoRejected(BadInput):
    pass


def _reject(code: str, message: str) -> PhotoRejected:
    return PhotoRejected(message, code=code, field="photo")


def _is_grayscale(img: Image.Image) -> bool:
    from PIL import ImageChops  # noqa: PLC0415  (Pillow loads only when a photo is checked)

    if img.mode in ("1", "L", "LA", "I", "I;16", "F"):
        return True
    small = img.convert("RGB").resize((90, 110))
    r, g, b = small.split()
    high = ImageChops.lighter(ImageChops.lighter(r, g), b)
    low = ImageChops.darker(ImageChops.darker(r, g), b)
    histogram = ImageChops.subtract(high, low).histogram()
    coloured = sum(histogram[GRAY_SPREAD + 1 :])
    return coloured < COLOUR_SHARE_MIN * small.width * small.height


def inspect(data: bytes) -> bytes:
    """Check a photo; return the normalised JPEG or raise PhotoRejected with the exact reason."""
    from PIL import Image, ImageOps, UnidentifiedImageError  # noqa: PLC0415  (Pillow off the API path)

    limits = rules()
    width_px, height_px = limits["width_px"], limits["height_px"]
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow refuses twice this at open: a 400, not a 500
    try:
        img: Image.Image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise _reject("photo_too_many_pixels", "照片像素过多，请先缩小后再上传") from None
    except (UnidentifiedImageError, OSError):
        raise _reject(
            "photo_not_jpeg", "无法识别照片内容：请上传JPEG格式（.jpg）的照片，不能只修改文件扩展名"
        ) from None
    if img.format != "JPEG":
        kind = img.format or "未知"
        raise _reject(
            "photo_not_jpeg",
            f"照片不是JPEG格式（实际为{kind}格式）：请上传JPEG格式（.jpg）的照片，不能只修改文件扩展名",
        )
    if img.width * img.height > MAX_PIXELS:
        raise _reject("photo_too_many_pixels", "照片像素过多，请先缩小后再上传")
    try:
        img.load()
        img = ImageOps.exif_transpose(img)
    except Image.DecompressionBombError:
        raise _reject("photo_too_many_pixels", "照片像素过多，请先缩小后再上传") from None
    except (OSError, SyntaxError, ValueError):
        raise _reject("photo_damaged", "照片文件不完整或已损坏，请重新拍摄或导出后上传") from None
    width, height = img.size
    if width < width_px or height < height_px:
        raise _reject(
            "photo_too_small",
            f"照片尺寸过小：{width}×{height}像素，至少需要{width_px}×{height_px}像素（宽×高）",
        )
    target = width_px / height_px
    deviation_permille = abs(width / height - target) / target * 1000
    if deviation_permille > limits["aspect_tolerance_permille"]:
        raise _reject(
            "photo_wrong_aspect",
            f"照片宽高比例不符：{width}×{height}像素，应为{width_px}:{height_px}"
            f"（误差不超过{limits['aspect_tolerance_permille'] / 10:g}%），"
            "请按证件照比例裁剪后再上传",
        )
    if _is_grayscale(img):
        raise _reject("photo_grayscale", "照片为黑白（灰度）照片，请上传彩色照片")
    normalised = img.convert("RGB").resize((width_px, height_px), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    normalised.save(out, "JPEG", quality=JPEG_QUALITY, subsampling=0, optimize=True)
    result = out.getvalue()
    if len(result) > limits["max_stored_bytes"]:
        raise _reject(
            "photo_normalised_too_large",
            f"照片规范化为{width_px}×{height_px}像素后仍有{len(result) // 1024}KB，"
            f"超过{limits['max_stored_bytes'] // 1024}KB：背景杂乱或噪点过多，"
            "请在纯色背景前重新拍摄",
        )
    return result


def check(current: CurrentSession, application_id: str, key: str | None, ip: str) -> dict[str, Any]:
    """Check the uploaded object; accepted → normalised, stored, linked; rejected → deleted."""
    app = card_applications.load_draft(current.id_number, application_id)
    if not key or not _upload_key_re(app.application_id).match(key):
        raise BadInput("上传凭证不属于该申请，请重新上传照片", code="invalid_upload_key", field="photo")
    try:
        size = storage.client().head_object(Bucket=storage.bucket(), Key=key)["ContentLength"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            raise NotFound("没有收到上传的照片，请重新上传", code="photo_missing", field="photo") from None
        raise
    try:
        limit = rules()["max_upload_bytes"]
        if size > limit:
            raise _reject(
                "photo_upload_too_large",
                f"照片文件过大（{size // 1024}KB），上传的文件不能超过{limit // 1024 // 1024}MB",
            )
        normalised = inspect(storage.get_bytes(key))
    except PhotoRejected as exc:
        storage.delete(key)
        audit.record(
            current.id_number, "card_photo_check", exc.code, ip, {"application_id": app.application_id}
        )
        raise
    storage.delete(key)
    stored_key = f"{PREFIX}/{app.application_id}/photo-{secrets.token_hex(8)}.jpg"
    storage.put_bytes(stored_key, normalised, "image/jpeg")
    previous = app.photo_key
    try:
        result = card_applications.save_photo(app, stored_key, ip)
    except DomainError:
        storage.delete(stored_key)
        raise
    if previous and previous != stored_key:
        storage.delete(previous)
    return {**result, "photo": photo_url(current, application_id)}


def photo_url(current: CurrentSession, application_id: str) -> dict[str, Any]:
    """The stored photo of an application through a short-lived presigned GET."""
    app = card_applications.load(current.id_number, application_id)
    if not app.photo_key:
        raise NotFound("该申请还没有上传照片", code="no_photo")
    expires = min(rules()["url_expires_s"], storage.PRESIGN_MAX_S)
    return {
        "url": storage.presigned_get(app.photo_key, expires),
        "expires_in": expires,
        "width_px": rules()["width_px"],
        "height_px": rules()["height_px"],
    }
