"""Who the staff are and how to reach them: shared by reports (alerts, honest receipts)
and moderation (role checks). Sits below the features and imports none of them.

Owners are ``ADMIN_IDS``; moderators are kept in the database (``/mod add``). A role is
checked on every update from the person who sent it, never from the chat it came from.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from telegram import InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.callbacks import pack
from bot.i18n import DEFAULT_LOCALE

if TYPE_CHECKING:
    from telegram import Bot

    from bot.config import Settings
    from bot.storage import Database

log = logging.getLogger(__name__)

# Every moderator button's callback data starts with this namespace.
MODERATION_NAMESPACE = "mod"


class Role(Enum):
    OWNER = "owner"
    MODERATOR = "moderator"


def open_report_data(ref: str) -> str:
    """Callback data of the "Open" button under an announcement."""
    return pack(MODERATION_NAMESPACE, "open", ref)


async def role_of(settings: Settings, db: Database, user_id: int | None) -> Role | None:
    if user_id is None:
        return None
    if user_id in settings.admin_ids:
        return Role.OWNER
    if await db.staff.is_moderator(user_id):
        return Role.MODERATOR
    return None


async def reviewers_exist(settings: Settings, db: Database) -> bool:
    """Is there anyone who could read a report or answer a person? Owners count: they
    are moderators too."""
    return bool(settings.admin_ids) or bool(await db.staff.moderators())


@dataclass(frozen=True)
class Target:
    chat_id: int
    locale: str


async def alert_targets(settings: Settings, db: Database) -> list[Target]:
    """The moderation chat if one is configured, else every owner and moderator who has
    talked to the bot (Telegram refuses the others) and not blocked it, privately, each in
    the language they chose in the bot."""
    if settings.moderation_chat_id is not None:
        return [Target(settings.moderation_chat_id, settings.moderation_locale)]
    ids = set(settings.admin_ids) | {row.user_id for row in await db.staff.moderators()}
    targets = []
    for user_id in sorted(ids):
        record = await db.users.get(user_id)
        if record is None or record.blocked_bot:
            continue
        targets.append(Target(user_id, record.locale or DEFAULT_LOCALE))
    return targets


Render = Callable[[str], tuple[str, InlineKeyboardMarkup | None]]


async def announce(bot: Bot, settings: Settings, db: Database, render: Render,
                   what: str) -> int:
    """Send ``render(locale)`` to every alert target; return how many were reached.
    Callers promise a human only when this is above zero."""
    reached = 0
    for target in await alert_targets(settings, db):
        text, markup = render(target.locale)
        if await send_quietly(bot, target.chat_id, text, what, markup):
            reached += 1
    if reached == 0:
        log.warning("%s: no moderator could be reached", what)
    return reached


async def send_quietly(bot: Bot, chat_id: int, text: str, what: str,
                       markup: InlineKeyboardMarkup | None = None) -> bool:
    """Send and report success; a failure is logged by kind only (no ids, no text)."""
    try:
        await bot.send_message(chat_id, text, reply_markup=markup)
    except TelegramError as error:
        log.warning("could not deliver a %s: %s", what, type(error).__name__)
        return False
    return True
