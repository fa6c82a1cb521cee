"""The command list shown in Telegram's menu, registered per language."""

from __future__ import annotations

from telegram import BotCommand
from telegram.ext import ExtBot

from bot.i18n import N_, Catalogs

# (command, description) in menu order; descriptions are translated per language.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("menu", N_("Main menu")),
    ("report", N_("Report an incident")),
    ("myreports", N_("My reports and their status")),
    ("help", N_("How to use the bot")),
    ("language", N_("Change the language")),
    ("forget", N_("Delete my data")),
    ("cancel", N_("Cancel what I am doing")),
    ("start", N_("Start again")),
)

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
