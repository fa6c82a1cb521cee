"""The last resort: log what failed (never message text or user ids) and apologise."""

from __future__ import annotations

import contextlib
import logging
import sqlite3

from telegram import Update
from telegram.constants import ChatType
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut

from bot.context import HamrohContext
from bot.handlers.tracking import restore_locale

log = logging.getLogger(__name__)


async def on_error(update: object, context: HamrohContext) -> None:
    error = context.error
    if isinstance(error, Forbidden) and isinstance(update, Update) and update.effective_user:
        # The user blocked the bot: remember it, nothing to tell them.
        await context.services.db.users.set_blocked(update.effective_user.id, True)
        log.info("a user has blocked the bot")
        return
    if isinstance(error, (NetworkError, TimedOut, RetryAfter)) and not isinstance(update, Update):
        log.warning("network problem while polling: %s", type(error).__name__)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    log.error(
        "error while handling update %s: %s",
        update_id,
        type(error).__name__,
        exc_info=(type(error), error, error.__traceback__) if error else None,
    )
    await apologise(update, context)


async def apologise(update: object, context: HamrohContext) -> None:
    """"Something went wrong, please try again", in the user's language (private chats)."""
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != ChatType.PRIVATE:
        return
    # Error handlers get a fresh context: find the user's language again.
    with contextlib.suppress(sqlite3.Error):  # if the database failed, Telegram's language
        await restore_locale(update, context)
    try:
        await context.bot.send_message(
            update.effective_chat.id,
            context.gettext("Sorry, something went wrong on our side. Please try again, "
                            "or open the menu with /menu."),
        )
    except Exception:  # the apology itself failed; nothing more to do
        log.warning("could not send the error apology")
