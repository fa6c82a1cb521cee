"""What the question answering leaves for editors: feedback, unanswered questions,
and requests to talk to a person. Feedback and unanswered questions carry no user id."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import aiosqlite

if TYPE_CHECKING:
    from bot.storage.database import Database


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class FeedbackSummary:
    article_id: str
    helpful: int
    not_helpful: int


class QuestionRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def _conn(self) -> aiosqlite.Connection:
        return self._db.conn

    async def add_feedback(self, article_id: str, helpful: bool, locale: str) -> None:
        await self._conn.execute(
            "INSERT INTO answer_feedback (article_id, helpful, locale, created_at) "
            "VALUES (?, ?, ?, ?)",
            (article_id, int(helpful), locale, _now()),
        )
        await self._conn.commit()

    async def feedback_summary(self) -> list[FeedbackSummary]:
        async with self._conn.execute(
            "SELECT article_id, SUM(helpful), SUM(1 - helpful) FROM answer_feedback "
            "GROUP BY article_id ORDER BY article_id"
        ) as cursor:
            rows = await cursor.fetchall()
        return [FeedbackSummary(row[0], int(row[1]), int(row[2])) for row in rows]

    async def add_unanswered(
        self, question: str, lang: str, best_ids: Sequence[str], reason: str
    ) -> None:
        await self._conn.execute(
            "INSERT INTO unanswered_questions (question, lang, best_ids, reason, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (question, lang, json.dumps(list(best_ids)), reason, _now()),
        )
        await self._conn.commit()

    async def unanswered(self, limit: int = 50) -> list[tuple[str, str, list[str], str]]:
        async with self._conn.execute(
            "SELECT question, lang, best_ids, reason FROM unanswered_questions "
            "ORDER BY id DESC LIMIT ?",
            (limit,),
        ) as cursor:
            rows = await cursor.fetchall()
        return [(row[0], row[1], json.loads(row[2]), row[3]) for row in rows]

    async def add_human_request(self, user_id: int, question: str, locale: str) -> int:
        cursor = await self._conn.execute(
            "INSERT INTO human_requests (user_id, question, locale, created_at) "
            "VALUES (?, ?, ?, ?)",
            (user_id, question, locale, _now()),
        )
        await self._conn.commit()
        return int(cursor.lastrowid or 0)

    async def open_human_requests(self) -> int:
        async with self._conn.execute(
            "SELECT COUNT(*) FROM human_requests WHERE status = 'open'"
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def delete_user(self, user_id: int) -> None:
        await self._conn.execute("DELETE FROM human_requests WHERE user_id = ?", (user_id,))
        await self._conn.commit()
