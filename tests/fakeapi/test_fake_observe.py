"""Watching the bot: chat readers, events, transcripts, call logs, listeners."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, InlineKeyboardButton
from telegram import InlineKeyboardMarkup as Markup
from telegram.error import BadRequest

from bot.fakeapi import ChatEvent, FakeTelegram

USER = 5001


async def test_next_message_reads_bot_messages_in_order(fake: FakeTelegram, bot: Bot) -> None:
    chat = fake.chat(USER)
    assert fake.chat(USER) is chat
    fake.send_message(USER, "/start")
    await bot.send_message(USER, "<b>Салом</b>, &lt;дӯст&gt;!", parse_mode="HTML",
                           reply_markup=Markup([[InlineKeyboardButton("A", callback_data="a"),
                                                 InlineKeyboardButton("B", url="https://t.me")]]))
    await bot.send_message(USER, "second")
    first = await chat.next_message(timeout=1)
    assert first.text == "Салом, <дӯст>!" and first.html.startswith("<b>Салом</b>")
    assert first.entities == [{"type": "bold", "offset": 0, "length": 5}]
    assert first.kind == "text" and first.from_bot and first.chat_id == USER
    assert first.button_texts() == ["A", "B"]
    assert first.buttons[0][0].callback_data == "a" and first.buttons[0][1].url == "https://t.me"
    assert (await chat.next_message(timeout=1)).text == "second"
    assert chat.last_message() is not None and chat.last_message().text == "second"
    chat.assert_no_pending()


async def test_edits_update_the_message_and_keep_history(fake: FakeTelegram, bot: Bot) -> None:
    chat = fake.chat(USER)
    fake.send_message(USER, "/start")
    sent = await bot.send_message(USER, "v1", reply_markup=Markup(
        [[InlineKeyboardButton("x", callback_data="x")]]))
    await bot.edit_message_text("v2", USER, sent.message_id)
    message = await chat.next_message()
    event = await chat.next_event(kinds=["edit_text"])
    assert event.data == {"text": "v2", "buttons": []} and event.message is message
    assert message.text == "v2" and message.edited and message.buttons == []
    assert [v.text for v in message.history] == ["v1"]
    assert message.history[0].buttons[0][0].text == "x"


async def test_all_bot_event_kinds_are_logged(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_message(USER, "/start")
    await bot.send_chat_action(USER, "typing")
    sent = await bot.send_message(USER, "?", reply_markup=Markup(
        [[InlineKeyboardButton("ok", callback_data="ok")]]))
    await bot.edit_message_reply_markup(USER, sent.message_id)
    query = fake.callback_query(fake.press_callback(USER, sent.message_id, "ok"))
    await bot.answer_callback_query(query.id, "Done", show_alert=True)
    await bot.delete_message(USER, sent.message_id)
    kinds = [e.kind for e in fake.transcript(USER)]
    assert kinds == ["chat_action", "message", "edit_markup", "callback_answer", "delete"]
    everything = [e.kind for e in fake.transcript(USER, include_user=True)]
    assert everything[0] == "user_message" and "user_callback" in everything
    answer = fake.transcript(USER)[3]
    assert answer.data["text"] == "Done" and answer.data["show_alert"] is True
    assert fake.message(USER, sent.message_id).deleted
    assert fake.chat(USER).last_message() is None


async def test_timeout_lists_what_the_chat_saw(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_message(USER, "/help")
    await bot.send_message(USER, "Help text")
    chat = fake.chat(USER)
    await chat.next_message()
    with pytest.raises(AssertionError) as caught:
        await chat.next_message(timeout=0.05)
    report = str(caught.value)
    assert "no new bot event of kind ['message'] within 0.05s" in report
    assert "user #1: /help" in report and "bot #2: Help text" in report


async def test_timeout_report_includes_api_errors(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_message(USER, "/start")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(USER, "<p>", parse_mode="HTML")
    with pytest.raises(AssertionError, match="sendMessage: Bad Request: can't parse entities"):
        await fake.chat(USER).next_message(timeout=0.05)


async def test_waiting_reader_wakes_when_the_bot_writes(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_message(USER, "/start")
    waiting = asyncio.create_task(fake.chat(USER).next_message(timeout=5))
    await bot.send_message(USER, "later")
    assert (await waiting).text == "later"


async def test_on_event_sync_and_async_listeners(fake: FakeTelegram, bot: Bot) -> None:
    seen: list[str] = []
    async_seen: list[ChatEvent] = []

    async def remember(event: ChatEvent) -> None:
        async_seen.append(event)

    unsubscribe = fake.on_event(lambda event: seen.append(event.kind))
    fake.on_event(remember)
    fake.send_message(USER, "/start")
    await bot.send_message(USER, "one")
    unsubscribe()
    await bot.send_message(USER, "two")
    assert seen == ["message"]
    await fake.wait_for(lambda: len(async_seen) == 2, timeout=1)


async def test_wait_for_returns_value_or_fails_clearly(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_message(USER, "/start")
    task = asyncio.create_task(fake.wait_for(lambda: fake.chat(USER).last_message()))
    await bot.send_message(USER, "hi")
    assert (await task).text == "hi"
    with pytest.raises(AssertionError, match=r"nothing happened not met within 0\.01s"):
        await fake.wait_for(lambda: False, timeout=0.01, message="nothing happened")


async def test_commands_per_scope_and_language(fake: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "Оғоз")], language_code="tg")
    await bot.set_my_commands([BotCommand("start", "Начать")], language_code="ru",
                              scope=BotCommandScopeAllPrivateChats())
    calls = fake.calls_of("setMyCommands")
    assert [c.get("language_code") for c in calls] == ["tg", "ru"]
    assert calls[0]["commands"] == [{"command": "start", "description": "Оғоз"}]
    assert calls[1]["scope"] == {"type": "all_private_chats"}
    assert (await bot.get_my_commands(language_code="tg"))[0].description == "Оғоз"
    assert await bot.get_my_commands(language_code="ru") == ()
    ru = await bot.get_my_commands(language_code="ru", scope=BotCommandScopeAllPrivateChats())
    assert ru[0].description == "Начать"
    await bot.delete_my_commands(language_code="tg")
    assert await bot.get_my_commands(language_code="tg") == ()
