"""The bot's persistence: sealed rows under keyed hashes, user data loaded on demand."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.crypto import ReportKeys
from bot.persistence import SqlitePersistence
from bot.storage import Database

KEYS = ReportKeys.from_master(os.urandom(32))


def _persistence(db: Database, keys: ReportKeys = KEYS) -> SqlitePersistence:
    return SqlitePersistence(db, lambda: keys)


def _all_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*") if p.is_file())


async def test_state_survives_a_restart_and_names_nobody(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    db = await Database.open(path)
    first = _persistence(db)
    assert await first.get_user_data() == {}
    await first.update_user_data(777001, {"last_article": "rights.abuse"})
    await first.update_conversation("report", (777001, 777001), "description")
    await first.update_conversation("report", (777002, 777002), "when")
    await first.update_conversation("report", (777002, 777002), None)
    await db.close()
    # Neither the ids nor what was read are in the database in clear.
    raw = _all_bytes(path)
    assert [n for n in (b"777001", b"rights.abuse", b"description") if n in raw] == []

    db = await Database.open(path)
    try:
        again = _persistence(db)
        assert await again.get_user_data() == {}  # nothing loaded for everyone at start
        assert await again.get_conversations("report") == {(777001, 777001): "description"}
        user_data: dict[str, object] = {}
        await again.refresh_user_data(777001, user_data)
        assert user_data == {"last_article": "rights.abuse"}
        other: dict[str, object] = {}
        await again.refresh_user_data(777002, other)
        assert other == {}
    finally:
        await db.close()


async def test_another_key_reads_nothing(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        await _persistence(db).update_user_data(5, {"x": 1})
        await _persistence(db).update_conversation("report", (5, 5), "when")
        stranger = _persistence(db, ReportKeys.from_master(os.urandom(32)))
        assert await stranger.get_conversations("report") == {}
        data: dict[str, object] = {}
        await stranger.refresh_user_data(5, data)
        assert data == {}
    finally:
        await db.close()


async def test_a_sealed_row_moved_to_another_user_does_not_open(tmp_path: Path) -> None:
    from bot.sealing import user_state_owner

    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        await _persistence(db).update_user_data(5, {"secret": "five"})
        await db.conn.execute("UPDATE user_state SET owner = ?",
                              (user_state_owner(KEYS, 6),))
        await db.conn.commit()
        data: dict[str, object] = {}
        await _persistence(db).refresh_user_data(6, data)
        assert data == {}
    finally:
        await db.close()


async def test_unchanged_data_and_steps_are_not_written_again(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        persistence = _persistence(db)
        writes: list[str] = []
        save_user, save_step = db.state.save_user_state, db.state.save_conversation_row

        async def counting_user(owner: str, sealed: bytes) -> None:
            writes.append("user")
            await save_user(owner, sealed)

        async def counting_step(name: str, owner: str, sealed: bytes | None) -> None:
            writes.append("step")
            await save_step(name, owner, sealed)

        db.state.save_user_state = counting_user  # type: ignore[method-assign]
        db.state.save_conversation_row = counting_step  # type: ignore[method-assign]
        await persistence.update_user_data(7, {"x": 1})
        await persistence.update_user_data(7, {"x": 1})
        await persistence.update_user_data(7, {"x": 2})
        await persistence.update_conversation("report", (7, 7), "when")
        await persistence.update_conversation("report", (7, 7), "when")
        await persistence.update_conversation("report", (7, 7), "where")
        assert writes == ["user", "user", "step", "step"]
        await persistence.update_user_data(7, {})
        await persistence.update_user_data(7, {"x": 2})  # written again after the drop
        data: dict[str, object] = {}
        await _persistence(db).refresh_user_data(7, data)
        assert data == {"x": 2}
    finally:
        await db.close()


async def test_empty_user_data_leaves_no_row(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        persistence = _persistence(db)
        await persistence.update_user_data(7, {"x": 1})
        await persistence.update_user_data(7, {})
        assert await db.conn.execute_fetchall("SELECT * FROM user_state") == []
    finally:
        await db.close()


async def test_forget_user_removes_data_and_steps(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        persistence = _persistence(db)
        assert await persistence.get_conversations("report") == {}
        await persistence.update_user_data(7, {"x": 1})
        await persistence.update_conversation("report", (7, 7), "when")
        await persistence.update_conversation("report", (8, 8), "when")
        await persistence.forget_user(7)
        fresh = _persistence(db)
        assert await fresh.get_conversations("report") == {(8, 8): "when"}
        data: dict[str, object] = {}
        await fresh.refresh_user_data(7, data)
        assert data == {}
    finally:
        await db.close()


async def test_idle_steps_and_data_expire(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        persistence = _persistence(db)
        await persistence.update_conversation("report", (7, 7), "when")
        await persistence.update_user_data(7, {"x": 1})
        past = datetime.now(UTC) - timedelta(hours=1)
        assert await persistence.expire_conversations("report", past) == 0
        assert await persistence.expire_user_data(past) == 0
        future = datetime.now(UTC) + timedelta(seconds=2)
        assert await persistence.expire_conversations("report", future) == 1
        assert await persistence.expire_user_data(future) == 1
        assert await _persistence(db).get_conversations("report") == {}
        # The same step and data come back: written again, though "unchanged".
        await persistence.update_conversation("report", (7, 7), "when")
        await persistence.update_user_data(7, {"x": 1})
        fresh = _persistence(db)
        assert await fresh.get_conversations("report") == {(7, 7): "when"}
        data: dict[str, object] = {}
        await fresh.refresh_user_data(7, data)
        assert data == {"x": 1}
    finally:
        await db.close()


async def test_state_stored_in_clear_by_an_older_version_is_sealed(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    db = await Database.open(path)
    await db.close()
    with sqlite3.connect(path) as conn:  # the tables of before migration 11
        conn.execute("CREATE TABLE IF NOT EXISTS persistence_user_data (user_id INTEGER "
                     "PRIMARY KEY, data TEXT NOT NULL)")
        conn.execute("CREATE TABLE IF NOT EXISTS persistence_conversations (name TEXT, "
                     "conv_key TEXT, state TEXT, PRIMARY KEY (name, conv_key))")
        conn.execute("INSERT INTO persistence_user_data VALUES (900001, ?)",
                     (json.dumps({"last_article": "rights.abuse"}),))
        conn.execute("INSERT INTO persistence_conversations VALUES ('report', ?, ?)",
                     (json.dumps([900001, 900001]), json.dumps("place")))
    db = await Database.open(path)
    try:
        persistence = _persistence(db)
        assert await persistence.get_conversations("report") == {(900001, 900001): "place"}
        data: dict[str, object] = {}
        await persistence.refresh_user_data(900001, data)
        assert data == {"last_article": "rights.abuse"}
        tables = {name for (name,) in await db.conn.execute_fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert not tables & {"persistence_user_data", "persistence_conversations"}
        await db.checkpoint()
    finally:
        await db.close()
    assert [n for n in (b"900001", b"rights.abuse") if n in _all_bytes(path)] == []
