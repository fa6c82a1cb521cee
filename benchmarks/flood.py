"""Flood benchmark: does one user sending 20 messages a second slow everybody else down?

Run from the project root:

    .venv/bin/python benchmarks/flood.py [--users 30] [--interval 3.0] [--seconds 30]
        [--flood-rate 20]

The real bot process (``python -m bot run``, as in the end-to-end tests and
``benchmarks/load.py``) runs against the fake Bot API with its deployed settings: the outgoing
rate limiter on and the default flood limit (FLOOD_PER_MINUTE). ``--users`` ordinary users
each send a question every ``--interval`` seconds (open loop, staggered, so the bot is not
saturated: a person's reply time is what matters, not throughput; each stays under the flood
limit of 30 a minute), for ``--seconds``:

1. alone (the baseline);
2. while one more user sends ``--flood-rate`` messages a second for the whole time.

Printed for both phases: the ordinary users' reply time (from their update being queued in
the fake to the bot's first message to them) p50 / p99 / max, and p99 with the flood as a
share of p99 without (target: at most +20 %); for the flood: messages sent, messages the
bot sent back to that user (a polite "slow down" is expected, then silence for a while) and
the bot's CPU time per phase.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import (  # the same process handling and simulated users as the load benchmark
    QUESTIONS,
    ROOT,
    TOKEN,
    USER_IDS,
    BotProcess,
    BotUnderTest,
    locale_of,
    percentile,
    warm_up,
)

if TYPE_CHECKING:
    from bot.fakeapi import ChatEvent, FakeTelegram

FLOODER = USER_IDS + 50_000
SETTLE_TIMEOUT = 60.0  # s for the last replies after a phase


class Replies:
    """Reply times of the ordinary users: each bot message to a chat answers that chat's
    oldest unanswered question (a question is answered with one message)."""

    def __init__(self, flooder: int) -> None:
        self.waiting: dict[int, deque[float]] = {}
        self.latencies: list[float] = []
        self.flooder = flooder
        self.to_flooder = 0

    def sent(self, chat_id: int) -> None:
        self.waiting.setdefault(chat_id, deque()).append(time.perf_counter())

    def on_event(self, event: ChatEvent) -> None:
        if not event.by_bot or event.kind != "message":
            return
        if event.chat_id == self.flooder:
            self.to_flooder += 1
            return
        queue = self.waiting.get(event.chat_id)
        if queue:
            self.latencies.append(time.perf_counter() - queue.popleft())

    def outstanding(self) -> int:
        return sum(len(queue) for queue in self.waiting.values())


async def phase(fake: FakeTelegram, process: BotProcess, users: int, interval: float,
                seconds: float, flood_rate: float) -> tuple[Replies, int, float]:
    replies = Replies(FLOODER)
    unsubscribe = fake.on_event(replies.on_event)
    flood_sent = 0
    cpu_before = process.cpu_seconds()
    start = time.perf_counter()

    async def ordinary(user: int) -> None:
        questions = QUESTIONS[locale_of(user)]
        await asyncio.sleep(interval * user / users)  # staggered
        n = 0
        while time.perf_counter() - start < seconds:
            replies.sent(USER_IDS + user)
            fake.send_message(USER_IDS + user, questions[(user + n) % len(questions)])
            n += 1
            await asyncio.sleep(interval)

    async def flood() -> None:
        nonlocal flood_sent
        questions = QUESTIONS["ru"]
        while time.perf_counter() - start < seconds:
            fake.send_message(FLOODER, questions[flood_sent % len(questions)])
            flood_sent += 1
            await asyncio.sleep(1 / flood_rate)

    tasks = [ordinary(user) for user in range(users)]
    if flood_rate > 0:
        tasks.append(flood())
    await asyncio.gather(*tasks)
    with contextlib.suppress(AssertionError):  # the fake's "not met in time"
        await fake.wait_for(lambda: replies.outstanding() == 0, timeout=SETTLE_TIMEOUT)
    await asyncio.sleep(1.0)  # the flood's last answers
    unsubscribe()
    return replies, flood_sent, process.cpu_seconds() - cpu_before


def ms(value: float) -> str:
    return f"{value * 1000:.0f} ms"


async def benchmark(args: argparse.Namespace) -> None:
    from bot.fakeapi import FakeTelegram

    print("load average before: " + " ".join(f"{x:.2f}" for x in os.getloadavg())
          + f" ({os.cpu_count()} CPUs)")
    env = {"LOG_LEVEL": "INFO"}  # deployed settings otherwise: rate limiter and flood limit on
    bot = BotUnderTest("hamroh", [sys.executable, "-m", "bot", "run"], picks_language=True,
                       cwd=ROOT, env=env)
    fake = FakeTelegram(TOKEN)
    await fake.start()
    with tempfile.TemporaryDirectory(prefix="hamroh-flood-") as tmp:
        process = BotProcess(bot, fake, Path(tmp))
        try:
            await process.start()
            await asyncio.gather(*(warm_up(fake, bot, USER_IDS + user, locale_of(user))
                                   for user in range(args.users)))
            await warm_up(fake, bot, FLOODER, "ru")
            # The first question waits for the search index: ask one, untimed.
            fake.send_message(USER_IDS, QUESTIONS[locale_of(0)][0])
            await fake.chat(USER_IDS).next_message(timeout=180)
            results = {}
            for name, rate in (("alone", 0.0), ("with flood", args.flood_rate)):
                print(f"phase: {name} ...", flush=True)
                results[name] = await phase(fake, process, args.users, args.interval,
                                            args.seconds, rate)
        finally:
            await process.stop()
            await fake.stop()
    print(f"\n{args.users} users, a question every {args.interval} s each, "
          f"{args.seconds} s per phase; flood: {args.flood_rate} messages/s from one user")
    print(f"{'':28}{'p50':>10}{'p99':>10}{'max':>10}{'answers':>10}{'bot CPU':>10}")
    for name, (replies, _, cpu) in results.items():
        lat = replies.latencies or [float("nan")]
        print(f"{name:28}{ms(percentile(lat, 0.5)):>10}{ms(percentile(lat, 0.99)):>10}"
              f"{ms(max(lat)):>10}{len(replies.latencies):>10}{cpu:>9.1f}s")
    alone, flooded = results["alone"][0], results["with flood"][0]
    if alone.latencies and flooded.latencies:
        ratio = percentile(flooded.latencies, 0.99) / percentile(alone.latencies, 0.99)
        verdict = "ok" if ratio <= 1.2 else "OVER the +20 % target"
        print(f"ordinary users' p99 with the flood: {ratio:.2f}x the p99 without ({verdict})")
    replies, sent, _ = results["with flood"]
    print(f"flood: {sent} messages sent, {replies.to_flooder} messages back to that user")
    missing = alone.outstanding() + flooded.outstanding()
    if missing:
        print(f"WARNING: {missing} ordinary questions got no answer within "
              f"{SETTLE_TIMEOUT:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--interval", type=float, default=3.0, help="s between one user's "
                        "questions (at least 2: the flood limit is 30 a minute)")
    parser.add_argument("--seconds", type=float, default=30.0, help="per phase")
    parser.add_argument("--flood-rate", type=float, default=20.0, help="messages/s")
    args = parser.parse_args()
    if args.users < 1 or args.interval <= 0 or args.seconds <= 0 or args.flood_rate <= 0:
        parser.error("--users, --interval, --seconds and --flood-rate must be positive")
    asyncio.run(benchmark(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
