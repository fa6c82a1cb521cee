"""Telegram's outgoing limits for the whole bot, with people's answers ahead of broadcasts.

:class:`PriorityRateLimiter` replaces PTB's ``AIORateLimiter`` and behaves like it — an
overall budget (~30 requests per second) for every request addressed to a chat, a budget per
group or channel (20 per minute), and a 429 ``RetryAfter`` halting *all* requests for
``retry_after`` + 0.1 s before the request is tried again (``max_retries`` times) — with one
difference: a request sent with ``rate_limit_args={"priority": "low"}`` (a broadcast) waits
while any normal request (an answer to someone) is waiting, and leaves a few tokens of the
budget unused (``reserve``) so that an answer during a broadcast rarely waits at all. Within
one priority requests go first come, first served.

The budget is a token bucket: ``burst`` requests may go at once, then ``rate`` per
``period``; so in any window of T seconds at most ``burst + rate * T / period`` requests
start. Requests without a ``chat_id`` (answering a button, setting commands) are not counted,
as in PTB's limiter, but they do wait out a 429 halt.

``rate_limit_args`` may be a dict (``priority``: ``"low"`` or ``"normal"``, ``max_retries``)
or, as with ``AIORateLimiter``, an int: the number of retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram import constants
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

NORMAL = "normal"
LOW = "low"
PRIORITIES = (NORMAL, LOW)
LOW_PRIORITY: dict[str, Any] = {"priority": LOW}  # what broadcasts pass as rate_limit_args

MESSAGES_PER_SECOND = float(constants.FloodLimit.MESSAGES_PER_SECOND)  # 30
GROUP_MESSAGES_PER_MINUTE = float(constants.FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP)  # 20
DEFAULT_BURST = 10.0
DEFAULT_RESERVE = 3.0  # tokens a broadcast leaves for answers (see PriorityGate)
DEFAULT_MAX_RETRIES = 3
# Telegram's 5xx answers, dropped connections and timeouts are usually gone a moment later.
# An answer to a person is tried again after these pauses (so one blip does not lose it);
# a broadcast message is not (its sender decides), nor is getUpdates (PTB's loop retries).
# A timed-out request may have reached Telegram: a rare duplicate answer is preferred to
# a lost one for someone who may be held at a border.
TRANSIENT_RETRY_DELAYS = (0.5, 2.0)
_IDLE_GROUP_GATES = 512  # like PTB: forget idle group budgets once there are this many
_EPSILON = 1e-9  # a token refilled in floating point may come out a hair below 1

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
JSONResult = bool | dict[str, Any] | list[dict[str, Any]]


def is_transient(error: NetworkError) -> bool:
    """A 5xx answer, a dropped connection or a timeout; not a request Telegram refused
    (``BadRequest`` is a ``NetworkError`` too in PTB)."""
    return not isinstance(error, BadRequest)


def retry_after_seconds(error: RetryAfter) -> float:
    """``retry_after`` in seconds, without PTB's deprecation warning about its type."""
    value = getattr(error, "_retry_after", None)  # PTB's own limiter reads it the same way
    if isinstance(value, timedelta):
        return value.total_seconds()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = error.retry_after
    return raw.total_seconds() if isinstance(raw, timedelta) else float(raw)


class PriorityGate:
    """A token bucket whose waiters are served normal-priority first, then in arrival order.

    Low-priority requests also leave ``reserve`` tokens in the bucket, so while a broadcast
    keeps it busy an answer usually finds a token at once instead of queueing behind the
    next refill; the broadcast still gets the whole rate when nobody else sends.

    ``acquire`` returns when the caller may send. Only one task (the "pump") ever sleeps,
    so the order in which waiters are let through is decided in one place.
    ``blocked_until`` (a clock value) lets the owner halt the gate, e.g. after a 429.
    """

    def __init__(self, rate: float, period: float = 1.0, burst: float | None = None, *,
                 reserve: float = 0.0, clock: Clock = time.monotonic,
                 sleep: Sleep = asyncio.sleep,
                 blocked_until: Callable[[], float] | None = None) -> None:
        if rate <= 0 or period <= 0:
            raise ValueError("rate and period must be positive")
        self._refill = rate / period  # tokens per second
        self._burst = max(1.0, burst if burst is not None else rate)
        self._reserve = max(0.0, min(reserve, self._burst - 1))
        self._clock = clock
        self._sleep = sleep
        self._blocked_until = blocked_until or (lambda: 0.0)
        self._tokens = self._burst
        self._stamp = clock()
        self._queues: dict[str, deque[asyncio.Future[None]]] = {p: deque() for p in PRIORITIES}
        self._pump: asyncio.Task[None] | None = None

    def waiting(self, priority: str | None = None) -> int:
        """How many requests wait (of one priority, or in all)."""
        queues = [self._queues[priority]] if priority else self._queues.values()
        return sum(1 for queue in queues for future in queue if not future.done())

    @property
    def idle(self) -> bool:
        """Full and nobody waiting: forgetting this gate loses nothing."""
        self._refresh()
        return self.waiting() == 0 and self._tokens >= self._burst

    def _need(self, priority: str) -> float:
        """Tokens that must be in the bucket before a request of ``priority`` takes one."""
        return 1.0 + (self._reserve if priority == LOW else 0.0) - _EPSILON

    def _take(self) -> None:
        self._tokens = max(0.0, self._tokens - 1)

    def _refresh(self) -> None:
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._refill)
        self._stamp = now

    async def acquire(self, priority: str = NORMAL, *, first: bool = False) -> None:
        """Wait for a token. ``first``: go to the front of its priority (a retry)."""
        priority = LOW if priority == LOW else NORMAL
        queue = self._queues[priority]
        self._refresh()
        ahead = self.waiting(NORMAL) if priority == NORMAL else self.waiting()
        if (ahead == 0 and self._tokens >= self._need(priority)
                and self._clock() >= self._blocked_until()):
            self._take()
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if first:
            queue.appendleft(future)
        else:
            queue.append(future)
        if self._pump is None:
            self._pump = asyncio.create_task(self._run_pump())
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():  # granted, then cancelled: give back
                self._tokens = min(self._burst, self._tokens + 1)
            raise

    def _head(self) -> tuple[str, asyncio.Future[None]] | None:
        for priority in PRIORITIES:
            queue = self._queues[priority]
            while queue and queue[0].done():  # cancelled while waiting
                queue.popleft()
            if queue:
                return priority, queue[0]
        return None

    async def _run_pump(self) -> None:
        try:
            while (head := self._head()) is not None:
                priority, future = head
                halt = self._blocked_until() - self._clock()
                if halt > 0:
                    await self._sleep(halt)
                    continue
                self._refresh()
                need = self._need(priority)
                if self._tokens >= need:
                    self._take()
                    self._queues[priority].popleft()
                    future.set_result(None)
                    continue
                # Wake when one token is there, even when the head needs more: an answer
                # that arrives meanwhile must not wait for the broadcast's reserve.
                target = min(need, self._need(NORMAL)) if self._tokens < self._need(NORMAL) \
                    else need
                await self._sleep((target + _EPSILON - self._tokens) / self._refill)
        finally:
            self._pump = None

    async def close(self) -> None:
        pump, self._pump = self._pump, None
        if pump is not None:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pump
        for queue in self._queues.values():
            while queue:
                queue.popleft().cancel()


class PriorityRateLimiter(BaseRateLimiter[dict[str, Any] | int]):
    """See the module docstring. ``clock`` and ``sleep`` are replaceable for tests."""

    def __init__(
        self,
        overall_max_rate: float = MESSAGES_PER_SECOND,
        overall_time_period: float = 1.0,
        *,
        burst: float = DEFAULT_BURST,
        reserve: float = DEFAULT_RESERVE,
        group_max_rate: float = GROUP_MESSAGES_PER_MINUTE,
        group_time_period: float = 60.0,
        max_retries: int = DEFAULT_MAX_RETRIES,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._halt_until = 0.0
        self._overall = PriorityGate(overall_max_rate, overall_time_period, burst,
                                     reserve=reserve, clock=clock, sleep=sleep,
                                     blocked_until=self.halted_until)
        self._group_rate = group_max_rate
        self._group_period = group_time_period
        self._groups: dict[int | str, PriorityGate] = {}
        self._max_retries = max_retries

    @property
    def overall(self) -> PriorityGate:
        return self._overall

    def halted_until(self) -> float:
        return self._halt_until

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        await self._overall.close()
        for gate in self._groups.values():
            await gate.close()
        self._groups.clear()

    def _group_gate(self, group: int | str) -> PriorityGate:
        if len(self._groups) > _IDLE_GROUP_GATES:
            for key, gate in list(self._groups.items()):
                if key != group and gate.idle:
                    del self._groups[key]
        gate = self._groups.get(group)
        if gate is None:
            gate = PriorityGate(self._group_rate, self._group_period, self._group_rate,
                                clock=self._clock, sleep=self._sleep,
                                blocked_until=self.halted_until)
            self._groups[group] = gate
        return gate

    def _options(self, rate_limit_args: dict[str, Any] | int | None) -> tuple[str, int]:
        if isinstance(rate_limit_args, dict):
            priority = LOW if rate_limit_args.get("priority") == LOW else NORMAL
            retries = rate_limit_args.get("max_retries", self._max_retries)
            return priority, int(retries)
        if isinstance(rate_limit_args, int) and rate_limit_args > 0:
            return NORMAL, rate_limit_args
        return NORMAL, self._max_retries

    async def _wait_out_halt(self) -> None:
        while (left := self._halt_until - self._clock()) > 0:
            await self._sleep(left)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | int | None,
    ) -> JSONResult:
        priority, max_retries = self._options(rate_limit_args)
        chat_id = data.get("chat_id")
        group: int | str | None = None
        if chat_id is not None:
            with contextlib.suppress(ValueError, TypeError):
                chat_id = int(chat_id)
            if (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str):
                group = chat_id  # groups and channels (a @username is one too)
        attempt = transient = 0
        while True:
            retry = attempt + transient > 0
            if group is not None and self._group_rate > 0:
                await self._group_gate(group).acquire(priority, first=retry)
            if chat_id is not None:
                await self._overall.acquire(priority, first=retry)
            else:
                await self._wait_out_halt()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt == max_retries:
                    log.warning("rate limit hit after %d retries (%s); giving up", max_retries,
                                endpoint)
                    raise
                attempt += 1
                delay = retry_after_seconds(error) + 0.1
                log.info("rate limit hit (%s); all requests wait %.1f s", endpoint, delay)
                self._halt_until = max(self._halt_until, self._clock() + delay)
            except NetworkError as error:
                if (not is_transient(error) or priority == LOW or endpoint == "getUpdates"
                        or transient == len(TRANSIENT_RETRY_DELAYS)):
                    raise
                delay = TRANSIENT_RETRY_DELAYS[transient]
                transient += 1
                log.info("Telegram failed (%s, %s); trying again in %.1f s", endpoint,
                         type(error).__name__, delay)
                await self._sleep(delay)
