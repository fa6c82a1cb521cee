"""What the fake remembers: users, chats, files, messages and the per-chat event log."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

JsonDict = dict[str, Any]

# Telegram refuses getFile for bigger files (bots can only download up to 20 MB).
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
# Service messages posted by the forum topic methods (StoredMessage.kind).
SERVICE_KINDS = frozenset({
    "forum_topic_created", "forum_topic_edited", "forum_topic_closed", "forum_topic_reopened",
})


@dataclass
class FakeUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_premium: bool | None = None
    started: bool = False  # has written to the bot, so the bot may message them
    blocked: bool = False  # blocked the bot

    def to_api(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code", "is_premium"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass
class ForumTopicRecord:
    """A topic of a forum supergroup; its id is the id of the service message that began it."""

    message_thread_id: int
    name: str
    icon_color: int
    closed: bool = False

    def to_api(self) -> JsonDict:
        """The ForumTopic object createForumTopic returns."""
        return {"message_thread_id": self.message_thread_id, "name": self.name,
                "icon_color": self.icon_color}


@dataclass
class FakeChat:
    id: int
    type: str  # "private" | "group" | "supergroup"
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    members: dict[int, str] = field(default_factory=dict)  # user id -> ChatMember status
    reply_keyboard: JsonDict | None = None  # the reply keyboard the user currently sees
    is_forum: bool = False  # a supergroup with topics
    topics: dict[int, ForumTopicRecord] = field(default_factory=dict)  # open and closed

    def to_api(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.is_forum:
            data["is_forum"] = True
        return data


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # "photo", "document", "video", "voice", "audio", "sticker", "animation", ...
    size: int
    file_path: str
    content: bytes | None = None  # None: generated filler of ``size`` bytes on download
    mime_type: str | None = None
    file_name: str | None = None
    width: int | None = None
    height: int | None = None
    duration: int | None = None
    emoji: str | None = None
    source_url: str | None = None  # sent by the bot as an HTTP URL

    def data(self) -> bytes:
        if self.content is not None:
            return self.content
        seed = hashlib.sha256(self.file_unique_id.encode()).digest()
        return (seed * (self.size // len(seed) + 1))[: self.size]

    def to_api(self) -> JsonDict:
        data: JsonDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.kind in ("photo", "video", "sticker", "animation", "video_note"):
            data["width"] = self.width or 0
            data["height"] = self.height or 0
            if self.kind == "video_note":
                data["length"] = data.pop("width")
                data.pop("height")
        if self.kind in ("video", "voice", "audio", "animation", "video_note"):
            data["duration"] = self.duration or 0
        if self.kind == "sticker":
            data.update({"type": "regular", "is_animated": False, "is_video": False})
            if self.emoji:
                data["emoji"] = self.emoji
        if self.mime_type and self.kind not in ("photo", "sticker", "video_note"):
            data["mime_type"] = self.mime_type
        if self.file_name and self.kind in ("document", "video", "audio", "animation"):
            data["file_name"] = self.file_name
        return data


@dataclass(frozen=True)
class Button:
    """One inline keyboard button as the user sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    raw: JsonDict = field(default_factory=dict, compare=False, repr=False)


def buttons_of(markup: JsonDict | None) -> list[list[Button]]:
    if not markup or "inline_keyboard" not in markup:
        return []
    return [
        [Button(b["text"], b.get("callback_data"), b.get("url"), b) for b in row]
        for row in markup["inline_keyboard"]
    ]


@dataclass(frozen=True)
class MessageVersion:
    """A message's content at one point in time (``StoredMessage.versions``)."""

    text: str | None
    html: str | None
    entities: list[JsonDict]
    caption: str | None
    buttons: list[list[Button]]
    edit_date: int | None


@dataclass
class StoredMessage:
    """A message in a chat, sent by the bot (``from_bot``) or by a simulated user.

    The object is live: edits update ``text``/``buttons`` and append to ``versions``.
    """

    chat_id: int
    message_id: int
    from_bot: bool
    date: int
    kind: str  # "text", "photo", "document", "video", "voice", "audio", "sticker", ...
    sender: JsonDict
    chat: JsonDict
    text: str | None = None
    html: str | None = None  # the source as sent with parse_mode=HTML
    entities: list[JsonDict] = field(default_factory=list)
    caption: str | None = None
    caption_html: str | None = None
    caption_entities: list[JsonDict] = field(default_factory=list)
    files: list[StoredFile] = field(default_factory=list)  # photo sizes, or one file
    extra: JsonDict = field(default_factory=dict)  # location / contact payloads
    reply_markup: JsonDict | None = None  # inline keyboard (returned by the API)
    keyboard: JsonDict | None = None  # reply keyboard / remove / force_reply sent with it
    reply_to_message_id: int | None = None  # an explicit reply (not the topic's root)
    thread_id: int | None = None  # message_thread_id: a forum topic or a reply thread
    is_topic_message: bool = False  # in a forum topic (not the General topic)
    media_group_id: str | None = None
    forward_origin: JsonDict | None = None
    edit_date: int | None = None
    deleted: bool = False
    params: JsonDict = field(default_factory=dict, repr=False)  # the sending call's params
    versions: list[MessageVersion] = field(default_factory=list, repr=False)

    @property
    def file_id(self) -> str | None:
        """The file's id; for photos, the largest size."""
        return self.files[-1].file_id if self.files else None

    @property
    def file(self) -> StoredFile | None:
        return self.files[-1] if self.files else None

    @property
    def buttons(self) -> list[list[Button]]:
        return buttons_of(self.reply_markup)

    def button_texts(self) -> list[str]:
        return [button.text for row in self.buttons for button in row]

    def button(self, text: str) -> Button:
        for row in self.buttons:
            for button in row:
                if button.text == text:
                    return button
        raise AssertionError(f"no button {text!r} in message {self.message_id}; "
                             f"buttons: {self.button_texts()}")

    @property
    def edited(self) -> bool:
        return len(self.versions) > 1

    @property
    def history(self) -> list[MessageVersion]:
        """Earlier versions, oldest first (empty when never edited)."""
        return self.versions[:-1]

    def snapshot(self) -> MessageVersion:
        return MessageVersion(self.text, self.html, list(self.entities), self.caption,
                              self.buttons, self.edit_date)

    @property
    def is_service(self) -> bool:
        """A service message (e.g. ``forum_topic_created``), not content someone sent."""
        return self.kind in SERVICE_KINDS

    def summary(self) -> str:
        body = self.text if self.kind == "text" else f"[{self.kind}] {self.caption or ''}".strip()
        if self.kind in SERVICE_KINDS and self.extra[self.kind].get("name"):
            body = f"[{self.kind}] {self.extra[self.kind]['name']}"
        labels = self.button_texts()
        if labels:
            body += " [buttons: " + " | ".join(labels) + "]"
        return f"#{self.message_id}: {body}"

    def to_api(self) -> JsonDict:
        data: JsonDict = {
            "message_id": self.message_id,
            "from": self.sender,
            "chat": self.chat,
            "date": self.date,
        }
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if self.thread_id is not None:
            data["message_thread_id"] = self.thread_id
        if self.is_topic_message:
            data["is_topic_message"] = True
        if self.text is not None:
            data["text"] = self.text
            if self.entities:
                data["entities"] = self.entities
        self._media_to_api(data)
        if self.reply_markup:
            data["reply_markup"] = self.reply_markup
        if self.media_group_id:
            data["media_group_id"] = self.media_group_id
        if self.forward_origin:
            data["forward_origin"] = self.forward_origin
        return data

    def _media_to_api(self, data: JsonDict) -> None:
        if self.kind == "photo":
            data["photo"] = [f.to_api() for f in self.files]
        elif self.files:
            data[self.kind] = self.files[-1].to_api()
        data.update(self.extra)
        if self.caption:
            data["caption"] = self.caption
            if self.caption_entities:
                data["caption_entities"] = self.caption_entities


@dataclass
class CallbackQueryRecord:
    id: str
    update_id: int
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False
    expired: bool = False
    answer: JsonDict | None = None


@dataclass(frozen=True)
class ChatEvent:
    """One entry of a chat's log: something the bot or the simulated user did.

    Bot kinds: "message", "edit_text", "edit_caption", "edit_markup", "delete",
    "callback_answer", "chat_action", "topic_created", "topic_edited", "topic_closed",
    "topic_reopened", "topic_deleted" (the topic events carry the service message, if any).
    User kinds: "user_message", "user_edit",
    "user_callback", "user_blocked", "user_unblocked".
    """

    seq: int
    kind: str
    chat_id: int
    by_bot: bool
    message: StoredMessage | None = None
    data: JsonDict = field(default_factory=dict)

    def describe(self) -> str:
        who = "bot" if self.by_bot else "user"
        if self.kind in ("message", "user_message"):
            assert self.message is not None
            return f"{who} {self.message.summary()}"
        details = ", ".join(f"{k}={v!r}" for k, v in self.data.items())
        return f"{who} {self.kind}({details})"
