"""The fake answers like Telegram, so the real PTB Bot raises the matching exceptions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter

from bot.fakeapi import FakeTelegram

from .support import make_bot

USER = 5001


@contextmanager
def raises(kind: type[Exception], text: str) -> Iterator[pytest.ExceptionInfo[Exception]]:
    """Like pytest.raises, matching a substring case-insensitively: PTB capitalises the
    description and lower-cases the rest."""
    with pytest.raises(kind) as caught:
        yield caught
    assert text.lower() in str(caught.value).lower(), str(caught.value)


KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="yes")]])


@pytest.fixture
def started(fake: FakeTelegram) -> int:
    """A user who has written to the bot, so the bot may answer."""
    fake.send_message(USER, "/start")
    return USER


async def test_wrong_token_is_invalid_token(fake: FakeTelegram) -> None:
    with raises(InvalidToken, "was rejected by the server"):
        await make_bot("111:wrong", fake).initialize()


async def test_unknown_chat_is_chat_not_found(bot: Bot) -> None:
    with raises(BadRequest, "Chat not found"):
        await bot.send_message(999, "hi")


async def test_user_who_never_wrote_cannot_be_messaged(fake: FakeTelegram, bot: Bot) -> None:
    fake.add_user(777, "Nodira")
    with raises(Forbidden, "bot can't initiate conversation with a user"):
        await bot.send_message(777, "hi")


async def test_blocked_user_is_forbidden_for_sends_edits_and_actions(
        fake: FakeTelegram, bot: Bot, started: int) -> None:
    sent = await bot.send_message(started, "before")
    fake.block_bot(started)
    with raises(Forbidden, "bot was blocked by the user"):
        await bot.send_message(started, "after")
    with raises(Forbidden, "bot was blocked by the user"):
        await bot.edit_message_text("edited", started, sent.message_id)
    with raises(Forbidden, "bot was blocked by the user"):
        await bot.send_chat_action(started, "typing")
    fake.unblock_bot(started)
    assert (await bot.send_message(started, "again")).text == "again"


async def test_identical_edit_is_not_modified(bot: Bot, started: int) -> None:
    sent = await bot.send_message(started, "<b>Hi</b>", parse_mode="HTML", reply_markup=KEYBOARD)
    with raises(BadRequest, "Message is not modified: specified new message "
                                         "content and reply markup are exactly the same"):
        await bot.edit_message_text("<b>Hi</b>", started, sent.message_id, parse_mode="HTML",
                                    reply_markup=KEYBOARD)
    with raises(BadRequest, "Message is not modified"):
        await bot.edit_message_reply_markup(started, sent.message_id, reply_markup=KEYBOARD)
    # Same text without the keyboard is a change: Telegram removes the keyboard.
    edited = await bot.edit_message_text("<b>Hi</b>", started, sent.message_id,
                                         parse_mode="HTML")
    assert edited.reply_markup is None


async def test_edit_of_missing_or_foreign_message(fake: FakeTelegram, bot: Bot,
                                                  started: int) -> None:
    with raises(BadRequest, "Message to edit not found"):
        await bot.edit_message_text("x", started, 999)
    user_message_id = fake.message_id_of(fake.send_message(started, "mine"))
    with raises(BadRequest, "Message can't be edited"):
        await bot.edit_message_text("x", started, user_message_id)
    photo = await bot.send_photo(started, fake.message(started, fake.message_id_of(
        fake.send_photo(started))).file_id)
    with raises(BadRequest, "There is no text in the message to edit"):
        await bot.edit_message_text("x", started, photo.message_id)


async def test_text_limits(bot: Bot, started: int) -> None:
    with raises(BadRequest, "Message text is empty"):
        await bot.send_message(started, "   \n ")
    with raises(BadRequest, "Message text is empty"):
        await bot.send_message(started, "<b> </b>", parse_mode="HTML")
    with raises(BadRequest, "Message is too long"):
        await bot.send_message(started, "я" * 4097)
    # 4096 characters are fine, and markup does not count towards the limit.
    assert len((await bot.send_message(started, f"<b>{'я' * 4096}</b>",
                                       parse_mode="HTML")).text) == 4096
    # Emoji count as two UTF-16 units: 2049 of them are 4098 units.
    with raises(BadRequest, "Message is too long"):
        await bot.send_message(started, "😀" * 2049)


async def test_caption_limit(fake: FakeTelegram, bot: Bot, started: int) -> None:
    file_id = fake.message(started, fake.message_id_of(fake.send_photo(started))).file_id
    with raises(BadRequest, "Message caption is too long"):
        await bot.send_photo(started, file_id, caption="x" * 1025)
    assert (await bot.send_photo(started, file_id, caption="x" * 1024)).caption


async def test_bad_html_is_can_not_parse_entities(bot: Bot, started: int) -> None:
    with raises(BadRequest, 'Can\'t parse entities: unsupported start tag "div" at byte '
                            "offset 0"):
        await bot.send_message(started, "<div>x</div>", parse_mode="HTML")
    with raises(BadRequest, "must be escaped"):
        await bot.send_message(started, "Tom & Jerry", parse_mode="HTML")


async def test_markdown_is_rejected(bot: Bot, started: int) -> None:
    with raises(BadRequest, "parse_mode"):
        await bot.send_message(started, "*x*", parse_mode="MarkdownV2")


async def test_long_callback_data_is_button_data_invalid(bot: Bot, started: int) -> None:
    # 33 Cyrillic letters are 66 bytes in UTF-8 although only 33 characters.
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="д" * 33)]])
    with raises(BadRequest, "Button_data_invalid"):
        await bot.send_message(started, "hi", reply_markup=markup)


async def test_invalid_button_url(bot: Bot, started: int) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", url="ftp://example.org")]])
    with raises(BadRequest, "inline keyboard button URL 'ftp://example.org' is "
                                         "invalid"):
        await bot.send_message(started, "hi", reply_markup=markup)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own
async def test_retry_after_from_fail_next(fake: FakeTelegram, bot: Bot, started: int) -> None:
    fake.fail_next("sendMessage", 2, retry_after=7)
    for _ in range(2):
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(started, "hi")
        assert "Retry in 7 seconds" in str(caught.value)
    assert (await bot.send_message(started, "hi")).text == "hi"
    fake.assert_no_api_errors()  # forced failures are the test's own doing
    with pytest.raises(AssertionError, match="Too Many Requests: retry after 7"):
        fake.assert_no_api_errors(include_forced=True)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own
async def test_flood_limit_per_chat() -> None:
    async with FakeTelegram("1:flood", flood_limit=2) as fake, make_bot(
            "1:flood", fake) as client:
        fake.send_message(USER, "/start")
        fake.send_message(USER + 1, "/start")
        await client.send_message(USER, "1")
        await client.send_message(USER, "2")
        with pytest.raises(RetryAfter) as caught:
            await client.send_message(USER, "3")
        assert "Retry in 1 seconds" in str(caught.value)
        await client.send_message(USER + 1, "other chats are not limited")


async def test_callback_query_answered_once(fake: FakeTelegram, bot: Bot, started: int) -> None:
    sent = await bot.send_message(started, "?", reply_markup=KEYBOARD)
    update_id = fake.press_button(started, sent.message_id, "Yes")
    query = fake.callback_query(update_id)
    with raises(BadRequest, "Message_too_long"):
        await bot.answer_callback_query(query.id, "x" * 201)
    assert await bot.answer_callback_query(query.id, "Saved")
    with raises(BadRequest, "Query is too old and response timeout expired or "
                                         "query id is invalid"):
        await bot.answer_callback_query(query.id)
    with raises(BadRequest, "Query is too old"):
        await bot.answer_callback_query("12345")
    assert query.answer == {"text": "Saved", "show_alert": False, "url": None}


async def test_expired_callback_query(fake: FakeTelegram, bot: Bot, started: int) -> None:
    sent = await bot.send_message(started, "?", reply_markup=KEYBOARD)
    update_id = fake.press_button(started, sent.message_id, 0)
    fake.expire_callback_query(update_id)
    with raises(BadRequest, "Query is too old"):
        await bot.answer_callback_query(fake.callback_query(update_id).id)


async def test_unknown_file_id_and_type_mismatch(fake: FakeTelegram, bot: Bot,
                                                 started: int) -> None:
    with raises(BadRequest, "Wrong file identifier/http url specified"):
        await bot.send_document(started, "BQACnotAFileId")
    photo_id = fake.message(started, fake.message_id_of(fake.send_photo(started))).file_id
    with raises(BadRequest, "Can't use file of type Photo as Document"):
        await bot.send_document(started, photo_id)


async def test_get_updates_conflicts_with_webhook(bot: Bot) -> None:
    await bot.set_webhook("https://example.org/hook")
    with raises(Conflict, "can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_delete_missing_message(bot: Bot, started: int) -> None:
    sent = await bot.send_message(started, "bye")
    assert await bot.delete_message(started, sent.message_id)
    with raises(BadRequest, "Message to delete not found"):
        await bot.delete_message(started, sent.message_id)


async def test_reply_to_missing_message(bot: Bot, started: int) -> None:
    with raises(BadRequest, "Message to be replied not found"):
        await bot.send_message(started, "re", reply_to_message_id=999)
    sent = await bot.send_message(started, "re", reply_to_message_id=999,
                                  allow_sending_without_reply=True)
    assert sent.reply_to_message is None


async def test_invalid_commands(bot: Bot) -> None:
    with raises(BadRequest, "Bot_command_invalid"):
        await bot.set_my_commands([("Start", "Begin")])
    with raises(BadRequest, "Bot_command_description_invalid"):
        await bot.set_my_commands([("start", "")])


async def test_api_errors_are_recorded(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest):
        await bot.send_message(999, "hi")
    assert [(m, e.description) for m, e in fake.api_errors] == [
        ("sendMessage", "Bad Request: chat not found")]
    with raises(AssertionError, "chat not found"):
        fake.assert_no_api_errors()
