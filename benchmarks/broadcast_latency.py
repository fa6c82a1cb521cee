"""Answers during a broadcast: reply time of ordinary questions while 5,000 users are sent an
announcement, against the same questions with no broadcast running.

    python benchmarks/broadcast_latency.py [--users 5000] [--baseline-seconds 30] [--askers 50]
    python benchmarks/broadcast_latency.py --users 1000 --askers 0   # the broadcast alone

The real Application (rate limiter, persistence, SQLite with ``synchronous=FULL``) runs in
this process; the fake Bot API and the simulated users run in a second process, so the load
generator does not compete with the bot for its event loop (on two cores each gets one).
Every ~100 ms (50–150 ms, at random) one of ``--askers`` users asks a question the knowledge
base answers; the reply time is measured in the fake's process, from the moment the question
is queued to the moment the bot's answer reaches the fake server. Phase 1 is the baseline
(no broadcast) for ``--baseline-seconds``; phase 2 starts a broadcast to ``--users`` users
(the announcement is created and confirmed directly through the repository and the broadcast
manager, not through the owner's dialogue) and asks until every copy has arrived. Prints
p50/p99/max reply times of both phases and the broadcast's messages per second.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import statistics
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

TOKEN = "123456789:broadcast-benchmark"
OWNER = 9001
FIRST_RECIPIENT = 100_001
FIRST_ASKER = 800_001
QUESTION = "skolko dney mozhno bez patenta"
INTERVAL = 0.1  # seconds between two questions
ANNOUNCEMENT = {
    "tg": "<b>Эълон</b>: аз 1 декабр ҳуҷҷатҳоро барвақт омода кунед.",
    "ru": "<b>Объявление</b>: с 1 декабря готовьте документы заранее.",
    "en": "<b>Notice</b>: from 1 December prepare your documents early.",
}
LOCALES = ("tg", "ru", "en", None)


# --- the fake's process: Telegram and its users -----------------------------------------------

def fake_process(conn: Connection, users: int, askers: int) -> None:
    asyncio.run(_fake_main(conn, users, askers))


async def _fake_main(conn: Connection, users: int, askers: int) -> None:
    from bot.fakeapi import ChatEvent, FakeChat, FakeTelegram

    fake = FakeTelegram(TOKEN)
    await fake.start()
    for uid in [OWNER, *range(FIRST_RECIPIENT, FIRST_RECIPIENT + users)]:
        user = fake.add_user(uid, f"U{uid}", language_code="ru")
        user.started = True
        fake.chats[uid] = FakeChat(uid, "private", first_name=user.first_name)
    asker_ids = list(range(FIRST_ASKER, FIRST_ASKER + askers))
    for uid in asker_ids:
        fake.add_user(uid, f"A{uid}", language_code="ru")

    texts = set(ANNOUNCEMENT.values())
    # ~100 ms apart, not exactly: a fixed beat would lock onto the limiter's 1/30 s beat.
    jitter = random.Random(1)
    asked_at: dict[int, float] = {}
    latencies: list[float] = []
    broadcast_times: list[float] = []

    def on_event(event: ChatEvent) -> None:
        if event.kind != "message" or event.message is None:
            return
        if event.message.html in texts:
            broadcast_times.append(time.perf_counter())
            return
        started = asked_at.pop(event.chat_id, None)
        if started is not None:
            latencies.append(time.perf_counter() - started)

    fake.on_event(on_event)
    loop = asyncio.get_running_loop()
    conn.send(("ready", fake.api_url, fake.file_url))
    while True:
        command = await loop.run_in_executor(None, conn.recv)
        if command[0] == "stop":
            break
        _, seconds, expected_broadcast = command
        latencies.clear()
        broadcast_times.clear()
        skipped = 0
        turn = 0
        start = time.perf_counter()
        next_at = start
        while True:
            now = time.perf_counter()
            if expected_broadcast:
                if len(broadcast_times) >= expected_broadcast:
                    break
                if now - start > expected_broadcast / 10 + 120:
                    break  # far slower than expected: report what there is
            elif now - start >= seconds:
                break
            if not asker_ids:  # --askers 0: the broadcast alone
                await asyncio.sleep(INTERVAL)
                continue
            uid = asker_ids[turn % len(asker_ids)]
            turn += 1
            if uid in asked_at:
                skipped += 1  # still waiting for the previous answer
            else:
                asked_at[uid] = time.perf_counter()
                fake.send_message(uid, QUESTION)
            next_at += INTERVAL * jitter.uniform(0.5, 1.5)
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
        deadline = time.perf_counter() + 10
        while asked_at and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        rate = 0.0
        if len(broadcast_times) > 1:
            rate = (len(broadcast_times) - 1) / (broadcast_times[-1] - broadcast_times[0])
        conn.send({"latencies": list(latencies), "unanswered": len(asked_at),
                   "skipped": skipped, "broadcast": len(broadcast_times), "rate": rate,
                   "elapsed": time.perf_counter() - start})
        asked_at.clear()
    await fake.stop()


# --- the bot's process --------------------------------------------------------------------------

async def run_bot(conn: Connection, users: int, baseline_seconds: float) -> dict[str, Any]:
    from bot.app import build_application
    from bot.broadcasts.sender import manager_of
    from bot.config import Settings
    from bot.services import SERVICES_KEY, Services

    loop = asyncio.get_running_loop()
    ready = await loop.run_in_executor(None, conn.recv)
    _, api_url, file_url = ready
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(bot_token=TOKEN, telegram_base_url=api_url,
                            telegram_base_file_url=file_url, data_dir=Path(data_dir),
                            admin_ids=frozenset({OWNER}))
        app = build_application(settings)  # with the rate limiter, as in production
        services: Services = app.bot_data[SERVICES_KEY]
        async with app:
            assert app.post_init is not None
            await app.post_init(app)
            db = services.db
            rows = [(OWNER, "en")] + [
                (FIRST_RECIPIENT + i, LOCALES[i % len(LOCALES)]) for i in range(users)]
            await db.conn.executemany(
                "INSERT INTO users (id, locale, first_seen, last_seen) VALUES (?, ?, "
                "'2026-11-01T00:00:00+00:00', '2026-11-01T00:00:00+00:00')", rows)
            await db.conn.commit()
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(timeout=1)

            if baseline_seconds > 0:
                conn.send(("ask", baseline_seconds, 0))
                results["baseline"] = await loop.run_in_executor(None, conn.recv)

            broadcast_id = await db.broadcasts.create(OWNER, ANNOUNCEMENT, "ru", "all",
                                                      progress_chat=OWNER)
            assert broadcast_id is not None
            started = time.perf_counter()
            recipients = await db.broadcasts.materialise(broadcast_id, "all")
            results["materialise_ms"] = (time.perf_counter() - started) * 1000
            await db.broadcasts.set_status(broadcast_id, "sending")
            manager_of(app).start(broadcast_id)
            conn.send(("ask", 0, recipients))
            results["broadcast"] = await loop.run_in_executor(None, conn.recv)
            results["recipients"] = recipients
            results["counts"] = await db.broadcasts.counts(broadcast_id)
            for task in list(manager_of(app).tasks):
                await asyncio.wait_for(task, timeout=60)
            await app.updater.stop()
            await app.stop()
        if app.post_shutdown:
            await app.post_shutdown(app)
    conn.send(("stop",))
    return results


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def report(name: str, phase: dict[str, Any]) -> str:
    values = phase["latencies"]
    if not values:
        return f"{name}: no answers"
    return (f"{name}: {len(values)} questions answered ({phase['unanswered']} unanswered, "
            f"{phase['skipped']} skipped while the previous was pending) in "
            f"{phase['elapsed']:.0f} s: reply p50 {statistics.median(values) * 1000:.0f} ms, "
            f"p99 {_percentile(values, 0.99) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--askers", type=int, default=50,
                        help="users taking turns to ask; 0: the broadcast alone")
    parser.add_argument("--baseline-seconds", type=float, default=30.0)
    args = parser.parse_args()
    if args.askers == 0:
        args.baseline_seconds = 0

    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=fake_process, args=(child, args.users, args.askers), daemon=True)
    process.start()
    results = asyncio.run(run_bot(parent, args.users, args.baseline_seconds))
    process.join(timeout=30)

    broadcast = results["broadcast"]
    questions = (f"every ~{INTERVAL * 1000:.0f} ms one of {args.askers} users asks "
                 f"{QUESTION!r}" if args.askers else "no questions")
    print(f"broadcast to {results['recipients']} users (recipients listed in "
          f"{results['materialise_ms']:.0f} ms); {questions}")
    if "baseline" in results:
        print(report("baseline, no broadcast", results["baseline"]))
    if args.askers:
        print(report("during the broadcast  ", broadcast))
    print(f"broadcast: {broadcast['broadcast']} messages at {broadcast['rate']:.1f} messages/s; "
          f"outcomes {({k: v for k, v in results['counts'].items() if v})}")


if __name__ == "__main__":
    main()
