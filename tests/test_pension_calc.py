"""Pure rules of the pension estimator (services/pension_calc.py): the three reform tracks against
rows of the decision's annex tables, the flexible-retirement window at its boundaries, the
minimum contribution by retirement year, 计发月数 between whole ages and today's money."""

from __future__ import annotations

import pytest

from chalicelib.errors import BadInput
from chalicelib.services import pension_calc as calc

from .conftest import load_fixture

ANNEX = load_fixture("records/retirement_age_annex.json")["rows"]


@pytest.mark.parametrize("row", ANNEX, ids=[f"{r['original_age']}-{r['born']}" for r in ANNEX])
def test_statutory_age_and_month_match_the_annex_table(row):
    years, months = row["age"]
    assert calc.statutory_age_months(row["born"], row["original_age"]) == years * 12 + months
    assert calc.retirement_window(row["born"], row["original_age"]).retire_period == row["retire"]


@pytest.mark.parametrize(
    "born, original, expected",
    [
        # man born 1965-01: 60岁1个月; 36 months earlier would be below 60, so the earliest is 60岁 (2025-01)
        ("196501", 60, ("202502", "202501", "202802")),
        # man born 1980-01: 63岁; 36 months earlier is exactly 60岁; latest 66岁
        ("198001", 60, ("204301", "204001", "204601")),
        # woman (55) born 1975-06: 65 ÷ 4 + 1 = 17 → 56岁5个月; earliest 55岁 (not 53岁5个月); latest 59岁5个月
        ("197506", 55, ("203111", "203006", "203411")),
        # woman (50) born 1990-03: 55岁; earliest 52岁; latest 58岁
        ("199003", 50, ("204503", "204203", "204803")),
    ],
)
def test_flexible_window_is_36_months_either_side_never_below_the_original_age(born, original, expected):
    window = calc.retirement_window(born, original)
    assert (window.retire_period, window.earliest_period, window.latest_period) == expected


@pytest.mark.parametrize(
    "year, months",
    [(2025, 180), (2029, 180), (2030, 186), (2031, 192), (2038, 234), (2039, 240), (2050, 240)],
)
def test_minimum_contribution_rises_half_a_year_a_year_from_2030_to_20_years(year, months):
    assert calc.min_contribution_months(year) == months


@pytest.mark.parametrize(
    "age_months, divisor",
    [
        (600, 195),  # 50岁, national table
        (601, 195),  # 195 − 5 × 1/12 = 194.58 → 195
        (660, 170),  # 55岁
        (720, 139),  # 60岁
        (723, 137),  # 139 − 7 × 3/12 = 137.25 → 137
        (726, 136),  # 139 − 7 × 6/12 = 135.5 → 136 (half up)
        (756, 117),  # 63岁
        (840, 56),  # 70岁, the last row
    ],
)
def test_divisor_uses_the_national_table_and_interpolates_months_between(age_months, divisor):
    assert calc.divisor(age_months) == divisor


def test_divisor_outside_the_table_is_refused():
    with pytest.raises(BadInput):
        calc.divisor(841)
    with pytest.raises(BadInput):
        calc.divisor(39 * 12)


@pytest.mark.parametrize(
    "months, expected",
    [
        (0, 100000),  # paid now
        (12, 98039),  # 100,000 ÷ 1.02 = 98,039.2
        (18, 97069),  # ÷ (1.02 × 1.01) = 97,068.53
        (6, 99010),  # ÷ 1.01 = 99,009.9
    ],
)
def test_today_money_discounts_by_the_assumed_price_rise(months, expected):
    assert calc.today_money(100000, months, 200) == expected


def test_basic_pension_formula_by_hand():
    # 7,600.00 × (1 + 1.0164) ÷ 2 × 183/12 × 1% = 1,168.5038 → 1,168.50
    assert calc.basic_pension(760000, 10164, 183) == 116850
