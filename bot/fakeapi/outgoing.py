"""Creating, finding and editing the bot's messages: logic shared by the send methods."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.fakeapi.errors import bad_request
from bot.fakeapi.models import FakeChat, JsonDict, StoredFile, StoredMessage
from bot.fakeapi.params import Params
from bot.fakeapi.state import FakeState
from bot.fakeapi.validation import FormattedText

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


def reply_target(state: FakeState, chat: FakeChat, p: Params) -> int | None:
    """The replied-to message id from reply_parameters (or the legacy parameter)."""
    parameters = p.get_json("reply_parameters") or {}
    if not isinstance(parameters, dict):
        raise bad_request("can't parse reply parameters JSON object")
    message_id = parameters.get("message_id") or p.get_int("reply_to_message_id")
    if not message_id:
        return None
    allow = parameters.get("allow_sending_without_reply") or p.get_bool(
        "allow_sending_without_reply")
    source = parameters.get("chat_id")
    source_chat = state.resolve_chat_id(source) if source not in (None, "") else chat.id
    if state.find_message(source_chat, int(message_id)) is None:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    return int(message_id) if source_chat == chat.id else None


def thread_target(chat: FakeChat, p: Params) -> int | None:
    """message_thread_id: an existing topic of a forum supergroup.

    Telegram ignores 0 and negative ids, refuses the General topic's id (1) and unknown or
    deleted topics. Outside forums it ignores the parameter in groups and refuses it in
    private chats; the fake refuses it in every chat that is not a forum (a bot bug).
    """
    thread_id = p.get_int("message_thread_id")
    if thread_id is None or thread_id <= 0:
        return None
    if not chat.is_forum or thread_id not in chat.topics:
        raise bad_request("message thread not found")
    return thread_id


def placement(state: FakeState, chat: FakeChat, p: Params) -> tuple[int | None, int | None]:
    """(reply_to, thread_id) of a new message: checks message_thread_id, then the reply.

    A reply without message_thread_id joins the replied message's topic (or reply thread);
    a reply to a message of another topic is sent without reply_to_message (Telegram shows
    it as an external reply, which the fake does not model).
    """
    thread_id = thread_target(chat, p)
    reply_to = reply_target(state, chat, p)
    if reply_to is not None:
        target = state.find_message(chat.id, reply_to)
        assert target is not None
        implied = state.reply_thread(chat, target)
        if thread_id is None:
            thread_id = implied
        elif implied != thread_id:
            reply_to = None
    return reply_to, thread_id


def create_bot_message(
    state: FakeState,
    chat: FakeChat,
    kind: str,
    p: Params,
    *,
    text: FormattedText | None = None,
    caption: FormattedText | None = None,
    files: Sequence[StoredFile] = (),
    extra: JsonDict | None = None,
    markup: JsonDict | None = None,
    reply_to: int | None = None,
    thread_id: int | None = None,
    forward_origin: JsonDict | None = None,
    media_group_id: str | None = None,
    flood_check: bool = True,
) -> StoredMessage:
    """Store a new bot message after the flood check, and log it in the chat."""
    if flood_check:
        state.check_flood(chat.id)
    message = StoredMessage(
        chat_id=chat.id,
        message_id=state.new_message_id(chat.id),
        from_bot=True,
        date=state.now(),
        kind=kind,
        sender=dict(state.bot_user),
        chat=chat.to_api(),
        files=list(files),
        extra=dict(extra or {}),
        reply_to_message_id=reply_to,
        thread_id=thread_id,
        is_topic_message=chat.is_forum and thread_id is not None,
        forward_origin=forward_origin,
        media_group_id=media_group_id,
        params=p.normalized(),
    )
    set_text(message, text)
    set_caption(message, caption)
    apply_markup(chat, message, markup)
    state.store(message)
    state.log(chat.id, "message", by_bot=True, message=message)
    return message


def set_text(message: StoredMessage, text: FormattedText | None) -> None:
    if text is not None:
        message.text, message.entities, message.html = text.text, text.entities, text.html


def set_caption(message: StoredMessage, caption: FormattedText | None) -> None:
    if caption is not None:
        message.caption = caption.text or None
        message.caption_entities = caption.entities
        message.caption_html = caption.html


def apply_markup(chat: FakeChat, message: StoredMessage, markup: JsonDict | None) -> None:
    """Inline keyboards belong to the message; reply keyboards change what the chat shows."""
    if markup is None or "inline_keyboard" in markup:
        message.reply_markup = markup
        return
    message.keyboard = markup
    chat.reply_keyboard = markup if "keyboard" in markup else None


def message_to_edit(state: FakeState, chat: FakeChat, p: Params) -> StoredMessage:
    if p.has("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")  # the fake has no inline mode
    message_id = p.get_int("message_id", required=True, empty="message identifier is not "
                           "specified")
    assert message_id is not None
    message = state.find_message(chat.id, message_id)
    if message is None:
        raise bad_request("message to edit not found")
    if not message.from_bot or message.forward_origin is not None or message.is_service:
        raise bad_request("message can't be edited")
    return message


def check_modified(message: StoredMessage, changed: dict[str, Any]) -> None:
    """Telegram refuses an edit that changes nothing (text, entities and markup)."""
    if all(getattr(message, name) == value for name, value in changed.items()):
        raise bad_request(NOT_MODIFIED)


def record_edit(state: FakeState, message: StoredMessage, kind: str,
                changed: dict[str, Any]) -> JsonDict:
    for name, value in changed.items():
        setattr(message, name, value)
    message.edit_date = state.now()
    message.versions.append(message.snapshot())
    summary = {"text": message.text} if kind == "edit_text" else {}
    if kind == "edit_caption":
        summary = {"caption": message.caption}
    summary["buttons"] = message.button_texts()
    state.log(message.chat_id, kind, by_bot=True, message=message, **summary)
    return state.message_api(message)
