"""/forget and its confirmation buttons: the thin Telegram layer of ``bot.privacy``.

Inside a report the report conversation calls the same two handlers (its fallbacks), so
that a confirmed deletion also ends the conversation.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.callbacks import unpack
from bot.context import HamrohContext
from bot.handlers.messaging import edit_or_send, toast
from bot.privacy import screens
from bot.privacy.service import forget_person, reports_sent

PRIVATE = filters.ChatType.PRIVATE
BUTTON_PATTERN = rf"^{screens.FORGET_NAMESPACE}:"


async def forget_command(update: Update, context: HamrohContext) -> None:
    """Explain what ``/forget`` deletes and ask to confirm (an unfinished report stays
    until the deletion is confirmed)."""
    assert update.effective_user is not None and update.effective_message is not None
    count = await reports_sent(context.services, update.effective_user.id)
    await update.effective_message.reply_text(
        screens.confirmation_text(count, context.gettext, context.ngettext),
        reply_markup=screens.forget_keyboard(bool(count), context.gettext))


async def forget_button(update: Update, context: HamrohContext) -> bool:
    """Delete, or not, as chosen; True when the person's data was deleted."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    _ = context.gettext
    callback = unpack(query.data)
    choice = callback.arg(0) if callback else ""
    await toast(update)
    if choice not in {screens.DELETE_ME, screens.WITHDRAW}:
        await edit_or_send(update, context, _("Nothing was deleted."), edit=True)
        return False
    user_id = update.effective_user.id
    done = await forget_person(context.services, context.bot, context.application.persistence,
                               user_id, withdraw=choice == screens.WITHDRAW)
    await edit_or_send(update, context, screens.result_text(done, _, context.ngettext),
                       edit=True)
    context.application.drop_user_data(user_id)
    return True


def register_privacy_handlers(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("forget", forget_command, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(forget_button, pattern=BUTTON_PATTERN))
