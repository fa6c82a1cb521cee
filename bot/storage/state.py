"""Conversation state, per-user data and update de-duplication.

Values are JSON, not pickle: readable, independent of code layout, and safe
to load from a file someone else handed over.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.storage.base import Repository, now_iso


class StateRepository(Repository):
    async def first_time_seen(self, update_id: int) -> bool:
        """Remember ``update_id``; False when it was processed before (a re-delivery)."""
        cursor = await self._conn.execute(
            "INSERT OR IGNORE INTO processed_updates (update_id, seen_at) VALUES (?, ?)",
            (update_id, now_iso()),
        )
        await self._conn.commit()
        return cursor.rowcount == 1

    async def forget_processed_before(self, cutoff: datetime) -> None:
        await self._conn.execute(
            "DELETE FROM processed_updates WHERE seen_at < ?",
            (cutoff.isoformat(timespec="seconds"),),
        )
        await self._conn.commit()

    async def prune_processed(self, keep: timedelta = timedelta(days=2)) -> None:
        await self.forget_processed_before(datetime.now(UTC) - keep)

    async def load_user_data(self) -> dict[int, dict[str, Any]]:
        async with self._conn.execute("SELECT user_id, data FROM persistence_user_data") as cur:
            rows = await cur.fetchall()
        return {int(user_id): json.loads(data) for user_id, data in rows}

    async def save_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        await self._conn.execute(
            "INSERT INTO persistence_user_data (user_id, data) VALUES (?, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET data = excluded.data",
            (user_id, json.dumps(data, ensure_ascii=False, sort_keys=True)),
        )
        await self._conn.commit()

    async def drop_user_data(self, user_id: int) -> None:
        await self._conn.execute("DELETE FROM persistence_user_data WHERE user_id = ?", (user_id,))
        await self._conn.commit()

    async def load_conversations(self, name: str) -> dict[tuple[int | str, ...], object]:
        async with self._conn.execute(
            "SELECT conv_key, state FROM persistence_conversations WHERE name = ?", (name,)
        ) as cur:
            rows = await cur.fetchall()
        return {tuple(json.loads(key)): json.loads(state) for key, state in rows}

    async def save_conversation(
        self, name: str, key: tuple[int | str, ...], state: object | None
    ) -> None:
        encoded_key = json.dumps(list(key))
        if state is None:
            await self._conn.execute(
                "DELETE FROM persistence_conversations WHERE name = ? AND conv_key = ?",
                (name, encoded_key),
            )
        else:
            await self._conn.execute(
                "INSERT INTO persistence_conversations (name, conv_key, state) VALUES (?, ?, ?) "
                "ON CONFLICT(name, conv_key) DO UPDATE SET state = excluded.state",
                (name, encoded_key, json.dumps(state)),
            )
        await self._conn.commit()

    async def drop_conversations_of(self, user_id: int) -> None:
        """Forget every conversation whose key involves ``user_id`` (private chats: chat = user)."""
        await self._conn.execute(
            "DELETE FROM persistence_conversations WHERE conv_key = ? OR conv_key LIKE ?",
            (json.dumps([user_id]), f"[{int(user_id)}, %"),
        )
        await self._conn.commit()
