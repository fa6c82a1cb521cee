"""The command list shown in Telegram's menu, registered per language."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.i18n import N_, Catalogs

# (command, description) in menu order; descriptions are translated per language.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("menu", N_("Main menu")),
    ("report", N_("Report an incident")),
    ("myreports", N_("My reports and their status")),
    ("ask", N_("Ask a person")),
    ("help", N_("How to use the bot")),
    ("language", N_("Change the language")),
    ("forget", N_("Delete my data")),
    ("cancel", N_("Cancel what I am doing")),
    ("start", N_("Start again")),
)

# Shown, in addition, in the chats of staff only (a per-chat command scope).
MODERATOR_COMMANDS: tuple[tuple[str, str], ...] = (
    ("queue", N_("Reports to review")),
    ("stats", N_("Report statistics")),
    ("export", N_("Export verified reports")),
    ("tickets", N_("Open conversations with people")),
    ("unanswered", N_("What the bot could not answer")),
    ("stale", N_("Articles whose rules may have changed")),
)
OWNER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("mod", N_("Add or remove moderators")),
    ("broadcast", N_("Send an announcement to users")),
    ("audit", N_("The latest moderator actions")),
    ("reload", N_("Read the knowledge base again")),
)

log = logging.getLogger(__name__)

# Telegram picks the list by the client's language; readers of Russian use these clients.
_LANGUAGE_CODES: dict[str, tuple[str, ...]] = {
    "tg": ("tg",),
    "ru": ("ru", "uk", "be", "kk", "ky", "uz"),
    "en": ("en",),
}


def commands_for(catalogs: Catalogs, locale: str) -> list[BotCommand]:
    _ = catalogs.get(locale).gettext
    return [BotCommand(name, _(description)) for name, description in COMMANDS]


async def register_commands(bot: ExtBot, catalogs: Catalogs) -> None:
    await bot.set_my_commands(commands_for(catalogs, "en"))  # default for every other language
    for locale, codes in _LANGUAGE_CODES.items():
        for code in codes:
            await bot.set_my_commands(commands_for(catalogs, locale), language_code=code)


async def set_staff_commands(bot: ExtBot, catalogs: Catalogs, chat_id: int, locale: str, *,
                             owner: bool) -> bool:
    """Give a moderator's (or owner's) private chat the moderator commands in its menu."""
    _ = catalogs.get(locale).gettext
    extra = MODERATOR_COMMANDS + (OWNER_COMMANDS if owner else ())
    commands = commands_for(catalogs, locale) + [BotCommand(name, _(text)) for name, text in extra]
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    except TelegramError as error:  # they have not started the bot yet
        log.info("staff command menu not set: %s", type(error).__name__)
        return False
    return True


async def clear_staff_commands(bot: ExtBot, chat_id: int) -> None:
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id))
    except TelegramError as error:
        log.info("staff command menu not removed: %s", type(error).__name__)
