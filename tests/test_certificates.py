"""Certificates: issue (PDF text checked), public verification (masked facts, 404/410),
expiry after 90 days, revocation, the owner's verification log, per-IP rate limit."""

from __future__ import annotations

import io

import pytest

from chalicelib import clock, storage
from chalicelib.errors import BadInput, Gone, NotFound, TooManyRequests
from chalicelib.models.certificates import Certificate
from chalicelib.models.rate_counters import RateCounter
from chalicelib.services import certificates
from chalicelib.services.sessions import CurrentSession
from infra.seed.contributions import generate_employee_history
from infra.seed.records import store_history

from .helpers import ZHANG, get, make_account, post, signed_in

WANG = "371481199004225625"


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def history(tables):
    store_history(
        generate_employee_history(ZHANG, "202001", "202112", "德州市恒信机械制造有限公司", ["110", "310"])
    )


def issue(types=("110",), start="202001", end="202112"):
    return certificates.issue(
        CurrentSession(ZHANG, "h", 0, 0), {"types": list(types), "from": start, "to": end}, "203.0.113.9"
    )


def test_issued_pdf_holds_name_masked_id_months_totals_and_code(history):
    make_account(ZHANG)
    cert = issue(("110", "310"), "202101", "202112")
    text = pdf_text(storage.get_bytes(f"certificates/{cert['code']}.pdf"))
    assert "社会保险参保缴费证明" in text and "张伟" in text and "3714**********2314" in text
    assert ZHANG not in text
    assert "2021年01月 至 2021年12月" in text
    assert "职工基本养老保险（110）" in text and "12个月" in text
    assert cert["code_display"] in text
    pension = cert["types"][0]
    assert pension["months"] == 12
    expected = sum(
        r.employer_fen + r.personal_fen
        for r in generate_employee_history(ZHANG, "202101", "202112", "x", ["110"])
    )
    assert pension["total_fen"] == expected
    assert f"¥{expected // 100:,}.{expected % 100:02d}" in text
    assert "X-Amz-Expires=300" in cert["download_url"]


def test_codes_carry_at_least_80_random_bits():
    codes = {certificates.new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 20 and set(c) <= set(certificates.ALPHABET) for c in codes)
    assert len(certificates.ALPHABET) ** 20 >= 2**80


def test_only_owned_types_and_a_sane_period_can_be_certified(history):
    make_account(ZHANG)
    for body, field in [
        ({"types": ["510"], "from": "202001", "to": "202012"}, "types"),
        ({"types": [], "from": "202001", "to": "202012"}, "types"),
        ({"types": ["110"], "from": "202013", "to": "202012"}, "from"),
        ({"types": ["110"], "from": "202012", "to": "202001"}, "from"),
    ]:
        with pytest.raises(BadInput) as error:
            certificates.issue(CurrentSession(ZHANG, "h", 0, 0), body, None)
        assert error.value.field == field


def test_verification_shows_masked_facts_and_is_logged_for_the_owner(history):
    make_account(ZHANG)
    cert = issue()
    answer = certificates.verify(cert["code_display"].lower(), "198.51.100.7", "Mozilla/5.0 (iPhone) Mobile")
    assert answer["valid"] is True
    assert answer["name_masked"] == "张*" and answer["id_number_masked"] == "3714**********2314"
    assert answer["types"][0]["months"] == 24
    log = certificates.verifications(CurrentSession(ZHANG, "h", 0, 0), cert["code"])["items"]
    assert [(v["outcome"], v["source_ip"], v["agent"]) for v in log] == [
        ("VALID", "198.51.100.*", "手机浏览器")
    ]
    with pytest.raises(NotFound):
        certificates.verifications(CurrentSession(WANG, "h", 0, 0), cert["code"])


@pytest.mark.parametrize(
    "typed",
    [
        "abcd efgh jkmn pqrs tvwx",  # spaces instead of dashes
        " ABCD－EFGH－JKMN－PQRS－TVWX ",  # full-width dashes (Chinese keyboard)
        "ＡＢＣＤ—ＥＦＧＨ–ＪＫＭＮ一ＰＱＲＳ\u3000ＴＶＷＸ",  # full-width letters, em/en dash, 一, ideographic space
        "ABCD\u2212EFGH-JKMN-PQRS-TVWX\n",  # minus sign, trailing newline from a paste
    ],
)
def test_a_code_typed_with_spaces_or_full_width_dashes_is_the_same_code(typed):
    assert certificates.normalise_code(typed) == "ABCDEFGHJKMNPQRSTVWX"


def test_a_code_with_other_characters_is_not_a_code():
    assert certificates.normalise_code("ABCD/EFGH-JKMN-PQRS-TVWX") is None
    assert certificates.normalise_code("ABCD-EFGH-JKMN-PQRS") is None


def test_unknown_code_is_404_and_expired_or_revoked_is_410(history):
    make_account(ZHANG)
    with pytest.raises(NotFound):
        certificates.verify("ABCD-EFGH-JKMN-PQRS-TVWX", "192.0.2.1", "")
    cert = issue()
    clock.travel(90 * 86400 + 1)
    with pytest.raises(Gone) as error:
        certificates.verify(cert["code"], "192.0.2.1", "")
    assert error.value.code == "certificate_expired"
    clock.reset()
    other = issue()
    certificates.revoke(CurrentSession(ZHANG, "h", 0, 0), other["code"], None)
    with pytest.raises(Gone) as error:
        certificates.verify(other["code"], "192.0.2.1", "")
    assert error.value.code == "certificate_revoked"
    outcomes = [
        v["outcome"]
        for v in certificates.verifications(CurrentSession(ZHANG, "h", 0, 0), other["code"])["items"]
    ]
    assert outcomes == ["REVOKED"]


def test_only_the_owner_can_revoke_or_download(history):
    make_account(ZHANG)
    cert = issue()
    with pytest.raises(NotFound):
        certificates.revoke(CurrentSession(WANG, "h", 0, 0), cert["code"], None)
    with pytest.raises(NotFound):
        certificates.download(CurrentSession(WANG, "h", 0, 0), cert["code"])
    assert Certificate.get(cert["code"]).revoked_at is None


def test_verification_is_rate_limited_per_source_ip_with_a_shared_counter(history):
    make_account(ZHANG)
    cert = issue()
    limit = certificates._settings()["verify_limit_per_minute"]
    clock.travel(60 - clock.now() % 60 + 1)  # start of a fresh minute window
    for _ in range(limit):
        certificates.verify(cert["code"], "192.0.2.50", "")
    with pytest.raises(TooManyRequests):
        certificates.verify(cert["code"], "192.0.2.50", "")
    certificates.verify(cert["code"], "192.0.2.51", "")  # another source is not affected
    counters = {c.counter_key.split("#")[1]: c.count for c in RateCounter.scan()}
    assert counters["192.0.2.50"] == limit and counters["192.0.2.51"] == 1
    clock.travel(60)
    certificates.verify(cert["code"], "192.0.2.50", "")  # next window


def test_certificate_api_issue_list_download_revoke_and_public_verify(client, history):
    cookie = signed_in(client)
    created = post(
        client,
        "/api/certificates",
        {"types": ["110", "310"], "from": "202001", "to": "202112"},
        cookie=cookie,
    )
    assert created.status_code == 201, created.json_body
    code = created.json_body["code"]
    listed = get(client, "/api/certificates", cookie=cookie).json_body["items"]
    assert [c["code"] for c in listed] == [code] and listed[0]["status"] == "VALID"
    download = get(client, f"/api/certificates/{code}/download", cookie=cookie).json_body
    assert "X-Amz-Expires=300" in download["download_url"]
    public = get(client, f"/api/certificates/verify/{code}")
    assert public.status_code == 200 and public.json_body["valid"] is True
    assert "张伟" not in str(public.json_body)
    assert get(client, "/api/certificates/verify/NOPE").status_code == 404
    log = get(client, f"/api/certificates/{code}/verifications", cookie=cookie).json_body["items"]
    assert len(log) == 1
    assert post(client, f"/api/certificates/{code}/revoke", cookie=cookie).status_code == 200
    gone = get(client, f"/api/certificates/verify/{code}")
    assert gone.status_code == 410 and gone.json_body["error"]["code"] == "certificate_revoked"
    assert get(client, f"/api/certificates/{code}/download", cookie=cookie).status_code == 410
    assert post(client, "/api/certificates", {"types": ["110"]}).status_code == 401
