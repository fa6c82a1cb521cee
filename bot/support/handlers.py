"""Telegram glue for support tickets.

Users: "Ask a person" (menu, "not sure" answers, after 👎, /ask) opens a ticket or reuses
the open one; while it is open, what they send goes to the staff, until a moderator closes
it or they end it. Staff: reply to a relayed message (or write in the ticket's forum
topic), or ``/reply T-123 text``; ``/tickets``, ``/close T-123``, Take and "Suggest a
report" buttons. Staff handlers go through the shared role gate.
"""

from __future__ import annotations

import contextlib
import html
import logging
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import keyboards
from bot.callbacks import pack, unpack
from bot.context import HamrohContext
from bot.handlers.staffing import PassOn, passing_on, staff_only
from bot.i18n import N_
from bot.sealing import open_pending_question
from bot.staff import Role, reviewers_exist, send_quietly
from bot.storage.tickets import TicketRow
from bot.support import relay
from bot.support.service import TicketService, parse_ticket_ref, ticket_ref

log = logging.getLogger(__name__)

PRIVATE = filters.ChatType.PRIVATE
LAST_QUESTION_KEY = "last_question"  # set by the question handler (sealed)
LAST_ARTICLE_KEY = "last_article"  # set when an article is shown
NOTICE_KEY = "ticket_notice"  # the ticket whose "sent" notice the user already saw
TICKETS_SHOWN = 20

END = N_("✅ End the conversation")
SHOW_NAME = N_("👤 Show my name to the volunteer")


def _service(context: HamrohContext) -> TicketService:
    return TicketService(context.services.db, context.services.crypto_keys())


def _user_keyboard(ticket_id: int, _: relay.Gettext, *,
                   with_name: bool = True) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(_(END), callback_data=pack(relay.USER_NAMESPACE, "end",
                                                              str(ticket_id)))]]
    if with_name:
        rows.append([InlineKeyboardButton(_(SHOW_NAME), callback_data=pack(
            relay.USER_NAMESPACE, "name", str(ticket_id)))])
    return InlineKeyboardMarkup(rows)


def _article_title(context: HamrohContext, article_id: str | None, locale: str) -> str | None:
    kb = context.services.knowledge
    article = kb.article(article_id) if kb and article_id else None
    return article.text(locale).title if article else None


# --- the user's side ----------------------------------------------------------------------

async def ask_person(update: Update, context: HamrohContext) -> None:
    """``human:ask`` or /ask: open (or reuse) the user's ticket."""
    if update.callback_query is not None:
        with contextlib.suppress(BadRequest):
            await update.callback_query.answer()
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    _ = context.gettext
    services = context.services
    if not await reviewers_exist(services.settings, services.db):
        await context.bot.send_message(chat.id, _(
            "Sorry, no volunteer is connected to this bot right now, so nobody could answer "
            "you here. Please use the menu, or open “Emergency help” if you are in danger."),
            reply_markup=keyboards.main_menu(_))
        raise ApplicationHandlerStop
    user_data = context.user_data if context.user_data is not None else {}
    last_article = user_data.get(LAST_ARTICLE_KEY)
    user_data = context.user_data
    tickets = _service(context)
    ticket, created = await tickets.open_ticket(user.id, context.locale,
                                                last_article if isinstance(last_article, str)
                                                else None)
    question = open_pending_question(services.crypto_keys(), user.id,
                                     (user_data or {}).pop(LAST_QUESTION_KEY, None))
    ref = f"<code>{ticket_ref(ticket.id)}</code>"
    if question:
        # The question the bot could not answer is the first message of the ticket.
        reached = await _relay_text(context, tickets, ticket, question)
        text = (_("🙋 Your question was passed to a volunteer (conversation {ref}). The answer "
                  "will come here, in this chat. It may take time.") if reached else
                _("🙋 Your question is saved (conversation {ref}), but no volunteer could be "
                  "reached right now, so we cannot promise an answer. If you are in danger, "
                  "open “Emergency help”.")).format(ref=ref)
    elif created:
        text = _("🙋 Please write your question now, in your own words. A volunteer will read "
                 "it and answer here, in this chat (conversation {ref}).").format(ref=ref)
    else:
        text = _("🙋 You are already talking to a volunteer (conversation {ref}). Just write "
                 "here.").format(ref=ref)
    text += "\n\n" + _("Everything you send in this chat now goes to the volunteer, until the "
                       "conversation is ended. Your name and Telegram id are not shown to "
                       "them unless you press “Show my name”.")
    if user_data is not None:
        user_data[NOTICE_KEY] = ticket.id  # the next message needs no "sent" notice
    await context.bot.send_message(chat.id, text, reply_markup=_user_keyboard(ticket.id, _))
    raise ApplicationHandlerStop  # /ask and the button are handled here, nowhere else


async def _relay_text(context: HamrohContext, tickets: TicketService, ticket: TicketRow,
                      text: str) -> int:
    """Relay a question the user typed earlier (kept sealed) as the ticket's first message."""
    ticket = await relay.ensure_topic(context.bot, context.services, tickets, ticket,
                                      context.bot_data)
    await tickets.add_message(ticket.id, "in", None, kind="text", text=text, file_id=None)
    locale = context.services.settings.moderation_locale
    return await relay.relay_to_staff(
        context.bot, context.services, tickets, ticket, None, name=None, text=text,
        article_title=_article_title(context, ticket.last_article, locale))


async def capture_message(update: Update, context: HamrohContext) -> None:
    """While the user's ticket is open, what they send goes to the staff and nowhere else."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    tickets = _service(context)
    ticket = await tickets.open_of(user.id)
    if ticket is None or await _writing_a_report(context, user.id):
        return
    ticket = await relay.ensure_topic(context.bot, context.services, tickets, ticket,
                                      context.bot_data)
    requester = tickets.requester_of(ticket)
    kind = relay.message_kind(message)
    await tickets.add_message(ticket.id, "in", None, kind=kind,
                              text=message.text or message.caption,
                              file_id=relay.file_id_of(message))
    name = " ".join(p for p in (user.first_name, user.last_name) if p) \
        if requester.show_name else None
    locale = context.services.settings.moderation_locale
    reached = await relay.relay_to_staff(context.bot, context.services, tickets, ticket,
                                         message, name=name, article_title=_article_title(
                                             context, ticket.last_article, locale))
    _ = context.gettext
    user_data = context.user_data if context.user_data is not None else {}
    if not reached:
        await message.reply_text(_("Sorry, your message could not be passed to a volunteer "
                                   "right now. It is saved; please try again later. If you "
                                   "are in danger, open “Emergency help”."))
    elif user_data.get(NOTICE_KEY) != ticket.id:
        user_data[NOTICE_KEY] = ticket.id
        await message.reply_text(_("✓ Sent to a volunteer ({ref}). The answer will come here.")
                                 .format(ref=f"<code>{ticket_ref(ticket.id)}</code>"),
                                 reply_markup=_user_keyboard(ticket.id, _))
    raise ApplicationHandlerStop


async def in_conversation(update: Update, context: HamrohContext) -> None:
    """``/cancel`` or "Ask a question" while the user's ticket is open: what they type goes
    to the volunteer, not to the bot's search, so say so and offer to end it (a report
    being written keeps its own ``/cancel``)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    ticket = await _service(context).open_of(user.id)
    if ticket is None or await _writing_a_report(context, user.id):
        return
    if update.callback_query is not None:
        with contextlib.suppress(BadRequest):
            await update.callback_query.answer()
    _ = context.gettext
    await context.bot.send_message(chat.id, _(
        "You are in a conversation with a volunteer ({ref}): what you send goes to them. "
        "To ask the bot instead, end the conversation first.").format(
            ref=f"<code>{ticket_ref(ticket.id)}</code>"),
        reply_markup=_user_keyboard(ticket.id, _, with_name=False))
    raise ApplicationHandlerStop


async def _writing_a_report(context: HamrohContext, user_id: int) -> bool:
    """A report being written (the volunteer may have suggested it) gets its answers;
    the conversation waits meanwhile."""
    from bot.reports.service import ReportService

    draft = await ReportService.from_services(context.services).load_draft(user_id)
    return draft is not None and not draft.paused


async def user_button(update: Update, context: HamrohContext) -> None:
    """``tu:end:<id>``, ``tu:name:<id>``, ``tu:rate:<id>:<u|d>``."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    callback = unpack(query.data)
    action = callback.arg(0) if callback else ""
    ticket_id = parse_ticket_ref(callback.arg(1)) if callback else None
    tickets = _service(context)
    ticket = await context.services.db.tickets.get(ticket_id) if ticket_id else None
    _ = context.gettext
    if ticket is None or ticket.requester != tickets.requester_hash(user.id):
        with contextlib.suppress(BadRequest):
            await query.answer(_("This button is no longer available."))
        raise ApplicationHandlerStop
    if action == "name" and ticket.status == "open":
        await tickets.show_name(ticket, user.id)
        await query.answer(_("The volunteer will see your name from now on."))
        with contextlib.suppress(BadRequest):
            await query.edit_message_reply_markup(_user_keyboard(ticket.id, _, with_name=False))
    elif action == "end" and ticket.status == "open":
        await context.services.db.tickets.close(ticket.id)
        await query.answer()
        with contextlib.suppress(BadRequest):
            await query.edit_message_reply_markup(None)
        await context.bot.send_message(user.id, _(
            "The conversation with the volunteer is ended. You can ask the bot again, or "
            "press “Ask a person” to start a new conversation."),
            reply_markup=keyboards.main_menu(_))
        await _tell_staff_closed(context, ticket, by_user=True)
    elif action == "rate" and ticket.status == "closed":
        helpful = callback.arg(2) == "u" if callback else False
        await context.services.db.tickets.rate(ticket.id, ticket.requester or "", helpful)
        await query.answer(_("Thank you for your feedback!"))
        with contextlib.suppress(BadRequest):
            await query.edit_message_reply_markup(None)
    else:
        with contextlib.suppress(BadRequest):
            await query.answer(_("This button is no longer available."))
    raise ApplicationHandlerStop


# --- the staff's side ----------------------------------------------------------------------

@staff_only(quiet=True)
async def staff_message(update: Update, context: HamrohContext, role: Role) -> None:
    """A reply to a relayed message, or a message in a ticket's forum topic, is an answer."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    ticket = await _ticket_of_staff_message(context, message)
    if ticket is None:
        raise PassOn
    await _answer(update, context, ticket, message)


async def _ticket_of_staff_message(context: HamrohContext, message: Message) -> TicketRow | None:
    db = context.services.db
    replied = message.reply_to_message
    moderation_chat = context.services.settings.moderation_chat_id
    if message.is_topic_message and message.message_thread_id is not None \
            and message.chat_id == moderation_chat:
        ticket = await db.tickets.by_thread(message.message_thread_id)
        if ticket is not None:
            return ticket
    if replied is not None:
        return await db.tickets.by_relay(message.chat_id, replied.message_id)
    return None


async def _answer(update: Update, context: HamrohContext, ticket: TicketRow,
                  message: Message) -> None:
    _ = context.gettext
    staff_id = update.effective_user.id if update.effective_user else 0
    if ticket.status != "open":
        await message.reply_text(_("{ref} is closed: the person did not get this.").format(
            ref=ticket_ref(ticket.id)))
        return
    tickets = _service(context)
    requester = tickets.requester_of(ticket)
    if requester.user_id is None:
        await message.reply_text(_("{ref} no longer knows who asked.").format(
            ref=ticket_ref(ticket.id)))
        return
    locale = await _user_locale(context, requester.user_id, ticket.locale)
    user_gettext = context.services.catalogs.get(locale).gettext
    try:
        await relay.relay_to_user(context.bot, requester.user_id, user_gettext, message)
    except TelegramError as error:
        log.warning("could not deliver a volunteer's answer: %s", type(error).__name__)
        await message.reply_text(_("Not delivered: the person blocked the bot or deleted "
                                   "their data."))
        return
    await tickets.add_message(ticket.id, "out", staff_id, kind=relay.message_kind(message),
                              text=message.text or message.caption,
                              file_id=relay.file_id_of(message))
    await context.services.db.tickets.claim(ticket.id, staff_id)  # who answers, has it
    with contextlib.suppress(TelegramError):
        await message.set_reaction("👍")
    log.info("a volunteer answered a ticket")


async def _user_locale(context: HamrohContext, user_id: int, fallback: str) -> str:
    record = await context.services.db.users.get(user_id)
    return record.locale if record and record.locale else fallback


@staff_only()
async def reply_command(update: Update, context: HamrohContext, role: Role) -> None:
    """/reply T-123 text"""
    message = update.effective_message
    assert message is not None and message.text is not None
    _ = context.gettext
    parts = message.text.split(maxsplit=2)
    ticket_id = parse_ticket_ref(parts[1]) if len(parts) > 1 else None
    if ticket_id is None or len(parts) < 3:
        await message.reply_text(_("Usage: /reply T-123 your answer"))
        return
    ticket = await context.services.db.tickets.get(ticket_id)
    if ticket is None:
        await message.reply_text(_("There is no conversation {ref}.").format(
            ref=ticket_ref(ticket_id)))
        return
    # Only the answer itself goes to the user: rebuild it without the command.
    offset = message.text.index(parts[2])
    answer = message.text[offset:]
    tickets = _service(context)
    requester = tickets.requester_of(ticket)
    if ticket.status != "open" or requester.user_id is None:
        await message.reply_text(_("{ref} is closed: the person did not get this.").format(
            ref=ticket_ref(ticket.id)))
        return
    locale = await _user_locale(context, requester.user_id, ticket.locale)
    label = context.services.catalogs.get(locale).gettext(relay.VOLUNTEER)
    if not await send_quietly(context.bot, requester.user_id,
                              f"💬 <b>{label}</b>\n{html.escape(answer)}", "volunteer answer"):
        await message.reply_text(_("Not delivered: the person blocked the bot or deleted "
                                   "their data."))
        return
    staff_id = update.effective_user.id if update.effective_user else 0
    await tickets.add_message(ticket.id, "out", staff_id, kind="text", text=answer,
                              file_id=None)
    await context.services.db.tickets.claim(ticket.id, staff_id)
    await message.reply_text(_("Sent to {ref}.").format(ref=ticket_ref(ticket.id)))


@staff_only()
async def close_command(update: Update, context: HamrohContext, role: Role) -> None:
    _ = context.gettext
    ticket_id = parse_ticket_ref((context.args or [""])[0])
    ticket = await context.services.db.tickets.get(ticket_id) if ticket_id else None
    assert update.effective_message is not None
    if ticket is None:
        await update.effective_message.reply_text(_("Usage: /close T-123"))
        return
    await update.effective_message.reply_text(await _close(context, ticket, _staff_id(update)))


def _staff_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


async def _close(context: HamrohContext, ticket: TicketRow, staff_id: int) -> str:
    _ = context.gettext
    ref = ticket_ref(ticket.id)
    if not await context.services.db.tickets.close(ticket.id):
        return _("{ref} was already closed.").format(ref=ref)
    await context.services.db.audit.record(staff_id, "ticket_close", ref=ref)
    tickets = _service(context)
    requester = tickets.requester_of(ticket)
    told = False
    if requester.user_id is not None:
        locale = await _user_locale(context, requester.user_id, ticket.locale)
        user_tr = context.services.catalogs.get(locale)
        rate = InlineKeyboardMarkup([[
            InlineKeyboardButton("👍", callback_data=pack(relay.USER_NAMESPACE, "rate",
                                                         str(ticket.id), "u")),
            InlineKeyboardButton("👎", callback_data=pack(relay.USER_NAMESPACE, "rate",
                                                         str(ticket.id), "d")),
        ]])
        told = await send_quietly(context.bot, requester.user_id, user_tr.gettext(
            "The volunteer closed this conversation ({ref}). Did it help you? You can always "
            "ask again with “Ask a person”.").format(ref=f"<code>{ref}</code>"),
            "ticket closed", rate)
    await _close_topic(context, ticket)
    return (_("{ref} is closed. The person was told.") if told else
            _("{ref} is closed. The person could not be told.")).format(ref=ref)


async def _close_topic(context: HamrohContext, ticket: TicketRow) -> None:
    chat_id = context.services.settings.moderation_chat_id
    if ticket.thread_id is None or chat_id is None:
        return
    with contextlib.suppress(TelegramError):
        await context.bot.close_forum_topic(chat_id, ticket.thread_id)


async def _tell_staff_closed(context: HamrohContext, ticket: TicketRow, *, by_user: bool) -> None:
    from bot.staff import announce

    def render(locale: str) -> tuple[str, InlineKeyboardMarkup | None]:
        _ = context.services.catalogs.get(locale).gettext
        return _("{ref}: the person ended the conversation.").format(
            ref=ticket_ref(ticket.id)), None

    if by_user:
        await announce(context.bot, context.services.settings, context.services.db, render,
                       "ticket ended notice")
    await _close_topic(context, ticket)


@staff_only()
async def tickets_command(update: Update, context: HamrohContext, role: Role) -> None:
    _ = context.gettext
    db = context.services.db
    rows = await db.tickets.open_tickets(TICKETS_SHOWN)
    assert update.effective_message is not None
    if not rows:
        await update.effective_message.reply_text(_("No open conversations."))
        return
    names = await db.staff.names({row.assignee for row in rows if row.assignee})
    tickets = _service(context)
    lines = ["<b>" + _("Open conversations, oldest first") + "</b>"]
    buttons = []
    for row in rows:
        holder = names.get(row.assignee, f"id {row.assignee}") if row.assignee else _(
            "not taken")
        lines.append(f"{ticket_ref(row.id)} · {html.escape(tickets.pseudonym(row))} · "
                     f"{row.locale} · {row.created_at[:16].replace('T', ' ')} · "
                     f"{html.escape(holder)}")
        take, close = _(relay.TAKE), _(relay.CLOSE)
        buttons.append([
            InlineKeyboardButton(f"{take} {ticket_ref(row.id)}",
                                 callback_data=pack(relay.STAFF_NAMESPACE, "take", str(row.id))),
            InlineKeyboardButton(f"{close} {ticket_ref(row.id)}",
                                 callback_data=pack(relay.STAFF_NAMESPACE, "close", str(row.id))),
        ])
    total = await db.tickets.count_open()
    if total > len(rows):
        lines.append(_("… and {count} more").format(count=total - len(rows)))
    lines.append(_("Answer by replying to a relayed message, or: /reply T-123 text"))
    await update.effective_message.reply_text("\n".join(lines),
                                              reply_markup=InlineKeyboardMarkup(buttons))


@staff_only()
async def staff_button(update: Update, context: HamrohContext, role: Role) -> None:
    """``tk:take|close|suggest:<id>`` under relayed messages and in /tickets."""
    query = update.callback_query
    assert query is not None
    _ = context.gettext
    callback = unpack(query.data)
    action = callback.arg(0) if callback else ""
    ticket_id = parse_ticket_ref(callback.arg(1)) if callback else None
    db = context.services.db
    ticket = await db.tickets.get(ticket_id) if ticket_id else None
    if ticket is None or action not in ("take", "close", "suggest"):
        with contextlib.suppress(BadRequest):
            await query.answer(_("This button is no longer available."))
        return
    ref = ticket_ref(ticket.id)
    staff_id = _staff_id(update)
    if action == "take":
        if await db.tickets.claim(ticket.id, staff_id):
            await db.audit.record(staff_id, "ticket_take", ref=ref)
            text = _("Conversation {ref} is yours now.").format(ref=ref)
        else:
            current = await db.tickets.get(ticket.id)
            holder = current.assignee if current else None
            names = await db.staff.names({holder}) if holder else {}
            text = (_("Conversation {ref} is already taken by {name}.").format(
                ref=ref, name=names.get(holder, f"id {holder}")) if holder and current
                and current.status == "open" else _("{ref} was already closed.").format(ref=ref))
        await query.answer(text, show_alert=True)
    elif action == "close":
        await query.answer(await _close(context, ticket, staff_id), show_alert=True)
    else:
        await query.answer(await _suggest_report(context, ticket, staff_id), show_alert=True)


async def _suggest_report(context: HamrohContext, ticket: TicketRow, staff_id: int) -> str:
    _ = context.gettext
    ref = ticket_ref(ticket.id)
    requester = _service(context).requester_of(ticket)
    if ticket.status != "open" or requester.user_id is None:
        return _("{ref} is closed: the person did not get this.").format(ref=ref)
    locale = await _user_locale(context, requester.user_id, ticket.locale)
    user_tr = context.services.catalogs.get(locale)
    markup = keyboards.column([keyboards.button(user_tr.gettext(keyboards.MENU_REPORT), "menu",
                                                "report")])
    sent = await send_quietly(context.bot, requester.user_id, user_tr.gettext(
        "The volunteer suggests that you report what happened as an incident. A report helps "
        "to document such cases for officials; you choose what to tell and whether to stay "
        "anonymous."), "report suggestion", markup)
    await context.services.db.audit.record(staff_id, "ticket_suggest_report", ref=ref)
    return (_("The person got a button to start a report.") if sent
            else _("Not delivered: the person blocked the bot or deleted their data."))


# --- wiring ----------------------------------------------------------------------------

def register_support_handlers(app: Application, group: int,  # type: ignore[type-arg]
                              user_group: int) -> None:
    """In ``group``, after moderation and a reporter's answers, before the features; a
    user's messages to an open ticket in ``user_group`` right after."""
    for name, handler in (("reply", reply_command), ("close", close_command),
                          ("tickets", tickets_command)):
        app.add_handler(CommandHandler(name, passing_on(handler)), group=group)
    app.add_handler(CommandHandler("ask", ask_person, filters=PRIVATE), group=group)
    app.add_handler(CommandHandler("cancel", in_conversation, filters=PRIVATE), group=group)
    app.add_handler(CallbackQueryHandler(in_conversation, pattern=r"^menu:ask$"), group=group)
    app.add_handler(CallbackQueryHandler(ask_person, pattern=r"^human:ask$"), group=group)
    app.add_handler(CallbackQueryHandler(passing_on(staff_button),
                                         pattern=rf"^{relay.STAFF_NAMESPACE}:"), group=group)
    app.add_handler(CallbackQueryHandler(user_button, pattern=rf"^{relay.USER_NAMESPACE}:"),
                    group=group)
    # Staff answers (groups and private replies) first, then users' messages.
    app.add_handler(MessageHandler(
        filters.UpdateType.MESSAGE & ~filters.COMMAND & (~PRIVATE | filters.REPLY),
        passing_on(staff_message)), group=group)
    app.add_handler(MessageHandler(PRIVATE & filters.UpdateType.MESSAGE & ~filters.COMMAND,
                                   capture_message), group=user_group)



def setup_support(app: Application) -> None:  # type: ignore[type-arg]
    """From ``post_init``: closed tickets forget who asked after TICKET_RETENTION_DAYS."""
    if app.job_queue is None:
        log.warning("no job queue: closed tickets will keep their identity link")
        return
    app.job_queue.run_repeating(_retention_job, interval=timedelta(hours=6),
                                first=timedelta(seconds=30), name="ticket-retention")


async def _retention_job(context: HamrohContext) -> None:
    retention = timedelta(days=context.services.settings.ticket_retention_days)
    await _service(context).drop_old_identities(retention)
