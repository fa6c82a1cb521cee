"""The fake's memory and the rules every method shares (chat access, flood control)."""

from __future__ import annotations

import asyncio
import bisect
import inspect
import itertools
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.fakeapi.errors import ApiError, bad_request, forbidden, too_many_requests
from bot.fakeapi.models import (
    CallbackQueryRecord,
    ChatEvent,
    FakeChat,
    FakeUser,
    JsonDict,
    StoredFile,
    StoredMessage,
)

_LOGGER = logging.getLogger(__name__)
EventListener = Callable[[ChatEvent], Awaitable[None] | None]
# Telegram sends these unless allowed_updates asks for them explicitly.
_NOT_DEFAULT_UPDATES = {"chat_member", "message_reaction", "message_reaction_count"}
_FILE_PREFIX = {
    "photo": "AgAC", "document": "BQAC", "video": "BAAC", "voice": "AwAC", "audio": "CQAC",
    "sticker": "CAAC", "animation": "CgAC", "video_note": "DQAC",
}
_EXTENSIONS = {
    "photo": "jpg", "video": "mp4", "voice": "oga", "audio": "mp3", "sticker": "webp",
    "animation": "mp4", "video_note": "mp4", "document": "bin",
}


class Notifier:
    """Wakes every waiter on any change; usable from sync code (no lock needed)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], Any], timeout: float) -> Any:
        """Wait until ``predicate()`` is truthy; return its last value (falsy on timeout)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (value := predicate()):
            remaining = deadline - loop.time()
            if remaining <= 0:
                return value
            event = self._event
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return predicate()
        return value


@dataclass
class WebhookConfig:
    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: list[str] | None
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


class FakeState:
    """Everything the fake Telegram knows; method handlers and the user side share it."""

    def __init__(
        self,
        token: str,
        *,
        bot_user_id: int | None = None,
        bot_username: str = "hamroh_test_bot",
        bot_first_name: str = "Hamroh",
        flood_limit: float | None = None,
        clock: Callable[[], float] = time.time,
        first_update_id: int = 100_000_001,
    ) -> None:
        self.token = token
        prefix = token.split(":", 1)[0]
        bot_id = bot_user_id if bot_user_id is not None else (
            int(prefix) if prefix.isdigit() else 7000000001)
        self.bot_user: JsonDict = {
            "id": bot_id, "is_bot": True, "first_name": bot_first_name, "username": bot_username,
        }
        self.flood_limit = flood_limit
        self.clock = clock
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, FakeChat] = {}
        self.messages: dict[int, dict[int, StoredMessage]] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.logs: dict[int, list[ChatEvent]] = {}
        self.calls: list[tuple[str, JsonDict]] = []
        self.api_errors: list[tuple[str, ApiError]] = []
        self.updates: dict[int, JsonDict] = {}  # every update ever created, by id
        self.pending: list[JsonDict] = []  # not yet confirmed by getUpdates' offset
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.commands: dict[tuple[str, str], list[JsonDict]] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}  # (kind, language) -> text
        self.menu_buttons: dict[int | None, JsonDict] = {}
        self.webhook: WebhookConfig | None = None
        self.allowed_updates: list[str] | None = None
        self.webhook_responses: list[int] = []
        self.closing = False
        self.poll_generation = 0
        self.notifier = Notifier()
        self._listeners: list[tuple[EventListener, bool]] = []
        self._forced: dict[str, list[ApiError]] = {}
        self._sent_at: dict[int, deque[float]] = {}
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._update_ids = itertools.count(first_update_id)
        self._file_numbers = itertools.count(1)
        self._query_numbers = itertools.count(1)
        self._event_numbers = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()

    # -- small helpers -------------------------------------------------------------------

    def now(self) -> int:
        return int(self.clock())

    @property
    def bot_id(self) -> int:
        return int(self.bot_user["id"])

    def new_message_id(self, chat_id: int) -> int:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        return next(counter)

    def new_query_id(self) -> str:
        return str(4_100_000_000_000_000_000 + next(self._query_numbers))

    # -- updates ---------------------------------------------------------------------------

    def new_update(self, payload: JsonDict) -> int:
        """Create an update (``payload`` without update_id) and queue it; return its id."""
        update = {"update_id": next(self._update_ids), **payload}
        self.updates[update["update_id"]] = update
        self.enqueue(update)
        return int(update["update_id"])

    def enqueue(self, update: JsonDict) -> bool:
        """Queue for delivery unless allowed_updates filters it out (like Telegram)."""
        kind = next((key for key in update if key != "update_id"), "")
        allowed = self.webhook.allowed_updates if self.webhook else self.allowed_updates
        if allowed:
            if kind not in allowed:
                return False
        elif kind in _NOT_DEFAULT_UPDATES:
            return False
        ids = [u["update_id"] for u in self.pending]
        self.pending.insert(bisect.bisect_right(ids, update["update_id"]), dict(update))
        self.notifier.notify()
        return True

    def confirm(self, offset: int) -> None:
        """getUpdates' offset: forget every update with a smaller id."""
        if offset < 0:
            self.pending = self.pending[offset:]  # "-N": keep only the last N
        else:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]

    # -- the event log -------------------------------------------------------------------

    def log(self, chat_id: int, kind: str, *, by_bot: bool,
            message: StoredMessage | None = None, **data: Any) -> ChatEvent:
        event = ChatEvent(next(self._event_numbers), kind, chat_id, by_bot, message, data)
        self.logs.setdefault(chat_id, []).append(event)
        self.notifier.notify()
        for listener, include_user in list(self._listeners):
            if by_bot or include_user:
                self._call_listener(listener, event)
        return event

    def _call_listener(self, listener: EventListener, event: ChatEvent) -> None:
        try:
            result = listener(event)
        except Exception:  # a broken listener (e.g. a terminal UI) must not break the API
            _LOGGER.exception("fake Telegram event listener failed")
            return
        if inspect.isawaitable(result):
            task = asyncio.ensure_future(result)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def add_listener(self, listener: EventListener, include_user: bool) -> Callable[[], None]:
        entry = (listener, include_user)
        self._listeners.append(entry)
        return lambda: self._listeners.remove(entry) if entry in self._listeners else None

    # -- files -------------------------------------------------------------------------------

    def register_file(self, kind: str, *, size: int, content: bytes | None = None,
                      **fields: Any) -> StoredFile:
        number = next(self._file_numbers)
        unique = f"AQAD{number:08d}{kind[:2]}"
        file_id = f"{_FILE_PREFIX.get(kind, 'BQAC')}AgIAAxkBAA{number:08d}{self.bot_id % 997:03d}"
        ext = _EXTENSIONS.get(kind, "bin")
        name = fields.get("file_name")
        if kind == "document" and isinstance(name, str) and "." in name:
            ext = name.rsplit(".", 1)[1]
        path = f"{kind}s/file_{number}.{ext}"
        stored = StoredFile(file_id, unique, kind, size, path, content, **fields)
        self.files[file_id] = stored
        self.files_by_path[path] = stored
        return stored

    # -- messages and chat access ---------------------------------------------------------

    def store(self, message: StoredMessage) -> StoredMessage:
        message.versions.append(message.snapshot())
        self.messages.setdefault(message.chat_id, {})[message.message_id] = message
        return message

    def find_message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        message = self.messages.get(chat_id, {}).get(message_id)
        return None if message is None or message.deleted else message

    def message_api(self, message: StoredMessage) -> JsonDict:
        """The Bot API Message object, with the message it replies to.

        As on Telegram, a message in a forum topic that is not an explicit reply replies to
        the topic's root (the ``forum_topic_created`` service message).
        """
        data = message.to_api()
        replied = message.reply_to_message_id
        if replied is None and message.is_topic_message and message.thread_id != message.message_id:
            replied = message.thread_id
        target = self.messages.get(message.chat_id, {}).get(replied) if replied else None
        if target is not None:
            data["reply_to_message"] = target.to_api()
        return data

    @staticmethod
    def reply_thread(chat: FakeChat, target: StoredMessage) -> int | None:
        """The message_thread_id of a reply to ``target`` sent without an explicit thread.

        In a forum the reply joins the target's topic (None: the General topic); in other
        supergroups replies form a thread named after its first message; basic groups and
        private chats have no threads.
        """
        if chat.is_forum:
            return target.thread_id
        if chat.type == "supergroup":
            return target.thread_id or target.message_id
        return None

    def resolve_chat_id(self, chat_id: int | str) -> int:
        if isinstance(chat_id, int):
            return chat_id
        if chat_id.lstrip("-").isdigit():
            return int(chat_id)
        name = chat_id.lstrip("@").lower()
        for chat in self.chats.values():
            if chat.type != "private" and (chat.username or "").lower() == name:
                return chat.id
        raise bad_request("chat not found")

    def bot_chat(self, chat_id: int | str, *, check_access: bool = True) -> FakeChat:
        """The chat the bot wants to use, or Telegram's "chat not found"."""
        resolved = self.resolve_chat_id(chat_id)
        if resolved == self.bot_id:
            raise forbidden("bot can't send messages to bots")
        chat = self.chats.get(resolved)
        if chat is None:
            if resolved in self.users:
                raise forbidden("bot can't initiate conversation with a user")
            raise bad_request("chat not found")
        if check_access:
            self.check_access(chat)
        return chat

    def check_access(self, chat: FakeChat) -> None:
        """403s come last in Telegram: after parameter and entity errors."""
        user = self.users.get(chat.id) if chat.type == "private" else None
        if user is not None and user.blocked:
            raise forbidden("bot was blocked by the user")
        if user is not None and not user.started:
            raise forbidden("bot can't initiate conversation with a user")

    def check_flood(self, chat_id: int) -> None:
        """At most ``flood_limit`` messages per second per chat (a sliding window)."""
        if not self.flood_limit:
            return
        now = time.monotonic()
        window = self._sent_at.setdefault(chat_id, deque())
        while window and now - window[0] >= 1.0:
            window.popleft()
        if len(window) >= self.flood_limit:
            raise too_many_requests(max(1, math.ceil(1.0 - (now - window[0]))))
        window.append(now)

    # -- forced failures (test hook) ----------------------------------------------------------

    def force_failures(self, method: str, errors: list[ApiError]) -> None:
        self._forced.setdefault(method.lower(), []).extend(errors)

    def take_forced_failure(self, method: str) -> ApiError | None:
        queue = self._forced.get(method.lower())
        return queue.pop(0) if queue else None
