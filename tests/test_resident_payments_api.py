"""Resident payments through the API (chalice.test.Client on moto): 201 with one line per year,
each rule's clear Chinese 4xx with nothing written, the insured person seeing the paid year."""

from __future__ import annotations

import pytest

from chalicelib.models.accounts import Account
from chalicelib.models.orders import PaymentOrder
from chalicelib.services import payment_settlement
from infra.seed.residents import by_name

from .helpers import get, make_account, post, signed_in
from .test_payments_service import bank_result
from .test_resident_payments import IN_WINDOW, UNKNOWN, ZHAO, frozen_at

ORDERS = "/api/payments/orders"


@pytest.fixture
def cookies(client):
    """Signed-in sessions of 刘强 and 赵敏; 王芳's account exists (not in resident medical)."""
    with frozen_at(IN_WINDOW):
        out = {}
        for name in ("刘强", "赵敏"):
            demo = by_name(name)
            out[name] = signed_in(client, demo["id_number"])
            Account.get(demo["id_number"]).update(
                actions=[Account.profile.set(demo["profile"]), Account.name.set(name)]
            )
        wang = by_name("王芳")
        make_account(
            wang["id_number"], name="王芳", phone=wang["phone"], state="SET", profile=wang["profile"]
        )
        yield out


def test_create_resident_medical_for_a_family_member_answers_201_one_line(client, cookies):
    response = post(
        client,
        ORDERS,
        {"kind": "resident_medical", "year": 2027, "insured": {"id_number": ZHAO, "name": "赵敏"}},
        cookie=cookies["刘强"],
    )
    assert response.status_code == 201, response.json_body
    body = response.json_body
    assert body["status"] == "DRAFT" and len(body["lines"]) == 1 and body["lines"][0]["year"] == 2027
    assert body["insured"]["name_masked"] == "赵*" and ZHAO not in response.body.decode()


def test_create_resident_pension_at_a_level_answers_201(client, cookies):
    response = post(
        client, ORDERS, {"kind": "resident_pension", "year": 2026, "level_fen": 50000}, cookie=cookies["赵敏"]
    )
    assert response.status_code == 201, response.json_body
    assert response.json_body["total_fen"] == 50000 and response.json_body["type_code"] == "170"


@pytest.mark.parametrize(
    "who, body, status, code",
    [
        ("刘强", {"kind": "resident_medical", "year": 2026}, 400, "year_not_open"),
        (
            "刘强",
            {"kind": "resident_medical", "year": 2027, "insured": {"id_number": UNKNOWN, "name": "张三"}},
            400,
            "insured_not_found",
        ),
        (
            "刘强",
            {"kind": "resident_medical", "year": 2027, "insured": {"id_number": "123", "name": "赵敏"}},
            400,
            "invalid_id_number",
        ),
        (
            "刘强",
            {"kind": "resident_medical", "year": 2027, "insured": "赵敏"},
            400,
            "wrong_type",
        ),  # the request model (functions/schemas)
        ("赵敏", {"kind": "resident_pension", "year": 2026, "level_fen": 12300}, 400, "unknown_level"),
        ("刘强", {"kind": "resident_pension", "year": 2026, "level_fen": 30000}, 400, "age_not_eligible"),
        (
            "刘强",
            {"kind": "resident_care", "year": 2027},
            400,
            "invalid_value",
        ),  # the request model: not one of the kinds
    ],
)
def test_bad_input_answers_a_chinese_4xx_and_writes_nothing(client, cookies, who, body, status, code):
    response = post(client, ORDERS, body, cookie=cookies[who])
    assert response.status_code == status, response.json_body
    error = response.json_body["error"]
    assert error["code"] == code and any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])
    assert PaymentOrder.count() == 0


def test_a_year_paid_for_her_is_refused_with_409_and_she_sees_it(client, cookies):
    order = post(
        client,
        ORDERS,
        {"kind": "resident_medical", "year": 2027, "insured": {"id_number": ZHAO, "name": "赵敏"}},
        cookie=cookies["刘强"],
    ).json_body
    post(client, f"{ORDERS}/{order['order_no']}/confirm", cookie=cookies["刘强"])
    at_bank = post(
        client, f"{ORDERS}/{order['order_no']}/pay", {"bank_code": "ccb"}, cookie=cookies["刘强"]
    ).json_body
    assert payment_settlement.apply_bank_result(bank_result(at_bank)) == "APPLIED"

    again = post(client, ORDERS, {"kind": "resident_medical", "year": 2027}, cookie=cookies["赵敏"])
    assert again.status_code == 409 and again.json_body["error"]["code"] == "year_taken"
    rows = get(client, "/api/insurance/390/contributions?year=2027", cookie=cookies["赵敏"]).json_body[
        "items"
    ]
    assert [(r["period"], r["status"], r["personal_fen"]) for r in rows] == [("202701", "PAID", 40000)]
    # the order is the payer's: 赵敏 cannot open it
    assert get(client, f"{ORDERS}/{order['order_no']}", cookie=cookies["赵敏"]).status_code == 404


def test_resident_options_answer_years_and_banks(client, cookies):
    body = get(client, "/api/payments/options?kind=resident_medical", cookie=cookies["刘强"]).json_body
    assert [y["year"] for y in body["years"]] == [2027] and body["banks"]
