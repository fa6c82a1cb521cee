"""Immutable in-memory form of the knowledge base."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

LANGS: tuple[str, ...] = ("tg", "ru", "en")
STATUSES: tuple[str, ...] = ("draft", "reviewed")

# When an article lacks the user's language, English is the better guess for a
# reader of Tajik than nothing; Russian is the last resort.
_FALLBACK = ("en", "ru", "tg")


@dataclass(frozen=True)
class LocalizedText:
    status: str  # "draft" | "reviewed"
    title: str
    short: str  # Telegram HTML
    details: str  # Telegram HTML
    keywords: tuple[str, ...]
    # Where to check before acting once ``check_by`` has passed ("the MVD's website…").
    check_how: str = ""
    # Questions as people type them (every style): what the answer model learns from.
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Article:
    id: str
    category: str
    order: int
    reviewed: datetime.date
    sources: tuple[str, ...]
    related: tuple[str, ...]
    # Mappings are not hashable; keep the dataclass hashable by the other fields.
    texts: Mapping[str, LocalizedText] = field(hash=False)
    # The date of the facts the article rests on (what users see as "Rules as of"),
    # not the date an editor last touched the file.
    rules_as_of: datetime.date | None = None
    # A point in the article is known to change by then (an experiment ends, a bill,
    # next year's prices): after it the answer warns and ``kb check`` calls it stale.
    check_by: datetime.date | None = None
    # The answer is about an incident people can report: "" (no button), "yes" ("Report
    # this") or "urgent" ("Report it now", the report flow already marked urgent).
    report: str = ""

    def text(self, lang: str) -> LocalizedText:
        """The text in ``lang``, else English, else Russian (else any language present)."""
        for candidate in (lang, *_FALLBACK):
            found = self.texts.get(candidate)
            if found is not None:
                return found
        raise KeyError(f"article {self.id!r} has no text in any language")


@dataclass(frozen=True)
class Category:
    id: str
    icon: str
    titles: Mapping[str, str] = field(hash=False)

    def title(self, lang: str) -> str:
        for candidate in (lang, *_FALLBACK):
            found = self.titles.get(candidate)
            if found:
                return found
        return self.id


@dataclass(frozen=True)
class KnowledgeBase:
    categories: tuple[Category, ...]
    articles: Mapping[str, Article] = field(hash=False)

    def category(self, id: str) -> Category | None:
        for cat in self.categories:
            if cat.id == id:
                return cat
        return None

    def article(self, id: str) -> Article | None:
        return self.articles.get(id)

    def in_category(self, category_id: str) -> list[Article]:
        return sorted(
            (a for a in self.articles.values() if a.category == category_id),
            key=lambda a: (a.order, a.id),
        )
