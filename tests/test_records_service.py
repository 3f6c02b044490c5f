"""Contribution year view, summary and gaps (services/records.py), and the summary upkeep that
import, seed and payments rely on."""

from __future__ import annotations

from datetime import datetime

import pytest

from chalicelib import clock
from chalicelib.errors import BadInput
from chalicelib.models.base import transaction
from chalicelib.models.contribution_summaries import ContributionSummary
from chalicelib.models.contributions import Contribution
from chalicelib.services import records
from chalicelib.services.sessions import CurrentSession
from infra.seed.contributions import (
    generate_employee_history,
    generate_flexible_history,
    generate_resident_history,
)
from infra.seed.records import store_history

ZHANG = "371402198503142314"
WANG = "371481199004225625"


def session(id_number):
    return CurrentSession(id_number, "hash", 0, 0)


def at(year, month, day=15):
    """Move the clock to a China-time date (tests only move forward from the real now)."""
    clock.reset()
    target = datetime(year, month, day, 12, tzinfo=clock.CHINA_TZ).timestamp()
    clock.travel(target - clock.now())


@pytest.fixture
def zhang(tables):
    store_history(
        generate_employee_history(ZHANG, "202001", "202303", "德州市恒信机械制造有限公司", ["110", "310"])
    )


def test_year_view_pages_six_months_newest_first_with_a_cursor_then_the_rest(zhang):
    first = records.year_view(session(ZHANG), "110", "2021", None)
    assert [r["period"] for r in first["items"]] == [f"2021{m:02d}" for m in range(12, 6, -1)]
    assert first["next_cursor"]
    row = first["items"][0]
    assert row["employer"] == "德州市恒信机械制造有限公司"
    assert row["status"] == "PAID" and row["status_label"] == "到账"
    assert row["employer_fen"] > 0 and row["personal_fen"] > 0 and row["account_fen"] > 0
    second = records.year_view(session(ZHANG), "110", "2021", first["next_cursor"])
    assert [r["period"] for r in second["items"]] == [f"2021{m:02d}" for m in range(6, 0, -1)]
    assert second["next_cursor"] is None


def test_a_partial_year_has_no_next_page_and_an_empty_year_says_so(zhang):
    partial = records.year_view(session(ZHANG), "110", 2023, None)
    assert [r["period"] for r in partial["items"]] == ["202303", "202302", "202301"]
    assert partial["next_cursor"] is None
    empty = records.year_view(session(ZHANG), "110", 2019, None)
    assert empty["items"] == [] and empty["next_cursor"] is None


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: c[:-2] + ("AA" if not c.endswith("AA") else "BB"),  # MAC edited
        lambda c: "eyJwIjoiMjAyMTEyIn0" + c[c.index(".") :],  # position edited, old MAC
        lambda c: "garbage",
    ],
)
def test_a_tampered_cursor_is_refused(zhang, mutate):
    cursor = records.year_view(session(ZHANG), "110", 2021, None)["next_cursor"]
    with pytest.raises(BadInput) as error:
        records.year_view(session(ZHANG), "110", 2021, mutate(cursor))
    assert error.value.field == "cursor"


def test_a_cursor_is_bound_to_its_person_type_and_year(zhang):
    cursor = records.year_view(session(ZHANG), "110", 2021, None)["next_cursor"]
    for who, type_code, year in [(WANG, "110", 2021), (ZHANG, "310", 2021), (ZHANG, "110", 2022)]:
        with pytest.raises(BadInput):
            records.year_view(session(who), type_code, year, cursor)


def test_unknown_type_and_bad_year_are_refused_with_their_field(zhang):
    with pytest.raises(BadInput) as error:
        records.year_view(session(ZHANG), "999", 2021, None)
    assert error.value.field == "type_code"
    for year in ("abc", "1949", str(clock.now_dt().year + 2)):
        with pytest.raises(BadInput) as error:
            records.year_view(session(ZHANG), "110", year, None)
        assert error.value.field == "year"


def test_summary_lists_only_the_types_the_resident_has(zhang):
    at(2023, 4)
    types = records.summary(session(ZHANG))["types"]
    assert [t["type_code"] for t in types] == ["110", "310"]
    pension = types[0]
    assert (pension["first_period"], pension["last_period"], pension["months"]) == ("202001", "202303", 39)
    assert pension["status"] == "ACTIVE"
    assert pension["years"] == [2023, 2022, 2021, 2020]
    at(2024, 1)
    assert records.summary(session(ZHANG))["types"][0]["status"] == "SUSPENDED"


def test_gaps_group_missing_and_owed_months_into_runs_priced_at_the_lowest_base(tables):
    at(2021, 3)
    store_history(
        generate_flexible_history(
            WANG,
            "202003",
            "202102",
            "灵活就业人员",
            ["110"],
            missing=["202006", "202007", "202008", "202012", "202101"],
            owed=["202102"],
        )
    )
    result = records.gaps(session(WANG))
    pension = result["types"][0]
    assert pension["first_period"] == "202003" and pension["through_period"] == "202102"
    runs = [(r["from"], r["to"], r["months"], r["owed_months"]) for r in pension["runs"]]
    assert runs == [("202006", "202008", 3, 0), ("202012", "202102", 3, 1)]
    # 2020: lowest base 3,600.00 × 20% = 720.00 a month; 2021: 3,870.00 × 20% = 774.00
    assert pension["runs"][0]["cost_fen"] == 3 * 72000
    assert pension["runs"][1]["by_year"] == [
        {"year": 2020, "months": 1, "base_fen": 360000, "rate_bp": 2000, "cost_fen": 72000},
        {"year": 2021, "months": 2, "base_fen": 387000, "rate_bp": 2000, "cost_fen": 154800},
    ]
    assert pension["total_cost_fen"] == 216000 + 72000 + 154800
    assert pension["missing_months"] == 6
    # the backpay window (12 months back from 2021-03 → from 2020-03) holds every missing month:
    # each run carries the months the payment flow is opened with
    assert pension["pay_kind"] == "flexible_pension"
    assert pension["runs"][0]["payable_months"] == ["202006", "202007", "202008"]
    assert pension["runs"][1]["payable_months"] == ["202012", "202101", "202102"]


def test_gaps_of_an_employee_only_type_have_no_flexible_price(tables):
    at(2021, 1)
    rows = [
        r
        for r in generate_employee_history(ZHANG, "202001", "202012", "某公司", ["210"])
        if r.period != "202005"
    ]
    store_history(rows)
    unemployment = records.gaps(session(ZHANG))["types"][0]
    assert unemployment["runs"][0]["from"] == "202005" and unemployment["runs"][0]["cost_fen"] is None
    assert unemployment["flexible_payable"] is False
    assert unemployment["pay_kind"] is None and unemployment["runs"][0]["payable_months"] == []


def test_summary_upkeep_is_idempotent_and_moves_owed_months_to_paid(tables):
    rows = [
        {
            "period": "202101",
            "employer": "灵活就业",
            "base_fen": 387000,
            "employer_fen": 0,
            "personal_fen": 77400,
            "account_fen": 30960,
            "status": "OWED",
            "posted_on": None,
        }
    ]
    records.write_contributions([dict(r, id_number=WANG, type_code="110") for r in rows])
    records.write_contributions([dict(r, id_number=WANG, type_code="110") for r in rows])
    summary = ContributionSummary.get(WANG, "110")
    assert summary.owed == {"202101"} and not summary.paid
    paid = [dict(rows[0], status="BACKPAID", posted_on="2021-03-01")]
    with transaction() as tx:
        records.add_to_transaction(tx, WANG, "110", paid)
    summary = ContributionSummary.get(WANG, "110")
    assert summary.paid == {"202101"} and not summary.owed
    assert Contribution.get(f"{WANG}#110", "202101").status == "BACKPAID"


def test_rebuild_summary_recomputes_from_the_rows(tables):
    store_history(generate_employee_history(ZHANG, "202001", "202003", "某公司", ["110"]))
    ContributionSummary(id_number=ZHANG, type_code="110", paid={"199901"}).save()
    assert records.rebuild_summary(ZHANG, "110") == {"paid": 3, "owed": 0}
    assert ContributionSummary.get(ZHANG, "110").paid == {"202001", "202002", "202003"}


def test_transaction_rows_must_not_mix_paid_and_owed(tables):
    rows = [
        {
            "period": "202101",
            "employer": "x",
            "base_fen": 1,
            "employer_fen": 0,
            "personal_fen": 1,
            "account_fen": 0,
            "status": "PAID",
        },
        {
            "period": "202102",
            "employer": "x",
            "base_fen": 1,
            "employer_fen": 0,
            "personal_fen": 1,
            "account_fen": 0,
            "status": "OWED",
        },
    ]
    with pytest.raises(ValueError), transaction() as tx:
        records.add_to_transaction(tx, WANG, "110", rows)


def test_resident_insurance_rows_have_no_base_and_show_the_subsidy_as_a_subsidy(tables):
    liu = "371403195501011110"
    store_history(generate_resident_history(liu, 2023, 2024, "陵城区糜镇人民政府（代收）", ["170"]))
    answer = records.year_view(session(liu), "170", "2024", None)
    assert answer["scheme"] == "resident"
    row = answer["items"][0]
    assert row["base_fen"] is None and row["employer_fen"] is None
    assert row["subsidy_fen"] > 0 and row["personal_fen"] > 0
    store_history(generate_employee_history(ZHANG, "202401", "202412", "某公司", ["110"]))
    employee = records.year_view(session(ZHANG), "110", "2024", None)
    assert employee["scheme"] == "employee"
    assert employee["items"][0]["base_fen"] > 0 and employee["items"][0]["employer_fen"] > 0
    assert "subsidy_fen" not in employee["items"][0]
