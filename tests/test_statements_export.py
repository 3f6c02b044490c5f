"""个人权益记录单 (PDF text checked against the record with pypdf) and 下载我的数据 (the zip opened
and its JSON and CSV checked against the record); both in the access log; bad years refused."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from chalicelib import clock, money, storage
from chalicelib.errors import BadInput, NotFound
from chalicelib.models.contributions import Contribution
from chalicelib.services import audit, data_export, pension_account, statements
from infra.seed import contributions as seed_contributions
from infra.seed import records as seed_records
from infra.seed.residents import by_name

from .helpers import get, make_account, post, signed_in
from .test_certificates import pdf_text
from .test_payments_service import me
from .test_resident_payments import frozen_at

ZHAO = "371428198806152345"
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=clock.CHINA_TZ)


@pytest.fixture
def zhao(tables):
    """赵敏 with her demo history (resident pension 2010–2025, resident medical 2010–2026)."""
    with frozen_at(NOW):
        demo = by_name("赵敏")
        make_account(ZHAO, name="赵敏", phone=demo["phone"], state="SET", profile=demo["profile"])
        seed_records.store_history(seed_contributions.history_for(demo))
        seed_records.seed_pension_account(ZHAO, "170")
        yield demo


def stored(url: str) -> bytes:
    """The object a presigned URL points at (path-style: /bucket/key)."""
    parsed = urlparse(url)
    assert parse_qs(parsed.query)["X-Amz-Expires"] == ["300"]
    return storage.get_bytes(unquote(parsed.path.split("/", 2)[2]))


# ---- statement ----------------------------------------------------------------------------


def test_statement_pdf_holds_the_years_rows_and_pension_account(zhao):
    answer = statements.issue(me(ZHAO), 2025, "203.0.113.5")
    assert answer["year"] == 2025
    text = pdf_text(stored(answer["download_url"]))
    assert "2025年度社会保险个人权益记录单" in text and "赵敏" in text and "3714**********2345" in text
    assert ZHAO not in text
    for type_code in ("170", "390"):
        row = Contribution.get(f"{ZHAO}#{type_code}", "202501")
        assert f"（{type_code}）" in text
        assert money.yuan(row.personal_fen) in text and money.yuan(row.employer_fen) in text
    account = next(r for r in pension_account.ledger(ZHAO, "202512", 12) if r["year"] == 2025)
    assert f"年末余额{money.yuan(account['closing_fen'])}" in text
    assert f"本年记账12个月{money.yuan(account['credited_fen'])}" in text
    assert audit.for_person(ZHAO)[0]["action"] == "records_statement"


def test_statement_years_are_the_years_with_data(zhao):
    years = statements.available(me(ZHAO))["years"]
    assert years[0] == 2026 and years[-1] == 2010 and len(years) == 17


@pytest.mark.parametrize("year", ["2025年", None, 25, True, 2030])
def test_a_malformed_year_is_refused(zhao, year):
    with pytest.raises(BadInput) as caught:
        statements.issue(me(ZHAO), year, None)
    assert caught.value.field == "year"


def test_a_year_without_data_is_not_found_and_not_logged(zhao):
    with pytest.raises(NotFound) as caught:
        statements.issue(me(ZHAO), 2005, None)
    assert "2005年度没有" in caught.value.message
    assert all(e["action"] != "records_statement" for e in audit.for_person(ZHAO))


def test_statement_api_answers_201_with_a_presigned_link(client, zhao):
    cookie = signed_in(client, ZHAO)
    response = post(client, "/api/records/statements", {"year": 2024}, cookie=cookie)
    assert response.status_code == 201, response.json_body
    assert response.json_body["year"] == 2024
    assert "2024年度" in pdf_text(stored(response.json_body["download_url"]))
    bad = post(client, "/api/records/statements", {"year": "明年"}, cookie=cookie)
    assert bad.status_code == 400 and bad.json_body["error"]["field"] == "year"  # the request model
    assert post(client, "/api/records/statements", {"year": 2024}).status_code == 401


# ---- export --------------------------------------------------------------------------------


def open_zip(url: str) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(stored(url)))


def test_export_zip_holds_the_record_as_json_and_csv(zhao):
    answer = data_export.export(me(ZHAO), "203.0.113.5")
    assert answer["expires_at"] == int(clock.now()) + 300
    archive = open_zip(answer["download_url"])
    names = set(archive.namelist())
    assert {
        "README.txt",
        "data.json",
        "profile.csv",
        "contributions.csv",
        "pension_account.csv",
        "payment_orders.csv",
        "cards.csv",
        "certificates.csv",
        "access_log.csv",
    } <= names
    data = json.loads(archive.read("data.json"))
    assert data["profile"]["name"] == "赵敏" and data["profile"]["id_number_masked"] == "3714**********2345"
    raw = archive.read("data.json").decode() + "".join(archive.read(n).decode("utf-8-sig") for n in names)
    assert ZHAO not in raw and "13800005555" not in raw
    stored_rows = {(t, c.period): c for t in ("170", "390") for c in Contribution.query(f"{ZHAO}#{t}")}
    assert len(data["contributions"]) == len(stored_rows)
    for row in data["contributions"]:
        item = stored_rows[(row["type_code"], row["period"])]
        assert (row["personal_fen"], row["employer_fen"], row["status"]) == (
            item.personal_fen,
            item.employer_fen,
            item.status,
        )
    table = list(csv.DictReader(io.StringIO(archive.read("contributions.csv").decode("utf-8-sig"))))
    assert len(table) == len(stored_rows)
    assert {(r["type_code"], r["period"], int(r["personal_fen"])) for r in table} == {
        (t, p, c.personal_fen) for (t, p), c in stored_rows.items()
    }
    account = pension_account.statement(me(ZHAO))["items"]
    assert data["pension_account"] == account
    assert audit.for_person(ZHAO)[0]["action"] == "data_export"


def test_export_lists_the_access_log_and_orders(zhao):
    audit.record(ZHAO, "login", "ok", "198.51.100.7", None)
    data = json.loads(open_zip(data_export.export(me(ZHAO), None)["download_url"]).read("data.json"))
    assert data["access_log"][0]["action"] == "login" and data["access_log"][0]["source_ip"] == "198.51.100.7"
    assert data["payment_orders"] == [] and data["cards"] == []


def test_export_api_answers_201_and_needs_a_session(client, zhao):
    cookie = signed_in(client, ZHAO)
    clock.travel(5)  # time stands still: the export comes after the sign-in in the log
    response = post(client, "/api/me/export", {}, cookie=cookie)
    assert response.status_code == 201, response.json_body
    assert set(response.json_body) == {"download_url", "expires_at"}
    assert "data.json" in open_zip(response.json_body["download_url"]).namelist()
    assert post(client, "/api/me/export", {}).status_code == 401
    log = get(client, "/api/me/access-log", cookie=cookie).json_body["items"]
    assert log[0]["action"] == "data_export"
