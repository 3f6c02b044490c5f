"""Security limits (chalicelib/data/security.json): one-time codes, sending, password checks,
sign-in rate and input sizes. Loaded once per process; PRODUCT.md section 8 states the values.

`SECURITY_LIMITS_FILE` (environment) names a JSON file whose sections replace the shipped
ones: only the browser tests' local stack uses it, since all of its traffic comes from one
address and reaches the same few phones within seconds. No stage config sets it.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

LIMITS_FILE = Path(__file__).resolve().parent.parent / "data" / "security.json"


@functools.lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    limits = json.loads(LIMITS_FILE.read_text(encoding="utf-8"))
    override = os.environ.get("SECURITY_LIMITS_FILE")
    if override:
        limits.update(json.loads(Path(override).read_text(encoding="utf-8")))
    return limits


def section(name: str) -> dict[str, Any]:
    return data()[name]
