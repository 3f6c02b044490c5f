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
from chalicelib.models.accounts import Account
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
        store_history(
            generate_employee_history(
                case["id_number"], spell["from"], spell["to"], EMPLOYER, ["110"], spell["base_factor_bp"]
            )
        )
    for entry in case["account_years"]:
        PensionAccountYear(
            id_number=case["id_number"],
            year=str(entry["year"]),
            months=entry["months"],
            credited_fen=entry["credited_fen"],
            opening_fen=entry.get("opening_fen"),
        ).save()


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
    assert answer["statutory"]["age_months"] == expect["statutory_age_months"]
    assert answer["assumptions"]["retire_period"]["default"] == expect["default_period"]
    assert answer["earliest_period"] == expect["earliest_period"]
    assert facts["months_paid"] == expect["months_paid"]
    assert facts["avg_index_bp"] == expect["past_avg_index_bp"]
    assert facts["account_balance_fen"] == expect["account_balance_fen"]
    assert facts["account_opening_fen"] == expect["account_opening_fen"]
    assert facts["account_credited_this_year_fen"] == expect["account_credited_this_year_fen"]
    for key in (
        "retire_period",
        "pension_from",
        "future_months",
        "total_months",
        "avg_index_bp",
        "avg_wage_fen",
        "account_at_retirement_fen",
        "divisor",
        "total_fen",
        "min_contribution_months",
        "meets_min_contribution",
        "missing_months",
        "total_today_fen",
    ):
        assert result[key] == expect[key], key
    assert {p["key"]: p["amount_fen"] for p in result["parts"]} == expect["parts"]
    assert result["total_fen"] == sum(expect["parts"].values())
    assert {p["key"]: p["today_fen"] for p in result["parts"]} == expect["today_parts"]


def test_the_parts_show_their_formula_with_the_residents_numbers(tables):
    case = CASES[0]
    at(case["today"])
    store_case(case)
    parts = {
        p["key"]: p
        for p in pension_estimate.estimate(session(case["id_number"]), **case["query"])["result"]["parts"]
    }
    assert parts["basic"]["name"] == "基础养老金"
    assert (
        parts["basic"]["work"]
        == "¥7,600.00 ×（1 + 1.0164）÷ 2 × 15年3个月（183个月 ÷ 12） × 1.00% = ¥1,168.50"
    )
    assert parts["account"]["work"] == "¥90,784.62 ÷ 139（60周岁退休的计发月数）= ¥653.13"
    assert "transitional" not in parts


def test_transitional_pension_is_labelled_simplified_and_a_short_record_is_warned(tables):
    case = CASES[1]
    at(case["today"])
    store_case(case)
    answer = pension_estimate.estimate(session(case["id_number"]), **case["query"])
    transitional = next(p for p in answer["result"]["parts"] if p["key"] == "transitional")
    assert "简化" in transitional["name"] and "视同缴费" in transitional["formula"]
    assert any("需累计缴费满15年" in n and "还差130个月" in n for n in answer["notes"])


# ---- assumptions -------------------------------------------------------------------------


def test_defaults_follow_the_statutory_age_the_latest_index_and_the_policy_data(zhang_2026):
    answer = pension_estimate.estimate(session(ZHANG))
    assumptions = answer["assumptions"]
    # born 1985-03: reform delay capped at 36 months → 63; window 60 (never below 60) … 66
    assert answer["statutory"] == {
        "original_age": 60,
        "original_age_assumed": False,
        "age_months": 756,
        "age_text": "63周岁",
        "retire_period": "204803",
        "min_contribution_months": 240,
    }
    assert (answer["earliest_period"], answer["latest_period"]) == ("204503", "205103")
    assert assumptions["retire_period"] == {
        "value": "204803",
        "default": "204803",
        "min": "204503",
        "max": "205103",
    }
    assert assumptions["base_index_bp"]["value"] == 11500  # 2026-11: 8,740.00 ÷ 7,600.00
    assert (assumptions["wage_growth_bp"]["value"], assumptions["interest_bp"]["value"]) == (300, 262)
    result = answer["result"]
    assert (result["retire_period"], result["future_months"], result["total_months"]) == (
        "204803",
        256,
        227 + 256,
    )
    assert answer["facts"]["avg_index_bp"] == 11500
    assert result["avg_wage_projected"] is True and result["avg_wage_year"] == 2047
    assert result["total_today_fen"] < result["total_fen"]


def test_a_later_retirement_month_gives_a_higher_pension(zhang_2026):
    at_60 = pension_estimate.estimate(session(ZHANG), retire_period="204503")["result"]
    at_63 = pension_estimate.estimate(session(ZHANG), retire_period="204803")["result"]
    at_60_5 = pension_estimate.estimate(session(ZHANG), retire_period="204508")["result"]
    assert at_60["retire_age_text"] == "60周岁" and at_60["divisor"] == 139 and at_63["divisor"] == 117
    assert (
        at_60_5["retire_age_text"] == "60周岁5个月" and at_60_5["divisor"] == 136
    )  # 139 − 7 × 5/12 = 136.08
    assert at_63["total_fen"] > at_60_5["total_fen"] > at_60["total_fen"]
    assert at_63["account_at_retirement_fen"] > at_60["account_at_retirement_fen"]


def test_a_woman_without_a_recorded_original_age_is_estimated_on_the_55_track_and_told(tables):
    at("2026-11-20")
    wang = "371481199004225625"  # born 1990-04: 55 + 36 months = 58 → 2048-04
    store_history(generate_employee_history(wang, "202003", "202610", EMPLOYER, ["110"], 10000))
    answer = pension_estimate.estimate(session(wang))
    assert answer["statutory"]["original_age"] == 55 and answer["statutory"]["original_age_assumed"] is True
    assert answer["statutory"]["retire_period"] == "204804"
    assert any("按女职工（干部）原法定退休年龄55周岁测算" in n for n in answer["notes"])


def test_a_female_worker_with_original_age_50_retires_on_her_own_track(tables):
    at("2026-11-20")
    worker = make_id_number(date(1980, 1, 9), 22)  # born 1980-01: 60 months after 1975-01
    Account(
        id_number=worker, name="某女工", password_hash="x", profile={"original_retirement_age": 50}
    ).save()
    store_history(generate_employee_history(worker, "199801", "202610", EMPLOYER, ["110"], 10000))
    answer = pension_estimate.estimate(session(worker))
    # 60 ÷ 2 + 1 = 31 months → 52周岁7个月 → 2032-08; 36 months earlier would be 49周岁7个月,
    # below her original age, so the earliest is 50周岁 (2030-01); the latest 55周岁7个月 (2035-08)
    assert answer["statutory"]["original_age"] == 50 and answer["statutory"]["original_age_assumed"] is False
    assert (
        answer["statutory"]["age_text"] == "52周岁7个月" and answer["statutory"]["retire_period"] == "203208"
    )
    assert (answer["earliest_period"], answer["latest_period"]) == ("203001", "203508")
    assert answer["statutory"]["min_contribution_months"] == 198  # retiring 2032: 15 years + 3 × 6 months


def test_early_retirement_short_of_the_minimum_says_how_many_months_are_missing(tables):
    at("2026-11-20")
    late_starter = make_id_number(date(1972, 5, 3), 11)  # man, 88 ÷ 4 + 1 = 23 → 61周岁11个月 → 2034-04
    store_history(generate_employee_history(late_starter, "202001", "202610", EMPLOYER, ["110"], 10000))
    answer = pension_estimate.estimate(session(late_starter), retire_period="203205")  # 60周岁
    result = answer["result"]
    # 82 months to 2026-10 + 2026-11 … 2032-05 (67) = 149; retiring 2032 needs 198
    assert (result["total_months"], result["min_contribution_months"], result["missing_months"]) == (
        149,
        198,
        49,
    )
    assert result["meets_min_contribution"] is False and result["early"] is True and result["later"] is False
    assert any("还差49个月" in n and "提前退休必须缴满最低缴费年限" in n for n in answer["notes"])


@pytest.mark.parametrize(
    "query, field",
    [
        ({"retire_period": "204502"}, "retire_period"),
        ({"retire_period": "205104"}, "retire_period"),
        ({"retire_period": "sixty"}, "retire_period"),
        ({"retire_period": "204513"}, "retire_period"),
        ({"base_index_bp": "5999"}, "base_index_bp"),
        ({"base_index_bp": "30001"}, "base_index_bp"),
        ({"base_index_bp": "1.2"}, "base_index_bp"),
        ({"wage_growth_bp": "801"}, "wage_growth_bp"),
        ({"wage_growth_bp": "-1"}, "wage_growth_bp"),
        ({"interest_bp": "900"}, "interest_bp"),
    ],
)
def test_assumptions_outside_their_limits_are_refused_with_their_field(zhang_2026, query, field):
    with pytest.raises(BadInput) as error:
        pension_estimate.estimate(session(ZHANG), **query)
    assert error.value.field == field


def test_the_limits_themselves_are_accepted(zhang_2026):
    low = pension_estimate.estimate(
        session(ZHANG), retire_period="204503", base_index_bp="6000", wage_growth_bp="0", interest_bp="0"
    )
    high = pension_estimate.estimate(
        session(ZHANG), retire_period="205103", base_index_bp="30000", wage_growth_bp="800", interest_bp="800"
    )
    assert low["status"] == high["status"] == "ok"
    assert high["result"]["total_fen"] > low["result"]["total_fen"]


def test_a_month_already_passed_is_refused(tables):
    case = CASES[1]  # born 1966-02: 60 was reached in 2026-02
    at(case["today"])
    store_case(case)
    with pytest.raises(BadInput) as error:
        pension_estimate.estimate(session(case["id_number"]), retire_period="202602")
    assert error.value.field == "retire_period" and "2026年6月" in error.value.message


# ---- who can estimate --------------------------------------------------------------------


def test_a_retired_resident_is_pointed_to_the_payment_history(tables):
    store_history(generate_employee_history(LI, "198501", "201707", EMPLOYER, ["110"], 8000))
    records.set_state(LI, "110", "RETIRED")
    answer = pension_estimate.estimate(session(LI), retire_period="201707")
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


def test_an_estimate_reads_three_items_and_makes_three_queries_never_a_scan(zhang_2026):
    with Meter() as meter:
        pension_estimate.estimate(session(ZHANG), retire_period="204703")
    # the account (original age), the 110 summary twice (record, account), history and account years
    assert sorted(c["op"] for c in meter.calls) == [
        "GetItem",
        "GetItem",
        "GetItem",
        "Query",
        "Query",
        "Query",
    ]
    contributions = sorted(c["scanned"] for c in meter.calls if c["table"].endswith("contributions"))
    # the history, once for the index and once (projected) for the account
    assert contributions == [227, 227]


# ---- API ---------------------------------------------------------------------------------


def _estimate(client, cookie, **query):
    return get(
        client, "/api/records/pension-estimate" + ("?" + urlencode(query) if query else ""), cookie=cookie
    )


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
    assert (
        defaults["result"]["retire_age_text"] == "60周岁7个月"
        and defaults["result"]["retire_period"] == "202710"
    )
    assert defaults["statutory"]["retire_period"] == "202710" and defaults["earliest_period"] == "202703"


def test_api_refuses_bad_assumptions_with_400_and_the_field(client):
    case = CASES[0]
    at(case["today"])
    store_case(case)
    cookie = signed_in(client, case["id_number"])
    for query, field in (
        ({"retire_period": "203011"}, "retire_period"),
        ({"base_index_bp": "abc"}, "base_index_bp"),
        ({"interest_bp": "99999"}, "interest_bp"),
        ({"wage_growth_bp": "123456789"}, "wage_growth_bp"),
    ):
        response = _estimate(client, cookie, **query)
        assert response.status_code == 400, query
        assert response.json_body["error"]["field"] == field


def test_api_needs_sign_in_and_tells_a_retiree_where_to_look(client):
    assert _estimate(client, None).status_code == 401
    store_history(generate_employee_history(LI, "201601", "201707", EMPLOYER, ["110"]))
    records.set_state(LI, "110", "RETIRED")
    body = _estimate(client, signed_in(client, LI)).json_body
    assert body["status"] == "retired" and body["link"]["href"] == "/records/pension-payments.html"
