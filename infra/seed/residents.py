"""The demo residents (demo_residents.json) and valid synthetic ID numbers for scale tests."""

from __future__ import annotations

import functools
import json
from datetime import date
from pathlib import Path
from typing import Any

from chalicelib import id_number as ids

DATA_FILE = Path(__file__).resolve().parent / "demo_residents.json"
INITIAL_PASSWORD = "888888"


@functools.lru_cache(maxsize=1)
def _load() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(DATA_FILE.read_text(encoding="utf-8"))["residents"])


def demo_residents() -> list[dict[str, Any]]:
    """The residents of PRODUCT.md §4 as dicts (fresh copies: callers may modify them)."""
    return json.loads(json.dumps(list(_load()), ensure_ascii=False))


def by_name(name: str) -> dict[str, Any]:
    for resident in demo_residents():
        if resident["name"] == name:
            return resident
    raise KeyError(name)


def make_id_number(born: date, sequence: int, region: str = "371402") -> str:
    """A valid GB 11643 citizen ID: region (3714xx), birth date, 3-digit sequence
    (odd = male, even = female) and the check character."""
    if not (region.isdigit() and len(region) == 6 and region.startswith("3714")):
        raise ValueError("region must be a 6-digit 3714xx code")
    first17 = f"{region}{born:%Y%m%d}{sequence % 1000:03d}"
    return first17 + ids.check_char(first17)
