"""Conversation state, per-user data and update de-duplication.

Values are JSON, not pickle: readable, independent of code layout, and safe
to load from a file someone else handed over.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.storage.base import Repository, immediate, now_iso
from bot.storage.users import UserRecord, touch_in


def _first_time_in(conn: sqlite3.Connection, update_id: int) -> bool:
    return conn.execute(
        "INSERT OR IGNORE INTO processed_updates (update_id, seen_at) VALUES (?, ?)",
        (update_id, now_iso())).rowcount == 1


class StateRepository(Repository):
    async def first_time_seen(self, update_id: int) -> bool:
        """Remember ``update_id``; False when it was processed before (a re-delivery)."""
        return await self._db.run(lambda conn: _first_time_in(conn, update_id))

    async def record_update(self, update_id: int, user_id: int | None
                            ) -> tuple[bool, UserRecord | None]:
        """``first_time_seen`` and, for a first delivery, ``users.touch(user_id)``: one
        transaction in one call to the database thread (they were six calls and two
        commits on every update). Not waiting for the disk: after a power cut, an update
        Telegram delivers again may be handled a second time."""

        def record(conn: sqlite3.Connection) -> tuple[bool, UserRecord | None]:
            with immediate(conn, durable=False):
                if not _first_time_in(conn, update_id):
                    return False, None
                return True, None if user_id is None else touch_in(conn, user_id)

        return await self._db.run(record)

    async def forget_processed_before(self, cutoff: datetime) -> None:
        await self._conn.execute(
            "DELETE FROM processed_updates WHERE seen_at < ?",
            (cutoff.isoformat(timespec="seconds"),),
        )
        await self._conn.commit()

    async def prune_processed(self, keep: timedelta = timedelta(days=2)) -> None:
        await self.forget_processed_before(datetime.now(UTC) - keep)

    # --- user data and conversation steps, sealed by the caller (bot.persistence) ---

    async def load_user_state(self, owner: str) -> bytes | None:
        row = await self._one("SELECT sealed FROM user_state WHERE owner = ?", (owner,))
        return bytes(row[0]) if row else None

    async def save_user_state(self, owner: str, sealed: bytes) -> None:
        """Bookkeeping, not waiting for the disk (``immediate``): a power cut may take back
        the last change (the article last read, a pending question)."""
        await self._write_bookkeeping(
            "INSERT INTO user_state (owner, sealed, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(owner) DO UPDATE SET sealed = excluded.sealed, "
            "updated_at = excluded.updated_at", (owner, sealed, now_iso()))

    async def drop_user_state(self, owner: str) -> None:
        await self._conn.execute("DELETE FROM user_state WHERE owner = ?", (owner,))
        await self._conn.commit()

    async def purge_user_state_before(self, cutoff: str) -> int:
        """Data of people idle since ``cutoff`` (ISO time): the last article read, a
        pending question. Returns how many rows were deleted."""
        cursor = await self._conn.execute("DELETE FROM user_state WHERE updated_at < ?",
                                          (cutoff,))
        await self._conn.commit()
        return cursor.rowcount

    async def load_conversation_rows(self, name: str) -> list[tuple[str, bytes]]:
        rows = await self._all(
            "SELECT owner, sealed FROM conversation_state WHERE name = ?", (name,))
        return [(str(owner), bytes(sealed)) for owner, sealed in rows]

    async def save_conversation_row(self, name: str, owner: str, sealed: bytes | None) -> None:
        """A step of a conversation is bookkeeping (a power cut may take the last step
        back; the report itself is committed durably); its end is durable, so a finished
        report's conversation cannot come back to its last step."""
        if sealed is None:
            await self._conn.execute(
                "DELETE FROM conversation_state WHERE name = ? AND owner = ?", (name, owner))
            await self._conn.commit()
            return
        await self._write_bookkeeping(
            "INSERT INTO conversation_state (name, owner, sealed, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT(name, owner) DO UPDATE SET "
            "sealed = excluded.sealed, updated_at = excluded.updated_at",
            (name, owner, sealed, now_iso()))

    async def drop_conversation_rows(self, owners: list[str]) -> None:
        await self._conn.executemany("DELETE FROM conversation_state WHERE owner = ?",
                                     [(owner,) for owner in owners])
        await self._conn.commit()

    async def purge_conversations_before(self, name: str, cutoff: str) -> list[str]:
        """Delete the steps of conversations untouched since ``cutoff`` (an abandoned
        report); returns their owners."""
        async with self._db.transaction() as conn:
            owners = [str(owner) for (owner,) in await conn.execute_fetchall(
                "SELECT owner FROM conversation_state WHERE name = ? AND updated_at < ?",
                (name, cutoff))]
            await conn.executemany(
                "DELETE FROM conversation_state WHERE name = ? AND owner = ?",
                [(name, owner) for owner in owners])
        return owners

    # --- the tables of before migration 11 (Telegram ids in clear) ---------------------

    async def legacy_state(self) -> tuple[dict[int, dict[str, Any]],
                                          list[tuple[str, tuple[int | str, ...], object]]]:
        """User data and conversation steps still in the old clear tables."""
        tables = {name for (name,) in await self._conn.execute_fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        users: dict[int, dict[str, Any]] = {}
        conversations: list[tuple[str, tuple[int | str, ...], object]] = []
        if "persistence_user_data" in tables:
            for user_id, data in await self._conn.execute_fetchall(
                    "SELECT user_id, data FROM persistence_user_data"):
                users[int(user_id)] = json.loads(data)
        if "persistence_conversations" in tables:
            for name, key, state in await self._conn.execute_fetchall(
                    "SELECT name, conv_key, state FROM persistence_conversations"):
                conversations.append((str(name), tuple(json.loads(key)), json.loads(state)))
        return users, conversations

    async def replace_legacy_state(self, users: list[tuple[str, bytes]],
                                   conversations: list[tuple[str, str, bytes]]) -> None:
        """Write the sealed rows and drop the clear tables, in one transaction."""
        now = now_iso()
        async with self._db.transaction() as conn:
            await conn.executemany(
                "INSERT OR REPLACE INTO user_state (owner, sealed, updated_at) VALUES (?, ?, ?)",
                [(owner, sealed, now) for owner, sealed in users])
            await conn.executemany(
                "INSERT OR REPLACE INTO conversation_state (name, owner, sealed, updated_at) "
                "VALUES (?, ?, ?, ?)", [(n, o, sealed, now) for n, o, sealed in conversations])
            await conn.execute("DROP TABLE IF EXISTS persistence_user_data")
            await conn.execute("DROP TABLE IF EXISTS persistence_conversations")
