"""Pension personal account: the annual formula against hand-worked cases, to the fen, and the
year-by-year statement (service and API)."""
from __future__ import annotations

import pytest

from chalicelib.models.pension_accounts import PensionAccountYear
from chalicelib.services import pension_account
from chalicelib.services.sessions import CurrentSession

from .conftest import load_fixture
from .helpers import ZHANG, get, signed_in

CASES = load_fixture("records/pension_account_cases.json")["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["work"][:40] for c in CASES])
def test_year_end_matches_the_hand_worked_case_to_the_fen(case):
    assert pension_account.year_end(case["opening_fen"], case["credited_fen"], case["rate_bp"]) == case["closing_fen"]


def test_year_end_refuses_negative_amounts():
    with pytest.raises(ValueError):
        pension_account.year_end(-1, 0, 100)


def _years(id_number, *entries):
    for year, months, credited, opening in entries:
        PensionAccountYear(id_number=id_number, year=str(year), months=months, credited_fen=credited,
                           opening_fen=opening).save()


def test_statement_chains_years_with_the_published_rates_and_rounds_each_year(tables):
    _years(ZHANG, (2016, 12, 120000, 0), (2017, 12, 120000, None), (2019, 6, 0, None))
    rows = pension_account.statement(CurrentSession(ZHANG, "h", 0, 0))["items"]
    by_year = {r["year"]: r for r in rows}
    assert [r["year"] for r in rows] == [2019, 2018, 2017, 2016]   # newest first; 2018 earns interest too
    assert by_year[2016]["closing_fen"] == 125400 and by_year[2016]["interest_fen"] == 5400
    assert by_year[2017]["opening_fen"] == 125400 and by_year[2017]["closing_fen"] == 258955
    assert by_year[2017]["interest_fen"] == 258955 - 125400 - 120000
    assert by_year[2018]["months"] == 0 and by_year[2018]["rate_bp"] == 829
    assert by_year[2018]["closing_fen"] == pension_account.year_end(258955, 0, 829)
    assert all(r["rate_source"] == "published" for r in rows)


def test_rates_the_table_does_not_list_are_labelled_as_not_published(tables):
    _years(ZHANG, (1985, 12, 10692, 0), (2025, 12, 100000, None))
    rows = {r["year"]: r for r in pension_account.statement(CurrentSession(ZHANG, "h", 0, 0))["items"]}
    assert rows[1985]["rate_source"] == "assumed" and "非公布" in rows[1985]["rate_label"]
    assert rows[2025]["rate_source"] == "provisional" and "暂定" in rows[2025]["rate_label"]
    assert rows[2016]["rate_source"] == "published"


def test_pension_account_api_answers_the_statement_to_the_signed_in_resident(client):
    _years(ZHANG, (2016, 12, 120000, 0), (2017, 12, 120000, None))
    cookie = signed_in(client)
    response = get(client, "/api/records/pension-account", cookie=cookie)
    assert response.status_code == 200
    body = response.json_body
    assert body["balance_fen"] == 258955
    assert [r["closing_fen"] for r in body["items"]] == [258955, 125400]
    assert get(client, "/api/records/pension-account").status_code == 401
