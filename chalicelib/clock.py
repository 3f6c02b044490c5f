"""The one place that reads the wall clock, so tests can travel in time.

Tests freeze it with time-machine (the `frozen_clock` fixture of tests/conftest.py), which
stops `time.time()` itself; `travel()` moves this clock on, frozen or not."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8))
_offset_s = 0.0


def now() -> float:
    """Unix seconds."""
    return time.time() + _offset_s


def now_dt() -> datetime:
    """Aware datetime in China Standard Time (the residents' calendar)."""
    return datetime.fromtimestamp(now(), CHINA_TZ)


def travel(seconds: float) -> None:
    """Move the clock forward (tests only)."""
    global _offset_s
    _offset_s += seconds


def reset() -> None:
    global _offset_s
    _offset_s = 0.0
