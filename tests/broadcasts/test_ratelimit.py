"""The shared rate limiter: overall budget, answers before broadcasts, 429 retries, groups.

Time is a manual clock: nothing here sleeps for real, and every order is decided by the
limiter, not by which task the event loop happens to run first."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.ratelimit import LOW, LOW_PRIORITY, NORMAL, PriorityRateLimiter

# Constructing RetryAfter with an int warns about PTB's coming timedelta type.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class ManualClock:
    """``clock()`` and ``sleep()`` for the limiter; ``run()`` moves time to the next wake-up
    only when every task is waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, seconds), next(self._order), future))
        await future

    async def settle(self) -> None:
        for _ in range(50):  # let every runnable task run until it waits
            await asyncio.sleep(0)

    async def run(self, tasks: list[asyncio.Task[Any]], limit: float = 1000.0) -> None:
        while not all(task.done() for task in tasks):
            await self.settle()
            if all(task.done() for task in tasks):
                break
            assert self._sleepers, "deadlock: tasks wait but nobody sleeps"
            deadline, _, future = heapq.heappop(self._sleepers)
            assert deadline <= limit, "ran past the time limit"
            self.now = max(self.now, deadline)
            if not future.done():
                future.set_result(None)
        for task in tasks:
            task.result()


def limiter(clock: ManualClock, **kwargs: Any) -> PriorityRateLimiter:
    return PriorityRateLimiter(clock=clock, sleep=clock.sleep, **kwargs)


def request(rl: PriorityRateLimiter, log: list[Any], label: Any, *, chat_id: int | None = 1,
            args: Any = None, clock: ManualClock | None = None) -> asyncio.Task[Any]:
    async def callback(*_args: Any, **_kwargs: Any) -> bool:
        log.append((label, clock.now) if clock is not None else label)
        return True

    data = {} if chat_id is None else {"chat_id": chat_id}
    return asyncio.create_task(rl.process_request(callback, (), {}, "sendMessage", data, args))


async def test_overall_rate_is_a_burst_then_thirty_per_second() -> None:
    clock = ManualClock()
    rl = limiter(clock, overall_max_rate=30, burst=10)
    log: list[tuple[int, float]] = []
    tasks = [request(rl, log, i, chat_id=1000 + i, clock=clock) for i in range(100)]
    await clock.run(tasks)
    times = [at for _, at in log]
    assert [label for label, _ in log] == list(range(100))  # first come, first served
    for i, at in enumerate(times):
        assert at == pytest.approx(max(0.0, (i - 9) / 30), abs=1e-9)
    for i, start in enumerate(times):  # no window of one second holds more than 10 + 30
        assert sum(1 for at in times[i:] if at < start + 1.0) <= 40
    assert times[-1] == pytest.approx(3.0)


async def test_answers_go_before_a_waiting_broadcast() -> None:
    clock = ManualClock()
    rl = limiter(clock, overall_max_rate=30, burst=1)
    log: list[str] = []
    first = request(rl, log, "first")  # takes the only token
    await clock.settle()
    low = [request(rl, log, f"low{i}", chat_id=100 + i, args=LOW_PRIORITY) for i in range(5)]
    await clock.settle()
    assert rl.overall.waiting(LOW) == 5
    normal = [request(rl, log, f"answer{i}", chat_id=200 + i) for i in range(3)]
    await clock.settle()
    assert rl.overall.waiting(NORMAL) == 3 and log == ["first"]
    await clock.run([first, *low, *normal])
    assert log == ["first", "answer0", "answer1", "answer2",
                   "low0", "low1", "low2", "low3", "low4"]


async def test_a_broadcast_waits_while_any_answer_waits_even_if_it_came_first() -> None:
    clock = ManualClock()
    rl = limiter(clock, overall_max_rate=10, burst=1)
    log: list[tuple[str, float]] = []
    tasks = [request(rl, log, "first", clock=clock)]
    await clock.settle()
    tasks.append(request(rl, log, "low", args={"priority": "low"}, clock=clock))

    async def answers_keep_coming() -> None:
        # One every 0.1 s, each while the broadcast's request is still waiting.
        for i in range(4):
            await clock.sleep(0.05 if i == 0 else 0.1)
            tasks.append(request(rl, log, f"answer{i}", chat_id=10 + i, clock=clock))

    arrivals = asyncio.create_task(answers_keep_coming())
    await clock.run([arrivals])
    await clock.run(tasks)
    assert log == [("first", 0.0), ("answer0", pytest.approx(0.1)),
                   ("answer1", pytest.approx(0.2)), ("answer2", pytest.approx(0.3)),
                   ("answer3", pytest.approx(0.4)), ("low", pytest.approx(0.5))]


async def test_a_broadcast_leaves_a_reserve_for_answers() -> None:
    clock = ManualClock()
    rl = limiter(clock, overall_max_rate=30, burst=10, reserve=3)
    log: list[tuple[str, float]] = []
    tasks = [request(rl, log, f"low{i}", chat_id=100 + i, args=LOW_PRIORITY, clock=clock)
             for i in range(40)]
    await clock.settle()
    assert [label for label, _ in log] == [f"low{i}" for i in range(7)]  # 3 of 10 kept
    tasks.append(request(rl, log, "answer", chat_id=7, clock=clock))
    await clock.settle()
    assert log[-1] == ("answer", 0.0)  # at once, although the broadcast is waiting
    await clock.run(tasks)
    times = dict(log)
    # Then the broadcast gets the whole rate again, from a bucket kept at the reserve.
    assert times["low7"] == pytest.approx(2 / 30)
    assert [times[f"low{i}"] for i in range(8, 40)] == pytest.approx(
        [(i - 5) / 30 for i in range(8, 40)])


async def test_requests_without_a_chat_are_not_counted() -> None:
    clock = ManualClock()
    rl = limiter(clock, overall_max_rate=30, burst=1)
    log: list[tuple[str, float]] = []
    tasks = [request(rl, log, "message", clock=clock),
             request(rl, log, "queued", chat_id=2, clock=clock)]
    await clock.settle()
    tasks.append(request(rl, log, "answerCallbackQuery", chat_id=None, clock=clock))
    await clock.run(tasks)
    assert log[1] == ("answerCallbackQuery", 0.0)


async def test_429_halts_everything_for_retry_after_then_retries() -> None:
    clock = ManualClock()
    rl = limiter(clock, overall_max_rate=30, burst=10)
    calls: list[float] = []
    others: list[tuple[str, float]] = []

    async def flaky(*_args: Any, **_kwargs: Any) -> bool:
        calls.append(clock.now)
        if len(calls) == 1:
            raise RetryAfter(2)
        return True

    task = asyncio.create_task(rl.process_request(flaky, (), {}, "sendMessage",
                                                  {"chat_id": 5}, None))
    await clock.settle()
    assert calls == [0.0]
    tasks = [task, request(rl, others, "other", chat_id=6, clock=clock),
             request(rl, others, "no chat", chat_id=None, clock=clock)]
    await clock.run(tasks)
    assert task.result() is True
    assert calls == [0.0, pytest.approx(2.1)]  # retry_after + 0.1, like PTB's limiter
    assert all(at == pytest.approx(2.1) for _, at in others)  # everyone waited


async def test_retries_give_up_after_max_retries() -> None:
    clock = ManualClock()
    rl = limiter(clock, max_retries=3)
    calls: list[float] = []

    async def always_429(*_args: Any, **_kwargs: Any) -> bool:
        calls.append(clock.now)
        raise RetryAfter(1)

    task = asyncio.create_task(rl.process_request(always_429, (), {}, "sendMessage",
                                                  {"chat_id": 5}, LOW_PRIORITY))
    with pytest.raises(RetryAfter):
        await clock.run([task])
    assert calls == pytest.approx([0.0, 1.1, 2.2, 3.3])
    # An int is the number of retries, as with PTB's AIORateLimiter.
    calls.clear()
    task = asyncio.create_task(rl.process_request(always_429, (), {}, "sendMessage",
                                                  {"chat_id": 5}, 1))
    with pytest.raises(RetryAfter):
        await clock.run([task])
    assert len(calls) == 2


async def test_groups_have_their_own_budget() -> None:
    clock = ManualClock()
    rl = limiter(clock, overall_max_rate=30, burst=30)
    log: list[tuple[int, float]] = []
    tasks = [request(rl, log, i, chat_id=-100500, clock=clock) for i in range(22)]
    tasks.append(request(rl, log, "private", chat_id=42, clock=clock))
    await clock.run(tasks)
    times = dict(log)
    assert times["private"] == 0.0  # a private chat is not held up by the group
    assert all(times[i] == 0.0 for i in range(20))  # 20 per minute, like Telegram
    assert times[20] == pytest.approx(3.0) and times[21] == pytest.approx(6.0)


async def test_a_cancelled_waiter_leaves_the_queue() -> None:
    clock = ManualClock()
    rl = limiter(clock, overall_max_rate=30, burst=1)
    log: list[str] = []
    first = request(rl, log, "first")
    await clock.settle()
    gone = request(rl, log, "gone")
    kept = request(rl, log, "kept")
    await clock.settle()
    gone.cancel()
    await clock.run([first, kept])
    assert log == ["first", "kept"]
    assert rl.overall.waiting() == 0
    await rl.shutdown()


def failing(clock: ManualClock, calls: list[float], errors: list[Exception]
            ) -> Callable[..., Coroutine[Any, Any, bool]]:
    async def callback(*_args: Any, **_kwargs: Any) -> bool:
        calls.append(clock.now)
        if errors:
            raise errors.pop(0)
        return True
    return callback


async def test_an_answer_is_tried_again_after_5xx_and_timeouts() -> None:
    clock = ManualClock()
    rl = limiter(clock)
    calls: list[float] = []
    flaky = failing(clock, calls, [NetworkError("Bad Gateway (502)"), TimedOut()])
    task = asyncio.create_task(rl.process_request(flaky, (), {}, "sendMessage",
                                                  {"chat_id": 5}, None))
    await clock.run([task])
    assert task.result() is True
    assert calls == pytest.approx([0.0, 0.5, 2.5])  # after TRANSIENT_RETRY_DELAYS


async def test_transient_retries_are_bounded_and_refusals_are_not_retried() -> None:
    clock = ManualClock()
    rl = limiter(clock)
    calls: list[float] = []
    down = failing(clock, calls, [NetworkError("Internal Server Error (500)")] * 5)
    task = asyncio.create_task(rl.process_request(down, (), {}, "sendMessage",
                                                  {"chat_id": 5}, None))
    with pytest.raises(NetworkError):
        await clock.run([task])
    assert len(calls) == 3  # the first try and two more
    for error in (BadRequest("Bad Request: message is too long"), Forbidden("blocked")):
        calls.clear()
        task = asyncio.create_task(rl.process_request(
            failing(clock, calls, [error]), (), {}, "sendMessage", {"chat_id": 5}, None))
        with pytest.raises(type(error)):
            await clock.run([task])
        assert len(calls) == 1


async def test_broadcasts_and_polling_are_not_retried_on_5xx() -> None:
    clock = ManualClock()
    rl = limiter(clock)
    for endpoint, data, args in (("sendMessage", {"chat_id": 5}, LOW_PRIORITY),
                                 ("getUpdates", {}, None)):
        calls: list[float] = []
        task = asyncio.create_task(rl.process_request(
            failing(clock, calls, [NetworkError("Bad Gateway (502)")]), (), {}, endpoint,
            data, args))
        with pytest.raises(NetworkError):
            await clock.run([task])
        assert len(calls) == 1
