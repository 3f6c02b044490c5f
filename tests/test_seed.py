"""Demo data seeding (infra/seed): the five residents of PRODUCT.md §4, amounts from the policy
data, idempotent re-runs, and the generator used for synthetic residents."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from chalicelib import clock, policy
from chalicelib import id_number as ids
from chalicelib.models.accounts import Account
from chalicelib.models.audit import AuditEvent
from chalicelib.models.contributions import Contribution
from chalicelib.models.registry import ALL_MODELS
from chalicelib.security import passwords
from infra.seed import contributions as seed_contributions
from infra.seed import seed_all, seed_modules
from infra.seed.residents import by_name, demo_residents, make_id_number

from .helpers import login

ZHANG = "371402198503142314"
LI = "37142519620708352X"
WANG = "371481199004225625"
LIU = "371403195501011110"
ZHAO = "371428198806152345"


def _months_between(start: str, end: str) -> int:
    return (int(end[:4]) - int(start[:4])) * 12 + int(end[4:]) - int(start[4:]) + 1


def _this_month() -> str:
    return clock.now_dt().strftime("%Y%m")


def _months_ago(n: int) -> str:
    today = clock.now_dt()
    index = today.year * 12 + today.month - 1 - n
    return f"{index // 12:04d}{index % 12 + 1:02d}"


def _rate(amount_fen: int, bp: int) -> int:
    """Independent of chalicelib.money: decimal arithmetic, half up."""
    return int((Decimal(amount_fen) * bp / 10000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _rows(name: str) -> list[Contribution]:
    return seed_contributions.history_for(by_name(name))


def _by_type(rows):
    out: dict[str, list[Contribution]] = {}
    for row in rows:
        out.setdefault(row.person_type.split("#")[1], []).append(row)
    return out


# ---- the demo residents (data) -----------------------------------------------------------


def test_demo_residents_are_the_five_of_the_product_reference():
    residents = {r["id_number"]: (r["name"], r["phone"]) for r in demo_residents()}
    assert residents == {
        ZHANG: ("张伟", "13800001111"),
        LI: ("李秀英", "13800002222"),
        WANG: ("王芳", "13800003333"),
        LIU: ("刘强", "13800004444"),
        ZHAO: ("赵敏", "13800005555"),
    }


def test_demo_id_numbers_are_valid_and_from_dezhou():
    for resident in demo_residents():
        number = resident["id_number"]
        assert ids.is_valid(number), number
        assert number.startswith("3714")
        assert resident["profile"]["gender"] == ids.gender(number)


def test_make_id_number_gives_valid_numbers_with_the_requested_birth_date():
    numbers = {make_id_number(date(1980, 2, 29), seq, region="371425") for seq in range(50)}
    assert len(numbers) == 50
    for number in numbers:
        assert ids.is_valid(number)
        assert ids.birth_date(number) == date(1980, 2, 29)
    with pytest.raises(ValueError):
        make_id_number(date(1980, 1, 1), 1, region="110101")


# ---- generated histories -----------------------------------------------------------------


def test_zhang_wei_pays_all_five_employee_types_every_month_since_2008():
    by_type = _by_type(_rows("张伟"))
    assert sorted(by_type) == ["110", "210", "310", "410", "510"]
    months = _months_between("200801", _this_month())
    for code, rows in by_type.items():
        periods = [r.period for r in rows]
        assert len(periods) == len(set(periods)) == months, code
        assert min(periods) == "200801" and max(periods) == _this_month()
        assert {r.status for r in rows} == {"PAID"}
        assert {r.employer for r in rows} == {"德州市德城区恒信机械制造有限公司"}


def test_employee_amounts_follow_the_policy_of_each_year():
    rows = _rows("张伟") + _rows("李秀英")
    assert rows
    for row in rows:
        year = str(min(int(row.period[:4]), max(policy.years())))
        params = policy.data()["years"][year]
        type_code = row.person_type.split("#")[1]
        assert params["base_lower_fen"] <= row.base_fen <= params["base_upper_fen"], row.period
        assert row.base_fen % 100 == 0
        rates = params["employee_rates_bp"][type_code]
        assert row.employer_fen == _rate(row.base_fen, rates["employer"])
        assert row.personal_fen == _rate(row.base_fen, rates["personal"])
        assert row.account_fen == _rate(row.base_fen, rates["account"])


def test_zhang_wei_2020_pension_row_has_the_expected_amounts():
    row = next(r for r in _rows("张伟") if r.person_type.endswith("#110") and r.period == "202006")
    params = policy.data()["years"]["2020"]
    expected_base = _rate(params["avg_wage_fen"], 11500) // 100 * 100
    assert row.base_fen == expected_base
    assert row.employer_fen == expected_base * 16 // 100
    assert row.personal_fen == expected_base * 8 // 100


def test_li_xiuying_contributes_from_1985_until_retirement_with_types_added_over_time():
    by_type = _by_type(_rows("李秀英"))
    pension = sorted(r.period for r in by_type["110"])
    assert pension[0] == "198501" and pension[-1] == "201707"
    assert len(pension) == _months_between("198501", "201707")
    assert min(r.period for r in by_type["210"]) == "199901"
    assert min(r.period for r in by_type["310"]) == "200001"
    assert min(r.period for r in by_type["410"]) == "200407"
    assert max(r.period for rows in by_type.values() for r in rows) == "201707"
    assert len({r.employer for r in by_type["110"]}) == 3


def test_wang_fang_flexible_history_has_gaps_and_owed_months():
    rows = _rows("王芳")
    by_type = _by_type(rows)
    assert sorted(by_type) == ["110", "310"]
    periods = {r.period: r for r in by_type["110"]}
    assert min(periods) == "202003"
    for gap in ("202104", "202105", "202106", "202211"):
        assert gap not in periods
    assert _this_month() not in periods
    for n in (1, 2):
        assert periods[_months_ago(n)].status == "OWED"
    paid = [r for r in rows if r.status == "PAID"]
    assert paid and all(r.employer_fen == 0 for r in rows)
    for row in rows:
        year = str(min(int(row.period[:4]), max(policy.years())))
        params = policy.data()["years"][year]
        type_code = row.person_type.split("#")[1]
        assert row.base_fen == params["base_lower_fen"]
        assert row.personal_fen == _rate(row.base_fen, params["flexible_rates_bp"][type_code]["total"])


def test_liu_qiang_pays_resident_pension_yearly_2009_to_2015_and_resident_medical_yearly():
    by_type = _by_type(_rows("刘强"))
    pension = sorted(r.period for r in by_type["170"])
    assert pension == [f"{y}01" for y in range(2009, 2016)]
    medical = sorted(r.period for r in by_type["390"])
    assert medical[0] == "200901" and medical[-1] == f"{clock.now_dt().year}01"
    row_2012 = next(r for r in by_type["170"] if r.period == "201201")
    rates = policy.data()["years"]["2012"]["resident_rates"]["170"]
    assert row_2012.personal_fen == rates["personal_fen_per_year"]
    assert row_2012.employer_fen == rates["subsidy_fen_per_year"]


def test_generator_makes_a_forty_year_resident_with_five_types():
    number = make_id_number(date(1960, 5, 1), 17)
    rows = seed_contributions.generate_employee_history(
        number, "198501", "202412", "德州市测试有限公司", ["110", "210", "310", "410", "510"]
    )
    assert len(rows) == 40 * 12 * 5
    assert len({(r.person_type, r.period) for r in rows}) == len(rows)
    with pytest.raises(ValueError):
        seed_contributions.generate_employee_history(number, "198501", "198512", "x", ["170"])


# ---- writing to the tables (moto) --------------------------------------------------------


def _counts() -> dict[str, int]:
    # The audit table is a log, not data: it is compared separately below.
    return {m.Meta.table_name: sum(1 for _ in m.scan()) for m in ALL_MODELS if m is not AuditEvent}


def test_seed_modules_start_with_accounts_then_contributions():
    names = [m.__name__.rsplit(".", 1)[-1] for m in seed_modules()]
    assert names[:2] == ["accounts", "contributions"]


def test_seeding_twice_gives_the_same_item_counts(tables):
    # Accounts and contributions here (moto); every seed module together runs twice on
    # DynamoDB Local in tests/integration (moto is slow for the other modules' volumes).
    mine = ["accounts", "contributions"]
    seed_all(only=mine)
    first = _counts()
    audit_first = AuditEvent.count()
    assert first["sbp-local-accounts"] == 5
    assert first["sbp-local-contributions"] == sum(
        len(seed_contributions.history_for(r)) for r in demo_residents()
    )
    again = seed_all(only=mine)
    assert _counts() == first
    assert AuditEvent.count() == audit_first
    assert again["accounts"] == {"created": 0, "existing": 5}
    assert set(again["contributions"].values()) == {0}


def test_seeded_accounts_start_with_the_initial_password(tables):
    seed_all(only=["accounts"])
    for resident in demo_residents():
        account = Account.get(resident["id_number"])
        assert account.password_state == "INITIAL"
        assert account.phone == resident["phone"]
        assert passwords.verify_password(account.password_hash, "888888")
        assert account.profile["ethnicity"] == "汉族"
    assert Account.get(LI).profile["retirement_date"] == "2017-08"
    # the reform track the pension estimator reads: men 60; the demo women 55
    assert {
        r["name"]: Account.get(r["id_number"]).profile["original_retirement_age"] for r in demo_residents()
    } == {"张伟": 60, "李秀英": 55, "王芳": 55, "刘强": 60, "赵敏": 55}


def test_reseeding_keeps_a_password_the_resident_set(tables):
    from chalicelib.services import accounts

    seed_all(only=["accounts"])
    accounts.set_password(ZHANG, "Shebao2026go")
    seed_all(only=["accounts"])
    account = Account.get(ZHANG)
    assert account.password_state == "SET"
    assert passwords.verify_password(account.password_hash, "Shebao2026go")


def test_reseeding_does_not_overwrite_a_changed_contribution(tables):
    rows = _rows("王芳")
    assert seed_contributions.write_missing(rows) == len(rows)
    owed = Contribution.get(f"{WANG}#110", _months_ago(1))
    assert owed.status == "OWED"
    owed.update(actions=[Contribution.status.set("BACKPAID")])
    assert seed_contributions.write_missing(_rows("王芳")) == 0
    assert Contribution.get(f"{WANG}#110", _months_ago(1)).status == "BACKPAID"


def test_seeded_resident_must_activate_when_signing_in_with_888888(client):
    seed_all(only=["accounts"])
    response = login(client, id_number=WANG, password="888888")
    assert response.status_code == 200, response.json_body
    assert response.json_body["status"] == "activation_required"
    assert response.json_body["phone_masked"] == "138****3333"


def test_seed_command_seeds_through_the_ops_cli(tables, capsys):
    from infra.cli import build_parser

    args = build_parser().parse_args(["seed", "--only", "accounts"])
    assert args.func(args) == 0
    assert "seed accounts" in capsys.readouterr().out
    assert Account.count() == 5
