"""Interface language: gettext catalogues compiled from ``locales/*/LC_MESSAGES/messages.po``.

The ``.po`` files are compiled in memory at start, so a translator's edit takes
effect on the next restart without a separate build step (``pybabel compile``
still works and is what the README's translator workflow shows).
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from babel.dates import format_date as babel_format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.paths import locales_dir

SUPPORTED_LOCALES: tuple[str, ...] = ("tg", "ru", "en")
DEFAULT_LOCALE = "en"
DOMAIN = "messages"

# Each language written in itself, for the picker.
LANGUAGE_NAMES: dict[str, str] = {"tg": "Тоҷикӣ", "ru": "Русский", "en": "English"}
LANGUAGE_FLAGS: dict[str, str] = {"tg": "🇹🇯", "ru": "🇷🇺", "en": "🇬🇧"}

# Telegram clients set to these languages are far more likely to read Russian than English.
_RUSSIAN_READERS = frozenset({"ru", "uk", "be", "kk", "ky", "uz"})


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where it is shown."""
    return message


def locale_for_language_code(language_code: str | None) -> str:
    """Map Telegram's ``language_code`` (IETF tag such as ``ru-RU``) to a supported locale."""
    if not language_code:
        return DEFAULT_LOCALE
    primary = language_code.replace("_", "-").split("-")[0].lower()
    if primary == "tg":
        return "tg"
    if primary in _RUSSIAN_READERS:
        return "ru"
    return DEFAULT_LOCALE


@dataclass(frozen=True)
class Translator:
    locale: str
    _catalog: gettext.NullTranslations

    def gettext(self, message: str) -> str:
        return self._catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalog.ngettext(singular, plural, n)

    def format_date(self, value: date, fmt: str = "long") -> str:
        return babel_format_date(value, format=fmt, locale=self.locale)


class Catalogs:
    """Compiled translations for every supported locale."""

    def __init__(self, translators: dict[str, Translator]) -> None:
        self._translators = translators

    @classmethod
    def load(cls, directory: Path | None = None) -> Catalogs:
        root = directory or locales_dir()
        translators = {
            locale: Translator(locale, _compile(root / locale / "LC_MESSAGES" / f"{DOMAIN}.po",
                                                locale))
            for locale in SUPPORTED_LOCALES
        }
        return cls(translators)

    def get(self, locale: str | None) -> Translator:
        return self._translators.get(locale or DEFAULT_LOCALE) or self._translators[DEFAULT_LOCALE]


def _compile(po_path: Path, locale: str) -> gettext.NullTranslations:
    if not po_path.exists():
        raise FileNotFoundError(f"missing translation catalogue {po_path}")
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
