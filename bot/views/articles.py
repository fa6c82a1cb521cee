"""How an article looks in a chat: pure functions from (article, language) to text and buttons."""

from __future__ import annotations

import datetime
import html
from collections.abc import Callable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import N_, Translator
from bot.kb.model import Article, Category, KnowledgeBase
from bot.keyboards import BACK_TO_MENU, button

MORE_DETAILS = N_("📖 More details")
SOURCES = N_("📜 Sources")
SHORT_ANSWER = N_("⬅️ Short answer")
REPORT_THIS = N_("📝 Report this")
REPORT_URGENT = N_("🆘 Report it now (urgent)")
HELPFUL = N_("👍 Helpful")
NOT_HELPFUL = N_("👎 Not helpful")
ASK_PERSON = N_("🙋 Ask a person")
BACK = N_("⬅️ Back")
MAX_RELATED_BUTTONS = 4

# Which of an article's screens a message shows: the first screen, the details, the sources.
SHORT, DETAILS, SOURCES_VIEW = "a", "d", "s"

Gettext = Callable[[str], str]


def rules_as_of_line(article: Article, t: Translator) -> str:
    """The date of the facts, not of the last edit: "Rules as of March 2026"."""
    _ = t.gettext
    when = article.rules_as_of or article.reviewed
    text = _("Rules as of {month}").format(month=t.format_date(when, "LLLL y"))
    return f"🗓 <i>{text}</i>"


def is_stale(article: Article, today: datetime.date) -> bool:
    return article.check_by is not None and article.check_by <= today


def stale_warning(article: Article, lang: str, t: Translator) -> str:
    """The first line of an answer whose ``check_by`` has passed."""
    _ = t.gettext
    assert article.check_by is not None
    how = article.text(lang).check_how or _("the Embassy of Tajikistan or the MVD")
    text = _("This may have changed since {date}. Before you act, check: {how}").format(
        date=t.format_date(article.check_by), how=html.escape(how, quote=False))
    return f"⚠️ <b>{text}</b>"


def _title(article: Article, lang: str) -> str:
    return f"<b>{html.escape(article.text(lang).title, quote=False)}</b>"


def _with_warning(parts: list[str], article: Article, lang: str, t: Translator,
                  today: datetime.date | None) -> str:
    if today is not None and is_stale(article, today):
        parts.insert(0, stale_warning(article, lang, t))
    return "\n\n".join(parts)


def article_short(article: Article, lang: str, t: Translator,
                  today: datetime.date | None = None) -> str:
    """The first screen: what to do, and how fresh the rules are."""
    text = article.text(lang)
    return _with_warning([_title(article, lang), text.short.strip(),
                          rules_as_of_line(article, t)], article, lang, t, today)


def article_details(article: Article, lang: str, t: Translator,
                    today: datetime.date | None = None) -> str:
    """Behind "More details": the reasons and the law, the date of the rules and, once,
    whether a native speaker has checked the translation."""
    _ = t.gettext
    text = article.text(lang)
    parts = [_title(article, lang), text.details.strip() or text.short.strip(),
             rules_as_of_line(article, t)]
    if text.status != "reviewed":
        parts.append("<i>" + _("This translation has not yet been checked by a native "
                               "speaker.") + "</i>")
    return _with_warning(parts, article, lang, t, today)


def article_sources(article: Article, lang: str, t: Translator) -> str:
    _ = t.gettext
    lines = [f"• {html.escape(source, quote=False)}" for source in article.sources]
    return "\n".join([_title(article, lang), "", "<b>" + _("Sources:") + "</b>", *lines, "",
                      rules_as_of_line(article, t)])


def article_keyboard(
    article: Article, t: Translator, lang: str, *, view: str = SHORT,
    related: Sequence[Article] = (), feedback: bool = True,
) -> InlineKeyboardMarkup:
    """Details and Sources, the report button where the article is about an incident,
    the related articles, the vote, and the way back."""
    _ = t.gettext
    rows: list[list[InlineKeyboardButton]] = []
    onwards = []
    if view != SHORT:
        onwards.append(button(_(SHORT_ANSWER), "kb", SHORT, article.id))
    if view != DETAILS and article.text(lang).details:
        onwards.append(button(_(MORE_DETAILS), "kb", DETAILS, article.id))
    if view != SOURCES_VIEW and article.sources:
        onwards.append(button(_(SOURCES), "kb", SOURCES_VIEW, article.id))
    if onwards:
        rows.append(onwards)
    if article.report == "urgent":
        rows.append([button(_(REPORT_URGENT), "menu", "urgent_report")])
    elif article.report:
        rows.append([button(_(REPORT_THIS), "menu", "report")])
    rows += [[button("➡️ " + other.text(lang).title, "kb", SHORT, other.id)]
             for other in related]
    if feedback:
        rows.append([button(_(HELPFUL), "fb", "u", article.id),
                     button(_(NOT_HELPFUL), "fb", "d", article.id)])
    rows.append([button(_(BACK), "kb", "c", article.category),
                 button(_(BACK_TO_MENU), "menu", "main")])
    return InlineKeyboardMarkup(rows)


def related_articles(article: Article, kb: KnowledgeBase, *, first: Sequence[str] = ()
                     ) -> list[Article]:
    """The buttons onwards: ``first`` (articles chosen for this question), then up to
    ``MAX_RELATED_BUTTONS`` of the article's own related ones; each once, never itself."""
    chosen = [found for other in dict.fromkeys(first)
              if other != article.id and (found := kb.article(other)) is not None]
    own = [found for other in article.related
           if other not in first and (found := kb.article(other)) is not None]
    return chosen + own[:MAX_RELATED_BUTTONS]


def categories_view(
    kb: KnowledgeBase, t: Translator, lang: str
) -> tuple[str, InlineKeyboardMarkup]:
    _ = t.gettext
    rows = [[button(f"{cat.icon} {cat.title(lang)}", "kb", "c", cat.id)]
            for cat in kb.categories if kb.in_category(cat.id)]
    rows.append([button(_(BACK_TO_MENU), "menu", "main")])
    return _("Choose a topic:"), InlineKeyboardMarkup(rows)


def category_view(
    kb: KnowledgeBase, category: Category, t: Translator, lang: str
) -> tuple[str, InlineKeyboardMarkup]:
    _ = t.gettext
    rows = [[button(article.text(lang).title, "kb", "a", article.id)]
            for article in kb.in_category(category.id)]
    rows.append([button(_(BACK), "menu", "topics"), button(_(BACK_TO_MENU), "menu", "main")])
    title = f"<b>{category.icon} {html.escape(category.title(lang), quote=False)}</b>"
    prompt = _("Choose a question:")
    return f"{title}\n{prompt}", InlineKeyboardMarkup(rows)


def choices_keyboard(
    articles: Sequence[Article], t: Translator, lang: str
) -> InlineKeyboardMarkup:
    _ = t.gettext
    rows = [[button(article.text(lang).title, "kb", "a", article.id)] for article in articles]
    rows.append([button(_(ASK_PERSON), "human", "ask")])
    rows.append([button(_(BACK_TO_MENU), "menu", "main")])
    return InlineKeyboardMarkup(rows)
