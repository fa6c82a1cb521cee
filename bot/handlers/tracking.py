"""Runs before every other handler: drops re-delivered updates, records the user,
and picks the language for this update."""

from __future__ import annotations

import logging
import sqlite3

from telegram import ChatMember, Update, User
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.context import HamrohContext
from bot.flood import Verdict
from bot.i18n import locale_for_language_code
from bot.staff import role_of

log = logging.getLogger(__name__)


async def track_update(update: object, context: HamrohContext) -> None:
    if not isinstance(update, Update):
        return
    user = update.effective_user
    chat = update.effective_chat
    private = chat is not None and chat.type == ChatType.PRIVATE
    # The flood check comes first, in private chats and groups alike: an update dropped
    # here costs no database write (a flood of them used to cost an fsync each).
    if user is not None and update.my_chat_member is None:
        verdict = await context.services.flood.check(user.id)
        if verdict is not Verdict.ALLOW and await _is_staff(context, user.id):
            verdict = Verdict.ALLOW  # a moderator going through the queue taps fast
        if verdict is not Verdict.ALLOW:
            if verdict is Verdict.WARN and private:  # in a group the notice would spam it
                await _restore_and_warn(update, context)
            raise ApplicationHandlerStop

    try:
        await _record(update, context, user, private)
    except sqlite3.Error as error:
        # A locked database or a full disk: nothing else may run on this update (a half
        # done report, a ban not checked). The user is asked to try again.
        from bot.handlers.errors import apologise

        log.error("database unavailable while recording an update: %s", error)
        await apologise(update, context)
        raise ApplicationHandlerStop from error


async def _record(update: Update, context: HamrohContext, user: User | None,
                  private: bool) -> None:
    """Drop re-deliveries, record the user, pick the language; stops banned users."""
    db = context.services.db
    touched = user.id if user is not None and private and update.my_chat_member is None \
        else None
    first_time, record = await db.state.record_update(update.update_id, touched)
    if not first_time:
        log.info("dropped a re-delivered update")
        raise ApplicationHandlerStop

    if update.my_chat_member is not None:
        await _record_membership(update, context)
        raise ApplicationHandlerStop

    if user is None:
        return
    context.locale = locale_for_language_code(user.language_code)
    if not private:
        # Group members are not bot users (no row is created for them), but a ban holds
        # everywhere; group handlers decide the rest (staff commands check each role).
        record = await db.users.get(user.id)
        if record is not None and record.banned:
            raise ApplicationHandlerStop
        return
    assert record is not None  # touched above
    context.is_new_user = record.is_new
    if record.locale:
        context.locale = record.locale
    if record.banned:
        raise ApplicationHandlerStop


async def _is_staff(context: HamrohContext, user_id: int) -> bool:
    services = context.services
    return await role_of(services.settings, services.db, user_id) is not None


async def _record_membership(update: Update, context: HamrohContext) -> None:
    member = update.my_chat_member
    assert member is not None
    if member.chat.type != ChatType.PRIVATE:
        return
    blocked = member.new_chat_member.status in {ChatMember.BANNED, ChatMember.LEFT}
    await context.services.db.users.set_blocked(member.from_user.id, blocked)
    log.info("a user %s the bot", "blocked" if blocked else "unblocked")


async def restore_locale(update: Update, context: HamrohContext) -> None:
    """Set ``context.locale`` from the saved choice or Telegram's language (no writes)."""
    user = update.effective_user
    if user is None:
        return
    context.locale = locale_for_language_code(user.language_code)
    record = await context.services.db.users.get(user.id)
    if record is not None and record.locale:
        context.locale = record.locale


async def _restore_and_warn(update: Update, context: HamrohContext) -> None:
    await restore_locale(update, context)
    log.info("a user is sending too many messages; pausing them")
    assert update.effective_chat is not None
    await context.bot.send_message(
        update.effective_chat.id,
        context.gettext("You are sending messages very quickly. Please wait a minute, "
                        "then continue: I will answer again."),
    )
