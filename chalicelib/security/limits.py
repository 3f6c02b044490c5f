"""Security limits (chalicelib/data/security.json): one-time codes, sending, password checks,
sign-in rate and input sizes. Loaded once per process; PRODUCT.md section 8 states the values."""
from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

LIMITS_FILE = Path(__file__).resolve().parent.parent / "data" / "security.json"


@functools.lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    return json.loads(LIMITS_FILE.read_text(encoding="utf-8"))


def section(name: str) -> dict[str, Any]:
    return data()[name]
