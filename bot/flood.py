"""Per-user limit on incoming updates, so one person (or a script) flooding the bot cannot
use up Telegram's ~30 messages/s that every other user shares.

A leaky bucket per user (``aiolimiter``, already used by PTB's rate limiter): a burst of
``burst`` updates passes, then about ``burst`` per ``period`` seconds. The first refused
update gets one polite notice; the rest are dropped, and while the flood goes on the notice
is repeated at most once per ``period`` (a script sending 20 messages a second got a notice
every two seconds, each time the bucket let one more message through).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from enum import Enum

from aiolimiter import AsyncLimiter

MAX_TRACKED_USERS = 10_000  # oldest buckets are forgotten first; a forgotten one is full again


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"  # first refusal: tell the user once
    DROP = "drop"


class FloodGuard:
    def __init__(self, burst: int = 30, period: float = 60.0, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._burst = burst
        self._period = period
        self._clock = clock
        self._buckets: OrderedDict[int, AsyncLimiter] = OrderedDict()
        self._warned: dict[int, float] = {}  # user -> when the last notice went out

    async def check(self, user_id: int) -> Verdict:
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = AsyncLimiter(self._burst, self._period)
            self._buckets[user_id] = bucket
            if len(self._buckets) > MAX_TRACKED_USERS:
                old, _ = self._buckets.popitem(last=False)
                self._warned.pop(old, None)
        else:
            self._buckets.move_to_end(user_id)
        if bucket.has_capacity():
            await bucket.acquire()  # returns at once: there is capacity
            return Verdict.ALLOW
        now = self._clock()
        warned = self._warned.get(user_id)
        if warned is not None and now - warned < self._period:
            return Verdict.DROP
        self._warned[user_id] = now
        return Verdict.WARN
