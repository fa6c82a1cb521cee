"""The rules of writing a broadcast, as plain functions (no Telegram, no database).

An owner writes the announcement in one, two or all three interface languages; every language
left out, and every user who never chose a language, gets the *fallback* text (one of those
written; the first one written unless the owner picks another). The owner must see the
preview before choosing the audience, and the audience before sending; changing a text sends
them back to the preview.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.i18n import SUPPORTED_LOCALES
from bot.storage.broadcasts import EVERYONE
from bot.telegram_html import HtmlParseError, parse_html, utf16_len

LANGUAGES: tuple[str, ...] = SUPPORTED_LOCALES  # tg, ru, en: the order of the previews
AUDIENCES: tuple[str, ...] = (EVERYONE, *LANGUAGES)
MAX_CHARS = 4096  # Telegram's limit for one message, after the HTML tags are taken out

# Entities a Telegram client adds by itself; anything else means the owner formatted the text
# with the client's own buttons, and then its HTML form is what they meant.
_AUTOMATIC_ENTITIES = frozenset({"mention", "hashtag", "cashtag", "bot_command", "url", "email",
                                 "phone_number"})


@dataclass
class Draft:
    """An owner's announcement while it is written (kept in their ``user_data``)."""

    texts: dict[str, str] = field(default_factory=dict)  # language -> Telegram HTML
    fallback: str | None = None
    awaiting: str | None = None  # the language the owner's next message is the text for
    previewed: bool = False
    audience: str | None = None

    @classmethod
    def from_data(cls, data: object) -> Draft | None:
        """From ``user_data``; anything malformed is no draft."""
        if not isinstance(data, Mapping):
            return None
        texts = data.get("texts")
        if not isinstance(texts, Mapping):
            return None
        draft = cls(texts={str(k): str(v) for k, v in texts.items() if k in LANGUAGES and v})
        fallback = data.get("fallback")
        draft.fallback = fallback if fallback in draft.texts else None
        awaiting = data.get("awaiting")
        draft.awaiting = awaiting if awaiting in LANGUAGES else None
        draft.previewed = bool(data.get("previewed")) and bool(draft.texts)
        audience = data.get("audience")
        draft.audience = audience if audience in AUDIENCES and draft.previewed else None
        return draft

    def to_data(self) -> dict[str, Any]:
        return {"texts": dict(self.texts), "fallback": self.fallback, "awaiting": self.awaiting,
                "previewed": self.previewed, "audience": self.audience}

    @property
    def written(self) -> list[str]:
        return [lang for lang in LANGUAGES if lang in self.texts]

    @property
    def effective_fallback(self) -> str | None:
        return fallback_of(self.texts, self.fallback)

    @property
    def missing(self) -> list[str]:
        return [lang for lang in LANGUAGES if lang not in self.texts]

    def set_text(self, language: str, html: str) -> None:
        """Keep (or replace) one language's text; the preview must be seen again."""
        if language not in LANGUAGES:
            raise ValueError(f"not a language: {language!r}")
        self.texts[language] = html
        self.awaiting = None
        self._changed()

    def set_fallback(self, language: str) -> bool:
        if language not in self.texts:
            return False
        if self.effective_fallback != language:
            self.fallback = language
            self._changed()
        return True

    def preview_done(self) -> bool:
        if not self.texts:
            return False
        self.previewed = True
        self.audience = None
        return True

    def choose_audience(self, audience: str) -> bool:
        if not self.previewed or audience not in AUDIENCES:
            return False
        self.audience = audience
        return True

    def _changed(self) -> None:
        self.previewed = False
        self.audience = None


def fallback_of(texts: Mapping[str, str], chosen: str | None) -> str | None:
    """The chosen fallback if it is written, else the first language written (dict order:
    the order the owner wrote them in)."""
    if chosen in texts:
        return chosen
    return next(iter(texts), None)


def text_for(texts: Mapping[str, str], fallback: str | None, locale: str | None) -> str:
    """What a user whose language is ``locale`` (None: never chosen) receives."""
    if locale in texts:
        return texts[locale]  # type: ignore[index]
    chosen = fallback_of(texts, fallback)
    if chosen is None:
        raise ValueError("an announcement without any text")
    return texts[chosen]


def send_problem(draft: Draft | None, audience: str) -> str | None:
    """Why "Send" may not go ahead now (None: it may). Codes: ``no_draft``, ``empty``,
    ``not_previewed``, ``audience`` (not the audience shown on the confirmation)."""
    if draft is None:
        return "no_draft"
    if not draft.texts:
        return "empty"
    if not draft.previewed:
        return "not_previewed"
    if audience not in AUDIENCES or draft.audience != audience:
        return "audience"
    return None


@dataclass(frozen=True)
class TextCheck:
    html: str
    problem: str | None = None  # None, "empty", "html" or "too_long"
    detail: str = ""  # the parser's description of an HTML error
    length: int = 0  # characters a user will see (UTF-16 units, as Telegram counts)

    @property
    def ok(self) -> bool:
        return self.problem is None


def check_text(html: str) -> TextCheck:
    """Validate an announcement written in Telegram HTML, as Telegram would."""
    text = html.strip()
    if not text:
        return TextCheck(text, "empty")
    try:
        plain, _entities = parse_html(text)
    except HtmlParseError as error:
        return TextCheck(text, "html", detail=error.reason)
    length = utf16_len(plain.strip())
    if length == 0:
        return TextCheck(text, "empty")
    if length > MAX_CHARS:
        return TextCheck(text, "too_long", length=length)
    return TextCheck(text, length=length)


def has_client_formatting(entity_types: Iterable[str]) -> bool:
    """Did the owner format the message with the Telegram client (bold, links…)? Then its
    HTML form is the announcement; otherwise the typed text is read as HTML."""
    return any(kind not in _AUTOMATIC_ENTITIES for kind in entity_types)


def audience_size(sizes: Mapping[str | None, int], audience: str) -> int:
    """How many reachable users an audience has, from ``audience_sizes()``."""
    if audience == EVERYONE:
        return sum(sizes.values())
    return sizes.get(audience, 0)


def duration_parts(seconds: float) -> tuple[int, int, int]:
    """(hours, minutes, seconds), rounded up to whole seconds; at least one second."""
    total = max(1, int(-(-seconds // 1)))
    return total // 3600, total % 3600 // 60, total % 60


def estimate_seconds(left: int, rate: float) -> float:
    return left / rate if rate > 0 else 0.0


def parse_args(data: tuple[str, ...], index: int) -> int | None:
    """A broadcast id from a button's arguments."""
    if index >= len(data) or not data[index].isdecimal():
        return None
    return int(data[index])
