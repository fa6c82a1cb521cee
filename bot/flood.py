"""Per-user limit on incoming updates, so one person (or a script) flooding the bot cannot
use up Telegram's ~30 messages/s that every other user shares.

A leaky bucket per user (``aiolimiter``, already used by PTB's rate limiter): a burst of
``burst`` updates passes, then about ``burst`` per ``period`` seconds. The first refused
update gets one polite notice; the rest are dropped until the bucket drains.
"""

from __future__ import annotations

from collections import OrderedDict
from enum import Enum

from aiolimiter import AsyncLimiter

MAX_TRACKED_USERS = 10_000  # oldest buckets are forgotten first; a forgotten one is full again


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"  # first refusal: tell the user once
    DROP = "drop"


class FloodGuard:
    def __init__(self, burst: int = 30, period: float = 60.0) -> None:
        self._burst = burst
        self._period = period
        self._buckets: OrderedDict[int, AsyncLimiter] = OrderedDict()
        self._warned: set[int] = set()

    async def check(self, user_id: int) -> Verdict:
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = AsyncLimiter(self._burst, self._period)
            self._buckets[user_id] = bucket
            if len(self._buckets) > MAX_TRACKED_USERS:
                old, _ = self._buckets.popitem(last=False)
                self._warned.discard(old)
        else:
            self._buckets.move_to_end(user_id)
        if bucket.has_capacity():
            await bucket.acquire()  # returns at once: there is capacity
            self._warned.discard(user_id)
            return Verdict.ALLOW
        if user_id in self._warned:
            return Verdict.DROP
        self._warned.add(user_id)
        return Verdict.WARN
