"""Sending and editing screens the way every feature wants it."""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.context import HamrohContext
from bot.views.text import split_message


def _not_modified(error: BadRequest) -> bool:
    return "not modified" in str(error).lower()


async def edit_or_send(update: Update, context: HamrohContext, text: str,
                       markup: InlineKeyboardMarkup | None = None, *, edit: bool = True) -> None:
    """Replace the pressed message (a tidy chat on a small phone) or, when that is not
    possible — a typed message, a message too old to edit, a text over one message — send
    new messages. A double tap that would change nothing is ignored."""
    query = update.callback_query
    parts = split_message(text)
    if edit and query is not None and isinstance(query.message, Message) and len(parts) == 1:
        try:
            await query.edit_message_text(parts[0], reply_markup=markup)
            return
        except BadRequest as error:
            if _not_modified(error):
                return
            # Too old to edit or deleted: fall through and send a fresh message.
    assert update.effective_chat is not None
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        await context.bot.send_message(update.effective_chat.id, part,
                                       reply_markup=markup if last else None)


async def replace_keyboard(update: Update, markup: InlineKeyboardMarkup | None) -> None:
    """Change only the buttons of the pressed message; quietly skip when there is nothing
    to change or the message can no longer be edited."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        return
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(markup)


async def say(update: Update, context: HamrohContext, text: str,
              markup: InlineKeyboardMarkup | None = None) -> Message:
    """A new message in the chat the update came from."""
    assert update.effective_chat is not None
    return await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


async def toast(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a button press (Telegram shows at most 200 characters); an expired query,
    e.g. one answered after a restart, is harmless."""
    if update.callback_query is not None:
        with contextlib.suppress(BadRequest):
            await update.callback_query.answer(text[:200] if text else None, show_alert=alert)
