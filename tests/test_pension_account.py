"""Pension personal account: the annual formula against hand-worked cases, to the fen; the
year-by-year statement with official and provisional years, part-year interest (the year not
over, the retirement year), payments showing at once (service and API); and a property test of
the account over random histories against a plain reference implementation."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from chalicelib import clock, policy
from chalicelib.models.base import transaction
from chalicelib.models.pension_accounts import PensionAccountYear
from chalicelib.services import pension_account, records
from chalicelib.services.sessions import CurrentSession

from .conftest import load_fixture
from .helpers import ZHANG, get, signed_in

CASES = load_fixture("records/pension_account_cases.json")["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["work"][:40] for c in CASES])
def test_year_end_matches_the_hand_worked_case_to_the_fen(case):
    assert (
        pension_account.year_end(case["opening_fen"], case["credited_fen"], case["rate_bp"])
        == case["closing_fen"]
    )


def test_year_end_refuses_negative_amounts():
    with pytest.raises(ValueError):
        pension_account.year_end(-1, 0, 100)


def _years(id_number, *entries):
    for year, months, credited, opening in entries:
        PensionAccountYear(
            id_number=id_number, year=str(year), months=months, credited_fen=credited, opening_fen=opening
        ).save()


def at(day: str) -> None:
    """Noon (China time) of an ISO date."""
    clock.reset()
    y, m, d = map(int, day.split("-"))
    clock.travel(datetime(y, m, d, 12, tzinfo=clock.CHINA_TZ).timestamp() - clock.now())


@pytest.fixture
def nov_2026(tables):
    at("2026-11-15")
    yield
    clock.reset()


def me(id_number: str = ZHANG) -> CurrentSession:
    return CurrentSession(id_number, "h", 0, 0)


def paid_months(
    id_number: str, first: str, last: str, account_fen: int = 40000, source: str = "import"
) -> None:
    rows = [
        {
            "period": p,
            "employer": "德州市某机械有限公司",
            "base_fen": 500000,
            "employer_fen": 80000,
            "personal_fen": 40000,
            "account_fen": account_fen,
            "status": "PAID",
            "posted_on": "2026-01-01",
            "source": source,
            "id_number": id_number,
            "type_code": "110",
        }
        for p in records.months_between(first, last)
    ]
    records.write_contributions(rows)


def test_official_years_chain_with_the_published_rates_then_later_years_are_provisional(nov_2026):
    _years(ZHANG, (2016, 12, 120000, 0), (2017, 12, 120000, None), (2019, 6, 0, None))
    answer = pension_account.statement(me())
    rows = answer["items"]
    by_year = {r["year"]: r for r in rows}
    assert [r["year"] for r in rows] == list(range(2026, 2015, -1))  # newest first; 2018 earns interest too
    assert by_year[2016]["closing_fen"] == 125400 and by_year[2016]["interest_fen"] == 5400
    assert by_year[2017]["opening_fen"] == 125400 and by_year[2017]["closing_fen"] == 258955
    assert by_year[2018]["months"] == 0 and by_year[2018]["rate_bp"] == 829
    assert by_year[2018]["closing_fen"] == pension_account.year_end(258955, 0, 829)
    assert [r["year"] for r in rows if r["provisional"]] == list(range(2026, 2019, -1))
    assert answer["last_official_year"] == 2019 and answer["provisional_from_year"] == 2020
    assert all(r["rate_source"] == "published" for r in rows if r["year"] <= 2024)


def test_rates_before_2016_and_unpublished_years_are_labelled(nov_2026):
    _years(ZHANG, (1985, 12, 10692, 0), (2025, 12, 100000, None))
    rows = {r["year"]: r for r in pension_account.statement(me())["items"]}
    assert rows[1985]["rate_source"] == "assumed" and "2016年前" in rows[1985]["rate_label"]
    assert rows[2025]["rate_source"] == "provisional" and "暂定" in rows[2025]["rate_label"]
    assert rows[2016]["rate_source"] == "published"


def test_the_year_not_over_earns_interest_only_for_the_months_passed(nov_2026):
    _years(ZHANG, (2025, 12, 0, 1000000))
    answer = pension_account.statement(me())
    current = answer["items"][0]
    # 2025: 1,000,000 × 1.0262 = 1,026,200; 2026 to the end of October: × (1 + 0.0262 × 10/12)
    # = 1,026,200 + 22,405.366… → 1,048,605 (not 1,053,086.44 for a full year)
    assert (current["year"], current["interest_months"], current["provisional"]) == (2026, 10, True)
    assert current["opening_fen"] == 1026200 and current["closing_fen"] == 1048605
    assert answer["interest_through"] == "2026年10月末" and answer["balance_fen"] == 1048605


def test_the_retirement_year_earns_interest_only_before_retirement(nov_2026):
    # 李秀英's shape: retired 2017-08 after 7 months of 2017; nothing accrues after retirement
    paid_months(ZHANG, "201601", "201707", account_fen=10000)
    records.set_state(ZHANG, "110", "RETIRED")
    _years(ZHANG, (2016, 12, 120000, 0), (2017, 7, 70000, None))
    rows = pension_account.statement(me())["items"]
    assert [r["year"] for r in rows] == [2017, 2016]
    # 125,400 × 0.0712 × 7/12 = 5,208.28; 70,000 × 0.0712 × 8/24 = 1,661.33; interest 6,869.61 → 6,870
    assert (rows[0]["interest_months"], rows[0]["interest_fen"], rows[0]["closing_fen"]) == (7, 6870, 202270)
    assert pension_account.retirement_period(ZHANG) == "201708"
    assert pension_account.balance_through(ZHANG, 2020) == 202270


def test_a_history_without_account_years_is_computed_from_the_paid_months(nov_2026):
    paid_months(ZHANG, "202501", "202610")
    rows = pension_account.statement(me())["items"]
    # 2025: 480,000 × (1 + 0.0262 × 1.083 / 2) = 486,809.90 → 486,810
    # 2026: 486,810 × 0.0262 × 10/12 = 10,628.69; 400,000 × 0.0262 × 11/24 = 4,803.33 → 15,432
    assert [(r["year"], r["months"], r["credited_fen"], r["closing_fen"]) for r in rows] == [
        (2026, 10, 400000, 902242),
        (2025, 12, 480000, 486810),
    ]
    assert all(r["provisional"] for r in rows)


def test_a_payment_shows_in_the_account_at_once_and_never_lowers_the_estimate_base(nov_2026):
    paid_months(ZHANG, "202501", "202610")
    before = pension_account.balance_as_of(ZHANG, "202611", interest_months=10)
    with transaction() as tx:
        records.post_contributions(
            tx,
            ZHANG,
            "110",
            [
                {
                    "period": "202611",
                    "employer": "灵活就业",
                    "base_fen": 500000,
                    "employer_fen": 0,
                    "personal_fen": 100000,
                    "account_fen": 40000,
                    "status": "PAID",
                    "posted_on": "2026-11-15",
                    "source": "payment:P20261115AAAAAAAAAA",
                }
            ],
        )
    after = pension_account.balance_as_of(ZHANG, "202611", interest_months=10)
    # credits 440,000 × 0.0262 × 11/24 = 5,283.33; with 10,628.69 on the opening → 15,912
    assert (before["credited_fen"], after["credited_fen"]) == (400000, 440000)
    assert (before["balance_fen"], after["balance_fen"]) == (902242, 942722)
    assert after["opening_fen"] == before["opening_fen"] == 486810
    assert pension_account.statement(me())["balance_fen"] == 942722


def test_an_official_item_for_the_year_not_over_gives_way_to_the_posted_months(nov_2026):
    paid_months(ZHANG, "202601", "202603")
    _years(ZHANG, (2025, 12, 0, 100000), (2026, 1, 40000, None))
    current = pension_account.statement(me())["items"][0]
    assert (current["year"], current["months"], current["credited_fen"], current["provisional"]) == (
        2026,
        3,
        120000,
        True,
    )


def test_a_backpayment_online_for_an_official_year_is_added_to_it_provisionally(nov_2026):
    _years(ZHANG, (2025, 11, 440000, 0))
    paid_months(ZHANG, "202501", "202511")  # restated by the core system
    paid_months(ZHANG, "202512", "202512", source="payment:P20261110AAAAAAAAAA")  # paid online since
    rows = {r["year"]: r for r in pension_account.statement(me())["items"]}
    assert (rows[2025]["months"], rows[2025]["credited_fen"], rows[2025]["online_fen"]) == (12, 480000, 40000)
    assert rows[2025]["provisional"] and rows[2025]["official"]
    assert rows[2025]["closing_fen"] == pension_account.year_end(0, 480000, 262) == 486810


def test_pension_account_api_answers_the_statement_to_the_signed_in_resident(client):
    at("2026-11-15")
    _years(ZHANG, (2016, 12, 120000, 0), (2017, 12, 120000, None))
    cookie = signed_in(client)
    response = get(client, "/api/records/pension-account", cookie=cookie)
    assert response.status_code == 200
    body = response.json_body
    assert [r["closing_fen"] for r in body["items"]][-2:] == [258955, 125400]
    assert body["provisional_from_year"] == 2018 and body["items"][0]["provisional"] is True
    assert body["balance_fen"] == body["items"][0]["closing_fen"]
    assert get(client, "/api/records/pension-account").status_code == 401
    clock.reset()


# ---- property: the account over random histories against a plain reference ----------------


def reference_rows(
    official: dict[int, tuple[int, int]],
    opening: int,
    posted: dict[int, tuple[int, int]],
    end_year: int,
    last_interest: int,
    online: dict[int, int],
) -> list[tuple[int, int, int, bool]]:
    """PRODUCT section 3 written out plainly: (year, credited, closing, provisional) per year."""
    years = sorted(y for y in official if y <= end_year)
    start = years[0] if years else min(posted)
    balance = Fraction(opening if years else 0)
    out = []
    for year in range(start, end_year + 1):
        if year in official:
            credited, provisional = official[year][1] + online.get(year, 0), bool(online.get(year))
        elif years and year < years[-1]:
            credited, provisional = 0, False
        else:
            credited, provisional = posted.get(year, (0, 0))[1], True
        r = Fraction(policy.interest_rate_bp(year), 10000)
        n = last_interest if year == end_year else 12
        if n == 12:
            interest = balance * r + credited * r * Fraction(1083, 1000) / 2
        else:
            interest = balance * r * n / 12 + (credited * r * (n + 1) / 24 if n else 0)
        total = balance + credited + interest
        balance = Fraction(int(total + Fraction(1, 2)))  # half up to the fen, once a year
        out.append((year, credited, int(balance), provisional))
    return out


histories = st.integers(min_value=1990, max_value=2026).flatmap(
    lambda end: st.tuples(
        st.just(end),
        st.dictionaries(
            st.integers(1986, end), st.tuples(st.integers(0, 12), st.integers(0, 2_000_000)), max_size=6
        ),
        st.integers(0, 50_000_000),
        st.dictionaries(
            st.integers(1986, end), st.tuples(st.integers(1, 12), st.integers(0, 2_000_000)), max_size=6
        ),
        st.integers(0, 12),
        st.dictionaries(st.integers(1986, end), st.integers(1, 500_000), max_size=3),
    )
)


@settings(max_examples=300, deadline=None)
@given(histories)
def test_account_rows_match_the_reference_over_random_histories(history):
    end_year, official, opening, posted, last_interest, online = history
    last_official = max(official, default=None)
    posted = {y: v for y, v in posted.items() if last_official is None or y > last_official}
    online = {y: v for y, v in online.items() if y in official}
    assume(official or posted)
    official_items = [
        {
            "year": str(y),
            "months": m,
            "credited_fen": c,
            "opening_fen": opening if y == min(official) else None,
        }
        for y, (m, c) in sorted(official.items())
    ]
    rows = pension_account.account_rows(
        official_items,
        {y: {"months": m, "credited_fen": c} for y, (m, c) in posted.items()},
        end_year,
        last_interest,
        {y: {"months": 1, "credited_fen": c} for y, c in online.items()},
    )
    assert [
        (r["year"], r["credited_fen"], r["closing_fen"], r["provisional"]) for r in rows
    ] == reference_rows(official, opening, posted, end_year, last_interest, online)
    assert all(r["closing_fen"] >= r["opening_fen"] + r["credited_fen"] for r in rows)
