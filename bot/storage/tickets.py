"""Support tickets, their messages (encrypted by the caller) and where staff saw them.

``requester`` is a keyed hash of the user's id (NULL once the identity link is dropped);
everything a person typed, and their Telegram id, arrive here already encrypted."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.storage.base import Repository, now_iso


@dataclass(frozen=True)
class TicketRow:
    id: int
    requester: str | None
    content: bytes
    locale: str
    status: str  # open | closed
    assignee: int | None
    thread_id: int | None
    last_article: str | None
    rating: int | None
    created_at: str
    updated_at: str
    closed_at: str | None


@dataclass(frozen=True)
class TicketMessageRow:
    id: int
    ticket_id: int
    direction: str  # in (from the user) | out (from staff)
    author: int | None
    created_at: str
    content: bytes


_COLUMNS = ("id, requester, content, locale, status, assignee, thread_id, last_article, "
            "rating, created_at, updated_at, closed_at")


def _ticket(row: Sequence[Any]) -> TicketRow:
    return TicketRow(row[0], row[1], bytes(row[2]), row[3], row[4], row[5], row[6], row[7],
                     row[8], row[9], row[10], row[11])


class TicketRepository(Repository):
    async def _select(self, where: str, params: tuple[object, ...]) -> list[TicketRow]:
        rows = await self._all(f"SELECT {_COLUMNS} FROM tickets {where}", params)
        return [_ticket(row) for row in rows]

    async def open_of(self, requester: str) -> TicketRow | None:
        # On every message a person types (does it belong to their conversation?)
        row = self._one_now(f"SELECT {_COLUMNS} FROM tickets "
                            "WHERE requester = ? AND status = 'open'", (requester,))
        return _ticket(row) if row else None

    async def create(self, requester: str, locale: str, last_article: str | None,
                     content: bytes) -> tuple[TicketRow, bool]:
        """The requester's open ticket, created if there is none (a unique index keeps it
        one per person even when two updates race). True when it was created now."""
        now = now_iso()
        try:
            cursor = await self._conn.execute(
                "INSERT INTO tickets (requester, content, locale, last_article, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                (requester, content, locale, last_article, now, now))
        except sqlite3.IntegrityError:
            existing = await self.open_of(requester)
            assert existing is not None
            return existing, False
        await self._conn.commit()
        created = await self.get(int(cursor.lastrowid or 0))
        assert created is not None
        return created, True

    async def get(self, ticket_id: int) -> TicketRow | None:
        rows = await self._select("WHERE id = ?", (ticket_id,))
        return rows[0] if rows else None

    async def set_content(self, ticket_id: int, content: bytes) -> None:
        await self._conn.execute("UPDATE tickets SET content = ? WHERE id = ?",
                                 (content, ticket_id))
        await self._conn.commit()

    async def set_thread(self, ticket_id: int, thread_id: int) -> None:
        await self._conn.execute("UPDATE tickets SET thread_id = ? WHERE id = ?",
                                 (thread_id, ticket_id))
        await self._conn.commit()

    async def set_last_article(self, ticket_id: int, article_id: str | None) -> None:
        await self._conn.execute("UPDATE tickets SET last_article = ? WHERE id = ?",
                                 (article_id, ticket_id))
        await self._conn.commit()

    async def open_tickets(self, limit: int = 20) -> list[TicketRow]:
        return await self._select("WHERE status = 'open' ORDER BY id LIMIT ?", (limit,))

    async def count_open(self) -> int:
        row = await self._one("SELECT COUNT(*) FROM tickets WHERE status = 'open'")
        return int(row[0]) if row else 0

    async def claim(self, ticket_id: int, staff_id: int) -> bool:
        """One conditional UPDATE: of two moderators taking it at once, one wins."""
        cursor = await self._conn.execute(
            "UPDATE tickets SET assignee = ?, updated_at = ? WHERE id = ? AND status = 'open' "
            "AND (assignee IS NULL OR assignee = ?)",
            (staff_id, now_iso(), ticket_id, staff_id))
        await self._conn.commit()
        return cursor.rowcount > 0

    async def close(self, ticket_id: int) -> bool:
        now = now_iso()
        cursor = await self._conn.execute(
            "UPDATE tickets SET status = 'closed', closed_at = ?, updated_at = ? "
            "WHERE id = ? AND status = 'open'", (now, now, ticket_id))
        await self._conn.commit()
        return cursor.rowcount > 0

    async def rate(self, ticket_id: int, requester: str, helpful: bool) -> bool:
        cursor = await self._conn.execute(
            "UPDATE tickets SET rating = ? WHERE id = ? AND requester = ? AND status = 'closed' "
            "AND rating IS NULL", (int(helpful), ticket_id, requester))
        await self._conn.commit()
        return cursor.rowcount > 0

    async def add_message(self, ticket_id: int, direction: str, author: int | None,
                          content: bytes) -> int:
        now = now_iso()
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO ticket_messages (ticket_id, direction, author, created_at, "
                "content) VALUES (?, ?, ?, ?, ?)", (ticket_id, direction, author, now, content))
            await conn.execute("UPDATE tickets SET updated_at = ? WHERE id = ?",
                               (now, ticket_id))
        return int(cursor.lastrowid or 0)

    async def messages(self, ticket_id: int) -> list[TicketMessageRow]:
        rows = await self._all(
            "SELECT id, ticket_id, direction, author, created_at, content FROM ticket_messages "
            "WHERE ticket_id = ? ORDER BY id", (ticket_id,))
        return [TicketMessageRow(r[0], r[1], r[2], r[3], r[4], bytes(r[5])) for r in rows]

    async def add_relay(self, chat_id: int, message_id: int, ticket_id: int) -> None:
        await self._conn.execute(
            "INSERT OR REPLACE INTO ticket_relays (chat_id, message_id, ticket_id) "
            "VALUES (?, ?, ?)", (chat_id, message_id, ticket_id))
        await self._conn.commit()

    async def by_relay(self, chat_id: int, message_id: int) -> TicketRow | None:
        rows = await self._select(
            "WHERE id = (SELECT ticket_id FROM ticket_relays WHERE chat_id = ? "
            "AND message_id = ?)", (chat_id, message_id))
        return rows[0] if rows else None

    async def by_thread(self, thread_id: int) -> TicketRow | None:
        rows = await self._select("WHERE thread_id = ? ORDER BY id DESC LIMIT 1", (thread_id,))
        return rows[0] if rows else None

    async def relays_of(self, ticket_ids: Sequence[int]) -> list[tuple[int, int]]:
        if not ticket_ids:
            return []
        marks = ",".join("?" * len(ticket_ids))
        rows = await self._all(
            f"SELECT chat_id, message_id FROM ticket_relays WHERE ticket_id IN ({marks})",
            tuple(ticket_ids))
        return [(int(r[0]), int(r[1])) for r in rows]

    async def of_requester(self, requester: str) -> list[TicketRow]:
        return await self._select("WHERE requester = ? ORDER BY id", (requester,))

    async def delete_of(self, requester: str) -> int:
        """/forget: the person's tickets and everything in them."""
        await self._conn.execute_fetchall("PRAGMA secure_delete = ON")
        cursor = await self._conn.execute("DELETE FROM tickets WHERE requester = ?",
                                          (requester,))
        await self._conn.commit()
        return cursor.rowcount

    async def closed_before(self, cutoff_iso: str, limit: int = 500) -> list[TicketRow]:
        """Closed tickets that still know who asked, closed before ``cutoff_iso``."""
        return await self._select(
            "WHERE status = 'closed' AND requester IS NOT NULL AND closed_at < ? "
            "ORDER BY id LIMIT ?", (cutoff_iso, limit))

    async def unlink(self, ticket_id: int, content: bytes) -> None:
        async with self._db.transaction() as conn:  # secure_delete is on for every connection
            await conn.execute(
                "UPDATE tickets SET requester = NULL, content = ? WHERE id = ?",
                (content, ticket_id))
            await conn.execute("DELETE FROM ticket_relays WHERE ticket_id = ?", (ticket_id,))

    async def requesters_like(self) -> list[str]:
        """Every requester hash still linked, for finding a pseudonym (bans)."""
        rows = await self._all(
            "SELECT DISTINCT requester FROM tickets WHERE requester IS NOT NULL")
        return [str(r[0]) for r in rows]
