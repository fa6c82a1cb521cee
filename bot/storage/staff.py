"""Moderator roles and the display names of staff (owners and moderators).

Owners come from ``ADMIN_IDS``; moderators are added and removed by owners in Telegram
and live here. Removing a moderator keeps their row (without the role) so the audit log
can still show who did what."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.base import Repository, now_iso


@dataclass(frozen=True)
class StaffRow:
    user_id: int
    name: str
    moderator: bool
    added_by: int | None
    added_at: str | None


_COLUMNS = "user_id, name, moderator, added_by, added_at"


class StaffRepository(Repository):
    async def add_moderator(self, user_id: int, added_by: int) -> bool:
        """False when they already are a moderator."""
        now = now_iso()
        cursor = await self._conn.execute(
            "INSERT INTO staff (user_id, moderator, added_by, added_at) VALUES (?, 1, ?, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET moderator = 1, added_by = excluded.added_by, "
            "added_at = excluded.added_at WHERE staff.moderator = 0",
            (user_id, added_by, now),
        )
        await self._conn.commit()
        return cursor.rowcount > 0

    async def remove_moderator(self, user_id: int) -> bool:
        cursor = await self._conn.execute(
            "UPDATE staff SET moderator = 0 WHERE user_id = ? AND moderator = 1", (user_id,))
        await self._conn.commit()
        return cursor.rowcount > 0

    async def is_moderator(self, user_id: int) -> bool:
        return self._one_now(  # on every message (the staff handlers come first)
            "SELECT 1 FROM staff WHERE user_id = ? AND moderator = 1", (user_id,)) is not None

    async def moderators(self) -> list[StaffRow]:
        rows = await self._all(
            f"SELECT {_COLUMNS} FROM staff WHERE moderator = 1 ORDER BY added_at, user_id")
        return [StaffRow(r[0], r[1], bool(r[2]), r[3], r[4]) for r in rows]

    async def remember_name(self, user_id: int, name: str) -> None:
        """Keep a staff member's Telegram name current, for cards and the audit log."""
        await self._conn.execute(
            "INSERT INTO staff (user_id, name, seen_at) VALUES (?, ?, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET name = excluded.name, seen_at = excluded.seen_at "
            "WHERE staff.name != excluded.name",
            (user_id, name, now_iso()),
        )
        await self._conn.commit()

    async def names(self, user_ids: set[int]) -> dict[int, str]:
        if not user_ids:
            return {}
        marks = ",".join("?" * len(user_ids))
        rows = await self._all(
            f"SELECT user_id, name FROM staff WHERE user_id IN ({marks})", tuple(user_ids))
        return {int(r[0]): str(r[1]) for r in rows if r[1]}
