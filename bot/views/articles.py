"""How an article looks in a chat: pure functions from (article, language) to text and buttons."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import N_, Translator
from bot.kb.model import Article, Category, KnowledgeBase
from bot.keyboards import BACK_TO_MENU, button

MORE_DETAILS = N_("📖 More details")
HELPFUL = N_("👍 Helpful")
NOT_HELPFUL = N_("👎 Not helpful")
ASK_PERSON = N_("🙋 Ask a person")
BACK = N_("⬅️ Back")

Gettext = Callable[[str], str]


def article_footer(article: Article, lang: str, t: Translator) -> str:
    _ = t.gettext
    sources = "; ".join(html.escape(source, quote=False) for source in article.sources)
    sources_label = _("Sources:")
    reviewed = _("Reviewed on {date}").format(date=t.format_date(article.reviewed))
    lines = [f"📜 <i>{sources_label} {sources}</i>", f"🗓 <i>{reviewed}</i>"]
    if article.text(lang).status != "reviewed":
        note = _("This translation has not yet been checked by a native speaker.")
        lines.append(f"<i>{note}</i>")
    return "\n".join(lines)


def article_short(article: Article, lang: str, t: Translator) -> str:
    text = article.text(lang)
    return "\n\n".join(
        [f"<b>{html.escape(text.title, quote=False)}</b>", text.short.strip(),
         article_footer(article, lang, t)]
    )


def article_full(article: Article, lang: str, t: Translator) -> str:
    text = article.text(lang)
    return "\n\n".join(
        [
            f"<b>{html.escape(text.title, quote=False)}</b>",
            text.short.strip(),
            text.details.strip(),
            article_footer(article, lang, t),
        ]
    )


def article_keyboard(
    article: Article, t: Translator, *, with_details: bool, feedback: bool = True,
) -> InlineKeyboardMarkup:
    _ = t.gettext
    rows: list[list[InlineKeyboardButton]] = []
    if with_details:
        rows.append([button(_(MORE_DETAILS), "kb", "d", article.id)])
    if feedback:
        rows.append([button(_(HELPFUL), "fb", "u", article.id),
                     button(_(NOT_HELPFUL), "fb", "d", article.id)])
    rows.append([button(_(BACK), "kb", "c", article.category),
                 button(_(BACK_TO_MENU), "menu", "main")])
    return InlineKeyboardMarkup(rows)


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
