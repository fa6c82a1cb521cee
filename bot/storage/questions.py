"""What the question answering leaves for editors: feedback, unanswered questions,
and requests to talk to a person. Feedback and unanswered questions carry no user id."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.storage.base import Repository, now_iso


@dataclass(frozen=True)
class FeedbackSummary:
    article_id: str
    helpful: int
    not_helpful: int


@dataclass(frozen=True)
class StoredQuestion:
    """An unanswered question as stored: the text is sealed, bound to ``id``."""

    id: int
    sealed: bytes | None  # None only for rows written before encryption (migration 9)
    legacy_text: str
    lang: str
    best_ids: tuple[str, ...]
    reason: str
    created_at: str


@dataclass(frozen=True)
class UnansweredQuestion:
    question: str
    lang: str
    best_ids: tuple[str, ...]  # the articles offered as choices ("unsure"), best first
    reason: str  # "unsure" | "not_found"
    created_at: str


# The editors' view reads at most this much of each question: it shows 200 characters
# and groups on the words people put first.
UNANSWERED_TEXT_CHARS = 500


class QuestionRepository(Repository):
    async def add_feedback(self, article_id: str, helpful: bool, locale: str) -> None:
        await self._conn.execute(
            "INSERT INTO answer_feedback (article_id, helpful, locale, created_at) "
            "VALUES (?, ?, ?, ?)",
            (article_id, int(helpful), locale, now_iso()),
        )
        await self._conn.commit()

    async def feedback_summary(self) -> list[FeedbackSummary]:
        rows = await self._all(
            "SELECT article_id, SUM(helpful), SUM(1 - helpful) FROM answer_feedback "
            "GROUP BY article_id ORDER BY article_id")
        return [FeedbackSummary(row[0], int(row[1]), int(row[2])) for row in rows]

    async def add_unanswered(self, seal: Callable[[int], bytes], owner: str, lang: str,
                             best_ids: Sequence[str], reason: str) -> int:
        """Store a question sealed by ``seal(row id)`` (the caller encrypts, bound to the
        row), in one commit; the clear text column stays empty."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO unanswered_questions (question, lang, best_ids, reason, "
                "created_at, owner) VALUES ('', ?, ?, ?, ?, ?)",
                (lang, json.dumps(list(best_ids)), reason, now_iso(), owner),
            )
            row_id = int(cursor.lastrowid or 0)
            await conn.execute("UPDATE unanswered_questions SET sealed = ? WHERE id = ?",
                               (seal(row_id), row_id))
        return row_id

    async def unanswered_since(self, since: str, limit: int = 1000) -> list[StoredQuestion]:
        """The latest ``limit`` questions logged at ``since`` (ISO UTC) or later, newest
        first, still sealed."""
        rows = await self._all(
            "SELECT id, sealed, substr(question, 1, ?), lang, best_ids, reason, created_at "
            "FROM unanswered_questions WHERE created_at >= ? ORDER BY id DESC LIMIT ?",
            (UNANSWERED_TEXT_CHARS, since, limit))
        return [StoredQuestion(int(row[0]), bytes(row[1]) if row[1] is not None else None,
                               row[2], row[3], tuple(_ids(row[4])), row[5], row[6])
                for row in rows]

    async def legacy_unanswered(self) -> list[tuple[int, str]]:
        """Rows still in clear (written before migration 9)."""
        return [(int(r[0]), str(r[1])) for r in await self._all(
            "SELECT id, question FROM unanswered_questions WHERE sealed IS NULL")]

    async def seal_legacy(self, sealed: Sequence[tuple[int, bytes]]) -> None:
        for row_id, blob in sealed:
            await self._conn.execute(
                "UPDATE unanswered_questions SET sealed = ?, question = '' WHERE id = ?",
                (blob, row_id))
        await self._conn.commit()

    async def delete_unanswered_of(self, owner: str) -> int:
        cursor = await self._conn.execute("DELETE FROM unanswered_questions WHERE owner = ?",
                                          (owner,))
        await self._conn.commit()
        return cursor.rowcount

    async def purge_unanswered_before(self, cutoff: str) -> int:
        """Retention: questions older than ``cutoff`` (ISO UTC) are deleted."""
        cursor = await self._conn.execute(
            "DELETE FROM unanswered_questions WHERE created_at < ?", (cutoff,))
        await self._conn.commit()
        return cursor.rowcount

    async def count_unanswered_since(self, since: str) -> int:
        row = await self._one(
            "SELECT COUNT(*) FROM unanswered_questions WHERE created_at >= ?", (since,))
        return int(row[0]) if row else 0

    async def most_unhelpful_since(self, since: str, limit: int = 10) -> list[FeedbackSummary]:
        """Articles with at least one 👎 at ``since`` (ISO UTC) or later: the most 👎
        first, then the fewest 👍."""
        rows = await self._all(
            "SELECT article_id, SUM(helpful), SUM(1 - helpful) FROM answer_feedback "
            "WHERE created_at >= ? GROUP BY article_id HAVING SUM(1 - helpful) > 0 "
            "ORDER BY SUM(1 - helpful) DESC, SUM(helpful), article_id LIMIT ?",
            (since, limit))
        return [FeedbackSummary(row[0], int(row[1]), int(row[2])) for row in rows]

    async def add_comment(self, article_id: str, locale: str, content: bytes) -> None:
        """What a person wrote after 👎, encrypted by the caller; no user id."""
        await self._conn.execute(
            "INSERT INTO feedback_comments (article_id, locale, created_at, content) "
            "VALUES (?, ?, ?, ?)", (article_id, locale, now_iso(), content))
        await self._conn.commit()

    async def comments_since(self, article_ids: Sequence[str], since: str,
                             per_article: int = 3) -> dict[str, list[bytes]]:
        """The latest comments on each article at ``since`` (ISO UTC) or later."""
        found: dict[str, list[bytes]] = {}
        for article_id in article_ids:
            rows = await self._all(
                "SELECT content FROM feedback_comments WHERE article_id = ? AND "
                "created_at >= ? ORDER BY id DESC LIMIT ?", (article_id, since, per_article))
            if rows:
                found[article_id] = [bytes(row[0]) for row in rows]
        return found


def _ids(value: str) -> list[str]:
    try:
        ids = json.loads(value)
    except ValueError:
        return []
    return [str(item) for item in ids] if isinstance(ids, list) else []
