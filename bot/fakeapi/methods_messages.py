"""Text messages, edits, deletions, callback answers, chat actions, copies and forwards."""

from __future__ import annotations

from typing import Any

from bot.fakeapi import validation
from bot.fakeapi.errors import bad_request
from bot.fakeapi.models import StoredMessage
from bot.fakeapi.outgoing import (
    check_modified,
    create_bot_message,
    message_to_edit,
    placement,
    record_edit,
    thread_target,
)
from bot.fakeapi.params import Params
from bot.fakeapi.registry import api_method
from bot.fakeapi.state import FakeState

MAX_CALLBACK_ANSWER = 200
DELETE_WINDOW = 48 * 3600  # seconds after which a message can no longer be deleted
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"


def _text(p: Params) -> validation.FormattedText:
    raw = p.get_str("text", required=True, empty="message text is empty")
    return validation.message_text(raw, p.get_str("parse_mode"), p.get_json("entities"))


def _markup(p: Params, *, inline_only: bool = False) -> dict[str, Any] | None:
    raw = p.get_json("reply_markup", what="reply keyboard markup")
    return validation.reply_markup(raw, inline_only=inline_only)


@api_method("sendMessage")
async def send_message(state: FakeState, p: Params) -> Any:
    chat_id = p.chat_id()
    p.get_str("text", required=True, empty="message text is empty")
    markup = _markup(p)
    chat = state.bot_chat(chat_id, check_access=False)
    text = _text(p)
    reply_to, thread_id = placement(state, chat, p)
    state.check_access(chat)
    message = create_bot_message(state, chat, "text", p, text=text, markup=markup,
                                 reply_to=reply_to, thread_id=thread_id)
    return state.message_api(message)


@api_method("editMessageText")
async def edit_message_text(state: FakeState, p: Params) -> Any:
    chat = state.bot_chat(p.chat_id(), check_access=False)
    text = _text(p)
    markup = _markup(p, inline_only=True)
    state.check_access(chat)
    message = message_to_edit(state, chat, p)
    if message.kind != "text":
        raise bad_request("there is no text in the message to edit")
    # Without reply_markup Telegram removes the inline keyboard.
    changed = {"text": text.text, "entities": text.entities, "reply_markup": markup}
    check_modified(message, changed)
    return record_edit(state, message, "edit_text", {**changed, "html": text.html})


@api_method("editMessageCaption")
async def edit_message_caption(state: FakeState, p: Params) -> Any:
    chat = state.bot_chat(p.chat_id(), check_access=False)
    caption = validation.caption_text(p.get_str("caption"), p.get_str("parse_mode"),
                                      p.get_json("caption_entities"))
    markup = _markup(p, inline_only=True)
    state.check_access(chat)
    message = message_to_edit(state, chat, p)
    if message.kind == "text":
        raise bad_request("there is no caption in the message to edit")
    changed = {"caption": caption.text or None, "caption_entities": caption.entities,
               "reply_markup": markup}
    check_modified(message, changed)
    return record_edit(state, message, "edit_caption", {**changed, "caption_html": caption.html})


@api_method("editMessageReplyMarkup")
async def edit_message_reply_markup(state: FakeState, p: Params) -> Any:
    chat = state.bot_chat(p.chat_id(), check_access=False)
    markup = _markup(p, inline_only=True)
    state.check_access(chat)
    message = message_to_edit(state, chat, p)
    changed = {"reply_markup": markup}
    check_modified(message, changed)
    return record_edit(state, message, "edit_markup", changed)


def _delete(state: FakeState, chat_id: int, message_id: int) -> bool:
    message = state.find_message(chat_id, message_id)
    if message is None:
        return False
    chat = state.chats[chat_id]
    bot_is_admin = chat.members.get(state.bot_id) in ("administrator", "creator")
    if chat.type != "private" and not message.from_bot and not bot_is_admin:
        raise bad_request("message can't be deleted")
    if message.kind == "forum_topic_created":  # deleteForumTopic removes a topic
        raise bad_request("message can't be deleted")  # approximate
    if state.now() - message.date >= DELETE_WINDOW:  # Telegram: "less than 48 hours ago"
        raise bad_request("message can't be deleted")
    message.deleted = True
    state.log(chat_id, "delete", by_bot=True, message=message, message_id=message_id)
    return True


@api_method("deleteMessage")
async def delete_message(state: FakeState, p: Params) -> Any:
    chat = state.bot_chat(p.chat_id(), check_access=False)
    message_id = p.get_int("message_id", required=True)
    assert message_id is not None
    if not _delete(state, chat.id, message_id):
        raise bad_request("message to delete not found")
    return True


@api_method("deleteMessages")
async def delete_messages(state: FakeState, p: Params) -> Any:
    chat = state.bot_chat(p.chat_id(), check_access=False)
    ids = p.get_json("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message_ids must contain 1-100 identifiers")  # approximate
    for message_id in ids:
        _delete(state, chat.id, int(message_id))
    return True


@api_method("answerCallbackQuery")
async def answer_callback_query(state: FakeState, p: Params) -> Any:
    query_id = p.get_str("callback_query_id", required=True)
    text = p.get_str("text") or ""
    if len(text) > MAX_CALLBACK_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")
    query = state.callback_queries.get(query_id or "")
    if query is None or query.answered or query.expired:
        raise bad_request(_QUERY_INVALID)
    query.answered = True
    query.answer = {"text": text or None, "show_alert": p.get_bool("show_alert"),
                    "url": p.get_str("url")}
    state.log(query.chat_id, "callback_answer", by_bot=True,
              message=state.find_message(query.chat_id, query.message_id),
              callback_query_id=query.id, update_id=query.update_id, **query.answer)
    return True


@api_method("sendChatAction")
async def send_chat_action(state: FakeState, p: Params) -> Any:
    chat = state.bot_chat(p.chat_id(), check_access=False)
    action = p.get_str("action", required=True)
    if action not in validation.CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    thread_id = thread_target(chat, p)
    state.check_access(chat)
    extra = {} if thread_id is None else {"message_thread_id": thread_id}
    state.log(chat.id, "chat_action", by_bot=True, action=action, **extra)
    return True


def _source_message(state: FakeState, p: Params, missing: str, refused: str) -> StoredMessage:
    source_chat = state.bot_chat(p.chat_id("from_chat_id"), check_access=False)
    message_id = p.get_int("message_id", required=True)
    assert message_id is not None
    message = state.find_message(source_chat.id, message_id)
    if message is None:
        raise bad_request(missing)
    if message.is_service:
        raise bad_request(refused)
    return message


@api_method("copyMessage")
async def copy_message(state: FakeState, p: Params) -> Any:
    chat = state.bot_chat(p.chat_id(), check_access=False)
    source = _source_message(state, p, "message to copy not found", "message can't be copied")
    markup = _markup(p)
    caption = None
    if p.has("caption") and source.text is None:  # a text message has no caption to replace
        caption = validation.caption_text(p.get_str("caption"), p.get_str("parse_mode"),
                                          p.get_json("caption_entities"))
    reply_to, thread_id = placement(state, chat, p)
    state.check_access(chat)
    copy = create_bot_message(
        state, chat, source.kind, p,
        text=_same_text(source), caption=caption or _same_caption(source),
        files=source.files, extra=source.extra, markup=markup, reply_to=reply_to,
        thread_id=thread_id,
    )
    return {"message_id": copy.message_id}


@api_method("forwardMessage")
async def forward_message(state: FakeState, p: Params) -> Any:
    chat = state.bot_chat(p.chat_id(), check_access=False)
    source = _source_message(state, p, "message to forward not found",
                             "message can't be forwarded")
    thread_id = thread_target(chat, p)
    state.check_access(chat)
    origin = source.forward_origin or {
        "type": "user", "sender_user": source.sender, "date": source.date,
    }
    forwarded = create_bot_message(
        state, chat, source.kind, p,
        text=_same_text(source), caption=_same_caption(source),
        files=source.files, extra=source.extra, forward_origin=origin, thread_id=thread_id,
    )
    return state.message_api(forwarded)


def _same_text(source: StoredMessage) -> validation.FormattedText | None:
    if source.text is None:
        return None
    return validation.FormattedText(source.text, source.entities, source.html)


def _same_caption(source: StoredMessage) -> validation.FormattedText | None:
    if source.caption is None:
        return None
    return validation.FormattedText(source.caption, source.caption_entities, source.caption_html)
