"""Encrypting what users type outside reports: the question waiting for "Ask a person"
(kept in user data) and the questions queued for volunteers, which carry the Telegram id
needed to answer. Same keys and AES-GCM as the reports (``bot.crypto``)."""

from __future__ import annotations

import base64
import json

from bot.crypto import DecryptionError, ReportKeys

_PENDING = b"pending-question:%d"
_REQUEST = b"human-request"


def seal_pending_question(keys: ReportKeys, user_id: int, question: str) -> str:
    blob = keys.encrypt(question.encode("utf-8"), _PENDING % user_id)
    return base64.b64encode(blob).decode("ascii")  # user data is stored as JSON


def open_pending_question(keys: ReportKeys, user_id: int, sealed: object) -> str | None:
    """The question, or None when missing or unreadable (another user's, or a new key)."""
    if not isinstance(sealed, str):
        return None
    try:
        return keys.decrypt(base64.b64decode(sealed), _PENDING % user_id).decode("utf-8")
    except (DecryptionError, ValueError):
        return None


def seal_human_request(keys: ReportKeys, user_id: int, question: str) -> bytes:
    payload = json.dumps({"user_id": user_id, "question": question}, ensure_ascii=False)
    return keys.encrypt(payload.encode("utf-8"), _REQUEST)


def open_human_request(keys: ReportKeys, blob: bytes) -> tuple[int, str]:
    payload = json.loads(keys.decrypt(blob, _REQUEST))
    return int(payload["user_id"]), str(payload["question"])


QUESTION_OWNER = b"unanswered-question-owner"


def _question_aad(row_id: int) -> bytes:
    return b"hamroh-unanswered-question:%d" % row_id


def _open_text(keys: ReportKeys, blob: bytes, associated_data: bytes) -> str | None:
    """The text, or None when it belongs to another record or the key changed."""
    try:
        return keys.decrypt(blob, associated_data).decode("utf-8")
    except (DecryptionError, ValueError):
        return None


def seal_question(keys: ReportKeys, row_id: int, question: str) -> bytes:
    """A question the bot could not answer: bound to its row, readable only with the key."""
    return keys.encrypt(question.encode("utf-8"), _question_aad(row_id))


def open_question(keys: ReportKeys, row_id: int, blob: bytes) -> str | None:
    return _open_text(keys, blob, _question_aad(row_id))


def question_owner(keys: ReportKeys, user_id: int) -> str:
    return keys.owner_hash(QUESTION_OWNER, user_id)


def _comment_aad(article_id: str) -> bytes:
    return b"hamroh-feedback-comment:" + article_id.encode("utf-8")


def seal_comment(keys: ReportKeys, article_id: str, comment: str) -> bytes:
    """A comment after 👎: bound to its article, readable only with the key."""
    return keys.encrypt(comment.encode("utf-8"), _comment_aad(article_id))


def open_comment(keys: ReportKeys, article_id: str, blob: bytes) -> str | None:
    return _open_text(keys, blob, _comment_aad(article_id))
