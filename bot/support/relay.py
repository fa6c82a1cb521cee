"""Carrying messages between a user and the staff, both ways, revealing neither side.

To staff: a copy of what the user sent (``copyMessage`` carries no sender), under a header
with the ticket number, the user's pseudonym, their language and the last article they saw,
and their name only if they agreed. Into a forum topic of its own when the moderation chat
is a forum, else to the moderation chat, else privately to every owner and moderator.
To the user: what a moderator wrote, sent by the bot with nothing that names them.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, TelegramError

from bot.callbacks import pack
from bot.i18n import LANGUAGE_NAMES, N_
from bot.staff import Target, alert_targets
from bot.storage.tickets import TicketRow
from bot.support.service import TicketService, ticket_ref
from bot.views.text import split_message

if TYPE_CHECKING:
    from telegram import Bot

    from bot.services import Services

log = logging.getLogger(__name__)

STAFF_NAMESPACE = "tk"  # buttons under a relayed message
USER_NAMESPACE = "tu"  # the user's own buttons (end, show my name, rating)
FORUM_KEY = "support_forum"  # bot_data: is the moderation chat a forum? (asked once)
CAPTIONED = ("photo", "video", "document", "audio", "voice", "animation")
CAPTION_LIMIT = 1024

Gettext = Callable[[str], str]

TAKE = N_("✋ Take")
CLOSE = N_("✅ Close")
SUGGEST_REPORT = N_("📝 Suggest a report")
VOLUNTEER = N_("Volunteer")


def message_kind(message: Message) -> str:
    for kind in ("text", *CAPTIONED, "sticker", "video_note", "location", "contact"):
        if getattr(message, kind, None):
            return kind
    return "other"


def file_id_of(message: Message) -> str | None:
    if message.photo:
        return message.photo[-1].file_id
    for kind in ("video", "document", "audio", "voice", "animation", "sticker", "video_note"):
        attachment = getattr(message, kind, None)
        if attachment is not None:
            return str(attachment.file_id)
    return None


def staff_keyboard(ticket_id: int, _: Gettext) -> InlineKeyboardMarkup:
    ref = str(ticket_id)
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(_(TAKE), callback_data=pack(STAFF_NAMESPACE, "take", ref)),
         InlineKeyboardButton(_(CLOSE), callback_data=pack(STAFF_NAMESPACE, "close", ref))],
        [InlineKeyboardButton(_(SUGGEST_REPORT),
                              callback_data=pack(STAFF_NAMESPACE, "suggest", ref))],
    ])


async def is_forum(bot: Bot, services: Services, bot_data: dict[str, object]) -> bool:
    chat_id = services.settings.moderation_chat_id
    if chat_id is None:
        return False
    if FORUM_KEY not in bot_data:
        try:
            chat = await bot.get_chat(chat_id)
        except TelegramError as error:
            log.warning("could not read the moderation chat: %s", type(error).__name__)
            return False
        bot_data[FORUM_KEY] = bool(chat.is_forum)
    return bool(bot_data[FORUM_KEY])


async def ensure_topic(bot: Bot, services: Services, tickets: TicketService,
                       ticket: TicketRow, bot_data: dict[str, object]) -> TicketRow:
    """A forum topic of its own for the ticket (once), named without identifying anyone."""
    if ticket.thread_id is not None or not await is_forum(bot, services, bot_data):
        return ticket
    chat_id = services.settings.moderation_chat_id
    assert chat_id is not None
    name = f"{ticket_ref(ticket.id)} · {ticket.locale} · {tickets.pseudonym(ticket)}"
    try:
        topic = await bot.create_forum_topic(chat_id, name[:128])
    except TelegramError as error:  # no right to manage topics: the plain group way
        log.warning("could not create a forum topic: %s", type(error).__name__)
        return ticket
    await services.db.tickets.set_thread(ticket.id, topic.message_thread_id)
    refreshed = await services.db.tickets.get(ticket.id)
    assert refreshed is not None
    return refreshed


def _header(ticket: TicketRow, tickets: TicketService, name: str | None,
            article_title: str | None, _: Gettext) -> str:
    parts = [f"🎫 <b>{ticket_ref(ticket.id)}</b>", html.escape(tickets.pseudonym(ticket)),
             LANGUAGE_NAMES.get(ticket.locale, ticket.locale)]
    if name:
        parts.append("👤 " + html.escape(name))
    line = " · ".join(parts)
    if article_title:
        line += "\n" + _("Last article seen: {title}").format(
            title=html.escape(article_title))
    return line


async def relay_to_staff(bot: Bot, services: Services, tickets: TicketService,
                         ticket: TicketRow, message: Message | None, *, name: str | None,
                         article_title: str | None, text: str | None = None) -> int:
    """Show the user's ``message`` (or a ``text`` they typed earlier) to the staff; return
    how many chats it reached."""
    reached = 0
    for target in await alert_targets(services.settings, services.db):
        thread = ticket.thread_id if target.chat_id == services.settings.moderation_chat_id \
            else None
        try:
            sent = await _relay_one(bot, services, target, thread, ticket, tickets, message,
                                    text, name, article_title)
        except TelegramError as error:
            log.warning("could not relay a ticket message: %s", type(error).__name__)
            continue
        for message_id in sent:
            await services.db.tickets.add_relay(target.chat_id, message_id, ticket.id)
        reached += 1
    return reached


async def _relay_one(bot: Bot, services: Services, target: Target, thread: int | None,
                     ticket: TicketRow, tickets: TicketService, message: Message | None,
                     text: str | None, name: str | None, article_title: str | None) -> list[int]:
    _ = services.catalogs.get(target.locale).gettext
    header = _header(ticket, tickets, name, article_title, _)
    markup = staff_keyboard(ticket.id, _)
    if message is None or message.text is not None:
        body = text if message is None else message.text
        # A message of 4,096 characters plus the header is over Telegram's limit: in parts,
        # each mapped to the ticket (a reply to any of them answers the person).
        ids = []
        parts = split_message(f"{header}\n\n{html.escape(body or '')}")
        for number, part in enumerate(parts):
            sent = await bot.send_message(
                target.chat_id, part, message_thread_id=thread,
                reply_markup=markup if number == len(parts) - 1 else None)
            ids.append(sent.message_id)
        return ids
    kind = message_kind(message)
    if kind in CAPTIONED:
        caption = header + (f"\n\n{html.escape(message.caption)}" if message.caption else "")
        if len(caption) <= CAPTION_LIMIT:
            copy = await bot.copy_message(target.chat_id, message.chat_id, message.message_id,
                                          caption=caption, reply_markup=markup,
                                          message_thread_id=thread)
            return [copy.message_id]
    # No caption possible (sticker, video note…) or too long: the header, then the copy.
    first = await bot.send_message(target.chat_id, header, reply_markup=markup,
                                   message_thread_id=thread)
    copy = await bot.copy_message(target.chat_id, message.chat_id, message.message_id,
                                  message_thread_id=thread)
    return [first.message_id, copy.message_id]


async def relay_to_user(bot: Bot, user_id: int, _: Gettext, message: Message) -> None:
    """Send a moderator's answer to the user from the bot: text as a new message, media as
    a copy (no sender on either)."""
    label = "💬 <b>" + _(VOLUNTEER) + "</b>"
    if message.text is not None:  # near 4,096 characters the label tips it over: parts
        for part in split_message(f"{label}\n{message.text_html}"):
            await bot.send_message(user_id, part)
        return
    caption = label + (f"\n{message.caption_html}" if message.caption else "")
    try:
        await bot.copy_message(user_id, message.chat_id, message.message_id, caption=caption)
    except BadRequest:  # a kind without a caption (sticker, video note)
        await bot.send_message(user_id, label)
        await bot.copy_message(user_id, message.chat_id, message.message_id)
