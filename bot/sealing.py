"""Encrypting what users type outside reports: the question waiting for "Ask a person"
(kept in user data), the questions the bot could not answer and the comments after 👎.
Same keys and AES-GCM as the reports (``bot.crypto``); every blob is bound to its record
by its associated data, so a ciphertext moved to another row does not decrypt."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence

from bot.crypto import DecryptionError, ReportKeys

_PENDING = b"pending-question:%d"


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


# --- what the bot keeps between updates (PTB persistence) ----------------------------------

_USER_STATE = b"hamroh-user-state"
_CONVERSATION = b"hamroh-conversation:"


def user_state_owner(keys: ReportKeys, user_id: int) -> str:
    """The row of a user's data: a keyed hash, so the table names nobody."""
    return keys.owner_hash(_USER_STATE, user_id)


def conversation_owner(keys: ReportKeys, name: str, key: Sequence[int | str]) -> str:
    """The row of one conversation's step (its key is the chat and user ids)."""
    return keys.keyed_label(_CONVERSATION + name.encode("utf-8"),
                            json.dumps(list(key)).encode("ascii"))


def seal_state(keys: ReportKeys, owner: str, value: object) -> bytes:
    """JSON, encrypted and bound to its row, so it cannot be moved to another person's."""
    payload = json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return keys.encrypt(payload, b"hamroh-state:" + owner.encode("ascii"))


def open_state(keys: ReportKeys, owner: str, blob: bytes) -> object | None:
    """The value, or None when unreadable (another row's, or the key changed)."""
    text = _open_text(keys, blob, b"hamroh-state:" + owner.encode("ascii"))
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None
