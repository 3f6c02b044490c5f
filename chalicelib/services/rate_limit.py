"""Rate limits kept in DynamoDB (shared by every Lambda instance, never in memory).

`hit(purpose, source, limit, window_s)` counts one request of `source` (an address, a phone
number, an account) with ONE conditional UpdateItem, so the check and the count are a single
atomic step and parallel requests cannot slip past the limit:
- limit 1 is a cool-down ("1 a minute" means 60 s between two, also across a window edge):
  SET next_at = now + window only while next_at <= now;
- larger limits are fixed windows: ADD 1 only while the window's count is below the limit.
Over a limit: TooManyRequests (429) with `retry_after` seconds until the window ends.
"""

from __future__ import annotations

from collections.abc import Iterable

from pynamodb.exceptions import UpdateError

from .. import clock
from ..errors import TooManyRequests
from ..models.base import condition_failed
from ..models.rate_counters import RateCounter

DEFAULT_MESSAGE = "操作过于频繁，请稍后再试"


def _too_many(message: str, retry_after: float) -> TooManyRequests:
    return TooManyRequests(message, code="rate_limited", retry_after=max(1, int(retry_after + 0.999)))


def hit(purpose: str, source: str, limit: int, window_s: int = 60, message: str = DEFAULT_MESSAGE) -> int:
    """Count one request; raise TooManyRequests once `limit` requests were seen this window."""
    now = clock.now()
    source = source or "unknown"
    if limit == 1:
        item = RateCounter(counter_key=f"{purpose}#{source}#cooldown{window_s}")
        try:
            item.update(
                actions=[
                    RateCounter.next_at.set(now + window_s),
                    RateCounter.count.add(1),
                    RateCounter.expires_at.set(int(now) + 2 * window_s),
                ],
                condition=RateCounter.next_at.does_not_exist() | (RateCounter.next_at <= now),
            )
        except UpdateError as exc:
            if not condition_failed(exc):
                raise
            current = _next_at(item)
            raise _too_many(message, (current or now + window_s) - now) from None
        return 1
    window = int(now) - int(now) % window_s
    item = RateCounter(counter_key=f"{purpose}#{source}#{window}")
    try:
        item.update(
            actions=[RateCounter.count.add(1), RateCounter.expires_at.set(window + 2 * window_s)],
            condition=RateCounter.count.does_not_exist() | (RateCounter.count < limit),
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        raise _too_many(message, window + window_s - now) from None
    return int(item.count)


def _next_at(item: RateCounter) -> float | None:
    try:
        return RateCounter.get(item.counter_key).next_at
    except RateCounter.DoesNotExist:
        return None


def hit_all(purpose: str, source: str, rules: Iterable[dict], message: str = DEFAULT_MESSAGE) -> None:
    """Count one request against several windows ({"window_s", "limit"} each), shortest first.

    A request refused by a later window has still used the earlier windows' counts: that errs
    on the side of refusing, never of letting one through.
    """
    for rule in sorted(rules, key=lambda r: r["window_s"]):
        hit(f"{purpose}{rule['window_s']}", source, int(rule["limit"]), int(rule["window_s"]), message)
