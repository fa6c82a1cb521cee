"""Telegram glue for moderators: commands, card buttons and typed input.

Every handler here runs in its own group before the features and first checks the role
of the person who sent this very update (never the chat's). For anyone else it returns
without a word, so the update goes on to the ordinary handlers: a non-moderator's
``/queue`` gets the usual "unknown command", a forged button the usual "no longer
available", and ``/report`` starts a report as always. Handled updates stop there.
"""

from __future__ import annotations

import html
import io
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from telegram import ForceReply, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.callbacks import unpack
from bot.commands import clear_staff_commands, set_staff_commands
from bot.context import HamrohContext
from bot.handlers.messaging import edit_or_send, replace_keyboard
from bot.handlers.messaging import say as _say
from bot.handlers.messaging import toast as _toast
from bot.handlers.staffing import MENU_KEY, PassOn, passing_on, staff_only
from bot.i18n import N_, SUPPORTED_LOCALES
from bot.moderation import rules
from bot.moderation.card import (
    CardData,
    button,
    card_keyboard,
    confirm_keyboard,
    reject_keyboard,
    render_card,
    staff_label,
)
from bot.moderation.service import ModerationService, Outcome
from bot.reports.places import default_places
from bot.staff import MODERATION_NAMESPACE, Role, role_of, send_quietly
from bot.storage.reports import QUEUE_FILTERS, ReportRow

log = logging.getLogger(__name__)

PENDING_KEY = "mod_input"  # what the moderator's next text is for: {action, ref, chat}
REFERENCE = re.compile(r"^\s*R-?([A-HJ-NP-Z2-9]{6})\s*$", re.IGNORECASE)
MAX_QUESTION_CHARS = 3000
AUDIT_LIMIT = 20
QUEUE_SCAN = 500  # how far "Next" looks; the queue of an NGO is far shorter

def normalise_reference(text: str) -> str | None:
    match = REFERENCE.match(text)
    return f"R-{match.group(1).upper()}" if match else None


def _me(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def _service(context: HamrohContext) -> ModerationService:
    return ModerationService(context.services, context.bot)


# --- cards --------------------------------------------------------------------------

async def show_card(update: Update, context: HamrohContext, role: Role, ref: str, *,
                    queue: str = "open", edit: bool = False) -> bool:
    card = await _service(context).card(ref)
    _ = context.gettext
    if card is None:
        await _say(update, context, _("There is no report {ref}.").format(
            ref=f"<code>{html.escape(ref)}</code>"))
        return False
    await _render(update, context, card, role, queue=queue, edit=edit)
    return True


async def _render(update: Update, context: HamrohContext, card: CardData, role: Role, *,
                  queue: str = "open", edit: bool = False) -> None:
    _ = context.gettext
    text = render_card(card, _, context.ngettext, context.locale, default_places())
    markup = card_keyboard(card, role, _me(update), _, queue=queue)
    await edit_or_send(update, context, text, markup, edit=edit)


async def _refresh(update: Update, context: HamrohContext, role: Role, ref: str,
                   queue: str = "open") -> None:
    await show_card(update, context, role, ref, queue=queue, edit=True)


# --- commands -------------------------------------------------------------------------

@staff_only()
async def queue_command(update: Update, context: HamrohContext, role: Role) -> None:
    """/queue [filter]: counts per filter as buttons, then the next report to review."""
    _ = context.gettext
    name = queue_filter(" ".join(context.args or []), context)
    await _say(update, context, await _queue_header(context, _me(update)),
               await _queue_keyboard(context, _me(update)))
    await _show_queue_item(update, context, role, name, after=None, edit=False)


FILTER_LABELS: dict[str, str] = {
    "open": N_("📥 To review"),
    "urgent": N_("🚨 Urgent"),
    "new": N_("🆕 New"),
    "in_review": N_("🔎 In review"),
    "needs_info": N_("❓ Needs info"),
    "mine": N_("👤 Mine"),
}


def queue_filter(text: str, context: HamrohContext) -> str:
    """A list name as typed after /queue: the code (``needs_info``) or the button's words
    in any language ("срочные", "нав"); anything else is the default list."""
    wanted = " ".join(text.lower().replace("-", "_").replace("_", " ").split())
    if wanted.replace(" ", "_") in QUEUE_FILTERS:
        return wanted.replace(" ", "_")
    for code in SUPPORTED_LOCALES:
        gettext = context.services.catalogs.get(code).gettext
        for name, label in FILTER_LABELS.items():
            words = gettext(label).split(maxsplit=1)[-1].lower()  # without the emoji
            if wanted and wanted == words:
                return name
    return "open"


def _filter_label(name: str, _: Callable[[str], str]) -> str:
    return _(FILTER_LABELS[name])


async def _queue_header(context: HamrohContext, me: int) -> str:
    _ = context.gettext
    db = context.services.db
    lines = ["<b>" + _("Review queue") + "</b>"]
    for name in QUEUE_FILTERS:
        lines.append(f"{_filter_label(name, _)}: {await db.reports.queue_count(name, me)}")
    lines.append(_("Urgent reports come first, then the oldest. Choose a list:"))
    return "\n".join(lines)


async def _queue_keyboard(context: HamrohContext, me: int) -> InlineKeyboardMarkup:
    _ = context.gettext
    buttons = [button(_filter_label(name, _), "q", name) for name in QUEUE_FILTERS]
    return InlineKeyboardMarkup([buttons[i:i + 2] for i in range(0, len(buttons), 2)])


async def _show_queue_item(update: Update, context: HamrohContext, role: Role, name: str,
                           *, after: str | None, edit: bool) -> None:
    """The first report of the list ``name``, or the one after ``after`` in it."""
    _ = context.gettext
    rows = await context.services.db.reports.queue(name, _me(update), limit=QUEUE_SCAN)
    refs = [row.ref for row in rows]
    index = refs.index(after) + 1 if after in refs else 0
    if index >= len(refs):
        text = (_("Nothing to review in this list.") if not refs
                else _("That was the last report in this list."))
        if update.callback_query is not None and refs:
            await _toast(update, text, alert=True)
            return
        await _toast(update)
        await _say(update, context, f"{_filter_label(name, _)}: {text}")
        return
    await _toast(update)
    await show_card(update, context, role, refs[index], queue=name, edit=edit)


@staff_only()
async def report_command(update: Update, context: HamrohContext, role: Role) -> None:
    """/report R-XXXXXX opens that card (for anyone else /report starts a report)."""
    ref = normalise_reference(" ".join(context.args or []))
    if ref is None:
        await _say(update, context, context.gettext(
            "Send /report with a reference, for example: <code>/report R-ABC234</code>"))
        return
    await show_card(update, context, role, ref)


@staff_only(quiet=True)  # everyone types /help: not a refused staff command
async def help_command(update: Update, context: HamrohContext, role: Role) -> None:
    from bot.handlers.start import help_command as user_help

    if update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE:
        await user_help(update, context)
    _ = context.gettext
    lines = [
        "<b>" + _("Moderator commands") + "</b>",
        _("/queue – the next report to review (urgent first); lists: urgent, new, in "
          "review, needs info, mine"),
        _("/report R-XXXXXX – open a report (or just send its reference)"),
        _("/stats [period] – counts and a chart, e.g. /stats 30d, /stats 2026-11, /stats all"),
        _("/export [period] – verified reports as CSV or JSON; /export summary – a one-page "
          "summary in Russian and English"),
        _("/tickets – open conversations with people; answer by replying to a relayed "
          "message, or /reply T-123 text; /close T-123"),
        _("/unanswered [days] – what the bot could not answer, and unhelpful answers"),
        _("/stale – articles whose rules may have changed (also sent every Monday)"),
        _("/ban, /unban – with a pseudonym, T-123 or R-XXXXXX: the bot ignores that person"),
        _("/cancel – stop typing a question, note or reason"),
        _("On a report: Take, Verify, Reject, Ask the reporter, Add note, Show evidence, "
          "Close. Every action is recorded in the audit log."),
    ]
    if role is Role.OWNER:
        lines += [
            "",
            "<b>" + _("Owner commands") + "</b>",
            _("/mod add ID, /mod remove ID, /mod list – moderators (in a group you can also "
              "reply to a person's message with /mod add)"),
            _("/audit [number] – the latest moderator actions"),
            _("/broadcast – an announcement to every user, or to the users of one language"),
            _("/reload – read the knowledge base again"),
        ]
    await _say(update, context, "\n".join(lines))


@staff_only(quiet=True)  # everyone's /cancel passes here: not a refused moderator command
async def cancel_command(update: Update, context: HamrohContext, role: Role) -> None:
    pending = (context.user_data or {}).pop(PENDING_KEY, None)
    if pending is None:
        # Nothing of ours to cancel: let the ordinary /cancel answer.
        raise PassOn
    await _say(update, context, context.gettext("Cancelled. Nothing was sent or saved."))


# --- typed input: questions, notes, reasons, references -------------------------------

@staff_only(quiet=True)
async def staff_text(update: Update, context: HamrohContext, role: Role) -> None:
    message = update.effective_message
    chat = update.effective_chat
    assert message is not None and chat is not None
    pending = (context.user_data or {}).get(PENDING_KEY)
    if isinstance(pending, dict) and pending.get("chat") == chat.id and _answers_prompt(
            message, chat.type, pending):
        await _take_input(update, context, role, pending)
        return
    ref = normalise_reference(message.text or "")
    if ref is not None:
        await show_card(update, context, role, ref)
        return
    raise PassOn  # an ordinary message: a moderator may ask the bot questions too


async def _take_input(update: Update, context: HamrohContext, role: Role,
                      pending: dict[str, Any]) -> None:
    _ = context.gettext
    message = update.effective_message
    assert message is not None
    text = (message.text or "").strip()
    if not text:
        await message.reply_text(_("Please type it as text, or send /cancel."))
        return
    # A question and a typed reason both reach the reporter inside a framed message.
    if pending.get("action") in (rules.ASK, rules.REJECT) and len(text) > MAX_QUESTION_CHARS:
        await message.reply_text(_("This is too long for one message to the reporter "
                                   "({count} characters). Please keep it under {limit}.")
                                 .format(count=len(text), limit=MAX_QUESTION_CHARS))
        return
    assert context.user_data is not None
    context.user_data.pop(PENDING_KEY, None)
    service = _service(context)
    ref, action = str(pending.get("ref")), pending.get("action")
    if action == rules.ASK:
        outcome = await service.ask(_me(update), role, ref, text)
    elif action == rules.NOTE:
        outcome = await service.note(_me(update), ref, text)
    else:
        outcome = await service.change(_me(update), role, ref, rules.REJECT, reason=text)
    await message.reply_text(_outcome_text(outcome, ref, context))
    await show_card(update, context, role, ref)


async def _ask_for_input(update: Update, context: HamrohContext, action: str,
                         ref: str) -> None:
    _ = context.gettext
    chat = update.effective_chat
    user = update.effective_user
    assert chat is not None and user is not None and context.user_data is not None
    context.user_data[PENDING_KEY] = {"action": action, "ref": ref, "chat": chat.id}
    prompts = {
        rules.ASK: _("Type your question for the reporter of {ref}. It is sent from the bot, "
                     "without your name. /cancel to stop."),
        rules.NOTE: _("Type your note on {ref}. Only moderators see it. /cancel to stop."),
        rules.REJECT: _("Type the reason for rejecting {ref}. The reporter will read it. "
                        "/cancel to stop."),
    }
    text = prompts[action].format(ref=f"<code>{ref}</code>")
    markup: ForceReply | None = None
    if chat.type != ChatType.PRIVATE:
        # Bots in groups see replies to their own messages: ask for one, from this person.
        mention = f'<a href="tg://user?id={user.id}">{html.escape(user.first_name)}</a>'
        text = f"{mention}: {text}"
        markup = ForceReply(selective=True)
    prompt = await context.bot.send_message(chat.id, text, reply_markup=markup)
    context.user_data[PENDING_KEY]["prompt"] = prompt.message_id


def _answers_prompt(message: Message, chat_type: str, pending: dict[str, Any]) -> bool:
    """In a private chat the next text is the answer; in a group only a reply to the
    prompt is (the group also holds ticket replies and other talk)."""
    if chat_type == ChatType.PRIVATE:
        return True
    replied = message.reply_to_message
    return replied is not None and replied.message_id == pending.get("prompt")


# --- buttons ----------------------------------------------------------------------------

@staff_only()
async def on_button(update: Update, context: HamrohContext, role: Role) -> None:
    query = update.callback_query
    assert query is not None
    _ = context.gettext
    callback = unpack(query.data)
    action = callback.arg(0) if callback else ""
    ref = normalise_reference(callback.arg(1)) if callback else None
    if action == "q" and callback is not None:
        name = callback.arg(1)
        if name not in QUEUE_FILTERS:
            await _toast(update, _("This button is no longer available."))
            return
        after = normalise_reference(callback.arg(2))
        await _show_queue_item(update, context, role, name, after=after, edit=after is not None)
        return
    if action == "exp" and callback is not None:
        await _export_button(update, context, role, callback.args[1:])
        return
    if ref is None or action not in _BUTTONS:
        log.info("a moderator pressed an unknown or malformed button")
        await _toast(update, _("This button is no longer available."))
        return
    await _BUTTONS[action](update, context, role, ref, callback.arg(2) if callback else "")


async def _open(update: Update, context: HamrohContext, role: Role, ref: str,
                arg: str) -> None:
    await _toast(update)
    await show_card(update, context, role, ref)


async def _card(update: Update, context: HamrohContext, role: Role, ref: str,
                arg: str) -> None:
    await _toast(update)
    await _refresh(update, context, role, ref)


async def _take(update: Update, context: HamrohContext, role: Role, ref: str,
                arg: str) -> None:
    outcome = await _service(context).take(_me(update), ref)
    await _toast(update, _outcome_text(outcome, ref, context), alert=not outcome.ok)
    await _refresh(update, context, role, ref)


async def _confirm(update: Update, context: HamrohContext, role: Role, ref: str,
                   arg: str) -> None:
    """Verify, Close, Reopen: a second tap, on the same message."""
    action = _current_action(update)
    row = await context.services.db.reports.by_ref(ref)
    if row is None or not rules.check(action, row, role, _me(update)).allowed:
        await _toast(update, _refusal(action, row, role, _me(update), context), alert=True)
        await _refresh(update, context, role, ref)
        return
    await _toast(update)
    await replace_keyboard(update, confirm_keyboard(ref, action, context.gettext))


def _current_action(update: Update) -> str:
    callback = unpack(update.callback_query.data if update.callback_query else None)
    return callback.arg(0) if callback else ""


async def _confirmed(update: Update, context: HamrohContext, role: Role, ref: str,
                     arg: str) -> None:
    if arg not in rules.CONFIRMED_ACTIONS:
        await _toast(update, context.gettext("This button is no longer available."))
        return
    outcome = await _service(context).change(_me(update), role, ref, arg)
    await _toast(update, _outcome_text(outcome, ref, context), alert=not outcome.ok)
    await _refresh(update, context, role, ref)


async def _reject(update: Update, context: HamrohContext, role: Role, ref: str,
                  arg: str) -> None:
    row = await context.services.db.reports.by_ref(ref)
    if row is None or not rules.check(rules.REJECT, row, role, _me(update)).allowed:
        await _toast(update, _refusal(rules.REJECT, row, role, _me(update), context), alert=True)
        await _refresh(update, context, role, ref)
        return
    await _toast(update)
    await replace_keyboard(update, reject_keyboard(ref, context.gettext))


async def _reject_with(update: Update, context: HamrohContext, role: Role, ref: str,
                       arg: str) -> None:
    outcome = await _service(context).change(_me(update), role, ref, rules.REJECT,
                                             reason=arg or None)
    await _toast(update, _outcome_text(outcome, ref, context), alert=not outcome.ok)
    await _refresh(update, context, role, ref)


async def _typed_input(update: Update, context: HamrohContext, role: Role, ref: str,
                       arg: str) -> None:
    action = {"rt": rules.REJECT, rules.ASK: rules.ASK, rules.NOTE: rules.NOTE}[
        _current_action(update)]
    row = await context.services.db.reports.by_ref(ref)
    if row is None or not rules.check(action, row, role, _me(update)).allowed:
        await _toast(update, _refusal(action, row, role, _me(update), context), alert=True)
        return
    if action == rules.ASK:
        content = _service(context).reports.content_of(row)
        if not rules.can_ask(row.reporter is not None, content.contact):
            await _anonymous(update, context, role, ref, arg)
            return
    await _toast(update)
    await _ask_for_input(update, context, action, ref)


async def _anonymous(update: Update, context: HamrohContext, role: Role, ref: str,
                     arg: str) -> None:
    await _toast(update, context.gettext(
        "This reporter chose to stay anonymous (or deleted their data), so the bot cannot "
        "pass them a question. Decide with what the report contains."), alert=True)


async def _evidence(update: Update, context: HamrohContext, role: Role, ref: str,
                    arg: str) -> None:
    """Re-send every file of the report and of the reporter's answers, by file id."""
    _ = context.gettext
    service = _service(context)
    card = await service.card(ref)
    await _toast(update)
    if card is None:
        return
    items = list(card.content.evidence) + [e for note in card.notes for e in note.evidence]
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    failed = 0
    for number, item in enumerate(items, start=1):
        caption = _("Evidence {number} of {total} for {ref}: {kind}").format(
            number=number, total=len(items), ref=ref, kind=html.escape(item.kind))
        try:
            await _send_file(context, chat_id, item.kind, item.file_id, caption)
        except TelegramError as error:
            failed += 1
            log.warning("could not re-send evidence: %s", type(error).__name__)
    if failed:
        await _say(update, context, _("{count} file(s) could not be sent: Telegram no longer "
                                      "has them or refused them.").format(count=failed))
    await context.services.db.audit.record(_me(update), "evidence", ref=ref,
                                           detail=str(len(items)))


async def _send_file(context: HamrohContext, chat_id: int, kind: str, file_id: str,
                     caption: str) -> None:
    bot = context.bot
    if kind == "photo":
        await bot.send_photo(chat_id, file_id, caption=caption)
    elif kind == "video":
        await bot.send_video(chat_id, file_id, caption=caption)
    elif kind == "voice":
        await bot.send_voice(chat_id, file_id, caption=caption)
    elif kind == "audio":
        await bot.send_audio(chat_id, file_id, caption=caption)
    elif kind == "video_note":
        await bot.send_video_note(chat_id, file_id)
        await bot.send_message(chat_id, caption)
    else:
        await bot.send_document(chat_id, file_id, caption=caption)


_BUTTONS: dict[str, Callable[[Update, HamrohContext, Role, str, str], Awaitable[None]]] = {
    "open": _open,
    "card": _card,
    rules.TAKE: _take,
    rules.VERIFY: _confirm,
    rules.CLOSE: _confirm,
    rules.REOPEN: _confirm,
    "ok": _confirmed,
    rules.REJECT: _reject,
    "rr": _reject_with,
    "rt": _typed_input,
    rules.ASK: _typed_input,
    rules.NOTE: _typed_input,
    "anon": _anonymous,
    "ev": _evidence,
}


# --- messages about outcomes ----------------------------------------------------------

def _refusal(action: str, row: ReportRow | None, role: Role, me: int,
             context: HamrohContext) -> str:
    _ = context.gettext
    if row is None:
        return _("There is no such report.")
    why = rules.check(action, row, role, me).why
    if why == "owners_only":
        return _("Only owners can do this.")
    if why == "taken":
        return _("Another moderator has taken this report.")
    return _("This cannot be done to the report in its current status.")


def _outcome_text(outcome: Outcome, ref: str, context: HamrohContext) -> str:
    _ = context.gettext
    told = (_("The reporter was told.") if outcome.told_reporter
            else _("The reporter could not be told (anonymous after /forget, or "
                   "unreachable)."))
    if outcome.ok:
        done = {
            rules.TAKE: _("{ref} is yours now."),
            rules.VERIFY: _("{ref} is verified."),
            rules.REJECT: _("{ref} is rejected."),
            rules.CLOSE: _("{ref} is closed."),
            rules.REOPEN: _("{ref} is open again."),
            rules.ASK: _("Your question was sent to the reporter of {ref}. You will be told "
                         "when they answer."),
            rules.NOTE: _("Your note was added to {ref}."),
        }[outcome.code].format(ref=ref)
        if outcome.code in (rules.ASK, rules.NOTE):
            return done
        if outcome.code == rules.TAKE and outcome.row is not None \
                and outcome.row.status != "in_review":
            return done
        return f"{done} {told}"
    if outcome.code == "taken":
        return _("{ref} is already taken by {name}.").format(
            ref=ref, name=html.escape(outcome.holder or "—"))
    problems = {
        "missing": _("There is no report {ref}."),
        "changed": _("{ref} was changed by someone else meanwhile. Here it is as it is now."),
        "anonymous": _("The reporter of {ref} is anonymous and cannot be asked."),
        "unreachable": _("The question could not be delivered: the reporter blocked the bot "
                         "or deleted their data. Nothing was changed."),
        "owners_only": _("Only owners can do this."),
    }
    return problems.get(outcome.code, _("This cannot be done to {ref} in its current "
                                        "status.")).format(ref=ref)


# --- statistics, export, audit, roles ---------------------------------------------------

@staff_only()
async def stats_command(update: Update, context: HamrohContext, role: Role) -> None:
    import asyncio

    from bot.moderation.chart import render_chart
    from bot.moderation.stats import load_stats, parse_period, render_stats_html

    _ = context.gettext
    period = parse_period(" ".join(context.args or []) or None, date.today())
    if period is None:
        await _say(update, context, _("I did not understand the period. Examples: /stats 7d, "
                                      "/stats 30d, /stats month, /stats 2026-11, /stats 2026, "
                                      "/stats all"))
        return
    stats = await load_stats(context.services.db, period)
    places = default_places()
    await _say(update, context, render_stats_html(stats, _, context.locale, places,
                                                  exact=True))
    # Drawing takes a few hundred milliseconds of CPU: not on the event loop.
    png = await asyncio.to_thread(render_chart, stats, _, places, context.locale)
    assert update.effective_chat is not None
    await context.bot.send_photo(update.effective_chat.id,
                                 InputFile(io.BytesIO(png), filename="stats.png"),
                                 caption=_("Report statistics"))


EXPORT_CHOICES = ("csv", "json", "summary")


@staff_only()
async def export_command(update: Update, context: HamrohContext, role: Role) -> None:
    from bot.moderation.stats import parse_period

    _ = context.gettext
    args = [arg.lower() for arg in context.args or []]
    if args and args[0] == "summary":
        period = parse_period(args[1] if len(args) > 1 else "all", date.today())
        if period is None:
            await _say(update, context, _export_usage(context))
            return
        await _send_export(update, context, "summary", period.key, with_descriptions=False)
        return
    period = parse_period(args[0] if args else "all", date.today())
    if period is None:
        await _say(update, context, _export_usage(context))
        return
    key = period.key
    markup = InlineKeyboardMarkup([
        [button("📄 CSV", "exp", "csv", key), button("🧾 JSON", "exp", "json", key)],
        [button("📝 " + _("Summary (Russian and English)"), "exp", "summary", key)],
        [button("📄 " + _("CSV with descriptions"), "exp", "csv", key, "w")],
        [button("🧾 " + _("JSON with descriptions"), "exp", "json", key, "w")],
    ])
    await _say(update, context, _(
        "Export of verified reports ({period}). Without descriptions the files hold no "
        "Telegram ids, pseudonyms, contact permissions or files, only the facts.").format(
            period=html.escape(key)), markup)


def _export_usage(context: HamrohContext) -> str:
    return context.gettext("Examples: /export, /export 2026-11, /export summary, "
                           "/export summary 2026")


async def _export_button(update: Update, context: HamrohContext, role: Role,
                         args: tuple[str, ...]) -> None:
    _ = context.gettext
    fmt = args[0] if args else ""
    key = args[1] if len(args) > 1 else "all"
    mode = args[2] if len(args) > 2 else ""
    if fmt not in EXPORT_CHOICES or mode not in ("", "w", "yes"):
        await _toast(update, _("This button is no longer available."))
        return
    if mode == "w":  # descriptions: warn once more before anything leaves
        await _toast(update)
        await _say(update, context, "⚠️ " + _(
            "Descriptions are the reporters' own words. They may name people, places and "
            "dates that identify a reporter. Share such a file only with people who must "
            "read it, and never publish it. Include descriptions?"),
            InlineKeyboardMarkup([
                [button("⚠️ " + _("Yes, include descriptions"), "exp", fmt, key, "yes")],
                [button(_("No, export without them"), "exp", fmt, key)],
            ]))
        return
    await _toast(update)
    await _send_export(update, context, fmt, key, with_descriptions=mode == "yes")


async def _send_export(update: Update, context: HamrohContext, fmt: str, key: str, *,
                       with_descriptions: bool) -> None:
    from bot.moderation.export import export_bytes
    from bot.moderation.stats import parse_period

    _ = context.gettext
    period = parse_period(key, date.today())
    if period is None:
        await _say(update, context, _export_usage(context))
        return
    data, filename = await export_bytes(
        context.services.db, context.services.crypto_keys(), fmt, statuses=("verified",),
        since=period.since, until=period.until, with_descriptions=with_descriptions,
        catalogs=context.services.catalogs, places=default_places(), today=date.today())
    assert update.effective_chat is not None
    await context.bot.send_document(update.effective_chat.id,
                                    InputFile(io.BytesIO(data), filename=filename),
                                    caption=html.escape(filename))
    detail = fmt + ("+descriptions" if with_descriptions else "") + f" {key}"
    await context.services.db.audit.record(_me(update), "export", detail=detail)
    log.info("a moderator exported reports (%s)", fmt)


@staff_only()
async def unanswered_command(update: Update, context: HamrohContext, role: Role) -> None:
    from bot.moderation.unanswered import show_unanswered

    await show_unanswered(update, context, role)


@staff_only()
async def ban_command(update: Update, context: HamrohContext, role: Role) -> None:
    """/ban or /unban <pseudonym | T-123 | R-XXXXXX>"""
    from bot.moderation.bans import find_person

    _ = context.gettext
    message = update.effective_message
    assert message is not None and message.text is not None
    banning = message.text.split()[0].lower().startswith("/ban")
    target = " ".join(context.args or [])
    if not target:
        await _say(update, context, _("Usage: /ban or /unban with a pseudonym (Reporter "
                                      "ABC234), a conversation (T-123) or a report "
                                      "(R-ABC234)."))
        return
    user_id, label = await find_person(context.services, target)
    services = context.services
    if user_id is None:
        await _say(update, context, _("Nobody found for {target}, or they deleted their data.")
                   .format(target=html.escape(label or target)))
        return
    if await role_of(services.settings, services.db, user_id) is not None:
        await _say(update, context, _("Owners and moderators cannot be banned. Remove the "
                                      "moderator role first with /mod remove."))
        return
    if not await services.db.users.set_banned(user_id, banning):
        await _say(update, context, _("This person is not known to the bot any more."))
        return
    await services.db.audit.record(_me(update), "ban" if banning else "unban",
                                   ref=label if label.startswith(("R-", "T-")) else None,
                                   detail=label)
    log.info("a moderator %s a user", "banned" if banning else "unbanned")
    text = (_("{target} is banned: the bot ignores everything they send. Their reports stay.")
            if banning else _("{target} is no longer banned."))
    await _say(update, context, text.format(target=html.escape(label)))


@staff_only(owners=True)
async def audit_command(update: Update, context: HamrohContext, role: Role) -> None:
    _ = context.gettext
    arg = (context.args or [""])[0]
    limit = min(int(arg), 100) if arg.isdecimal() and int(arg) > 0 else AUDIT_LIMIT
    entries = await context.services.db.audit.recent(limit)
    if not entries:
        await _say(update, context, _("The audit log is empty."))
        return
    names = await context.services.db.staff.names({entry.actor for entry in entries})
    lines = ["<b>" + _("Audit log, latest first") + "</b>"]
    for entry in entries:
        parts = [entry.at[:16].replace("T", " "), staff_label(entry.actor, names), entry.action]
        if entry.ref:
            parts.append(entry.ref)
        if entry.old_status or entry.new_status:
            parts.append(f"{entry.old_status or '—'} → {entry.new_status or '—'}")
        if entry.detail:
            parts.append(entry.detail)
        lines.append(html.escape(" · ".join(parts)))
    for part in _chunks(lines):
        await _say(update, context, part)


def _chunks(lines: list[str], limit: int = 3800) -> list[str]:
    parts, current = [], ""
    for line in lines:
        if current and len(current) + len(line) + 1 > limit:
            parts.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    return [*parts, current] if current else parts


@staff_only(owners=True)
async def mod_command(update: Update, context: HamrohContext, role: Role) -> None:
    _ = context.gettext
    message = update.effective_message
    assert message is not None
    args = context.args or []
    sub = args[0].lower() if args else "list"
    db = context.services.db
    if sub == "list":
        moderators = await db.staff.moderators()
        lines = ["<b>" + _("Moderators") + "</b>"]
        lines += [html.escape(f"{row.name or '—'} · id {row.user_id}") for row in moderators]
        if not moderators:
            lines.append(_("None yet. Add one with /mod add ID."))
        owners = sorted(context.services.settings.admin_ids)
        lines.append(_("Owners (ADMIN_IDS): {ids}").format(ids=", ".join(map(str, owners))))
        await _say(update, context, "\n".join(lines))
        return
    target = _target_id(args[1:], message)
    if sub not in ("add", "remove") or target is None:
        await _say(update, context, _("Usage: /mod add ID, /mod remove ID, /mod list. In a "
                                      "group, reply to the person's message with /mod add."))
        return
    if target in context.services.settings.admin_ids:
        await _say(update, context, _("This person is an owner (ADMIN_IDS); owners always "
                                      "have every moderator right."))
        return
    if sub == "add":
        changed = await db.staff.add_moderator(target, _me(update))
        text = _("{id} is now a moderator.") if changed else _("{id} is already a moderator.")
        if changed:
            await db.audit.record(_me(update), "mod_add", detail=str(target))
            told = await _welcome_moderator(context, target)
            text += " " + (_("They were told in a private message.") if told else _(
                "They could not be told: they must open the bot and press Start first."))
    else:
        changed = await db.staff.remove_moderator(target)
        text = _("{id} is no longer a moderator.") if changed else _("{id} was not a "
                                                                     "moderator.")
        if changed:
            await db.audit.record(_me(update), "mod_remove", detail=str(target))
            _forget_staff_state(context, target)
            await clear_staff_commands(context.bot, target)
    await _say(update, context, text.format(id=target))


def _target_id(args: list[str], message: Message) -> int | None:
    if args and args[0].lstrip("-").isdecimal():
        value = int(args[0])
        return value if value > 0 else None
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and not replied.from_user.is_bot:
        return replied.from_user.id
    return None


def _forget_staff_state(context: HamrohContext, user_id: int) -> None:
    data = context.application.user_data.get(user_id)
    if data is not None:
        data.pop(PENDING_KEY, None)
        data.pop(MENU_KEY, None)
        context.application.mark_data_for_update_persistence(user_ids=user_id)


async def _welcome_moderator(context: HamrohContext, user_id: int) -> bool:
    record = await context.services.db.users.get(user_id)
    locale = record.locale if record and record.locale else "en"
    tr = context.services.catalogs.get(locale)
    await set_staff_commands(context.bot, context.services.catalogs, user_id, locale,
                             owner=False)
    text = tr.gettext("You are now a moderator of Hamroh. Send /help to see your commands "
                      "and /queue to start reviewing reports.")
    return await send_quietly(context.bot, user_id, text, "moderator welcome")


# --- wiring -----------------------------------------------------------------------------

STAFF_COMMANDS = ("queue", "stats", "export", "audit", "mod")


@staff_only()
async def stale_command(update: Update, context: HamrohContext, role: Role) -> None:
    """/stale: the articles whose "check by" date has passed (also sent every Monday)."""
    from bot.moderation.stale import stale_message

    await _say(update, context, stale_message(context.services, context.locale))


def register_moderation_handlers(app: Application, group: int) -> None:  # type: ignore[type-arg]
    """In ``group``, before every feature: staff updates stop here, others go on."""
    commands = {
        "queue": queue_command, "stats": stats_command, "export": export_command,
        "audit": audit_command, "mod": mod_command, "help": help_command,
        "unanswered": unanswered_command, "ban": ban_command, "unban": ban_command,
        "cancel": cancel_command, "stale": stale_command,
    }
    for name, handler in commands.items():
        app.add_handler(CommandHandler(name, passing_on(handler)), group=group)
    app.add_handler(CommandHandler("report", passing_on(report_command), has_args=True),
                    group=group)
    app.add_handler(CallbackQueryHandler(passing_on(on_button),
                                         pattern=rf"^{MODERATION_NAMESPACE}:"), group=group)
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & ~filters.COMMAND,
                                   passing_on(staff_text)), group=group)


