"""End-to-end throughput: the real Application against the fake Bot API, in one process.

    python benchmarks/throughput.py [--users 100] [--messages 5] [--text "/help"]

Prints updates per second and reply latency (p50/p99) from the moment a user's
message is queued to the moment the bot's reply reaches the fake server. Run it
pinned to one core (taskset -c 0) for numbers comparable with BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.app import build_application
from bot.config import Settings
from bot.fakeapi import ChatEvent, FakeTelegram

TOKEN = "123456789:benchmark-token"


async def run(users: int, messages: int, text: str, rate_limit: bool) -> None:
    fake = FakeTelegram(TOKEN)
    await fake.start()
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(bot_token=TOKEN, telegram_base_url=fake.api_url,
                            telegram_base_file_url=fake.file_url, data_dir=Path(data_dir))
        app = build_application(settings, rate_limit=rate_limit)
        sent_at: dict[int, list[float]] = {}
        latencies: list[float] = []
        done = asyncio.Event()
        expected = users * messages

        def on_event(event: ChatEvent) -> None:
            if event.by_bot and event.kind == "message" and sent_at.get(event.chat_id):
                latencies.append(time.perf_counter() - sent_at[event.chat_id].pop(0))
                if len(latencies) == expected:
                    done.set()

        fake.on_event(on_event)
        async with app:
            if app.post_init:
                await app.post_init(app)
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(timeout=1)
            for user in range(1, users + 1):  # warm-up: create the users and their rows
                fake.add_user(10_000 + user, language_code="ru")
            start = time.perf_counter()
            for _ in range(messages):
                for user in range(1, users + 1):
                    chat_id = 10_000 + user
                    sent_at.setdefault(chat_id, []).append(time.perf_counter())
                    fake.send_message(chat_id, text)
            await asyncio.wait_for(done.wait(), timeout=600)
            elapsed = time.perf_counter() - start
            await app.updater.stop()
            await app.stop()
        if app.post_shutdown:  # after shutdown(), which flushes the persistence
            await app.post_shutdown(app)
    await fake.stop()
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    limiter = "with" if rate_limit else "without"
    print(f"updates: {expected} ({users} users x {messages} messages of {text!r}, "
          f"{limiter} the rate limiter)")
    print(f"throughput: {expected / elapsed:.0f} updates/s")
    print(f"reply latency: p50 {statistics.median(latencies) * 1000:.1f} ms, "
          f"p99 {p99 * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--text", default="/help")
    parser.add_argument("--no-rate-limit", action="store_true",
                        help="measure the bot alone, without Telegram's 30 messages/s limiter")
    args = parser.parse_args()
    asyncio.run(run(args.users, args.messages, args.text, not args.no_rate_limit))


if __name__ == "__main__":
    main()
