"""The reporter's side of a moderator's question: while a report waits for their answer,
what they send (text, photo, voice, document) is attached to it, encrypted, and the
moderators are told. "Done" or /cancel ends it; so does any change of status."""

from __future__ import annotations

import contextlib
import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop

from bot.callbacks import unpack
from bot.context import HamrohContext
from bot.reports.service import ReportService
from bot.reports.summary import announcement_keyboard, answer_keyboard
from bot.staff import announce, send_quietly
from bot.storage.reports import ReportRow

log = logging.getLogger(__name__)


def _service(context: HamrohContext) -> ReportService:
    return ReportService.from_services(context.services)


async def capture_answer(update: Update, context: HamrohContext) -> None:
    """Runs before the features: a message from a reporter who is answering a
    moderator is attached to the report and goes nowhere else."""
    from bot.reports.handlers import evidence_of

    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    service = _service(context)
    row = await service.awaiting_answer(user.id)
    if row is None:
        return
    _ = context.gettext
    done = answer_keyboard(row.ref, _)
    evidence = evidence_of(message)
    text = message.text or message.caption
    if evidence is None and not text:
        await message.reply_text(_("I can attach text, photos, voice messages, videos and "
                                   "documents to your report. Please send one of these."),
                                 reply_markup=done)
        raise ApplicationHandlerStop
    await service.add_note(row.ref, "answer", None, text,
                           (evidence,) if evidence is not None else ())
    log.info("a reporter answered a moderator's question")
    await _tell_moderators(context, service, row)
    await message.reply_text(
        _("✅ Added to report {ref}. You can send more, or press “Done”.").format(
            ref=f"<code>{row.ref}</code>"),
        reply_markup=done)
    raise ApplicationHandlerStop


async def _tell_moderators(context: HamrohContext, service: ReportService,
                           row: ReportRow) -> None:
    """The moderator who has the report first, privately; everyone else's channel if
    that fails or nobody has it."""
    catalogs = context.services.catalogs

    def render(locale: str) -> tuple[str, InlineKeyboardMarkup]:
        tr = catalogs.get(locale)
        text = "💬 " + tr.gettext("The reporter answered about report {ref}.").format(
            ref=row.ref)
        return text, announcement_keyboard(row.ref, tr.gettext)

    if row.assignee is not None:
        record = await context.services.db.users.get(row.assignee)
        text, markup = render(record.locale if record and record.locale else "en")
        if await send_quietly(context.bot, row.assignee, text, "answer notice", markup):
            return
    await announce(context.bot, context.services.settings, context.services.db, render,
                   "answer notice")


async def answer_button(update: Update, context: HamrohContext) -> None:
    """``ra:done:<ref>``: the reporter has said everything."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    callback = unpack(query.data)
    ref = callback.arg(1) if callback else ""
    with contextlib.suppress(BadRequest):
        await query.answer()
    _ = context.gettext
    if await _service(context).stop_answering(update.effective_user.id, ref):
        text = _("Thank you. Your answer is attached to report {ref}. You will get a message "
                 "here when its status changes.").format(ref=f"<code>{ref}</code>")
    else:
        text = _("This question is closed. All your reports: /myreports")
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(None)
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, text)
    raise ApplicationHandlerStop


async def stop_on_cancel(update: Update, context: HamrohContext) -> None:
    """/cancel while answering a moderator ends the answer; otherwise /cancel goes on to
    the report flow as usual."""
    if update.effective_user is None or update.effective_message is None:
        return
    service = _service(context)
    row = await service.awaiting_answer(update.effective_user.id)
    if row is None:
        return
    await service.stop_answering(update.effective_user.id, row.ref)
    await update.effective_message.reply_text(context.gettext(
        "OK. Nothing more will be added to report {ref}.").format(ref=f"<code>{row.ref}</code>"))
    raise ApplicationHandlerStop
