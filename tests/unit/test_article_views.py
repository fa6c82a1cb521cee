"""Every article renders into messages Telegram accepts, in every language."""

from __future__ import annotations

import pytest

from bot.callbacks import MAX_BYTES
from bot.i18n import SUPPORTED_LOCALES, Catalogs
from bot.kb.loader import load_knowledge_base
from bot.telegram_html import parse_html, utf16_len
from bot.views.articles import (
    article_full,
    article_keyboard,
    article_short,
    categories_view,
    category_view,
)
from bot.views.text import MESSAGE_LIMIT, split_message

KB = load_knowledge_base()
CATALOGS = Catalogs.load()


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_article_fits_one_message(locale: str) -> None:
    translator = CATALOGS.get(locale)
    for article in KB.articles.values():
        for text in (article_short(article, locale, translator),
                     article_full(article, locale, translator)):
            plain, _ = parse_html(text)
            assert utf16_len(plain) <= MESSAGE_LIMIT, article.id
        for row in article_keyboard(article, translator, with_details=True).inline_keyboard:
            for button in row:
                assert len(str(button.callback_data).encode()) <= MAX_BYTES


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_menus_render(locale: str) -> None:
    translator = CATALOGS.get(locale)
    text, markup = categories_view(KB, translator, locale)
    assert len(markup.inline_keyboard) == len(KB.categories) + 1
    for category in KB.categories:
        text, markup = category_view(KB, category, translator, locale)
        parse_html(text)
        assert len(markup.inline_keyboard) == len(KB.in_category(category.id)) + 1


def test_split_keeps_parts_valid_and_under_limit() -> None:
    paragraph = "<b>Title</b> " + "слово " * 60
    text = "\n".join([paragraph] * 40)
    parts = split_message(text, limit=1000)
    assert len(parts) > 1
    for part in parts:
        plain, _ = parse_html(part)
        assert utf16_len(plain) <= 1000
    assert "".join(parts).count("<b>Title</b>") == 40


def test_split_cuts_a_single_overlong_line_as_plain_text() -> None:
    parts = split_message("<i>" + "x" * 9000 + "</i>")
    assert len(parts) >= 3
    assert all(utf16_len(parse_html(part)[0]) <= MESSAGE_LIMIT for part in parts)


def test_short_text_is_untouched() -> None:
    assert split_message("<b>hi</b>") == ["<b>hi</b>"]
