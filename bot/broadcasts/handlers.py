"""Telegram glue for broadcasts (owners only).

Every handler here runs in its own group before moderation and the features, and first checks
that the person who sent this very update is an owner (``ADMIN_IDS``), in a private chat. For
anyone else it returns without a word, so the update goes on to the ordinary handlers: a
non-owner's ``/broadcast`` gets the usual "unknown command", a forged ``bc:`` button the usual
"no longer available". Handled updates stop here.

The dialogue: /broadcast → write one, two or three languages (✏️ buttons, then the text) and
pick the fallback → 👁 Preview (the real messages, one per language, in the owner's chat) →
the audience → a confirmation with the count → ✅ Send. The draft lives in the owner's
``user_data``; /cancel discards it. Sending runs in the background (``bot.broadcasts.sender``)
and shows its progress in one message with Pause / Resume / Cancel.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.broadcasts import rules, views
from bot.broadcasts.rules import LANGUAGES, Draft
from bot.broadcasts.sender import manager_of, publish_final, resume_interrupted
from bot.callbacks import unpack
from bot.context import HamrohContext
from bot.handlers.messaging import say as _say
from bot.handlers.messaging import toast as _toast
from bot.handlers.staffing import PassOn, passing_on, staff_only
from bot.ratelimit import MESSAGES_PER_SECOND
from bot.staff import Role
from bot.storage.broadcasts import ACTIVE, CANCELLED, PAUSED, PREPARING, SENDING

log = logging.getLogger(__name__)

DRAFT_KEY = "broadcast_draft"
PRIVATE = filters.ChatType.PRIVATE

# --- the draft in user_data ---------------------------------------------------------------

def _load(context: HamrohContext) -> Draft | None:
    return Draft.from_data((context.user_data or {}).get(DRAFT_KEY))


def _save(context: HamrohContext, draft: Draft) -> None:
    assert context.user_data is not None
    context.user_data[DRAFT_KEY] = draft.to_data()


def _discard(context: HamrohContext) -> bool:
    return (context.user_data or {}).pop(DRAFT_KEY, None) is not None


def _chat_id(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id


def _me(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


async def _show(update: Update, context: HamrohContext, text: str,
                markup: InlineKeyboardMarkup | None, *, edit: bool) -> Message | None:
    """Replace the pressed message, or send a new one when that is not possible."""
    query = update.callback_query
    if edit and query is not None and isinstance(query.message, Message):
        try:
            result = await query.edit_message_text(text, reply_markup=markup)
            return result if isinstance(result, Message) else query.message
        except BadRequest as error:
            if "not modified" in str(error).lower():
                return query.message
    return await _say(update, context, text, markup)


async def _stale(update: Update, context: HamrohContext) -> None:
    await _toast(update, context.gettext("This button is no longer available."))


# --- commands -------------------------------------------------------------------------------

@staff_only(owners=True)
async def broadcast_command(update: Update, context: HamrohContext, role: Role) -> None:
    """/broadcast: the draft (new or unfinished), or the broadcast that is running."""
    active = await context.services.db.broadcasts.active()
    if active is not None:
        await _say(update, context, context.gettext(
            "Only one broadcast runs at a time: a new one can be written when this one has "
            "finished or been cancelled."))
        await _show_progress_again(update, context, active.id)
        return
    draft = _load(context) or Draft()
    draft.awaiting = None
    _save(context, draft)
    text, markup = views.draft_screen(draft, context.translator)
    await _say(update, context, text, markup)


async def _show_progress_again(update: Update, context: HamrohContext,
                               broadcast_id: int) -> None:
    """A fresh progress message at the bottom of the chat; edits go there from now on."""
    db = context.services.db
    row = await db.broadcasts.get(broadcast_id)
    if row is None:
        return
    runner = manager_of(context.application).get(broadcast_id)
    if runner is not None and runner.row is not None:
        progress = runner.progress()
    else:
        progress = views.Progress(row.id, row.status, await db.broadcasts.counts(row.id),
                                  row.audience)
    text, markup = views.progress_screen(progress, context.translator)
    message = await _say(update, context, text, markup)
    await db.broadcasts.set_progress_message(row.id, message.chat_id, message.message_id)
    if runner is not None:
        runner.move_progress(message.chat_id, message.message_id)


@staff_only(owners=True, quiet=True)
async def cancel_command(update: Update, context: HamrohContext, role: Role) -> None:
    if not _discard(context):
        raise PassOn  # nothing of ours: moderation's or the ordinary /cancel answers
    await _say(update, context, context.gettext("The draft was discarded. Nothing was sent."))


# --- typed text: an announcement ----------------------------------------------------------------

@staff_only(owners=True, quiet=True)
async def announcement_text(update: Update, context: HamrohContext,
                            role: Role) -> None:
    draft = _load(context)
    message = update.effective_message
    if draft is None or draft.awaiting is None or message is None:
        raise PassOn
    if message.text is None:
        await message.reply_text(context.gettext(
            "Please send the announcement as a text message: only text can be broadcast."))
        return
    kinds = [str(entity.type) for entity in message.entities]
    source = message.text_html if rules.has_client_formatting(kinds) else message.text
    check = rules.check_text(source)
    if not check.ok:
        await message.reply_text(views.text_problem(check, context.translator))
        return
    draft.set_text(draft.awaiting, check.html)
    _save(context, draft)
    text, markup = views.draft_screen(draft, context.translator)
    await _say(update, context, text, markup)


# --- buttons --------------------------------------------------------------------------------------

@staff_only(owners=True)
async def on_button(update: Update, context: HamrohContext, role: Role) -> None:
    query = update.callback_query
    assert query is not None
    callback = unpack(query.data)
    action = callback.arg(0) if callback else ""
    args = callback.args[1:] if callback else ()
    handler = _DRAFT_BUTTONS.get(action)
    if handler is not None:
        draft = _load(context)
        if action != "w" and draft is not None and draft.awaiting is not None:
            draft.awaiting = None  # another button: the next message is not the text
            _save(context, draft)
        await handler(update, context, args)
        return
    control = _CONTROL_BUTTONS.get(action)
    broadcast_id = rules.parse_args(args, 0)
    if control is None or broadcast_id is None:
        await _stale(update, context)
        return
    await control(update, context, broadcast_id)


async def _write(update: Update, context: HamrohContext, args: tuple[str, ...]) -> None:
    language = args[0] if args else ""
    if language not in LANGUAGES:
        await _stale(update, context)
        return
    draft = _load(context) or Draft()
    draft.awaiting = language
    _save(context, draft)
    await _toast(update)
    await _say(update, context, views.write_prompt(language, context.translator))


async def _fallback(update: Update, context: HamrohContext, args: tuple[str, ...]) -> None:
    draft = _load(context)
    if draft is None or not args or not draft.set_fallback(args[0]):
        await _stale(update, context)
        return
    _save(context, draft)
    await _toast(update)
    text, markup = views.draft_screen(draft, context.translator)
    await _show(update, context, text, markup, edit=True)


async def _edit(update: Update, context: HamrohContext, args: tuple[str, ...]) -> None:
    draft = _load(context)
    if draft is None:
        await _stale(update, context)
        return
    await _toast(update)
    text, markup = views.draft_screen(draft, context.translator)
    await _show(update, context, text, markup, edit=True)


async def _discard_button(update: Update, context: HamrohContext,
                          args: tuple[str, ...]) -> None:
    if not _discard(context):
        await _stale(update, context)
        return
    await _toast(update)
    await _show(update, context, context.gettext("The draft was discarded. Nothing was sent."),
                None, edit=True)


async def _preview(update: Update, context: HamrohContext, args: tuple[str, ...]) -> None:
    """The real messages, one per language, exactly as users will receive them."""
    draft = _load(context)
    if draft is None or not draft.texts:
        await _stale(update, context)
        return
    await _toast(update)
    fallback = draft.effective_fallback
    for language in LANGUAGES:
        try:
            await _say(update, context, rules.text_for(draft.texts, fallback, language))
        except BadRequest as error:
            await _say(update, context, context.gettext(
                "Telegram refused the {language} text: {error}. Please correct it.").format(
                    language=views.language_label(language),
                    error="<code>" + html.escape(error.message) + "</code>"))
            text, markup = views.draft_screen(draft, context.translator)
            await _say(update, context, text, markup)
            return
    draft.preview_done()
    _save(context, draft)
    sizes = await context.services.db.broadcasts.audience_sizes()
    text, markup = views.preview_screen(draft, sizes, context.translator)
    await _say(update, context, text, markup)


async def _audiences(update: Update, context: HamrohContext, args: tuple[str, ...]) -> None:
    """Back from the confirmation to the choice of audience."""
    draft = _load(context)
    if draft is None or not draft.previewed:
        await _stale(update, context)
        return
    await _toast(update)
    sizes = await context.services.db.broadcasts.audience_sizes()
    text, markup = views.preview_screen(draft, sizes, context.translator)
    await _show(update, context, text, markup, edit=True)


async def _audience(update: Update, context: HamrohContext, args: tuple[str, ...]) -> None:
    draft = _load(context)
    if draft is None or not args or not draft.choose_audience(args[0]):
        await _stale(update, context)
        return
    _save(context, draft)
    await _toast(update)
    sizes = await context.services.db.broadcasts.audience_sizes()
    count = rules.audience_size(sizes, args[0])
    text, markup = views.confirm_screen(args[0], count, MESSAGES_PER_SECOND, context.translator)
    await _show(update, context, text, markup, edit=True)


async def _send(update: Update, context: HamrohContext, args: tuple[str, ...]) -> None:
    audience = args[0] if args else ""
    draft = _load(context)
    if rules.send_problem(draft, audience) is not None:
        await _stale(update, context)
        return
    assert draft is not None
    db = context.services.db
    fallback = draft.effective_fallback
    assert fallback is not None
    broadcast_id = await db.broadcasts.create(_me(update), dict(draft.texts), fallback,
                                              audience, progress_chat=_chat_id(update))
    if broadcast_id is None:
        await _toast(update)
        await _say(update, context, context.gettext(
            "Another broadcast is in progress. Send /broadcast to see it; this draft is kept."))
        return
    _discard(context)
    await db.audit.record(_me(update), "broadcast", detail=f"start #{broadcast_id} {audience}")
    log.info("an owner started broadcast %d", broadcast_id)
    await _toast(update)
    text, markup = views.progress_screen(
        views.Progress(broadcast_id, PREPARING, {}, audience), context.translator)
    message = await _show(update, context, text, markup, edit=True)
    if message is not None:
        await db.broadcasts.set_progress_message(broadcast_id, message.chat_id,
                                                 message.message_id)
    manager_of(context.application).start(broadcast_id, shown=(text, markup))


DraftButton = Callable[[Update, HamrohContext, tuple[str, ...]], Awaitable[None]]
_DRAFT_BUTTONS: dict[str, DraftButton] = {
    "w": _write, "fb": _fallback, "ed": _edit, "x": _discard_button, "pv": _preview,
    "au": _audiences, "a": _audience, "go": _send,
}


# --- a broadcast that is being sent ---------------------------------------------------------

async def _pause(update: Update, context: HamrohContext, broadcast_id: int) -> None:
    db = context.services.db
    if not await db.broadcasts.set_status(broadcast_id, PAUSED, expected=(SENDING,)):
        await _stale(update, context)
        return
    runner = manager_of(context.application).get(broadcast_id)
    if runner is not None:
        runner.pause()  # it shows "paused" once the messages in flight are recorded
    await db.audit.record(_me(update), "broadcast", detail=f"pause #{broadcast_id}")
    await _toast(update)
    if runner is None:
        await publish_final(context.application, broadcast_id)


async def _resume(update: Update, context: HamrohContext, broadcast_id: int) -> None:
    db = context.services.db
    if not await db.broadcasts.set_status(broadcast_id, SENDING, expected=(PAUSED,)):
        await _stale(update, context)
        return
    await db.audit.record(_me(update), "broadcast", detail=f"resume #{broadcast_id}")
    await _toast(update)
    manager_of(context.application).start(broadcast_id)


async def _ask_cancel(update: Update, context: HamrohContext, broadcast_id: int) -> None:
    row = await context.services.db.broadcasts.get(broadcast_id)
    if row is None or row.status not in ACTIVE:
        await _stale(update, context)
        return
    await _toast(update)
    text, markup = views.cancel_question(broadcast_id, context.translator)
    await _say(update, context, text, markup)


async def _cancel(update: Update, context: HamrohContext, broadcast_id: int) -> None:
    db = context.services.db
    if not await db.broadcasts.set_status(broadcast_id, CANCELLED, expected=ACTIVE):
        await _stale(update, context)
        return
    runner = manager_of(context.application).get(broadcast_id)
    if runner is not None:
        runner.cancel()  # it shows the final counts once the messages in flight are recorded
    await db.audit.record(_me(update), "broadcast", detail=f"cancel #{broadcast_id}")
    log.info("an owner cancelled broadcast %d", broadcast_id)
    await _toast(update)
    await _show(update, context, context.gettext("Broadcast {number} was cancelled.").format(
        number=f"#{broadcast_id}"), None, edit=True)
    if runner is None:
        await publish_final(context.application, broadcast_id)


async def _keep(update: Update, context: HamrohContext, broadcast_id: int) -> None:
    await _toast(update)
    await _show(update, context, context.gettext("Broadcast {number} goes on.").format(
        number=f"#{broadcast_id}"), None, edit=True)


ControlButton = Callable[[Update, HamrohContext, int], Awaitable[None]]
_CONTROL_BUTTONS: dict[str, ControlButton] = {
    "p": _pause, "r": _resume, "s": _ask_cancel, "sy": _cancel, "sn": _keep,
}


# --- wiring -----------------------------------------------------------------------------------

def register_broadcast_handlers(app: Application, group: int) -> None:  # type: ignore[type-arg]
    """Owners' /broadcast commands and buttons, in the staff ``group`` (before features)."""
    # Commands and typed text in private chats only: the draft lives in the owner's own chat.
    app.add_handler(CommandHandler("broadcast", passing_on(broadcast_command), filters=PRIVATE),
                    group=group)
    app.add_handler(CommandHandler("cancel", passing_on(cancel_command), filters=PRIVATE),
                    group=group)
    app.add_handler(CallbackQueryHandler(passing_on(on_button),
                                         pattern=rf"^{views.NAMESPACE}:"), group=group)
    app.add_handler(MessageHandler(PRIVATE & filters.UpdateType.MESSAGE & ~filters.COMMAND,
                                   passing_on(announcement_text)), group=group)


def setup_broadcasts(app: Application) -> None:  # type: ignore[type-arg]
    """From ``post_init``: resume a broadcast that a restart interrupted (once the
    application runs, so that stopping it waits for the sends in flight)."""
    manager = manager_of(app)
    if app.job_queue is not None:
        app.job_queue.run_once(_resume_job, when=0, name="broadcast-resume")
        return
    task = asyncio.get_running_loop().create_task(_resume_when_running(app))
    manager.tasks.add(task)
    task.add_done_callback(manager.tasks.discard)


async def _resume_job(context: HamrohContext) -> None:
    await resume_interrupted(context.application)


async def _resume_when_running(app: Application) -> None:  # type: ignore[type-arg]
    while not app.running:
        await asyncio.sleep(0.1)
    await resume_interrupted(app)

