"""Forum topics: createForumTopic, editForumTopic, close/reopenForumTopic, deleteForumTopic.

A topic's message_thread_id is the id of the service message that began it. Error texts are
Telegram's (the Bot API server's and TDLib's) unless marked "approximate".
"""

from __future__ import annotations

import re
from typing import Any

from bot.fakeapi.errors import bad_request
from bot.fakeapi.models import FakeChat, ForumTopicRecord, JsonDict, StoredMessage
from bot.fakeapi.params import Params
from bot.fakeapi.registry import api_method
from bot.fakeapi.state import FakeState

MAX_TOPIC_NAME = 128
# The only icon colors Telegram allows (RGB).
TOPIC_ICON_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)
_SPACES = re.compile(r"[ \n\u00a0]+")


def clean_topic_name(raw: str) -> str:
    """Telegram's cleaning: runs of spaces/newlines become one space, then trimmed."""
    return _SPACES.sub(" ", raw).strip()


def _forum(state: FakeState, p: Params) -> FakeChat:
    chat = state.bot_chat(p.chat_id())
    if not chat.is_forum:
        raise bad_request("the chat is not a forum")
    return chat


def _bot_is_admin(state: FakeState, chat: FakeChat) -> bool:
    return chat.members.get(state.bot_id) in ("administrator", "creator")


def _name(p: Params, *, required: bool) -> str | None:
    raw = p.get_str("name")
    if not raw and not required:
        return None  # editForumTopic without a name keeps it
    name = clean_topic_name(raw or "")
    if not name:
        raise bad_request("name must be non-empty")
    if len(name) > MAX_TOPIC_NAME:
        # approximate: Telegram cuts longer names to 128 characters; the fake refuses them
        raise bad_request("topic name is too long")
    return name


def _topic(state: FakeState, p: Params, refused: str) -> tuple[FakeChat, ForumTopicRecord]:
    """The forum and the topic named by message_thread_id, in Telegram's order of checks."""
    chat = _forum(state, p)
    thread_id = p.get_int("message_thread_id")
    if thread_id is None or thread_id <= 0:
        raise bad_request("invalid forum topic identifier specified")
    if not _bot_is_admin(state, chat):
        raise bad_request(refused)
    topic = chat.topics.get(thread_id)
    if topic is None:  # unknown, deleted, or the General topic (1)
        raise bad_request("TOPIC_ID_INVALID")
    return chat, topic


def _service_message(state: FakeState, chat: FakeChat, p: Params, kind: str,
                     payload: JsonDict, thread_id: int | None = None) -> StoredMessage:
    """A service message the bot posts in a topic (the first one begins the topic)."""
    message_id = state.new_message_id(chat.id)
    message = StoredMessage(
        chat_id=chat.id, message_id=message_id, from_bot=True, date=state.now(), kind=kind,
        sender=dict(state.bot_user), chat=chat.to_api(), extra={kind: payload},
        thread_id=thread_id or message_id, is_topic_message=True, params=p.normalized(),
    )
    return state.store(message)


@api_method("createForumTopic")
async def create_forum_topic(state: FakeState, p: Params) -> Any:
    chat = _forum(state, p)
    if not _bot_is_admin(state, chat):
        raise bad_request("not enough rights to create a topic")
    name = _name(p, required=True)
    assert name is not None
    color = p.get_int("icon_color") or TOPIC_ICON_COLORS[0]  # 0 or absent: the default
    if color not in TOPIC_ICON_COLORS:
        raise bad_request("invalid icon color specified")  # approximate for in-range colors
    message = _service_message(state, chat, p, "forum_topic_created",
                               {"name": name, "icon_color": color})
    topic = ForumTopicRecord(message.message_id, name, color)
    chat.topics[topic.message_thread_id] = topic
    state.log(chat.id, "topic_created", by_bot=True, message=message,
              message_thread_id=topic.message_thread_id, name=name)
    return topic.to_api()


@api_method("editForumTopic")
async def edit_forum_topic(state: FakeState, p: Params) -> Any:
    chat, topic = _topic(state, p, "not enough rights to edit the topic")
    name = _name(p, required=False)
    if name is None or name == topic.name:
        if name is not None and "icon_custom_emoji_id" not in p.values:
            raise bad_request("TOPIC_NOT_MODIFIED")
        return True  # nothing to rename (custom emoji icons are not modelled)
    topic.name = name
    message = _service_message(state, chat, p, "forum_topic_edited", {"name": name},
                               topic.message_thread_id)
    state.log(chat.id, "topic_edited", by_bot=True, message=message,
              message_thread_id=topic.message_thread_id, name=name)
    return True


def _toggle_closed(closed: bool) -> Any:
    kind = "forum_topic_closed" if closed else "forum_topic_reopened"

    async def handler(state: FakeState, p: Params) -> Any:
        chat, topic = _topic(state, p, "not enough rights to close or open the topic")
        if topic.closed == closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.closed = closed
        message = _service_message(state, chat, p, kind, {}, topic.message_thread_id)
        state.log(chat.id, "topic_closed" if closed else "topic_reopened", by_bot=True,
                  message=message, message_thread_id=topic.message_thread_id)
        return True

    return handler


api_method("closeForumTopic")(_toggle_closed(True))
api_method("reopenForumTopic")(_toggle_closed(False))


@api_method("deleteForumTopic")
async def delete_forum_topic(state: FakeState, p: Params) -> Any:
    """Removes the topic with all its messages."""
    chat, topic = _topic(state, p, "not enough rights to delete the topic")
    del chat.topics[topic.message_thread_id]
    for message in state.messages.get(chat.id, {}).values():
        if message.thread_id == topic.message_thread_id:
            message.deleted = True
    state.log(chat.id, "topic_deleted", by_bot=True, message_thread_id=topic.message_thread_id,
              name=topic.name)
    return True
