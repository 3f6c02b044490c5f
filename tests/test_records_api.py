"""Records through the API (chalice test client on moto): contributions by year with cursor,
summary, gaps, pension payments, labour contracts and employment information."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from chalicelib.models.employment_notices import EmploymentNotice
from chalicelib.models.labour_contracts import LabourContract
from infra.seed.contributions import generate_employee_history, generate_flexible_history
from infra.seed.records import store_history

from .helpers import ZHANG, get, save_pension_payment, signed_in

WANG = "371481199004225625"


@pytest.fixture
def zhang(client):
    store_history(
        generate_employee_history(ZHANG, "202001", "202112", "德州市恒信机械制造有限公司", ["110", "210"])
    )
    return signed_in(client)


def test_contributions_by_year_page_with_an_opaque_cursor(client, zhang):
    first = get(client, "/api/insurance/110/contributions?year=2021", cookie=zhang)
    assert first.status_code == 200
    body = first.json_body
    assert len(body["items"]) == 6 and body["next_cursor"]
    assert set(body["items"][0]) >= {
        "period",
        "employer",
        "base_fen",
        "employer_fen",
        "personal_fen",
        "account_fen",
        "status",
        "status_label",
        "posted_on",
    }
    assert ZHANG not in body["next_cursor"]
    second = get(
        client,
        f"/api/insurance/110/contributions?year=2021&cursor={quote(body['next_cursor'])}",
        cookie=zhang,
    ).json_body
    assert [r["period"] for r in second["items"]] == [f"2021{m:02d}" for m in range(6, 0, -1)]
    assert second["next_cursor"] is None


def test_a_tampered_or_foreign_cursor_is_a_400(client, zhang):
    cursor = get(client, "/api/insurance/110/contributions?year=2021", cookie=zhang).json_body["next_cursor"]
    tampered = cursor[:-3] + ("xyz" if not cursor.endswith("xyz") else "abc")
    response = get(
        client, f"/api/insurance/110/contributions?year=2021&cursor={quote(tampered)}", cookie=zhang
    )
    assert response.status_code == 400
    assert response.json_body["error"]["code"] == "invalid_cursor"
    wang = signed_in(client, WANG)
    foreign = get(client, f"/api/insurance/110/contributions?year=2021&cursor={quote(cursor)}", cookie=wang)
    assert foreign.status_code == 400


def test_contributions_need_sign_in_a_known_type_and_a_year(client, zhang):
    assert get(client, "/api/insurance/110/contributions?year=2021").status_code == 401
    unknown = get(client, "/api/insurance/999/contributions?year=2021", cookie=zhang)
    assert unknown.status_code == 400 and unknown.json_body["error"]["field"] == "type_code"
    missing = get(client, "/api/insurance/110/contributions", cookie=zhang)
    assert missing.status_code == 400 and missing.json_body["error"]["field"] == "year"


def test_summary_offers_only_the_types_the_resident_has(client, zhang):
    body = get(client, "/api/records/summary", cookie=zhang).json_body
    assert [(t["type_code"], t["months"], t["first_period"], t["last_period"]) for t in body["types"]] == [
        ("110", 24, "202001", "202112"),
        ("210", 24, "202001", "202112"),
    ]


def test_gaps_api_lists_runs_with_their_cost(client):
    store_history(
        generate_flexible_history(
            WANG, "202003", "202012", "灵活就业人员", ["110"], missing=["202005", "202006"]
        )
    )
    cookie = signed_in(client, WANG)
    body = get(client, "/api/records/gaps", cookie=cookie).json_body
    runs = body["types"][0]["runs"]
    assert (runs[0]["from"], runs[0]["to"], runs[0]["cost_fen"]) == ("202005", "202006", 2 * 72000)


def test_pension_payments_for_a_range_page_by_twelve_newest_first(client, zhang):
    for year in (2018, 2019):
        for month in range(1, 13):
            save_pension_payment(ZHANG, f"{year}{month:02d}", 200000 + year)
    first = get(client, "/api/benefits/pension-payments?from=201803&to=201906", cookie=zhang).json_body
    assert [p["period"] for p in first["items"]][:2] == ["201906", "201905"]
    assert len(first["items"]) == 12 and first["next_cursor"]
    assert first["items"][0]["bank_account_masked"] == "**** **** 3571"
    assert first["items"][0]["items"] == [{"name": "基础养老金", "amount_fen": 202019}]
    rest = get(
        client,
        f"/api/benefits/pension-payments?from=201803&to=201906&cursor={quote(first['next_cursor'])}",
        cookie=zhang,
    ).json_body
    assert [p["period"] for p in rest["items"]] == ["201806", "201805", "201804", "201803"]
    other_range = get(
        client,
        f"/api/benefits/pension-payments?from=201801&to=201906&cursor={quote(first['next_cursor'])}",
        cookie=zhang,
    )
    assert other_range.status_code == 400


def test_pension_payments_refuse_a_reversed_or_malformed_range(client, zhang):
    reversed_ = get(client, "/api/benefits/pension-payments?from=201906&to=201801", cookie=zhang)
    assert reversed_.status_code == 400 and reversed_.json_body["error"]["field"] == "from"
    malformed = get(client, "/api/benefits/pension-payments?from=2019-01&to=201906", cookie=zhang)
    assert malformed.status_code == 400 and malformed.json_body["error"]["field"] == "from"


def test_labour_contracts_and_employment_information_newest_first(client, zhang):
    LabourContract(
        id_number=ZHANG,
        contract_id="2008-01-01#A1",
        employer="恒信",
        start_date="2008-01-01",
        end_date="2010-12-31",
        contract_type="FIXED",
    ).save()
    LabourContract(
        id_number=ZHANG,
        contract_id="2011-01-01#A2",
        employer="恒信",
        start_date="2011-01-01",
        end_date=None,
        contract_type="OPEN",
    ).save()
    EmploymentNotice(
        id_number=ZHANG,
        notice_id="2008-01-02#J1",
        kind="EMPLOYED",
        notice_date="2008-01-02",
        organisation="恒信",
    ).save()
    contracts = get(client, "/api/records/labour-contracts", cookie=zhang).json_body["items"]
    assert [(c["start_date"], c["contract_type_label"], c["current"]) for c in contracts] == [
        ("2011-01-01", "无固定期限", True),
        ("2008-01-01", "固定期限", False),
    ]
    notices = get(client, "/api/records/employment", cookie=zhang).json_body["items"]
    assert notices == [
        {
            "date": "2008-01-02",
            "kind": "EMPLOYED",
            "kind_label": "就业登记",
            "organisation": "恒信",
            "detail": None,
        }
    ]


def test_the_resident_pension_of_liu_qiang_is_seeded_and_shown_as_what_it_is(client):
    from infra.seed import records as seed_records
    from infra.seed.contributions import history_for
    from infra.seed.residents import by_name

    liu = by_name("刘强")
    store_history(history_for(liu))
    spec = seed_records._data()[liu["id_number"]]["pension"]
    assert seed_records.seed_pension_payments(liu["id_number"], spec) > 100  # monthly since 2015-02
    cookie = signed_in(client, liu["id_number"])
    body = get(client, "/api/benefits/pension-payments?from=201501&to=201512", cookie=cookie).json_body
    first = body["items"][-1]  # newest first: 2015-02 is last
    assert first["period"] == "201502" and len(body["items"]) == 11
    assert body["items"][0]["period"] == "201512"
    assert (first["scheme"], first["benefit_name"]) == ("resident", "城乡居民基本养老金")
    # 2015 basic pension ¥100.00 (policy data); account 7 years × ¥130.00 = ¥910.00 ÷ 139 = 6.547 → ¥6.55
    assert first["items"] == [
        {"name": "基础养老金", "amount_fen": 10000},
        {"name": "个人账户养老金", "amount_fen": 655},
    ]
    later = get(client, "/api/benefits/pension-payments?from=202501&to=202501", cookie=cookie).json_body
    assert later["items"][0]["gross_fen"] == 20000 + 655


def test_an_employee_pension_is_named_as_such(client, zhang):
    save_pension_payment(ZHANG, "201801", 250000)
    (row,) = get(client, "/api/benefits/pension-payments?from=201801&to=201801", cookie=zhang).json_body[
        "items"
    ]
    assert (row["scheme"], row["benefit_name"]) == ("employee", "职工基本养老金（退休金）")
