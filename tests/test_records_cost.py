"""The cost of a year view does not grow with the length of a person's history: the DynamoDB
calls and the capacity they consume are counted for a resident with 1 year of history and a
generated one with 40 years × 5 types, and must be equal."""

from __future__ import annotations

import json
import math

import botocore.client
import pytest

from chalicelib.services import records
from chalicelib.services.sessions import CurrentSession
from infra.seed.contributions import generate_employee_history
from infra.seed.records import store_history
from infra.seed.residents import make_id_number

from .helpers import get, signed_in

ONE_YEAR = "371402198503142314"
TYPES = ["110", "210", "310", "410", "510"]


def _item_bytes(item: dict) -> int:
    """DynamoDB item size: attribute names plus values (close enough to compare two reads)."""
    return sum(
        len(name.encode()) + len(json.dumps(value, ensure_ascii=False).encode())
        for name, value in item.items()
    )


class Meter:
    """Counts every DynamoDB API call and the capacity it consumes (as DynamoDB reports it with
    ReturnConsumedCapacity=TOTAL, and as computed from the bytes read: 0.5 RCU per 4 KB)."""

    def __init__(self):
        self.calls: list[dict] = []

    def __enter__(self):
        original = botocore.client.BaseClient._make_api_call
        meter = self

        def counting(client, operation, params):
            if client.meta.service_model.service_name != "dynamodb":
                return original(client, operation, params)
            if operation in ("Query", "GetItem", "Scan", "UpdateItem", "PutItem", "BatchGetItem"):
                params = dict(params, ReturnConsumedCapacity="TOTAL")
            answer = original(client, operation, params)
            items = answer.get("Items") or ([answer["Item"]] if "Item" in answer else [])
            reported = answer.get("ConsumedCapacity") or {}
            meter.calls.append(
                {
                    "op": operation,
                    "table": params.get("TableName"),
                    "scanned": answer.get("ScannedCount", len(items)),
                    "read_units": math.ceil(sum(map(_item_bytes, items)) / 4096) * 0.5,
                    "reported": reported.get("CapacityUnits"),
                }
            )
            return answer

        self._original = original
        botocore.client.BaseClient._make_api_call = counting
        return self

    def __exit__(self, *exc):
        botocore.client.BaseClient._make_api_call = self._original

    def profile(self):
        return [(c["op"], c["table"], c["scanned"], c["read_units"], c["reported"]) for c in self.calls]


@pytest.fixture
def residents(tables):
    long_history = make_id_number(__import__("datetime").date(1965, 5, 5), 71)
    store_history(generate_employee_history(ONE_YEAR, "202401", "202412", "德州市某公司", TYPES[:1]))
    store_history(generate_employee_history(long_history, "198501", "202412", "德州市某公司", TYPES))
    return ONE_YEAR, long_history


def _year_view(id_number, cursor=None):
    return records.year_view(CurrentSession(id_number, "h", 0, 0), "110", 2024, cursor)


def test_a_year_view_is_one_query_whose_cost_does_not_grow_with_the_history(residents):
    short, long_ = residents
    profiles = []
    for who in (short, long_):
        with Meter() as meter:
            first = _year_view(who)
        with Meter() as meter_next:
            _year_view(who, first["next_cursor"])
        assert [c["op"] for c in meter.calls] == ["Query"]
        assert [c["op"] for c in meter_next.calls] == ["Query"]
        profiles.append((meter.profile(), meter_next.profile()))
    assert profiles[0] == profiles[1]
    assert profiles[0][0][0][2] == records.YEAR_PAGE_SIZE + 1  # one look-ahead row, never more


def test_the_meter_would_see_a_read_that_grows_with_the_history(residents):
    """The measure can tell: reading the whole 110 history costs more for the 40-year resident."""
    from chalicelib.models.contributions import Contribution

    short, long_ = residents
    profiles = []
    for who in (short, long_):
        with Meter() as meter:
            list(Contribution.query(f"{who}#110"))
        profiles.append(meter.profile())
    assert profiles[0] != profiles[1]
    assert sum(c[3] for c in profiles[1]) > sum(c[3] for c in profiles[0])


def test_the_year_view_api_costs_the_same_for_both_residents(client, residents):
    short, long_ = residents
    profiles = []
    for who in (short, long_):
        cookie = signed_in(client, who)
        with Meter() as meter:
            response = get(client, "/api/insurance/110/contributions?year=2024", cookie=cookie)
        assert response.status_code == 200 and len(response.json_body["items"]) == 6
        ops = [c["op"] for c in meter.calls]
        assert ops == ["GetItem", "Query"]  # the session check (a read), then the one Query
        profiles.append(meter.profile())
    assert profiles[0] == profiles[1]


def test_the_summary_is_one_query_for_any_history(client, residents):
    short, long_ = residents
    counts = []
    for who in (short, long_):
        cookie = signed_in(client, who)
        with Meter() as meter:
            body = get(client, "/api/records/summary", cookie=cookie).json_body
        counts.append([c["op"] for c in meter.calls])
        assert body["types"]
    assert counts[0] == counts[1] == ["GetItem", "Query"]
