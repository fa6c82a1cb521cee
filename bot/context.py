"""The callback context every handler receives: services plus the user's language."""

from __future__ import annotations

from datetime import date
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.i18n import DEFAULT_LOCALE, Translator
from bot.services import SERVICES_KEY, Services


class HamrohContext(CallbackContext[ExtBot, dict[str, Any], dict[str, Any], dict[str, Any]]):
    """Adds ``services``, ``locale`` and gettext helpers to PTB's context.

    ``locale`` is set once per update by ``handlers.tracking`` (group -1), so every
    later handler of that update speaks the user's language.
    """

    def __init__(
        self,
        application: Application,  # type: ignore[type-arg]
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.locale: str = DEFAULT_LOCALE
        self.is_new_user: bool = False

    @property
    def services(self) -> Services:
        return self.application.bot_data[SERVICES_KEY]  # type: ignore[no-any-return]

    @property
    def translator(self) -> Translator:
        return self.services.catalogs.get(self.locale)

    def gettext(self, message: str) -> str:
        return self.translator.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translator.ngettext(singular, plural, n)

    def format_date(self, value: date, fmt: str = "long") -> str:
        return self.translator.format_date(value, fmt)
