"""A real PTB Application polling the fake, as the playground and in-process tests run it."""

from __future__ import annotations

import asyncio
import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.fakeapi import FakeTelegram

from .support import TOKEN, make_request

USER = 5001


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ping", callback_data="ping")]])
    await update.effective_message.reply_html("<b>Салом!</b>", reply_markup=keyboard)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text
    await update.effective_message.reply_html(html.escape(update.effective_message.text))


async def pong(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("pong")
    await query.edit_message_text("Pong!")


def build(fake: FakeTelegram) -> Application:  # type: ignore[type-arg]
    app = (Application.builder().token(TOKEN).base_url(fake.api_url)
           .base_file_url(fake.file_url)
           .request(make_request()).get_updates_request(make_request()).build())
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pong))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return app


async def test_conversation_through_a_polling_application(fake: FakeTelegram) -> None:
    app = build(fake)
    chat = fake.chat(USER)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=5, poll_interval=0)
        fake.send_message(USER, "/start")
        greeting = await chat.next_message(timeout=5)
        assert greeting.text == "Салом!" and greeting.button_texts() == ["Ping"]
        fake.send_message(USER, "1 < 2 & 3 > 2")
        assert (await chat.next_message(timeout=5)).text == "1 < 2 & 3 > 2"
        update_id = fake.press_button(USER, greeting.message_id, "Ping")
        await chat.next_event(timeout=5, kinds=["edit_text"])
        assert greeting.text == "Pong!" and greeting.buttons == []
        assert fake.callback_query(update_id).answer == {"text": "pong", "show_alert": False,
                                                         "url": None}
        loop = asyncio.get_running_loop()
        stopping = loop.time()
        await app.updater.stop()
        await app.stop()
    assert loop.time() - stopping < 2  # the pending long poll did not hold shutdown
    fake.assert_no_api_errors()
    assert fake.pending == []  # PTB confirmed every update on shutdown
