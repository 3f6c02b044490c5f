"""Pension estimator (services/pension_estimate.py and GET /api/records/pension-estimate):
hand-worked cases to the fen (tests/fixtures/records/pension_estimate_cases.json), the
statutory-age defaults, the limits of the assumptions, retired residents and residents without
employee pension, and the bounded DynamoDB reads."""
from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode

import pytest

from chalicelib import clock
from chalicelib.errors import BadInput
from chalicelib.models.pension_accounts import PensionAccountYear
from chalicelib.services import pension_estimate, records
from chalicelib.services.sessions import CurrentSession
from infra.seed.contributions import generate_employee_history, generate_resident_history
from infra.seed.records import seed_pension_account, store_history
from infra.seed.residents import make_id_number

from .conftest import load_fixture
from .helpers import ZHANG, get, signed_in
from .test_records_cost import Meter

CASES = load_fixture("records/pension_estimate_cases.json")["cases"]
LI = "37142519620708352X"
LIU = "371403195501011110"
EMPLOYER = "德州市某机械有限公司"


def at(day: str) -> None:
    """Set the clock to noon (China time) of an ISO date."""
    clock.reset()
    y, m, d = map(int, day.split("-"))
    clock.travel(datetime(y, m, d, 12, tzinfo=clock.CHINA_TZ).timestamp() - clock.now())


def session(id_number: str) -> CurrentSession:
    return CurrentSession(id_number, "hash", 0, 0)


def store_case(case: dict) -> None:
    for spell in case["history"]:
        store_history(generate_employee_history(case["id_number"], spell["from"], spell["to"], EMPLOYER,
                                                ["110"], spell["base_factor_bp"]))
    for entry in case["account_years"]:
        PensionAccountYear(id_number=case["id_number"], year=str(entry["year"]), months=entry["months"],
                           credited_fen=entry["credited_fen"], opening_fen=entry.get("opening_fen")).save()


@pytest.fixture
def zhang_2026(tables):
    """张伟's demo history (employee since 2008-01, base 1.15 × average wage) through 2026-11."""
    at("2026-11-20")
    store_history(generate_employee_history(ZHANG, "200801", "202611", EMPLOYER, ["110"], 11500))
    seed_pension_account(ZHANG)


# ---- hand-worked cases -------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=[c["name"][:40] for c in CASES])
def test_estimate_matches_the_hand_worked_case_to_the_fen(tables, case):
    at(case["today"])
    store_case(case)
    answer = pension_estimate.estimate(session(case["id_number"]), **case["query"])
    expect = case["expect"]
    assert answer["status"] == "ok"
    facts, result = answer["facts"], answer["result"]
    assert facts["statutory_age_months"] == expect["statutory_age_months"]
    assert answer["assumptions"]["retire_age"]["default"] == expect["default_age"]
    assert facts["months_paid"] == expect["months_paid"]
    assert facts["avg_index_bp"] == expect["past_avg_index_bp"]
    assert facts["account_balance_fen"] == expect["account_balance_fen"]
    assert facts["account_opening_fen"] == expect["account_opening_fen"]
    assert facts["account_credited_this_year_fen"] == expect["account_credited_this_year_fen"]
    for key in ("retire_period", "pension_from", "future_months", "total_months", "avg_index_bp",
                "avg_wage_fen", "account_at_retirement_fen", "divisor", "total_fen",
                "min_contribution_months", "meets_min_contribution"):
        assert result[key] == expect[key], key
    assert {p["key"]: p["amount_fen"] for p in result["parts"]} == expect["parts"]
    assert result["total_fen"] == sum(expect["parts"].values())


def test_the_parts_show_their_formula_with_the_residents_numbers(tables):
    case = CASES[0]
    at(case["today"])
    store_case(case)
    parts = {p["key"]: p for p in pension_estimate.estimate(session(case["id_number"]), **case["query"])["result"]["parts"]}
    assert parts["basic"]["name"] == "基础养老金"
    assert parts["basic"]["work"] == "¥7,600.00 ×（1 + 1.0164）÷ 2 × 15年3个月（183个月 ÷ 12） × 1.00% = ¥1,168.50"
    assert parts["account"]["work"] == "¥90,784.62 ÷ 139（60周岁退休的计发月数）= ¥653.13"
    assert "transitional" not in parts


def test_transitional_pension_is_labelled_simplified_and_a_short_record_is_warned(tables):
    case = CASES[1]
    at(case["today"])
    store_case(case)
    answer = pension_estimate.estimate(session(case["id_number"]), **case["query"])
    transitional = [p for p in answer["result"]["parts"] if p["key"] == "transitional"][0]
    assert "简化" in transitional["name"] and "视同缴费" in transitional["formula"]
    assert any("不足按月领取基本养老金的最低缴费年限15年" in n for n in answer["notes"])


# ---- assumptions -------------------------------------------------------------------------

def test_defaults_follow_the_statutory_age_the_latest_index_and_the_policy_data(zhang_2026):
    answer = pension_estimate.estimate(session(ZHANG))
    assumptions = answer["assumptions"]
    # born 1985-03: reform delay capped at 36 months → 63; choices 60 … 66 (policy data)
    assert answer["facts"]["statutory_age_text"] == "63周岁"
    assert assumptions["retire_age"] == {"value": 63, "default": 63, "choices": [60, 61, 62, 63, 64, 65, 66]}
    assert assumptions["base_index_bp"]["value"] == 11500          # 2026-11: 8,740.00 ÷ 7,600.00
    assert (assumptions["wage_growth_bp"]["value"], assumptions["interest_bp"]["value"]) == (300, 262)
    result = answer["result"]
    assert (result["retire_period"], result["future_months"], result["total_months"]) == ("204803", 256, 227 + 256)
    assert answer["facts"]["avg_index_bp"] == 11500
    assert result["avg_wage_projected"] is True and result["avg_wage_year"] == 2047


def test_a_later_retirement_age_gives_a_higher_pension(zhang_2026):
    at_60 = pension_estimate.estimate(session(ZHANG), retire_age="60")["result"]
    at_63 = pension_estimate.estimate(session(ZHANG), retire_age="63")["result"]
    assert at_60["retire_period"] == "204503" and at_60["divisor"] == 139 and at_63["divisor"] == 117
    assert at_63["total_fen"] > at_60["total_fen"]
    assert at_63["account_at_retirement_fen"] > at_60["account_at_retirement_fen"]


def test_a_woman_defaults_to_the_55_to_58_track():
    wang = "371481199004225625"      # born 1990-04: 55 + min(244 ÷ 4 + 1, 36) months = 58
    assert pension_estimate.statutory_age_months(wang) == 58 * 12
    assert pension_estimate.statutory_age_months(make_id_number(date(1970, 1, 5), 22)) == 55 * 12 + 1
    assert pension_estimate.statutory_age_months(make_id_number(date(1964, 12, 5), 11)) == 60 * 12


@pytest.mark.parametrize("query, field", [
    ({"retire_age": "59"}, "retire_age"),
    ({"retire_age": "67"}, "retire_age"),
    ({"retire_age": "sixty"}, "retire_age"),
    ({"base_index_bp": "5999"}, "base_index_bp"),
    ({"base_index_bp": "30001"}, "base_index_bp"),
    ({"base_index_bp": "1.2"}, "base_index_bp"),
    ({"wage_growth_bp": "801"}, "wage_growth_bp"),
    ({"wage_growth_bp": "-1"}, "wage_growth_bp"),
    ({"interest_bp": "900"}, "interest_bp"),
])
def test_assumptions_outside_their_limits_are_refused_with_their_field(zhang_2026, query, field):
    with pytest.raises(BadInput) as error:
        pension_estimate.estimate(session(ZHANG), **query)
    assert error.value.field == field


def test_the_limits_themselves_are_accepted(zhang_2026):
    low = pension_estimate.estimate(session(ZHANG), retire_age="60", base_index_bp="6000",
                                    wage_growth_bp="0", interest_bp="0")
    high = pension_estimate.estimate(session(ZHANG), retire_age="66", base_index_bp="30000",
                                     wage_growth_bp="800", interest_bp="800")
    assert low["status"] == high["status"] == "ok"
    assert high["result"]["total_fen"] > low["result"]["total_fen"]


def test_an_age_already_passed_is_refused(tables):
    case = CASES[1]                  # born 1966-02: 60 was reached in 2026-02
    at(case["today"])
    store_case(case)
    with pytest.raises(BadInput) as error:
        pension_estimate.estimate(session(case["id_number"]), retire_age="60")
    assert error.value.field == "retire_age" and "61" in error.value.message


# ---- who can estimate --------------------------------------------------------------------

def test_a_retired_resident_is_pointed_to_the_payment_history(tables):
    store_history(generate_employee_history(LI, "198501", "201707", EMPLOYER, ["110"], 8000))
    records.set_state(LI, "110", "RETIRED")
    answer = pension_estimate.estimate(session(LI), retire_age="55")
    assert answer["status"] == "retired"
    assert "领取基本养老金" in answer["message"]
    assert answer["link"]["href"] == "/records/pension-payments.html"
    assert "result" not in answer


def test_a_resident_without_employee_pension_gets_a_clear_message(tables):
    store_history(generate_resident_history(LIU, 2009, 2015, "陵城区糜镇人民政府（代收）", ["170"]))
    answer = pension_estimate.estimate(session(LIU))
    assert answer["status"] == "no_employee_pension"
    assert "职工基本养老保险" in answer["message"] and "result" not in answer


# ---- bounded reads -----------------------------------------------------------------------

def test_an_estimate_reads_two_summary_items_and_makes_three_queries_never_a_scan(zhang_2026):
    with Meter() as meter:
        pension_estimate.estimate(session(ZHANG), retire_age="62")
    assert sorted(c["op"] for c in meter.calls) == ["GetItem", "GetItem", "Query", "Query", "Query"]
    contributions = sorted(c["scanned"] for c in meter.calls if c["table"].endswith("contributions"))
    # the history, once for the index and once (projected) for the account
    assert contributions == [227, 227]


# ---- API ---------------------------------------------------------------------------------

def _estimate(client, cookie, **query):
    return get(client, "/api/records/pension-estimate" + ("?" + urlencode(query) if query else ""), cookie=cookie)


def test_api_answers_the_estimate_of_the_signed_in_resident(client):
    case = CASES[0]
    at(case["today"])
    store_case(case)
    cookie = signed_in(client, case["id_number"])
    response = _estimate(client, cookie, **case["query"])
    assert response.status_code == 200
    body = response.json_body
    assert body["result"]["total_fen"] == case["expect"]["total_fen"]
    assert [p["name"] for p in body["result"]["parts"]] == ["基础养老金", "个人账户养老金"]
    defaults = _estimate(client, cookie).json_body
    assert defaults["result"]["retire_age"] == 61 and defaults["result"]["retire_period"] == "202803"


def test_api_refuses_bad_assumptions_with_400_and_the_field(client):
    case = CASES[0]
    at(case["today"])
    store_case(case)
    cookie = signed_in(client, case["id_number"])
    for query, field in (({"retire_age": "70"}, "retire_age"), ({"base_index_bp": "abc"}, "base_index_bp"),
                         ({"interest_bp": "99999"}, "interest_bp"),
                         ({"wage_growth_bp": "123456789"}, "wage_growth_bp")):
        response = _estimate(client, cookie, **query)
        assert response.status_code == 400, query
        assert response.json_body["error"]["field"] == field


def test_api_needs_sign_in_and_tells_a_retiree_where_to_look(client):
    assert _estimate(client, None).status_code == 401
    store_history(generate_employee_history(LI, "201601", "201707", EMPLOYER, ["110"]))
    records.set_state(LI, "110", "RETIRED")
    body = _estimate(client, signed_in(client, LI)).json_body
    assert body["status"] == "retired" and body["link"]["href"] == "/records/pension-payments.html"
