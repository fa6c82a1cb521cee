"""Telegram handlers for incident reports: thin glue between updates and
``bot.reports.flow`` / ``bot.reports.service``.

The draft lives encrypted in its own table and is saved (committed) before every
reply; the ConversationHandler state only mirrors the step name, and where the two
disagree (a crash between them) the draft wins.
"""

from __future__ import annotations

import contextlib
import html
import logging
import warnings
from datetime import UTC, datetime, timedelta

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import keyboards
from bot.callbacks import unpack
from bot.context import HamrohContext
from bot.handlers.messaging import edit_or_send, replace_keyboard, toast
from bot.persistence import SqlitePersistence
from bot.privacy import handlers as privacy
from bot.reports import draft as d
from bot.reports import flow
from bot.reports.draft import Draft, Evidence, Problem
from bot.reports.screens import (
    CLEAN_NAMESPACE,
    STEP_BY_CODE,
    Screen,
    cancel_screen,
    evidence_keyboard,
    receipt_keyboard,
    restart_keyboard,
    step_screen,
)
from bot.reports.service import (
    ANNOUNCE_STAGE,
    IncompleteDraft,
    PendingDelivery,
    ReportService,
    report_keys,
)
from bot.reports.summary import STATUS_LABELS, STATUS_NOTES, render_receipt, render_report_line
from bot.services import SERVICES_KEY, Services
from bot.staff import reviewers_exist
from bot.storage.reports import ReportRow

log = logging.getLogger(__name__)

CONVERSATION_NAME = "report"
END = ConversationHandler.END
PRIVATE = filters.ChatType.PRIVATE
EMERGENCY_ARTICLE = "help.emergency"
MYREPORTS_LIMIT = 20
AFTER_FEATURES_GROUP = 1


def _service(context: HamrohContext) -> ReportService:
    return ReportService.from_services(context.services)


def _problem_text(problem: Problem, context: HamrohContext) -> str:
    text = context.gettext(problem.message)
    return text.format(**problem.kwargs()) if problem.args else text


def _screen(draft: Draft, step: str, context: HamrohContext, service: ReportService, *,
            reviewers: bool = True) -> Screen:
    return step_screen(draft, step, context.gettext, context.ngettext, context.format_date,
                       service.places, reviewers=reviewers)


async def _send(update: Update, context: HamrohContext, text: str,
                markup: InlineKeyboardMarkup | None = None, *, edit: bool = False) -> None:
    """Edit the pressed message in place when asked (tidy chat), else send a new one."""
    await edit_or_send(update, context, text, markup, edit=edit)


async def _drop_keyboard(update: Update) -> None:
    await replace_keyboard(update, None)


async def _answer(update: Update, text: str | None = None) -> None:
    await toast(update, text)


async def _show_step(update: Update, context: HamrohContext, service: ReportService,
                     draft: Draft, *, prefix: str | None = None, edit: bool = False) -> None:
    # The consent screen promises a moderator's questions only when one exists.
    reviewers = draft.step != d.CONSENT or await reviewers_exist(context.services.settings,
                                                                 context.services.db)
    screen = _screen(draft, draft.step, context, service, reviewers=reviewers)
    text = f"{prefix}\n\n{screen.text}" if prefix else screen.text
    await _send(update, context, text, screen.markup, edit=edit)


async def _no_draft(update: Update, context: HamrohContext) -> object:
    _ = context.gettext
    await _send(update, context,
                _("This report is no longer open: it was sent, cancelled, or deleted after a "
                  "long time without activity. To report an incident, press the button below."),
                restart_keyboard(_))
    return END


# --- entry ------------------------------------------------------------------------------

async def start_report(update: Update, context: HamrohContext, *,
                       urgent: bool = False) -> object:
    """``/report`` or the menu button: resume an unfinished draft, or start one."""
    assert update.effective_user is not None
    await _answer(update)
    service = _service(context)
    draft = await service.load_draft(update.effective_user.id)
    resumed = draft is not None
    if draft is None:
        draft = await service.start_draft(update.effective_user.id, context.locale)
        if update.effective_message is not None:
            draft.first_message_id = update.effective_message.message_id
        log.info("a report draft was started")
    draft.locale = context.locale
    draft.paused = False
    notes = []
    if resumed:
        notes.append(context.gettext(
            "You have an unfinished report. Let us continue where you stopped."))
    if urgent:
        d.mark_urgent(draft)
        notes.append("🆘 " + context.gettext(
            "This report is marked urgent: people are still being held. You can change "
            "this at the question “How long were people held?”."))
    await service.save_draft(draft)
    await _show_step(update, context, service, draft, prefix="\n".join(notes) or None)
    return draft.step


async def start_urgent_report(update: Update, context: HamrohContext) -> object:
    """"Report it now (urgent)" under the emergency answer: the flow, marked urgent."""
    return await start_report(update, context, urgent=True)


# --- inside the flow --------------------------------------------------------------------

async def on_button(update: Update, context: HamrohContext) -> object:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    _ = context.gettext
    service = _service(context)
    draft = await service.load_draft(update.effective_user.id)
    callback = unpack(query.data)
    if callback is None or len(callback.args) < 3 or callback.args[1] not in STEP_BY_CODE:
        await _answer(update, _(flow.STALE_BUTTON))
        if draft is None:
            return END
        await _show_step(update, context, service, draft)
        return draft.step
    draft_id, code, command = callback.args[:3]
    arg = callback.arg(3)

    if draft is None or draft.id != draft_id:
        if command == "confirm":  # Confirm pressed again after the report was stored
            row = await service.submitted_draft(update.effective_user.id, draft_id)
            if row is not None:
                await _answer(update)
                await _send_receipt(update, context, service, row)
                return draft.step if draft else END
        if draft is None:
            await _answer(update)
            return await _no_draft(update, context)
        await _answer(update, _(flow.STALE_BUTTON))
        await _show_step(update, context, service, draft)
        return draft.step

    draft.locale = context.locale
    if draft.paused:  # a button of the report: the user is back in it
        draft.paused = False
        await service.save_draft(draft)
    step = STEP_BY_CODE[code]
    if command == "cancel_yes":
        await service.discard_draft(update.effective_user.id)
        await _answer(update)
        log.info("a report draft was cancelled")
        await _send(update, context, _("The report was cancelled. Nothing was saved."),
                    keyboards.back_to_menu(_), edit=True)
        return END
    if command == "cancel_no":
        await _answer(update)
        await _show_step(update, context, service, draft, edit=True)
        return draft.step
    if command != "cancel" and step != draft.step:
        await _answer(update, _(flow.EARLIER_STEP))
        await _show_step(update, context, service, draft)
        return draft.step

    outcome = flow.press(draft, draft.step if command == "cancel" else step, command, arg,
                         service.places)
    return await _apply(update, context, service, draft, outcome)


async def on_message(update: Update, context: HamrohContext) -> object:
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    service = _service(context)
    draft = await service.load_draft(update.effective_user.id)
    if draft is None:
        return await _no_draft(update, context)
    if draft.paused:
        return await _leave_for_questions(update, context)
    draft.locale = context.locale
    if message.text is not None:
        outcome = flow.type_text(draft, draft.step, message.text)
    else:
        outcome = flow.receive_media(draft, draft.step, evidence_of(message))
    return await _apply(update, context, service, draft, outcome)


def evidence_of(message: Message) -> Evidence | None:
    """File id, type and size only: the file itself stays with Telegram."""
    if message.photo:
        largest = message.photo[-1]
        return Evidence("photo", largest.file_id, largest.file_size)
    for kind in d.EVIDENCE_KINDS[1:]:
        attachment = getattr(message, kind, None)
        if attachment is not None:
            duration = getattr(attachment, "duration", None)
            seconds = int(duration.total_seconds()) if hasattr(duration, "total_seconds") \
                else duration
            return Evidence(kind, attachment.file_id, attachment.file_size, seconds)
    return None


async def _apply(update: Update, context: HamrohContext, service: ReportService,
                 draft: Draft, outcome: flow.Outcome) -> object:
    _ = context.gettext
    is_button = update.callback_query is not None
    if outcome.leave:
        await service.discard_draft(draft.user_id)
        await _answer(update)
        await _send(update, context, _("The report was cancelled. Nothing was saved."),
                    keyboards.back_to_menu(_), edit=True)
        return END
    if outcome.cancel_ask:
        await _answer(update)
        screen = cancel_screen(draft, draft.step, _)
        await _send(update, context, screen.text, screen.markup, edit=True)
        return draft.step
    if outcome.submit:
        return await _submit(update, context, service, draft)

    await service.save_draft(draft)  # committed before any reply

    if outcome.problem is not None:
        problem = _problem_text(outcome.problem, context)
        if is_button:  # a button that makes no sense here: a short note is enough
            await _answer(update, problem)
            return draft.step
        await _show_step(update, context, service, draft, prefix=f"⚠️ {problem}")
        return draft.step
    await _answer(update)
    if outcome.redraw:
        await _show_step(update, context, service, draft, edit=True)
        return draft.step
    if outcome.emergency:
        await _drop_keyboard(update)
        await _send_emergency(update, context)
        await _show_step(update, context, service, draft)
        return draft.step
    notice = _problem_text(outcome.notice, context) if outcome.notice else None
    if outcome.step is None:  # e.g. a file received: a short note, same buttons
        markup = (evidence_keyboard(draft, _) if draft.step == d.EVIDENCE
                  else _screen(draft, draft.step, context, service).markup)
        await _send(update, context, notice or "", markup)
        return draft.step
    await _show_step(update, context, service, draft, prefix=notice, edit=is_button)
    return draft.step


async def _send_emergency(update: Update, context: HamrohContext) -> None:
    """The emergency checklist and contacts, at once, before anything else is asked."""
    from bot.answers.articles import send_article

    sent = False
    try:
        sent = await send_article(update, context, EMERGENCY_ARTICLE)
    except TelegramError as error:
        log.warning("could not send the emergency article: %s", type(error).__name__)
    if not sent:
        await _send(update, context, context.gettext(
            "If you or others are in danger now, call 112. It is free and works from any "
            "phone."))


async def _submit(update: Update, context: HamrohContext, service: ReportService,
                  draft: Draft) -> object:
    try:
        submission = await service.submit(draft)
    except IncompleteDraft:
        draft.step = d.first_missing(draft) or d.REVIEW
        draft.editing = True
        await service.save_draft(draft)
        await _answer(update)
        await _show_step(update, context, service, draft)
        return draft.step
    # The report is committed; moderators are told first, so that the receipt says
    # only what really happened.
    await _answer(update)
    await _drop_keyboard(update)
    alerted: bool | None = None
    ref = submission.report.ref
    if submission.created:
        alerted = await service.announce(context.bot, submission.report) > 0
        await service.announced(ref)
    await _send_receipt(update, context, service, submission.report, alerted,
                        first_message_id=draft.first_message_id)
    await service.receipt_sent(ref)  # until here, a restart would say it all again
    return END


async def _send_receipt(update: Update, context: HamrohContext, service: ReportService,
                        row: ReportRow, alerted: bool | None = None, *,
                        first_message_id: int | None = None) -> None:
    _ = context.gettext
    contact = service.content_of(row).contact
    reviewers = await reviewers_exist(context.services.settings, context.services.db)
    text = render_receipt(row.ref, row.urgent, contact, _, reviewers=reviewers,
                          alerted=alerted)
    await _send(update, context, text, receipt_keyboard(row.urgent, _, first_message_id))


MAX_CLEANED = 300  # a report conversation is far shorter; a forged range stays bounded


async def clean_up_button(update: Update, context: HamrohContext) -> None:
    """``rc:<first message id>`` under a receipt: delete the report conversation from the
    user's phone, from its first message to the receipt. Only ids are known, never the
    content; Telegram lets a bot delete messages of a private chat for 48 hours."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    _ = context.gettext
    callback = unpack(query.data)
    first = callback.arg(0) if callback else ""
    last = query.message.message_id if isinstance(query.message, Message) else 0
    if not first.isdecimal() or not 0 < int(first) <= last or last - int(first) > MAX_CLEANED:
        await _answer(update, _(flow.STALE_BUTTON))
        return
    # Said in a pop-up, which leaves nothing behind in the chat.
    with contextlib.suppress(BadRequest):
        await query.answer(_("Your report is stored safely. Only the messages in this chat "
                             "are removed from your phone."), show_alert=True)
    chat_id = update.effective_chat.id
    kept = 0
    for message_id in range(int(first), last + 1):
        try:
            await context.bot.delete_message(chat_id, message_id)
        except BadRequest as error:
            if "not found" not in str(error).lower():
                kept += 1  # too old for Telegram to let the bot delete it
    log.info("a reporter removed the report conversation from their phone")
    text = _("🧹 Done.")
    if kept:
        text += "\n" + context.ngettext(
            "{count} older message could not be removed by the bot. To remove it, press and "
            "hold it, then choose Delete.",
            "{count} older messages could not be removed by the bot. To remove them, press "
            "and hold each one, then choose Delete.", kept).format(count=kept)
    await context.bot.send_message(chat_id, text, reply_markup=keyboards.main_menu(_))


# --- leaving the flow -------------------------------------------------------------------

async def cancel_command(update: Update, context: HamrohContext) -> object:
    """``/cancel``: inside the flow, or outside it with a paused draft."""
    assert update.effective_user is not None and update.effective_message is not None
    _ = context.gettext
    if await _service(context).discard_draft(update.effective_user.id):
        log.info("a report draft was cancelled")
        text = _("The report was cancelled. Nothing was saved.")
    else:
        text = _("There is nothing to cancel right now.")
    await update.effective_message.reply_text(text, reply_markup=keyboards.main_menu(_))
    return END


async def _pause_note(update: Update, context: HamrohContext) -> None:
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, context.gettext(
        "Your report is saved as a draft. To continue it, send /report or press "
        "“Report an incident”."))


async def pause_after_command(update: Update, context: HamrohContext) -> None:
    """After ``/start`` or ``/menu`` (answered by their own handlers in group 0): mark the
    draft paused, so that a question typed next is answered, not read as a report answer.
    The draft waits for ``/report`` or one of its buttons."""
    assert update.effective_user is not None
    service = _service(context)
    draft = await service.load_draft(update.effective_user.id)
    if draft is None or draft.paused:
        return
    draft.paused = True
    await service.save_draft(draft)
    await _pause_note(update, context)


async def _leave_for_questions(update: Update, context: HamrohContext) -> object:
    """A message after the user left the paused flow: handle it as outside the flow."""
    from bot.answers import handlers as questions
    from bot.handlers import fallback

    message = update.effective_message
    assert message is not None
    if message.text is not None:
        await questions.answer_question(update, context)
    else:
        await fallback.unsupported_message(update, context)
    return END


async def pause_for_menu(update: Update, context: HamrohContext) -> object:
    """Main-menu buttons other than reporting leave the flow, so a question typed next
    is answered instead of being read as a report answer."""
    from bot.answers import articles as knowledge
    from bot.answers import handlers as questions
    from bot.handlers import start

    assert update.effective_user is not None
    service = _service(context)
    draft = await service.load_draft(update.effective_user.id)
    if draft is not None and not draft.paused:  # said once, not on every menu button
        draft.paused = True
        await service.save_draft(draft)
        await _pause_note(update, context)
    callback = unpack(update.callback_query.data if update.callback_query else None)
    target = callback.arg(0) if callback else ""
    if target == "topics":
        await knowledge.show_topics(update, context)
    elif target == "ask":
        await questions.prompt_question(update, context)
    else:
        await start.menu_button(update, context)
    return END


# --- /myreports and /forget ----------------------------------------------------------

async def my_reports(update: Update, context: HamrohContext) -> None:
    assert update.effective_user is not None and update.effective_message is not None
    _ = context.gettext
    rows = await _service(context).reports_of(update.effective_user.id)
    if not rows:
        text = _("You have not sent any reports yet. To report an incident, send /report.")
    else:
        parts = ["<b>" + _("Your reports") + "</b>"]
        parts += [render_report_line(row, _, context.format_date)
                  for row in rows[:MYREPORTS_LIMIT]]
        if len(rows) > MYREPORTS_LIMIT:
            parts.append(_("Only the latest {count} are shown.").format(count=MYREPORTS_LIMIT))
        parts.append(_("You will get a message here when the status of a report changes."))
        text = "\n\n".join(parts)
    await update.effective_message.reply_text(text, reply_markup=keyboards.main_menu(_))


REFERENCE_TYPED = r"^\s*[Rr]-?[A-HJ-NP-Za-hj-np-z2-9]{6}\s*$"


async def reference_typed(update: Update, context: HamrohContext) -> None:
    """A reference typed as a message: its status, to the person who sent that report;
    anyone else learns nothing, not even whether it exists."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and message.text is not None and user is not None
    _ = context.gettext
    ref = "R-" + message.text.strip().upper().removeprefix("R").removeprefix("-")
    row = await context.services.db.reports.by_ref(ref)
    if row is None or row.reporter != _service(context).reporter(user.id):
        await message.reply_text(_("I found no report {ref} sent from this account. Please "
                                   "check the number. All your reports: /myreports").format(
                                       ref=f"<code>{html.escape(ref)}</code>"))
        return
    lines = [render_report_line(row, _, context.format_date)]
    label = STATUS_LABELS.get(row.status)
    if row.status in STATUS_NOTES:
        lines.append(_(STATUS_NOTES[row.status]))
    elif label is None:
        lines.append(html.escape(row.status))
    lines.append(_("All your reports: /myreports"))
    await message.reply_text("\n".join(lines))


async def forget_in_flow(update: Update, context: HamrohContext) -> object:
    """/forget's confirmation inside a report: the deletion, then the flow is over."""
    deleted = await privacy.forget_button(update, context)
    return END if deleted else None


# --- wiring --------------------------------------------------------------------------

def build_conversation() -> ConversationHandler:  # type: ignore[type-arg]
    in_flow = [
        CallbackQueryHandler(on_button, pattern=r"^rp:"),
        MessageHandler(PRIVATE & filters.UpdateType.MESSAGE & ~filters.COMMAND, on_message),
    ]
    with warnings.catch_warnings():
        # per_message=False on purpose: the flow spans typed messages and buttons on many
        # messages; per-button tracking is done with the draft id and step in the data.
        warnings.filterwarnings("ignore", message=".*per_message=False.*",
                                category=PTBUserWarning)
        return ConversationHandler(
            entry_points=[
                CommandHandler("report", start_report, filters=PRIVATE),
                CallbackQueryHandler(start_report, pattern=r"^menu:report$"),
                CallbackQueryHandler(start_urgent_report, pattern=r"^menu:urgent_report$"),
                # A button of a paused draft (after /menu or a restart) resumes the flow.
                CallbackQueryHandler(on_button, pattern=r"^rp:"),
            ],
            states={step: list(in_flow) for step in d.STEPS},
            fallbacks=[
                CommandHandler("cancel", cancel_command, filters=PRIVATE),
                CallbackQueryHandler(pause_for_menu, pattern=r"^menu:(main|topics|ask|lang)$"),
                # Returns None: the draft stays until the deletion is confirmed.
                CommandHandler("forget", privacy.forget_command, filters=PRIVATE),
                CallbackQueryHandler(forget_in_flow, pattern=privacy.BUTTON_PATTERN),
            ],
            name=CONVERSATION_NAME,
            persistent=True,
            per_chat=True,
            per_user=True,
            per_message=False,
            allow_reentry=True,
        )


def register_report_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Called first among the feature handlers, so text inside a report is never taken
    for a question."""
    app.add_handler(build_conversation())
    app.add_handler(CommandHandler("myreports", my_reports, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(clean_up_button, pattern=rf"^{CLEAN_NAMESPACE}:"))
    app.add_handler(MessageHandler(
        PRIVATE & filters.UpdateType.MESSAGE & filters.Regex(REFERENCE_TYPED), reference_typed))
    app.add_handler(CommandHandler("cancel", cancel_command, filters=PRIVATE))
    # /start and /menu are answered in group 0 before any feature sees them; this runs
    # after them.
    app.add_handler(CommandHandler(["start", "menu"], pause_after_command, filters=PRIVATE),
                    group=AFTER_FEATURES_GROUP)


def register_reply_handlers(app: Application, group: int) -> None:  # type: ignore[type-arg]
    """A reporter answering a moderator's question: before the features, so the answer
    is never taken for a question or a new report."""
    from bot.reports import replies
    from bot.reports.summary import ANSWER_NAMESPACE

    app.add_handler(CommandHandler("cancel", replies.stop_on_cancel, filters=PRIVATE),
                    group=group)
    app.add_handler(CallbackQueryHandler(replies.answer_button,
                                         pattern=rf"^{ANSWER_NAMESPACE}:done:"), group=group)
    app.add_handler(MessageHandler(PRIVATE & filters.UpdateType.MESSAGE & ~filters.COMMAND,
                                   replies.capture_answer), group=group)


# --- start-up and the expiry job ----------------------------------------------------

def setup_reports(app: Application) -> None:  # type: ignore[type-arg]
    """From ``post_init``: load (or create) the report key, finish what a previous run
    left unsaid about stored reports, and schedule draft expiry."""
    services: Services = app.bot_data[SERVICES_KEY]
    report_keys(services)
    if app.job_queue is None:
        log.warning("no job queue: abandoned report drafts will not expire")
        return
    # Reports stored before this process started were left by a previous run: at once.
    # Later, a delivery still pending after a minute failed to send: retried.
    started = datetime.now(UTC)
    app.job_queue.run_once(deliver_pending_job, when=0, data=started,
                           name="report-deliveries-at-start")
    app.job_queue.run_repeating(deliver_pending_job, interval=60, first=60,
                                name="report-deliveries")
    ttl = timedelta(hours=services.settings.draft_ttl_hours)
    # Check often enough that a draft outlives its TTL by at most a quarter of it.
    interval = min(max(ttl / 4, timedelta(seconds=2)), timedelta(minutes=10))
    app.job_queue.run_repeating(expire_drafts_job, interval=interval, first=interval,
                                name="report-draft-expiry")


async def expire_drafts_job(context: HamrohContext) -> None:
    services = context.services
    ttl = timedelta(hours=services.settings.draft_ttl_hours)
    # The step first: a draft deleted while its step stayed would make "nothing was kept"
    # untrue (review M1); a step without a draft only meets "no longer open".
    persistence = context.application.persistence
    if isinstance(persistence, SqlitePersistence):
        await persistence.expire_conversations(CONVERSATION_NAME, datetime.now(UTC) - ttl)
    await ReportService.from_services(services).expire_drafts(context.bot, ttl)


DELIVERY_GIVE_UP = timedelta(days=2)  # Telegram unreachable that long: stop retrying


async def deliver_pending_job(context: HamrohContext) -> None:
    """Announce and confirm reports whose process died before it could (issue 12)."""
    job = context.job
    started = job.data if job is not None and isinstance(job.data, datetime) else None
    created_before = started or datetime.now(UTC) - timedelta(seconds=60)
    service = ReportService.from_services(context.services)
    for row, stage, pending in await service.pending_deliveries(created_before):
        try:
            await _deliver(context, service, row, stage, pending)
        except Forbidden:
            await service.receipt_sent(row.ref)  # blocked the bot: nobody to tell
        except TelegramError as error:
            log.warning("a report's receipt could not be sent yet: %s", type(error).__name__)
            if datetime.fromisoformat(row.created_at) < datetime.now(UTC) - DELIVERY_GIVE_UP:
                await service.receipt_sent(row.ref)


async def _deliver(context: HamrohContext, service: ReportService, row: ReportRow,
                   stage: str, pending: PendingDelivery) -> None:
    alerted: bool | None = None
    if stage == ANNOUNCE_STAGE:
        alerted = await service.announce(context.bot, row) > 0
        await service.announced(row.ref)
    record = await context.services.db.users.get(pending.user_id)
    locale = record.locale if record is not None and record.locale else pending.locale
    _ = context.services.catalogs.get(locale).gettext
    reviewers = await reviewers_exist(context.services.settings, context.services.db)
    text = render_receipt(row.ref, row.urgent, service.content_of(row).contact, _,
                          reviewers=reviewers, alerted=alerted)
    await context.bot.send_message(pending.user_id, text, reply_markup=receipt_keyboard(
        row.urgent, _, pending.first_message_id))
    await service.receipt_sent(row.ref)
    log.info("sent a receipt that a previous run could not send")
