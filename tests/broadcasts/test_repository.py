"""BroadcastRepository: who receives a broadcast, each recipient's outcome, resuming."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import Database
from bot.storage.broadcasts import (
    BLOCKED,
    CANCELLED,
    CLAIMED,
    DONE,
    PAUSED,
    PENDING,
    PREPARING,
    SENDING,
    SENT,
    SKIPPED,
    UNKNOWN,
)

TEXTS = {"ru": "Привет", "en": "Hello"}
# id: (locale, blocked_bot, banned)
USERS = {
    1: ("tg", 0, 0), 2: ("ru", 0, 0), 3: ("en", 0, 0), 4: (None, 0, 0), 5: ("ru", 1, 0),
    6: ("ru", 0, 1), 7: ("ru", 0, 0), 8: ("tg", 0, 0), 9: (None, 0, 0), 10: ("en", 1, 1),
}


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "db.sqlite3")
    await insert_users(database, USERS)
    try:
        yield database
    finally:
        await database.close()


async def insert_users(db: Database, users: dict[int, tuple[str | None, int, int]]) -> None:
    await db.conn.executemany(
        "INSERT INTO users (id, locale, first_seen, last_seen, blocked_bot, banned) "
        "VALUES (?, ?, 'x', 'x', ?, ?)",
        [(uid, locale, blocked, banned) for uid, (locale, blocked, banned) in users.items()])
    await db.conn.commit()


async def recipients(db: Database, broadcast_id: int) -> list[int]:
    async with db.conn.execute(
        "SELECT user_id FROM broadcast_recipients WHERE broadcast_id = ? ORDER BY user_id",
        (broadcast_id,),
    ) as cursor:
        return [row[0] for row in await cursor.fetchall()]


async def test_one_active_broadcast_at_a_time(db: Database) -> None:
    first = await db.broadcasts.create(42, TEXTS, "ru", "all", progress_chat=42)
    assert first is not None
    assert await db.broadcasts.create(43, TEXTS, "ru", "ru") is None
    row = await db.broadcasts.get(first)
    assert row is not None and row.status == PREPARING and row.texts == TEXTS
    assert row.owner == 42 and row.fallback == "ru" and row.progress_chat == 42
    assert (await db.broadcasts.active()) == row
    assert await db.broadcasts.set_status(first, SENDING, expected=(PREPARING,))
    assert not await db.broadcasts.set_status(first, SENDING, expected=(PAUSED,))
    assert await db.broadcasts.set_status(first, DONE)
    finished = await db.broadcasts.get(first)
    assert finished is not None and finished.started_at and finished.finished_at
    assert await db.broadcasts.active() is None
    assert await db.broadcasts.create(43, TEXTS, "ru", "ru") is not None


async def test_materialise_by_audience_skips_blocked_and_banned(db: Database) -> None:
    everyone = await db.broadcasts.create(1, TEXTS, "ru", "all")
    assert everyone is not None
    assert await db.broadcasts.materialise(everyone, "all", batch=3) == 7
    assert await recipients(db, everyone) == [1, 2, 3, 4, 7, 8, 9]
    assert await db.broadcasts.materialise(everyone, "all", batch=3) == 7  # idempotent
    await db.broadcasts.set_status(everyone, CANCELLED)
    russian = await db.broadcasts.create(1, TEXTS, "ru", "ru")
    assert russian is not None
    assert await db.broadcasts.materialise(russian, "ru") == 2
    assert await recipients(db, russian) == [2, 7]
    assert await db.broadcasts.audience_sizes() == {"tg": 2, "ru": 2, "en": 1, None: 2}


async def test_materialise_resumes_after_a_crash_without_duplicates(db: Database) -> None:
    broadcast = await db.broadcasts.create(1, TEXTS, "ru", "all")
    assert broadcast is not None
    stops = iter([False, True])
    assert await db.broadcasts.materialise(broadcast, "all", batch=2,
                                           should_stop=lambda: next(stops)) is None
    assert await recipients(db, broadcast) == [1, 2, 3, 4]
    assert await db.broadcasts.materialise(broadcast, "all", batch=2) == 7
    assert await recipients(db, broadcast) == [1, 2, 3, 4, 7, 8, 9]


async def test_a_large_list_does_not_hold_the_connection(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "big.sqlite3")
    try:
        await insert_users(db, {uid: ("ru", 0, 0) for uid in range(100, 60_100)})
        broadcast = await db.broadcasts.create(1, TEXTS, "ru", "all")
        assert broadcast is not None
        listing = asyncio.create_task(db.broadcasts.materialise(broadcast, "all", batch=2_000))
        answered_meanwhile = 0
        while not listing.done():
            # someone else's query on the shared connection gets in
            assert await db.staff.moderators() == []
            answered_meanwhile += 1
        assert listing.result() == 60_000
        assert answered_meanwhile >= 10
    finally:
        await db.close()


async def test_claim_record_and_counts(db: Database) -> None:
    broadcast = await db.broadcasts.create(1, TEXTS, "ru", "all")
    assert broadcast is not None
    await db.broadcasts.materialise(broadcast, "all")
    page = await db.broadcasts.pending(broadcast, limit=3)
    assert [(r.user_id, r.locale, r.reachable) for r in page] == [
        (1, "tg", True), (2, "ru", True), (3, "en", True)]
    assert [r.user_id for r in await db.broadcasts.pending(broadcast, after=3)] == [4, 7, 8, 9]

    assert await db.broadcasts.claim(broadcast, 1)
    assert not await db.broadcasts.claim(broadcast, 1)  # never twice
    await db.broadcasts.record(broadcast, 1, SENT)
    assert await db.broadcasts.claim(broadcast, 2)
    await db.broadcasts.record(broadcast, 2, BLOCKED)
    blocked = await db.users.get(2)
    assert blocked is not None and blocked.blocked_bot
    assert await db.broadcasts.claim(broadcast, 3)
    await db.broadcasts.release(broadcast, 3)  # a 429: nothing was delivered
    assert [r.user_id for r in await db.broadcasts.pending(broadcast, limit=1)] == [3]

    await db.users.delete(9)  # /forget while the broadcast runs
    await db.users.set_banned(8, True)
    page = await db.broadcasts.pending(broadcast, after=7)
    assert [(r.user_id, r.reachable) for r in page] == [(8, False), (9, False)]
    await db.broadcasts.record(broadcast, 8, SKIPPED)
    with pytest.raises(ValueError, match="unknown outcome"):
        await db.broadcasts.record(broadcast, 9, "delivered")
    counts = await db.broadcasts.counts(broadcast)
    assert counts == {PENDING: 4, CLAIMED: 0, SENT: 1, "failed": 0, BLOCKED: 1, SKIPPED: 1,
                      UNKNOWN: 0}


async def test_resume_counts_a_crash_in_flight_as_unknown(db: Database) -> None:
    broadcast = await db.broadcasts.create(1, TEXTS, "ru", "all")
    assert broadcast is not None
    await db.broadcasts.materialise(broadcast, "all")
    await db.broadcasts.set_status(broadcast, SENDING)
    for uid in (1, 2):
        assert await db.broadcasts.claim(broadcast, uid)
    await db.broadcasts.record(broadcast, 1, SENT)
    # ...the process is killed while user 2's message is on its way.
    assert [row.id for row in await db.broadcasts.resumable()] == [broadcast]
    assert await db.broadcasts.settle_interrupted(broadcast) == 1
    assert not await db.broadcasts.claim(broadcast, 2)  # never sent again
    await db.broadcasts.record(broadcast, 2, SENT)  # and a late outcome changes nothing
    counts = await db.broadcasts.counts(broadcast)
    assert counts[UNKNOWN] == 1 and counts[SENT] == 1 and counts[PENDING] == 5
    assert [r.user_id for r in await db.broadcasts.pending(broadcast)] == [3, 4, 7, 8, 9]
    await db.broadcasts.set_status(broadcast, PAUSED)
    assert await db.broadcasts.resumable() == []  # a paused one waits for its owner
    await db.broadcasts.set_progress_message(broadcast, 42, 7)
    row = await db.broadcasts.get(broadcast)
    assert row is not None and (row.progress_chat, row.progress_message) == (42, 7)


async def test_forget_removes_the_person_from_every_broadcast(db: Database) -> None:
    first = await db.broadcasts.create(1, TEXTS, "ru", "all")
    assert first is not None
    await db.broadcasts.materialise(first, "all")
    assert await db.broadcasts.forget_user(2) == 1
    assert await db.broadcasts.forget_user(2) == 0
    listed = await (await db.conn.execute(
        "SELECT COUNT(*) FROM broadcast_recipients WHERE user_id = 2")).fetchone()
    assert listed == (0,)
