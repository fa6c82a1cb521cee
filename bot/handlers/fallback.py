"""Polite answers to whatever no feature handled."""

from __future__ import annotations

from telegram import Update

from bot import keyboards
from bot.context import HamrohContext
from bot.staff import reviewers_exist


async def unknown_command(update: Update, context: HamrohContext) -> None:
    assert update.effective_message is not None
    _ = context.gettext
    await update.effective_message.reply_text(
        _("Sorry, I do not know this command. Here is what I can do:"),
        reply_markup=keyboards.main_menu(_),
    )


async def unsupported_message(update: Update, context: HamrohContext) -> None:
    message = update.effective_message
    assert message is not None
    _ = context.gettext
    if message.voice or message.audio or message.video_note:
        services = context.services
        if await reviewers_exist(services.settings, services.db):
            text = _("I cannot listen to voice messages. Please write your question in "
                     "words, or press “Ask a person”: a volunteer can receive voice "
                     "messages. To report an incident, press “Report an incident”: you can "
                     "add voice messages there as evidence.")
        else:
            text = _("I cannot listen to voice messages. Please write your question in "
                     "words, or choose from the menu.")
        await message.reply_text(text, reply_markup=keyboards.main_menu(_))
        return
    await message.reply_text(
        _("I can only read text here. Please type your question in words, "
          "or choose from the menu."),
        reply_markup=keyboards.main_menu(_),
    )


async def edited_message(update: Update, context: HamrohContext) -> None:
    assert update.edited_message is not None
    await update.edited_message.reply_text(
        context.gettext("I only see new messages, not edits. "
                        "Please send the corrected text as a new message."),
    )
