"""Broadcasts and their per-recipient progress.

A broadcast is ``preparing`` while its recipients are listed, then ``sending`` (or
``paused``) and finally ``done`` or ``cancelled``. Each recipient row goes
``pending`` → ``sending`` (written before the API call) → ``sent`` / ``failed`` / ``blocked``
(written after it), or ``pending`` → ``skipped`` when the user blocked the bot, was banned or
deleted their data meanwhile. A row still ``sending`` after a crash is never sent again: it
becomes ``unknown`` (the message may or may not have arrived).

Announcements are public texts and kept in clear (``texts`` is JSON: language → HTML).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.storage.base import Repository, now_iso

PREPARING, SENDING, PAUSED, DONE, CANCELLED = "preparing", "sending", "paused", "done", "cancelled"
ACTIVE = (PREPARING, SENDING, PAUSED)
RESUMABLE = (PREPARING, SENDING)

PENDING, CLAIMED = "pending", "sending"
SENT, FAILED, BLOCKED, SKIPPED, UNKNOWN = "sent", "failed", "blocked", "skipped", "unknown"
OUTCOMES = (SENT, FAILED, BLOCKED, SKIPPED, UNKNOWN)
RECIPIENT_STATUSES = (PENDING, CLAIMED, *OUTCOMES)

EVERYONE = "all"
MATERIALISE_BATCH = 5_000

_COLUMNS = ("id, owner, texts, fallback, audience, status, progress_chat, progress_message, "
            "created_at, started_at, finished_at")


@dataclass(frozen=True)
class BroadcastRow:
    id: int
    owner: int
    texts: dict[str, str]
    fallback: str
    audience: str
    status: str
    progress_chat: int | None
    progress_message: int | None
    created_at: str
    started_at: str | None
    finished_at: str | None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


@dataclass(frozen=True)
class Recipient:
    user_id: int
    locale: str | None
    reachable: bool  # still a user, not blocked, not banned


def _row(values: Any) -> BroadcastRow:
    texts = json.loads(values[2])
    return BroadcastRow(
        id=int(values[0]), owner=int(values[1]),
        texts={str(lang): str(text) for lang, text in texts.items()},
        fallback=str(values[3]), audience=str(values[4]), status=str(values[5]),
        progress_chat=values[6], progress_message=values[7], created_at=str(values[8]),
        started_at=values[9], finished_at=values[10],
    )


def _audience_filter(audience: str) -> tuple[str, tuple[object, ...]]:
    """SQL on ``users`` for who may receive it: reachable, and of the chosen language."""
    where = "blocked_bot = 0 AND banned = 0"
    if audience == EVERYONE:
        return where, ()
    return where + " AND locale = ?", (audience,)


class BroadcastRepository(Repository):
    # -- the broadcast ----------------------------------------------------------------------

    async def create(self, owner: int, texts: dict[str, str], fallback: str, audience: str,
                     progress_chat: int | None = None) -> int | None:
        """A new broadcast, ``preparing`` (its recipients are listed next: ``materialise``);
        None while another one is active — one statement, so two owners cannot both start."""
        marks = ",".join("?" * len(ACTIVE))
        cursor = await self._conn.execute(
            "INSERT INTO broadcasts (owner, texts, fallback, audience, status, progress_chat, "
            "created_at) SELECT ?, ?, ?, ?, ?, ?, ? "
            f"WHERE NOT EXISTS (SELECT 1 FROM broadcasts WHERE status IN ({marks}))",
            (owner, json.dumps(texts, ensure_ascii=False), fallback, audience, PREPARING,
             progress_chat, now_iso(), *ACTIVE),
        )
        await self._conn.commit()
        if cursor.rowcount != 1 or cursor.lastrowid is None:
            return None
        return int(cursor.lastrowid)

    async def get(self, broadcast_id: int) -> BroadcastRow | None:
        row = await self._one(
            f"SELECT {_COLUMNS} FROM broadcasts WHERE id = ?", (broadcast_id,))
        return _row(row) if row else None

    async def active(self) -> BroadcastRow | None:
        """The broadcast being prepared, sent or paused (there is at most one)."""
        marks = ",".join("?" * len(ACTIVE))
        row = await self._one(
            f"SELECT {_COLUMNS} FROM broadcasts WHERE status IN ({marks}) ORDER BY id LIMIT 1",
            ACTIVE)
        return _row(row) if row else None

    async def resumable(self) -> list[BroadcastRow]:
        """Broadcasts a restart interrupted while they were being prepared or sent."""
        marks = ",".join("?" * len(RESUMABLE))
        rows = await self._all(
            f"SELECT {_COLUMNS} FROM broadcasts WHERE status IN ({marks}) ORDER BY id",
            RESUMABLE)
        return [_row(row) for row in rows]

    async def set_status(self, broadcast_id: int, status: str,
                         expected: tuple[str, ...] | None = None) -> bool:
        """Change the status (only from one of ``expected``); False if it was not."""
        sets = ["status = ?"]
        params: list[object] = [status]
        if status == SENDING:
            sets.append("started_at = COALESCE(started_at, ?)")
            params.append(now_iso())
        if status in (DONE, CANCELLED):
            sets.append("finished_at = ?")
            params.append(now_iso())
        where = "id = ?"
        params.append(broadcast_id)
        if expected:
            where += f" AND status IN ({','.join('?' * len(expected))})"
            params.extend(expected)
        cursor = await self._conn.execute(
            f"UPDATE broadcasts SET {', '.join(sets)} WHERE {where}", params)
        await self._conn.commit()
        return cursor.rowcount > 0

    async def set_progress_message(self, broadcast_id: int, chat_id: int,
                                   message_id: int) -> None:
        await self._conn.execute(
            "UPDATE broadcasts SET progress_chat = ?, progress_message = ? WHERE id = ?",
            (chat_id, message_id, broadcast_id))
        await self._conn.commit()

    # -- who receives it ----------------------------------------------------------------------

    async def audience_sizes(self) -> dict[str | None, int]:
        """Reachable users (not blocked, not banned) by their chosen language (None: none)."""
        rows = await self._all(
            "SELECT locale, COUNT(*) FROM users WHERE blocked_bot = 0 AND banned = 0 "
            "GROUP BY locale")
        return {row[0]: int(row[1]) for row in rows}

    async def materialise(self, broadcast_id: int, audience: str, *,
                          batch: int = MATERIALISE_BATCH,
                          should_stop: Callable[[], bool] | None = None) -> int | None:
        """List the recipients: one ``INSERT … SELECT`` from ``users`` per ``batch`` users,
        in id order, each committed on its own so other queries get in between (a million
        users never hold the connection for long). Safe to call again after a crash: it
        continues after the last user listed. Returns the number of recipients, or None when
        ``should_stop()`` said to stop between two batches (call it again later)."""
        where, params = _audience_filter(audience)
        after = await self._last_listed(broadcast_id)
        while True:
            cursor = await self._conn.execute(
                "INSERT OR IGNORE INTO broadcast_recipients (broadcast_id, user_id) "
                f"SELECT ?, id FROM users WHERE id > ? AND {where} ORDER BY id LIMIT ?",
                (broadcast_id, after, *params, batch),
            )
            added = cursor.rowcount
            await self._conn.commit()
            if added < batch:
                break
            if should_stop is not None and should_stop():
                return None
            after = await self._last_listed(broadcast_id)
            await asyncio.sleep(0)
        return await self.recipient_count(broadcast_id)

    async def _last_listed(self, broadcast_id: int) -> int:
        row = await self._one(
            "SELECT MAX(user_id) FROM broadcast_recipients WHERE broadcast_id = ?",
            (broadcast_id,))
        return int(row[0]) if row and row[0] is not None else -(2**63)

    async def recipient_count(self, broadcast_id: int) -> int:
        row = await self._one(
            "SELECT COUNT(*) FROM broadcast_recipients WHERE broadcast_id = ?", (broadcast_id,))
        return int(row[0]) if row else 0

    async def counts(self, broadcast_id: int) -> dict[str, int]:
        """Recipients by status; every status is present (0 when none)."""
        counts = dict.fromkeys(RECIPIENT_STATUSES, 0)
        for status, count in await self._all(
            "SELECT status, COUNT(*) FROM broadcast_recipients WHERE broadcast_id = ? "
            "GROUP BY status", (broadcast_id,)):
            counts[str(status)] = int(count)
        return counts

    async def pending(self, broadcast_id: int, after: int | None = None,
                      limit: int = 200) -> list[Recipient]:
        """The next pending recipients in id order (after ``after``), with the language and
        reachability their user row has now."""
        rows = await self._all(
            "SELECT r.user_id, u.locale, u.id IS NOT NULL AND u.blocked_bot = 0 "
            "AND u.banned = 0 FROM broadcast_recipients r LEFT JOIN users u ON u.id = r.user_id "
            "WHERE r.broadcast_id = ? AND r.status = ? AND r.user_id > ? "
            "ORDER BY r.user_id LIMIT ?",
            (broadcast_id, PENDING, -(2**63) if after is None else after, limit))
        return [Recipient(int(r[0]), r[1], bool(r[2])) for r in rows]

    # -- each recipient's outcome -----------------------------------------------------------

    async def claim(self, broadcast_id: int, user_id: int) -> bool:
        """Mark a pending recipient ``sending``, committed before the message goes out.
        False if it is not pending (someone else took it, or it was settled)."""
        cursor = await self._conn.execute(
            "UPDATE broadcast_recipients SET status = ? "
            "WHERE broadcast_id = ? AND user_id = ? AND status = ?",
            (CLAIMED, broadcast_id, user_id, PENDING))
        await self._conn.commit()
        return cursor.rowcount > 0

    async def forget_user(self, user_id: int) -> int:
        """/forget: no broadcast keeps the person's Telegram id (one not yet sent to them
        is then not sent)."""
        cursor = await self._conn.execute(
            "DELETE FROM broadcast_recipients WHERE user_id = ?", (user_id,))
        await self._conn.commit()
        return cursor.rowcount

    async def release(self, broadcast_id: int, user_id: int) -> None:
        """Back to pending: Telegram refused with 429, so nothing was delivered."""
        await self._conn.execute(
            "UPDATE broadcast_recipients SET status = ? "
            "WHERE broadcast_id = ? AND user_id = ? AND status = ?",
            (PENDING, broadcast_id, user_id, CLAIMED))
        await self._conn.commit()

    async def record(self, broadcast_id: int, user_id: int, outcome: str) -> None:
        """The outcome of one recipient, committed before the sender moves on. ``blocked``
        also marks the user as having blocked the bot (writing again clears it)."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE broadcast_recipients SET status = ? "
                "WHERE broadcast_id = ? AND user_id = ? AND status IN (?, ?)",
                (outcome, broadcast_id, user_id, PENDING, CLAIMED))
            if outcome == BLOCKED:
                await conn.execute("UPDATE users SET blocked_bot = 1 WHERE id = ?", (user_id,))

    async def settle_interrupted(self, broadcast_id: int) -> int:
        """After a restart: recipients left ``sending`` (the process died during their API
        call) become ``unknown`` and are never sent again. Returns how many."""
        cursor = await self._conn.execute(
            "UPDATE broadcast_recipients SET status = ? WHERE broadcast_id = ? AND status = ?",
            (UNKNOWN, broadcast_id, CLAIMED))
        await self._conn.commit()
        return cursor.rowcount
