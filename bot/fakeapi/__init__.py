"""A strict fake Telegram Bot API for end-to-end tests and the local playground.

Start it, point the bot at it, then act as users and watch what the bot does::

    async with FakeTelegram(TOKEN) as fake:          # or: url = await fake.start(port=0)
        app = (Application.builder().token(TOKEN)
               .base_url(fake.api_url).base_file_url(fake.file_url).build())
        # subprocess: BOT_TOKEN=TOKEN TELEGRAM_BASE_URL=fake.api_url python -m bot
        chat = fake.chat(USER)
        fake.send_message(USER, "/start")
        reply = await chat.next_message(timeout=10)
        fake.press_button(USER, reply.message_id, "Русский")

``fake.api_url`` (= base URL + "/bot") and ``fake.file_url`` (+ "/file/bot") are what
PTB's ``base_url``/``base_file_url`` expect. Server (127.0.0.1 only):
``POST|GET /bot<token>/<method>`` (method names case-insensitive; wrong token -> 401
"Unauthorized"; unknown method -> 404 "Not Found"), and ``GET /file/bot<token>/<path>``.
JSON, urlencoded and multipart bodies are accepted.
Methods: getMe, logOut, close, getUpdates (real long polling; a second concurrent poll ends
the first with 409 like Telegram; 409 while a webhook is set), setWebhook, deleteWebhook,
getWebhookInfo, set/get/deleteMyCommands (per scope + language_code),
set/getMyDescription, set/getMyShortDescription, set/getMyName, set/getChatMenuButton,
sendMessage, editMessageText, editMessageCaption, editMessageReplyMarkup, deleteMessage(s),
answerCallbackQuery, sendPhoto/Document/Video/Voice/Audio/Animation/Sticker/VideoNote,
sendMediaGroup, copyMessage, forwardMessage, getFile, sendChatAction, getChat, getChatMember,
createForumTopic, editForumTopic (rename), closeForumTopic, reopenForumTopic, deleteForumTopic.

Strictness (each answers like Telegram, so PTB raises the matching exception): texts 1-4096
and captions <= 1024 UTF-16 units after entity parsing and trimming; parse_mode=HTML is
validated by :mod:`bot.telegram_html` (stricter than Telegram: bare ``&``/``>`` rejected);
MarkdownV2/Markdown are rejected with 400 (the bot uses HTML only); reply_markup is
validated (one action per inline button, callback_data <= 64 bytes, valid URLs); edits
that change nothing -> "message is not modified"; editing without reply_markup removes the
inline keyboard, as on Telegram; unknown chats -> "chat not found"; users who never wrote
-> 403 "bot can't initiate conversation with a user"; blocked users -> 403; per-chat flood
limit -> 429 with retry_after; callback queries answerable once; unknown file ids rejected.
Webhook URLs must be HTTPS on 443/80/88/8443, except loopback HTTP (a fake-only allowance).
Forums: topic methods need a forum supergroup ("the chat is not a forum") where the bot is an
administrator ("not enough rights to create a topic"/"...edit/close or open/delete the
topic"); names are cleaned (whitespace runs -> one space, trimmed), 1-128 characters
(Telegram cuts longer ones, the fake refuses them); icon_color one of Telegram's six;
unknown topics -> TOPIC_ID_INVALID, no-op changes -> TOPIC_NOT_MODIFIED. A topic's
message_thread_id is the id of its forum_topic_created service message (the bot's; a forum's
message 1 is its creation, so the first topic is 2); deleting a topic deletes its messages.
message_thread_id (sends, albums, copies, forwards, chat actions) must name an existing topic
of a forum, else "message thread not found" (also for the General topic, 1, and - stricter
than Telegram, which ignores it there - in any chat that is not a forum). Topic messages carry
message_thread_id + is_topic_message and, unless an explicit reply, reply_to_message = the
topic's root; a reply without message_thread_id joins the replied message's topic (in other
supergroups, its reply thread: message_thread_id without is_topic_message). The bot may post
in closed topics; users may not (AssertionError) unless administrators.

User side (synchronous; each returns the new update_id):
    add_user(user_id, first_name="Test", language_code="ru", username=None) -> FakeUser
    user(user_id) -> FakeUser (auto-created with defaults on first use)
    send_message(user_id, text, reply_to=None)  # /commands get bot_command entities
    send_photo(user_id, caption=None), send_document(user_id, file_name=..., mime_type=...,
    size=..., content=None), send_video, send_voice, send_audio, send_sticker,
    send_location(user_id, lat, lon), send_contact(user_id, phone, own=True)
    edit_user_message(user_id, message_id, new_text)           # edited_message update
    press_button(user_id, message_id, text_or_flat_index, chat_id=None)  # callback_query
    press_callback(user_id, message_id, data, chat_id=None)     # forged data allowed
    press_reply_button(user_id, text)                           # taps the reply keyboard
    send_group_message(chat_id<0, user_id, text, chat_type="group"|"supergroup",
                       title=..., thread_id=None, reply_to=None)
    send_group_media(chat_id, user_id, "photo"|"document"|"voice"|"video", caption=None,
                     thread_id=None, reply_to=None)   # group auto-created like the above
    add_group(chat_id, title, chat_type=..., bot_status="member", is_forum=False),
    set_member_status(chat_id, user_id, status)  # bot_status="administrator" for topics
    block_bot(user_id) / unblock_bot(user_id)                   # + my_chat_member update
    inject_update(update_dict), redeliver(update_id), message_id_of(update_id)
    callback_query(update_id) -> CallbackQueryRecord (.answered, .answer)
    expire_callback_query(update_id)

Observation:
    fake.chat(chat_id) -> ChatReader (one per chat; cursor from the chat's beginning):
        await next_message(timeout=10) -> StoredMessage; await next_event(timeout, kinds=...)
        pending(), assert_no_pending(), skip(), messages(), last_message()
    fake.transcript(chat_id, include_user=False) -> list[ChatEvent]; fake.describe_chat(id)
    fake.message(chat_id, message_id) -> StoredMessage
    fake.topics(chat_id) -> dict[thread_id, ForumTopicRecord(message_thread_id, name,
        icon_color, closed)]; fake.topic_messages(chat_id, thread_id) -> list[StoredMessage]
        (the topic's service messages included; deleted ones too, see .deleted)
    await fake.wait_for(predicate, timeout=10, message=None)
    fake.calls: list[(method, params)]; fake.calls_of(method) -> list[params]
    fake.api_errors: list[(method, ApiError)] (errors a connected client received)
    fake.assert_no_api_errors(include_forced=False)  # fail_next() errors skipped by default
    fake.on_event(callback, include_user=False) -> unsubscribe  (sync or async callback)
    fake.fail_next(method, times=1, retry_after=1, error_code=429, description=None)
    fake.flood_limit (messages per second per chat, sliding 1 s window; None = off)
    fake.webhook_responses: list[int] (HTTP status per delivery; 0 = no connection)
    await fake.post_to_webhook(update, secret=<configured>|None|"wrong") -> status
    fake.updates (all updates by id), fake.pending (not yet confirmed)

StoredMessage (live object; edits update it): message_id, chat_id, from_bot, kind ("text",
"photo", "document", "video", "voice", "audio", "sticker", "location", "contact", ...),
text (plain), html (as sent), entities, caption, caption_html, caption_entities, file_id,
file, buttons (rows of Button(text, callback_data, url)), button_texts(), button(text),
keyboard (reply keyboard/remove/force_reply sent with it), reply_to_message_id (explicit
replies only), thread_id, is_topic_message, is_service ("forum_topic_created"/"_edited"/
"_closed"/"_reopened" kinds; left out of ChatReader.messages() and next_message()), edited,
versions/history (MessageVersion snapshots), deleted, params (the sending call), to_api().
ChatEvent: seq, kind ("message", "edit_text", "edit_caption", "edit_markup", "delete",
"callback_answer", "chat_action", "topic_created"/"_edited"/"_closed"/"_reopened"/
"_deleted"; user kinds start with "user_"), chat_id, by_bot, message, data, describe().
"""

from bot.fakeapi.errors import ApiError
from bot.fakeapi.models import (
    Button,
    CallbackQueryRecord,
    ChatEvent,
    FakeChat,
    FakeUser,
    ForumTopicRecord,
    MessageVersion,
    StoredFile,
    StoredMessage,
)
from bot.fakeapi.observe import ChatReader
from bot.fakeapi.params import Upload
from bot.fakeapi.server import FakeTelegram

__all__ = [
    "ApiError",
    "Button",
    "CallbackQueryRecord",
    "ChatEvent",
    "ChatReader",
    "FakeChat",
    "FakeTelegram",
    "FakeUser",
    "ForumTopicRecord",
    "MessageVersion",
    "StoredFile",
    "StoredMessage",
    "Upload",
]
