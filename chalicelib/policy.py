"""Policy parameters (chalicelib/data/policy.json): insurance types, base bands, rates, interest.

Loaded once per process. Rates are basis points; amounts integer fen.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from .errors import BadInput

POLICY_FILE = Path(__file__).resolve().parent / "data" / "policy.json"


@functools.lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    return json.loads(POLICY_FILE.read_text(encoding="utf-8"))


def insurance_types() -> dict[str, dict[str, str]]:
    return data()["insurance_types"]


def type_name(type_code: str) -> str:
    return insurance_types()[type_code]["name"]


def check_type(type_code: str) -> str:
    if type_code not in insurance_types():
        raise BadInput("不支持的险种代码", code="unknown_insurance_type", field="type_code")
    return type_code


def year(y: int | str) -> dict[str, Any]:
    """That year's parameters, or BadInput if the year is outside the policy data."""
    try:
        return data()["years"][str(int(y))]
    except (KeyError, ValueError):
        raise BadInput(f"没有{y}年的政策参数", code="unknown_policy_year", field="year") from None


def years() -> list[int]:
    return sorted(int(y) for y in data()["years"])


def base_band(y: int | str) -> tuple[int, int]:
    params = year(y)
    return params["base_lower_fen"], params["base_upper_fen"]


def employee_rates(y: int | str, type_code: str) -> dict[str, int]:
    """{"employer": bp, "personal": bp, "account": bp} for an employee insurance type."""
    return year(y)["employee_rates_bp"][type_code]


def flexible_rates(y: int | str, type_code: str) -> dict[str, int]:
    """{"total": bp, "account": bp} for flexible-employment contributions."""
    return year(y)["flexible_rates_bp"][type_code]


def interest_rate_bp(y: int | str) -> int:
    return year(y)["pension_interest_bp"]


def interest_source(y: int | str) -> str:
    return year(y)["pension_interest_source"]


def flexible() -> dict[str, Any]:
    return data()["flexible_employment"]


def resident() -> dict[str, Any]:
    """City-rural resident insurance paid online: kinds, medical years, pension levels."""
    return data()["resident_insurance"]
