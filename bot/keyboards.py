"""Inline keyboards shared by several handlers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import pack
from bot.i18n import LANGUAGE_FLAGS, LANGUAGE_NAMES, N_, SUPPORTED_LOCALES

Gettext = Callable[[str], str]

MENU_TOPICS = N_("📚 Questions by topic")
MENU_ASK = N_("❓ Ask a question")
MENU_PERSON = N_("🙋 Ask a person")
MENU_REPORT = N_("📝 Report an incident")
MENU_EMERGENCY = N_("🆘 Emergency help")
MENU_LANGUAGE = N_("🌐 Language")
BACK_TO_MENU = N_("🏠 Main menu")


def button(text: str, namespace: str, *args: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=pack(namespace, *args))


def column(buttons: Iterable[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    """One button per row: easiest to read and tap on a small phone."""
    return InlineKeyboardMarkup([[item] for item in buttons])


def main_menu(_: Gettext) -> InlineKeyboardMarkup:
    return column(
        [
            button(_(MENU_TOPICS), "menu", "topics"),
            button(_(MENU_ASK), "menu", "ask"),
            button(_(MENU_PERSON), "human", "ask"),
            button(_(MENU_REPORT), "menu", "report"),
            button(_(MENU_EMERGENCY), "menu", "emergency"),
            button(_(MENU_LANGUAGE), "menu", "lang"),
        ]
    )


# ``lang:keep``: "No, thanks" under an offer to switch to the language a question was in.
KEEP_LANGUAGE = "keep"


def language_picker(current: str | None = None) -> InlineKeyboardMarkup:
    return column(
        button(
            f"{LANGUAGE_FLAGS[code]} {LANGUAGE_NAMES[code]}" + (" ✓" if code == current else ""),
            "lang",
            code,
        )
        for code in SUPPORTED_LOCALES
    )


def back_to_menu(_: Gettext) -> InlineKeyboardMarkup:
    return column([button(_(BACK_TO_MENU), "menu", "main")])


def rows(buttons: Sequence[InlineKeyboardButton], per_row: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]
