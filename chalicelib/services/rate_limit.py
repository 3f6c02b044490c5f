"""Fixed-window rate limits kept in DynamoDB (shared by every Lambda instance, never in memory).

`hit(purpose, source, limit)` counts one request of `source` (e.g. an IP address) in the current
minute with ONE conditional UpdateItem (ADD 1 only while the count is below the limit): the
check and the count are a single atomic step, so parallel requests cannot slip past the limit.
"""
from __future__ import annotations

from .. import clock
from ..errors import TooManyRequests
from ..models.base import on_condition_failed
from ..models.rate_counters import RateCounter


def hit(purpose: str, source: str, limit: int, window_s: int = 60) -> int:
    """Count one request; raise TooManyRequests once `limit` requests were seen this window."""
    now = int(clock.now())
    window = now - now % window_s
    item = RateCounter(counter_key=f"{purpose}#{source or 'unknown'}#{window}")
    with on_condition_failed(TooManyRequests("查询过于频繁，请一分钟后再试", code="rate_limited")):
        item.update(actions=[RateCounter.count.add(1), RateCounter.expires_at.set(window + 2 * window_s)],
                    condition=RateCounter.count.does_not_exist() | (RateCounter.count < limit))
    return int(item.count)
