"""The ``users`` table: locale choice and delivery flags."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from bot.storage.base import Repository, immediate, now_iso


@dataclass(frozen=True)
class UserRecord:
    id: int
    locale: str | None
    first_seen: str
    last_seen: str
    blocked_bot: bool
    banned: bool
    is_new: bool = False


_SELECT_USER = ("SELECT id, locale, first_seen, last_seen, blocked_bot, banned FROM users "
                "WHERE id = ?")


def _record(row: tuple[Any, ...], *, is_new: bool = False) -> UserRecord:
    return UserRecord(row[0], row[1], row[2], row[3], bool(row[4]), bool(row[5]), is_new)


def touch_in(conn: sqlite3.Connection, user_id: int) -> UserRecord:
    """Record that the user wrote to the bot, creating the row on first contact; in the
    database thread, in one transaction (a caller's, or its own).

    Only the day is kept (review M1): a time to the second would match the ``created_at``
    of the report the person just sent and join them to it. It also spares a write (and
    an fsync) on every update after the first of the day."""
    today = now_iso()[:10]
    with immediate(conn):
        is_new = conn.execute(
            "INSERT INTO users (id, first_seen, last_seen) VALUES (?, ?, ?) "
            "ON CONFLICT(id) DO NOTHING", (user_id, today, today)).rowcount == 1
        if not is_new:
            conn.execute("UPDATE users SET last_seen = ?, blocked_bot = 0 WHERE id = ? "
                         "AND (last_seen != ? OR blocked_bot != 0)", (today, user_id, today))
        return _record(conn.execute(_SELECT_USER, (user_id,)).fetchone(), is_new=is_new)


class UserRepository(Repository):
    async def touch(self, user_id: int) -> UserRecord:
        """Record that the user wrote to the bot; create the row on first contact."""
        return await self._db.run(lambda conn: touch_in(conn, user_id))

    async def get(self, user_id: int) -> UserRecord | None:
        row = self._one_now(_SELECT_USER, (user_id,))
        return None if row is None else _record(row)

    async def set_locale(self, user_id: int, locale: str) -> None:
        await self._conn.execute("UPDATE users SET locale = ? WHERE id = ?", (locale, user_id))
        await self._conn.commit()

    async def set_blocked(self, user_id: int, blocked: bool) -> None:
        await self._conn.execute(
            "UPDATE users SET blocked_bot = ? WHERE id = ?", (int(blocked), user_id)
        )
        await self._conn.commit()

    async def set_banned(self, user_id: int, banned: bool) -> bool:
        """False when the bot does not know this user (never wrote, or used /forget)."""
        cursor = await self._conn.execute("UPDATE users SET banned = ? WHERE id = ?",
                                          (int(banned), user_id))
        await self._conn.commit()
        return cursor.rowcount > 0

    async def forget_idle(self, last_seen_before: str, batch: int = 1000) -> int:
        """Retention: users who have not written since that day, unless banned (the ban
        must hold) or staff. Their broadcast deliveries go too. Returns how many. In
        batches, each its own transaction, so replies do not wait for a long purge."""
        deleted = 0
        while True:
            async with self._db.transaction() as conn:
                ids = [(row[0],) for row in await conn.execute_fetchall(
                    "SELECT id FROM users WHERE last_seen < ? AND banned = 0 "
                    "AND id NOT IN (SELECT user_id FROM staff) LIMIT ?",
                    (last_seen_before, batch))]
                await conn.executemany("DELETE FROM users WHERE id = ?", ids)
                await conn.executemany("DELETE FROM broadcast_recipients WHERE user_id = ?", ids)
            deleted += len(ids)
            if len(ids) < batch:
                return deleted

    async def delete(self, user_id: int) -> None:
        await self._conn.execute("DELETE FROM users WHERE id = ?", (user_id,))
        await self._conn.commit()

    async def count(self) -> int:
        row = await self._one("SELECT COUNT(*) FROM users")
        return int(row[0]) if row else 0
