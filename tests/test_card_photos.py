"""Card photo collection: presigned POST conditions, the checks with their exact reasons,
normalisation (EXIF stripped, 358×441), deletion of failing uploads, presigned GET (moto)."""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import pytest
from PIL import Image

from chalicelib import clock, storage
from chalicelib.errors import BadInput, NotFound
from chalicelib.models.audit import AuditEvent
from chalicelib.models.card_applications import CardApplication
from chalicelib.security import pseudonym
from chalicelib.services import card_photos

from .fixtures.photos import images
from .test_card_service import IP, WANG, fill_until_photo, session_of, upload, wang  # noqa: F401


def object_exists(key: str) -> bool:
    listed = storage.client().list_objects_v2(Bucket=storage.bucket(), Prefix=key)
    return any(o["Key"] == key for o in listed.get("Contents", []))


@pytest.mark.usefixtures("wang")
def test_presigned_post_limits_size_key_encryption_and_lifetime():
    app_id = fill_until_photo()
    form = card_photos.upload_form(session_of(WANG), app_id, IP)
    assert form["key"].startswith(f"incoming/card-photos/{app_id}/upload-")
    assert form["fields"]["key"] == form["key"]
    assert form["fields"]["x-amz-server-side-encryption"] == "AES256"
    policy = json.loads(base64.b64decode(form["fields"]["policy"]))
    assert ["content-length-range", 1, 5242880] in policy["conditions"]
    assert {"key": form["key"]} in policy["conditions"]
    assert {"x-amz-server-side-encryption": "AES256"} in policy["conditions"]
    expires = datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert 0 < expires.timestamp() - clock.now() <= 300
    assert form["expires_in"] <= 300


@pytest.mark.usefixtures("wang")
def test_no_upload_form_for_a_submitted_or_foreign_application():
    with pytest.raises(NotFound):
        card_photos.upload_form(session_of(WANG), "A20260101000000ZZZZ", IP)


CASES = [
    (images.png_named_jpg, "photo_not_jpeg", "照片不是JPEG格式（实际为PNG格式）"),
    (images.not_an_image, "photo_not_jpeg", "无法识别照片内容"),
    (images.truncated, "photo_damaged", "照片文件不完整或已损坏"),
    (images.claims_65000_square, "photo_too_many_pixels", "照片像素过多"),
    (images.too_small, "photo_too_small", "照片尺寸过小：300×370像素，至少需要358×441像素"),
    (images.wrong_aspect, "photo_wrong_aspect", "照片宽高比例不符：500×441像素，应为358:441"),
    (images.grayscale, "photo_grayscale", "黑白"),
    (images.grayscale_saved_as_rgb, "photo_grayscale", "黑白"),
    (images.noisy, "photo_normalised_too_large", "超过200KB"),
]


@pytest.mark.parametrize("make, code, reason", CASES, ids=[c[1] + ":" + c[0].__name__ for c in CASES])
@pytest.mark.usefixtures("wang")
def test_failing_photo_is_rejected_with_exact_reason_and_deleted(make, code, reason):
    app_id = fill_until_photo()
    key = upload(app_id, make())
    with pytest.raises(BadInput) as caught:
        card_photos.check(session_of(WANG), app_id, key, IP)
    assert caught.value.code == code
    assert caught.value.field == "photo"
    assert reason in caught.value.message
    assert not object_exists(key)
    assert CardApplication.get(WANG, app_id).photo_key is None
    outcomes = [e.outcome for e in AuditEvent.query(pseudonym.of(WANG)) if e.action == "card_photo_check"]
    assert outcomes == [code]


@pytest.mark.usefixtures("wang")
def test_upload_over_the_policy_size_is_rejected_without_decoding():
    app_id = fill_until_photo()
    key = upload(app_id, images.valid() + b"\0" * (5 * 1024 * 1024))
    with pytest.raises(BadInput) as caught:
        card_photos.check(session_of(WANG), app_id, key, IP)
    assert caught.value.code == "photo_upload_too_large"
    assert "不能超过5MB" in caught.value.message
    assert not object_exists(key)


@pytest.mark.usefixtures("wang")
def test_aspect_within_two_percent_is_accepted_and_beyond_is_not():
    app_id = fill_until_photo()
    accepted = card_photos.check(session_of(WANG), app_id, upload(app_id, images.valid(364, 441)), IP)
    assert accepted["photo_uploaded"] is True
    with pytest.raises(BadInput) as caught:
        card_photos.check(session_of(WANG), app_id, upload(app_id, images.valid(368, 441)), IP)
    assert caught.value.code == "photo_wrong_aspect"


@pytest.mark.usefixtures("wang")
def test_accepted_photo_is_normalised_stripped_of_exif_and_linked():
    app_id = fill_until_photo()
    upload_key = upload(app_id, images.valid_large_with_exif())
    answer = card_photos.check(session_of(WANG), app_id, upload_key, IP)
    assert answer["step"] == "review"
    stored_key = CardApplication.get(WANG, app_id).photo_key
    assert stored_key.startswith(f"card-photos/{app_id}/photo-")
    assert not object_exists(upload_key)
    head = storage.client().head_object(Bucket=storage.bucket(), Key=stored_key)
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentLength"] <= 200 * 1024
    stored = Image.open(io.BytesIO(storage.get_bytes(stored_key)))
    assert stored.format == "JPEG"
    assert stored.size == (358, 441)
    assert dict(stored.getexif()) == {}
    assert b"PhoneMaker" not in storage.get_bytes(stored_key)


@pytest.mark.usefixtures("wang")
def test_new_photo_replaces_and_deletes_the_previous_one():
    app_id = fill_until_photo()
    card_photos.check(session_of(WANG), app_id, upload(app_id, images.valid()), IP)
    first = CardApplication.get(WANG, app_id).photo_key
    card_photos.check(session_of(WANG), app_id, upload(app_id, images.valid(716, 882)), IP)
    second = CardApplication.get(WANG, app_id).photo_key
    assert second != first
    assert object_exists(second) and not object_exists(first)


@pytest.mark.usefixtures("wang")
def test_key_of_another_application_is_refused():
    app_id = fill_until_photo()
    with pytest.raises(BadInput) as caught:
        card_photos.check(
            session_of(WANG),
            app_id,
            "incoming/card-photos/A20250101000000XXXX/upload-0123456789abcdef.jpg",
            IP,
        )
    assert caught.value.code == "invalid_upload_key"


@pytest.mark.usefixtures("wang")
def test_check_without_upload_says_nothing_was_received():
    app_id = fill_until_photo()
    form = card_photos.upload_form(session_of(WANG), app_id, IP)
    with pytest.raises(NotFound) as caught:
        card_photos.check(session_of(WANG), app_id, form["key"], IP)
    assert caught.value.code == "photo_missing"


@pytest.mark.usefixtures("wang")
def test_stored_photo_is_shown_through_a_short_lived_presigned_get():
    app_id = fill_until_photo()
    card_photos.check(session_of(WANG), app_id, upload(app_id, images.valid()), IP)
    answer = card_photos.photo_url(session_of(WANG), app_id)
    query = parse_qs(urlparse(answer["url"]).query)
    assert int(query["X-Amz-Expires"][0]) <= 300
    assert urlparse(answer["url"]).path.endswith(CardApplication.get(WANG, app_id).photo_key)
