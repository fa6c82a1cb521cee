"""Simulated users: every update they create is what Telegram would send (PTB parses it)."""

from __future__ import annotations

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest

from bot.fakeapi import FakeTelegram

USER = 5001


async def updates(bot: Bot) -> list[Update]:
    return list(await bot.get_updates())


async def test_command_gets_bot_command_entity(fake: FakeTelegram, bot: Bot) -> None:
    fake.add_user(USER, "Фарход", username="farhod", language_code="tg")
    fake.send_message(USER, "/start ref_42 see https://example.org")
    (update,) = await updates(bot)
    message = update.message
    assert message.text == "/start ref_42 see https://example.org"
    assert message.from_user.language_code == "tg" and message.chat.type == "private"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bot_command", 0, 6), ("url", 18, 19)]


async def test_group_message_with_addressed_command(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_group_message(-100123, USER, "/help@hamroh_test_bot", chat_type="supergroup")
    (update,) = await updates(bot)
    assert update.message.chat.id == -100123 and update.message.chat.type == "supergroup"
    assert update.message.entities[0].length == len("/help@hamroh_test_bot")
    assert (await bot.send_message(-100123, "ok")).chat.id == -100123


async def test_media_from_users_parse_and_can_be_sent_back(fake: FakeTelegram,
                                                           bot: Bot) -> None:
    fake.send_photo(USER, caption="паспорт")
    fake.send_document(USER, "contract.pdf", content=b"%PDF-1.4 fake")
    fake.send_video(USER)
    fake.send_voice(USER)
    fake.send_audio(USER)
    fake.send_sticker(USER)
    fake.send_location(USER, 38.56, 68.78)
    fake.send_contact(USER, "+992900000000")
    photo, document, video, voice, audio, sticker, location, contact = [
        u.message for u in await updates(bot)]
    assert photo.caption == "паспорт" and len(photo.photo) == 3
    assert document.document.file_name == "contract.pdf"
    assert video.video.mime_type == "video/mp4" and video.video.width == 1280
    assert voice.voice.mime_type == "audio/ogg" and audio.audio.file_name == "song.mp3"
    assert sticker.sticker.emoji == "👍"
    assert (location.location.latitude, location.location.longitude) == (38.56, 68.78)
    assert contact.contact.user_id == USER
    sent = await bot.send_photo(USER, photo.photo[-1].file_id)
    assert sent.photo[-1].file_id == photo.photo[-1].file_id
    again = await bot.send_document(USER, document.document.file_id, caption="copy")
    file = await bot.get_file(again.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"%PDF-1.4 fake"


async def test_big_files_cannot_be_downloaded(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_document(USER, "big.zip", mime_type="application/zip", size=21 * 1024 * 1024)
    (update,) = await updates(bot)
    with pytest.raises(BadRequest, match="File is too big"):
        await bot.get_file(update.message.document.file_id)


async def test_press_button_by_text_or_index(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_message(USER, "/start")
    markup = InlineKeyboardMarkup([
        [InlineKeyboardButton("Тоҷикӣ", callback_data="lang:tg"),
         InlineKeyboardButton("Русский", callback_data="lang:ru")],
        [InlineKeyboardButton("Site", url="https://example.org")],
    ])
    sent = await bot.send_message(USER, "Забон?", reply_markup=markup)
    fake.press_button(USER, sent.message_id, "Русский")
    fake.press_button(USER, sent.message_id, 0)
    queries = [u.callback_query for u in (await updates(bot))[1:]]
    assert [q.data for q in queries] == ["lang:ru", "lang:tg"]
    assert queries[0].message.message_id == sent.message_id
    with pytest.raises(AssertionError, match="buttons: \\['Тоҷикӣ', 'Русский', 'Site'\\]"):
        fake.press_button(USER, sent.message_id, "English")
    with pytest.raises(AssertionError, match="not a callback button"):
        fake.press_button(USER, sent.message_id, "Site")


async def test_forged_callback_on_deleted_message(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_message(USER, "/start")
    sent = await bot.send_message(USER, "old")
    await bot.delete_message(USER, sent.message_id)
    fake.press_callback(USER, sent.message_id, "forged:data")
    query = (await updates(bot))[-1].callback_query
    assert query.data == "forged:data"
    assert not query.message.is_accessible  # PTB's view of an InaccessibleMessage (date 0)


async def test_edited_message_update(fake: FakeTelegram, bot: Bot) -> None:
    message_id = fake.message_id_of(fake.send_message(USER, "helo"))
    fake.edit_user_message(USER, message_id, "hello")
    edited = (await updates(bot))[-1].edited_message
    assert (edited.message_id, edited.text) == (message_id, "hello")
    assert edited.edit_date is not None


async def test_block_and_unblock_send_my_chat_member(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_message(USER, "/start")
    fake.block_bot(USER)
    fake.unblock_bot(USER)
    blocked, unblocked = [u.my_chat_member for u in (await updates(bot))[1:]]
    assert (blocked.old_chat_member.status, blocked.new_chat_member.status) == (
        "member", "kicked")
    assert unblocked.new_chat_member.status == "member"
    assert blocked.new_chat_member.user.id == bot.id


async def test_blocked_user_cannot_type(fake: FakeTelegram) -> None:
    fake.send_message(USER, "/start")
    fake.block_bot(USER)
    with pytest.raises(AssertionError, match="blocked the bot"):
        fake.send_message(USER, "hi")


async def test_reply_keyboard_tap(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_message(USER, "/start")
    keyboard = ReplyKeyboardMarkup([[KeyboardButton("📞 Share", request_contact=True), "Help"]])
    await bot.send_message(USER, "Choose", reply_markup=keyboard)
    fake.press_reply_button(USER, "Help")
    fake.press_reply_button(USER, "Help")  # still shown: not a one-time keyboard
    assert (await updates(bot))[-1].message.text == "Help"
    with pytest.raises(AssertionError, match="no reply keyboard button 'Nope'"):
        fake.press_reply_button(USER, "Nope")
    await bot.send_message(USER, "Once", reply_markup=ReplyKeyboardMarkup(
        [["Yes"]], one_time_keyboard=True))
    fake.press_reply_button(USER, "Yes")
    with pytest.raises(AssertionError, match="the chat shows \\[\\]"):
        fake.press_reply_button(USER, "Yes")


async def test_buttons_in_groups(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_group_message(-42, USER, "/menu")
    sent = await bot.send_message(-42, "Menu", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("Go", callback_data="go")]]))
    fake.press_button(USER, sent.message_id, "Go", chat_id=-42)
    query = (await updates(bot))[-1].callback_query
    assert (query.data, query.message.chat.id, query.from_user.id) == ("go", -42, USER)


async def test_add_user_later_keeps_the_chat_state(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_message(USER, "/start")
    fake.add_user(USER, "Renamed", language_code="en")
    assert (await bot.send_message(USER, "still allowed")).chat.id == USER
    assert fake.user(USER).language_code == "en"


async def test_group_member_statuses(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_group_message(-42, USER, "hi")
    fake.add_user(USER + 1, "Admin")
    fake.set_member_status(-42, USER + 1, "administrator")
    assert (await bot.get_chat_member(-42, USER)).status == "member"
    assert (await bot.get_chat_member(-42, USER + 1)).status == "administrator"
    assert (await bot.get_chat(-42)).title == "Test group"
    with pytest.raises(BadRequest, match="User not found"):
        await bot.get_chat_member(-42, 999)
