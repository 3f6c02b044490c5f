"""The HTTP contract (functions/schemas): requests are validated by the models with Chinese
messages naming the field, and /api/openapi.json is generated from the same models."""

from __future__ import annotations

import pytest

import app as app_module
from functions import schemas

from .helpers import get, post, signed_in


def _document(client) -> dict:
    return get(client, "/api/openapi.json").json_body


@pytest.mark.parametrize(
    "body, code, field",
    [
        (
            {"kind": "flexible_pension", "months": ["2024-03"], "base_fen": 400000},
            "invalid_format",
            "months[0]",
        ),
        ({"kind": "flexible_pension", "months": "202403", "base_fen": 400000}, "wrong_type", "months"),
        ({"kind": "flexible_pension", "months": ["202403"], "base_fen": "400000"}, "wrong_type", "base_fen"),
        ({"months": ["202403"], "base_fen": 400000}, "missing_field", "kind"),
        ({"kind": "flexible_pension", "months": [], "base_fen": 400000}, "missing_field", "months"),
    ],
)
def test_order_body_shape_errors_are_400_with_the_field_and_a_chinese_message(client, body, code, field):
    cookie = signed_in(client)
    response = post(client, "/api/payments/orders", body, cookie=cookie)
    assert response.status_code == 400, response.json_body
    error = response.json_body["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])


def test_query_parameters_are_converted_and_checked_by_the_model(client):
    cookie = signed_in(client)
    bad = get(client, "/api/insurance/110/contributions?year=twenty", cookie=cookie)
    assert bad.status_code == 400 and bad.json_body["error"] == {
        "code": "wrong_type",
        "message": "year 应为整数",
        "field": "year",
    }
    missing = get(client, "/api/insurance/110/contributions", cookie=cookie)
    assert missing.status_code == 400 and missing.json_body["error"]["code"] == "missing_field"
    good = get(client, "/api/insurance/110/contributions?year=2024", cookie=cookie)
    assert good.status_code == 200 and good.json_body["year"] == 2024


def test_not_signed_in_is_401_before_the_body_is_looked_at(client):
    response = post(client, "/api/payments/orders", {"kind": 1})
    assert response.status_code == 401


def test_nested_field_is_named_by_its_path():
    from functions.schemas.account import ProtectionBody

    with pytest.raises(Exception) as caught:
        schemas.decode(ProtectionBody, {"password": "x", "questions": [{"question": "q", "answer": 5}]})
    assert caught.value.field == "questions[0].answer" and caught.value.code == "wrong_type"


def test_every_route_declares_its_contract():
    undeclared = [
        (path, method)
        for path, methods in app_module.app.routes.items()
        for method, entry in methods.items()
        if schemas.of(entry.view_function) is None
    ]
    assert undeclared == []


def test_openapi_declares_bodies_parameters_header_and_statuses(client):
    document = _document(client)
    paths, components = document["paths"], document["components"]["schemas"]
    create = paths["/api/payments/orders"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CreateOrderBody"
    }
    assert {"kind", "months", "base_fen"} <= set(components["CreateOrderBody"]["properties"])
    assert components["CreateOrderBody"]["required"] == ["kind"]
    assert set(create["responses"]) >= {"201", "400", "401", "403", "409", "413", "503"}
    header = [p for p in create["parameters"] if p["in"] == "header"]
    assert header == [
        {
            "name": "X-Requested-With",
            "in": "header",
            "required": True,
            "description": header[0]["description"],
            "schema": {"type": "string", "enum": ["XMLHttpRequest"]},
        }
    ]
    year = [
        p
        for p in paths["/api/insurance/{type_code}/contributions"]["get"]["parameters"]
        if p["name"] == "year"
    ]
    assert (
        year[0]["required"] is True
        and year[0]["schema"]["type"] == "integer"
        and year[0]["schema"]["minimum"] == 1900
    )
    order_no = paths["/api/payments/orders/{order_no}"]["get"]["parameters"][0]
    assert order_no["in"] == "path" and order_no["schema"]["pattern"].startswith("^P")
    assert components["ErrorAnswer"]["required"] == ["error"]
    assert set(components["Error"]["properties"]) == {"code", "message", "field"}
    get_me = paths["/api/me"]["get"]
    assert not any(p["in"] == "header" for p in get_me["parameters"])
    assert get_me["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Me"
    }


def test_every_post_put_delete_with_input_declares_its_body(client):
    document = _document(client)
    for path, methods in app_module.app.routes.items():
        for method, entry in methods.items():
            declared = schemas.of(entry.view_function)
            operation = document["paths"][path][method.lower()]
            assert ("requestBody" in operation) == (declared.body is not None), (path, method)
            for status, response in operation["responses"].items():
                assert "schema" in response["content"]["application/json"], (path, method, status)
