"""The simulated users: plain synchronous methods that create updates for the bot."""

from __future__ import annotations

import copy
import re
from typing import Any

from bot.fakeapi.models import (
    CallbackQueryRecord,
    FakeChat,
    FakeUser,
    JsonDict,
    StoredFile,
    StoredMessage,
)
from bot.fakeapi.state import FakeState
from bot.telegram_html import utf16_len

# Entities Telegram detects in what users type.
_AUTO_ENTITIES = (
    ("bot_command", re.compile(r"(?<![^\s])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w@/])")),
    ("url", re.compile(r"\bhttps?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{4,31}\b")),  # 5-32 chars
)
_BLOCKED = {"status": "kicked", "until_date": 0}
# send_group_media: what each kind of file looks like (as the private-chat helpers send it).
_GROUP_MEDIA: dict[str, dict[str, Any]] = {
    "photo": {},
    "document": {"size": 48_213, "file_name": "document.pdf", "mime_type": "application/pdf"},
    "video": {"size": 1_250_000, "duration": 7, "width": 1280, "height": 720,
              "mime_type": "video/mp4"},
    "voice": {"size": 16_000, "duration": 4, "mime_type": "audio/ogg"},
}
_ADMINS = ("administrator", "creator")


def detect_entities(text: str) -> list[JsonDict]:
    found = []
    for kind, pattern in _AUTO_ENTITIES:
        for match in pattern.finditer(text):
            offset = utf16_len(text[: match.start()])
            found.append({"type": kind, "offset": offset, "length": utf16_len(match.group(0))})
    return sorted(found, key=lambda e: e["offset"])


class UserSide(FakeState):
    """What simulated users do. Each action returns the id of the update it created."""

    # -- users and chats ---------------------------------------------------------------------

    def add_user(self, user_id: int, first_name: str = "Test", *, last_name: str | None = None,
                 language_code: str | None = "ru", username: str | None = None,
                 is_premium: bool | None = None) -> FakeUser:
        """Register (or update) a user. Until they write, the bot gets 403 "can't initiate"."""
        assert user_id > 0, "user ids are positive"
        user = FakeUser(user_id, first_name, last_name, username, language_code, is_premium)
        known = self.users.get(user_id)
        if known is not None:  # keep what already happened in the chat
            user.started, user.blocked = known.started, known.blocked
        self.users[user_id] = user
        return user

    def user(self, user_id: int) -> FakeUser:
        """The user, created with defaults if unknown."""
        return self.users.get(user_id) or self.add_user(user_id, f"User{user_id}")

    def add_group(self, chat_id: int, title: str = "Test group", *, chat_type: str = "group",
                  username: str | None = None, bot_status: str = "member",
                  is_forum: bool = False) -> FakeChat:
        """A group the bot is in (an existing chat is kept; ``is_forum`` can turn topics on).

        Topics need the bot to be an administrator: ``bot_status="administrator"``.
        """
        assert chat_id < 0, "group chat ids are negative"
        assert chat_type in ("group", "supergroup")
        chat = self.chats.get(chat_id) or FakeChat(chat_id, chat_type, title=title,
                                                   username=username)
        if is_forum and not chat.is_forum:
            assert chat.type == "supergroup", "only supergroups can be forums"
            chat.is_forum = True
            if chat_id not in self._message_ids:
                # Message 1 is the group's creation; thread id 1 is the General topic.
                self.new_message_id(chat_id)
        chat.members.setdefault(self.bot_id, bot_status)
        self.chats[chat_id] = chat
        return chat

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """ChatMember status for getChatMember: creator/administrator/member/left/..."""
        self.chats[chat_id].members[user_id] = status

    def _private_chat(self, user: FakeUser) -> FakeChat:
        assert not user.blocked, f"user {user.id} blocked the bot; call unblock_bot() first"
        user.started = True
        chat = self.chats.get(user.id)
        if chat is None:
            chat = FakeChat(user.id, "private", username=user.username,
                            first_name=user.first_name, last_name=user.last_name)
            self.chats[user.id] = chat
        return chat

    # -- messages ----------------------------------------------------------------------------

    def _user_message(self, chat: FakeChat, user: FakeUser, kind: str, *,
                      text: str | None = None, caption: str | None = None,
                      files: list[StoredFile] | None = None, extra: JsonDict | None = None,
                      reply_to: int | None = None, thread_id: int | None = None) -> int:
        thread_id = self._user_thread(chat, user, thread_id, reply_to)
        message = StoredMessage(
            chat_id=chat.id, message_id=self.new_message_id(chat.id), from_bot=False,
            date=self.now(), kind=kind, sender=user.to_api(), chat=chat.to_api(),
            text=text, entities=detect_entities(text or ""), caption=caption,
            caption_entities=detect_entities(caption or ""), files=files or [],
            extra=extra or {}, reply_to_message_id=reply_to, thread_id=thread_id,
            is_topic_message=chat.is_forum and thread_id is not None,
        )
        self.store(message)
        self.log(chat.id, "user_message", by_bot=False, message=message)
        return self.new_update({"message": self.message_api(message)})

    def send_message(self, user_id: int, text: str, *, reply_to: int | None = None) -> int:
        """The user types ``text`` in their private chat (commands get bot_command entities)."""
        assert text and utf16_len(text) <= 4096, "users send 1-4096 characters"
        user = self.user(user_id)
        return self._user_message(self._private_chat(user), user, "text", text=text,
                                  reply_to=reply_to)

    def _user_thread(self, chat: FakeChat, user: FakeUser, thread_id: int | None,
                     reply_to: int | None) -> int | None:
        """Where a user's message lands: the topic asked for, or the replied message's."""
        if thread_id is not None:
            assert chat.is_forum, f"chat {chat.id} is not a forum: it has no topics"
            assert thread_id in chat.topics, (
                f"no topic {thread_id} in chat {chat.id}; topics: {sorted(chat.topics)}")
        if reply_to is not None:
            target = self.find_message(chat.id, reply_to)
            assert target is not None, f"no message {reply_to} in chat {chat.id} to reply to"
            implied = self.reply_thread(chat, target)
            assert thread_id is None or implied == thread_id, (
                f"message {reply_to} is not in topic {thread_id}")
            thread_id = implied
        topic = chat.topics.get(thread_id) if chat.is_forum and thread_id else None
        if topic is not None and topic.closed:
            assert chat.members.get(user.id) in _ADMINS, (
                f"topic {thread_id} is closed: only administrators can post in it")
        return thread_id

    def _group_member(self, chat_id: int, user_id: int, chat_type: str = "group",
                      title: str = "Test group") -> tuple[FakeChat, FakeUser]:
        chat = self.add_group(chat_id, title, chat_type=chat_type)
        chat.members.setdefault(user_id, "member")
        return chat, self.user(user_id)

    def send_group_message(self, chat_id: int, user_id: int, text: str, *,
                           chat_type: str = "group", title: str = "Test group",
                           thread_id: int | None = None, reply_to: int | None = None) -> int:
        """A user writes in a group (created if unknown), optionally in a forum topic.

        In a topic the message has message_thread_id and is_topic_message, and (unless it
        is an explicit reply) replies to the topic's creation message, as on Telegram.
        """
        assert text and utf16_len(text) <= 4096, "users send 1-4096 characters"
        chat, user = self._group_member(chat_id, user_id, chat_type, title)
        return self._user_message(chat, user, "text", text=text, reply_to=reply_to,
                                  thread_id=thread_id)

    def send_group_media(self, chat_id: int, user_id: int, kind: str, *,
                         caption: str | None = None, thread_id: int | None = None,
                         reply_to: int | None = None) -> int:
        """A user sends a photo, document, voice or video in a group (see send_group_message)."""
        assert kind in _GROUP_MEDIA, f"send_group_media sends {sorted(_GROUP_MEDIA)}, not {kind}"
        assert caption is None or utf16_len(caption) <= 1024, "captions are <= 1024 characters"
        chat, user = self._group_member(chat_id, user_id)
        return self._user_message(chat, user, kind, caption=caption,
                                  files=self._user_files(kind, **_GROUP_MEDIA[kind]),
                                  reply_to=reply_to, thread_id=thread_id)

    def press_reply_button(self, user_id: int, text: str) -> int:
        """Tap a button of the reply keyboard the chat currently shows (sends its text)."""
        chat = self.chats.get(user_id) or FakeChat(user_id, "private")
        keyboard = chat.reply_keyboard or {}
        labels = [b["text"] for row in keyboard.get("keyboard", []) for b in row]
        assert text in labels, f"no reply keyboard button {text!r}; the chat shows {labels}"
        if keyboard.get("one_time_keyboard"):
            chat.reply_keyboard = None  # the client hides it after one tap
        return self.send_message(user_id, text)

    def _user_files(self, kind: str, **fields: Any) -> list[StoredFile]:
        if kind == "photo":  # Telegram offers several sizes, largest last
            return [self.register_file("photo", size=size, width=w, height=h)
                    for size, w, h in ((1_500, 90, 51), (21_000, 320, 180), (98_000, 1280, 720))]
        return [self.register_file(kind, **fields)]

    def _send_file(self, user_id: int, kind: str, caption: str | None, **fields: Any) -> int:
        user = self.user(user_id)
        chat = self._private_chat(user)
        return self._user_message(chat, user, kind, caption=caption,
                                  files=self._user_files(kind, **fields))

    def send_photo(self, user_id: int, caption: str | None = None) -> int:
        return self._send_file(user_id, "photo", caption)

    def send_document(self, user_id: int, file_name: str = "document.pdf", *,
                      mime_type: str = "application/pdf", size: int = 48_213,
                      caption: str | None = None, content: bytes | None = None) -> int:
        size = len(content) if content is not None else size
        return self._send_file(user_id, "document", caption, size=size, content=content,
                               file_name=file_name, mime_type=mime_type)

    def send_video(self, user_id: int, caption: str | None = None, *, duration: int = 7,
                   size: int = 1_250_000) -> int:
        return self._send_file(user_id, "video", caption, size=size, duration=duration,
                               width=1280, height=720, mime_type="video/mp4")

    def send_voice(self, user_id: int, *, duration: int = 4, size: int = 16_000) -> int:
        return self._send_file(user_id, "voice", None, size=size, duration=duration,
                               mime_type="audio/ogg")

    def send_audio(self, user_id: int, *, duration: int = 180, size: int = 3_000_000) -> int:
        return self._send_file(user_id, "audio", None, size=size, duration=duration,
                               mime_type="audio/mpeg", file_name="song.mp3")

    def send_sticker(self, user_id: int, emoji: str = "👍") -> int:
        return self._send_file(user_id, "sticker", None, size=24_000, width=512, height=512,
                               emoji=emoji)

    def send_location(self, user_id: int, latitude: float = 55.7558,
                      longitude: float = 37.6173) -> int:
        user = self.user(user_id)
        return self._user_message(self._private_chat(user), user, "location",
                                  extra={"location": {"latitude": latitude,
                                                      "longitude": longitude}})

    def send_contact(self, user_id: int, phone_number: str = "+79991234567", *,
                     first_name: str | None = None, own: bool = True) -> int:
        """Share a contact; ``own`` makes it the user's own (as the request_contact button)."""
        user = self.user(user_id)
        contact: JsonDict = {"phone_number": phone_number,
                             "first_name": first_name or user.first_name}
        if own:
            contact["user_id"] = user.id
        return self._user_message(self._private_chat(user), user, "contact",
                                  extra={"contact": contact})

    def edit_user_message(self, user_id: int, message_id: int, new_text: str) -> int:
        message = self.find_message(user_id, message_id)
        assert message is not None and not message.from_bot and message.kind == "text", (
            f"user {user_id} has no text message {message_id} to edit")
        message.text, message.entities = new_text, detect_entities(new_text)
        message.edit_date = self.now()
        message.versions.append(message.snapshot())
        self.log(user_id, "user_edit", by_bot=False, message=message, text=new_text)
        return self.new_update({"edited_message": self.message_api(message)})

    # -- buttons ---------------------------------------------------------------------------

    def press_button(self, user_id: int, message_id: int, button: str | int, *,
                     chat_id: int | None = None) -> int:
        """Press an inline button of a bot message, by exact text or flat index.

        ``chat_id`` defaults to the user's private chat (give it for group messages).
        """
        chat_id = user_id if chat_id is None else chat_id
        message = self.find_message(chat_id, message_id)
        assert message is not None and message.from_bot, (
            f"no bot message {message_id} in chat {chat_id}")
        flat = [b for row in message.buttons for b in row]
        if isinstance(button, int):
            assert 0 <= button < len(flat), f"no button #{button}; buttons: {flat}"
            chosen = flat[button]
        else:
            chosen = message.button(button)
        assert chosen.callback_data is not None, f"button {chosen.text!r} is not a callback button"
        return self.press_callback(user_id, message_id, chosen.callback_data, chat_id=chat_id)

    def press_callback(self, user_id: int, message_id: int, data: str, *,
                       chat_id: int | None = None) -> int:
        """A callback query with arbitrary (possibly forged) data on any message id.

        For a deleted or unknown message the query carries an InaccessibleMessage (date 0).
        """
        user = self.user(user_id)
        chat = self._private_chat(user) if chat_id in (None, user_id) else self.chats[chat_id]
        message = self.find_message(chat.id, message_id)
        shown = (self.message_api(message) if message is not None
                 else {"chat": chat.to_api(), "message_id": message_id, "date": 0})
        query_id = self.new_query_id()
        update_id = self.new_update({"callback_query": {
            "id": query_id, "from": user.to_api(), "message": shown,
            "chat_instance": str(-(chat.id * 7 + 3)), "data": data,
        }})
        self.callback_queries[query_id] = CallbackQueryRecord(
            query_id, update_id, user_id, chat.id, message_id, data)
        self.log(chat.id, "user_callback", by_bot=False, message=message, data=data,
                 callback_query_id=query_id)
        return update_id

    def expire_callback_query(self, update_id: int) -> None:
        """Make a query too old to answer, as if the bot took longer than Telegram allows."""
        for query in self.callback_queries.values():
            if query.update_id == update_id:
                query.expired = True

    def callback_query(self, update_id: int) -> CallbackQueryRecord:
        """The callback query created by a press (see ``.answered`` and ``.answer``)."""
        for query in self.callback_queries.values():
            if query.update_id == update_id:
                return query
        raise AssertionError(f"update {update_id} is not a callback query")

    # -- blocking and raw updates -----------------------------------------------------------

    def block_bot(self, user_id: int) -> int:
        user = self.user(user_id)
        chat = self._private_chat(user)
        user.blocked = True
        self.log(chat.id, "user_blocked", by_bot=False)
        return self._my_chat_member(user, chat, {"status": "member"}, _BLOCKED)

    def unblock_bot(self, user_id: int) -> int:
        user = self.user(user_id)
        user.blocked = False
        chat = self._private_chat(user)
        self.log(chat.id, "user_unblocked", by_bot=False)
        return self._my_chat_member(user, chat, _BLOCKED, {"status": "member"})

    def _my_chat_member(self, user: FakeUser, chat: FakeChat, old: JsonDict,
                        new: JsonDict) -> int:
        bot = dict(self.bot_user)
        return self.new_update({"my_chat_member": {
            "chat": chat.to_api(), "from": user.to_api(), "date": self.now(),
            "old_chat_member": {**old, "user": bot}, "new_chat_member": {**new, "user": bot},
        }})

    def inject_update(self, update: JsonDict) -> int:
        """Queue a raw update; keeps its update_id when given (duplicates allowed)."""
        if "update_id" not in update:
            return self.new_update(copy.deepcopy(update))
        stored = copy.deepcopy(update)
        self.updates.setdefault(stored["update_id"], stored)
        self.enqueue(stored)
        return int(stored["update_id"])

    def redeliver(self, update_id: int) -> int:
        """Deliver an update again with the same update_id (as after a lost confirmation)."""
        assert update_id in self.updates, f"unknown update {update_id}"
        self.enqueue(copy.deepcopy(self.updates[update_id]))
        return update_id

    def message_id_of(self, update_id: int) -> int:
        """The message id carried by an update created by the user side."""
        update = self.updates[update_id]
        for key in ("message", "edited_message"):
            if key in update:
                return int(update[key]["message_id"])
        if "callback_query" in update:
            return int(update["callback_query"]["message"]["message_id"])
        raise AssertionError(f"update {update_id} carries no message")
