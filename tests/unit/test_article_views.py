"""Every article renders into messages Telegram accepts, in every language."""

from __future__ import annotations

import datetime

import pytest

from bot.callbacks import MAX_BYTES
from bot.i18n import SUPPORTED_LOCALES, Catalogs
from bot.kb.loader import load_knowledge_base
from bot.telegram_html import parse_html, utf16_len
from bot.views.articles import (
    DETAILS,
    MAX_RELATED_BUTTONS,
    SHORT,
    SOURCES_VIEW,
    article_details,
    article_keyboard,
    article_short,
    article_sources,
    categories_view,
    category_view,
    related_articles,
)
from bot.views.text import MESSAGE_LIMIT, split_message

KB = load_knowledge_base()
CATALOGS = Catalogs.load()
TODAY = datetime.date(2026, 12, 6)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_article_fits_one_message(locale: str) -> None:
    translator = CATALOGS.get(locale)
    for article in KB.articles.values():
        for text in (article_short(article, locale, translator, today=TODAY),
                     article_details(article, locale, translator, today=TODAY),
                     article_sources(article, locale, translator)):
            plain, _ = parse_html(text)
            assert utf16_len(plain) <= MESSAGE_LIMIT, article.id
        for view in (SHORT, DETAILS, SOURCES_VIEW):
            markup = article_keyboard(article, translator, locale, view=view,
                                      related=related_articles(article, KB))
            for row in markup.inline_keyboard:
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


FIRST_SCREEN_LIMIT = 600 + 60 + 200  # the short text, a title, "Rules as of" and a warning


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_first_screens_are_short_and_carry_no_sources_or_translation_status(
        locale: str) -> None:
    translator = CATALOGS.get(locale)
    note = translator.gettext("This translation has not yet been checked by a native speaker.")
    for article in KB.articles.values():
        short = article.text(locale).short
        assert utf16_len(parse_html(short)[0]) <= 600, (article.id, locale)
        screen = article_short(article, locale, translator, today=TODAY)
        assert utf16_len(parse_html(screen)[0]) <= FIRST_SCREEN_LIMIT, (article.id, locale)
        assert note not in screen
        assert not any(source in screen for source in article.sources if len(source) > 12)
        assert "🗓" in screen  # "Rules as of …"
        if article.text(locale).status != "reviewed":
            assert note in article_details(article, locale, translator, today=TODAY)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_passed_check_by_produces_the_warning_line(locale: str) -> None:
    translator = CATALOGS.get(locale)
    for article in KB.articles.values():
        for day in (TODAY, datetime.date(2020, 1, 1), datetime.date(2100, 1, 1)):
            screen = article_short(article, locale, translator, today=day)
            passed = article.check_by is not None and article.check_by <= day
            assert screen.startswith("⚠️") is passed, (article.id, day)
            if passed:
                assert article.text(locale).check_how in screen.split("\n\n")[0]


def _article(**changes: object) -> object:
    import dataclasses

    return dataclasses.replace(KB.article("rights.detention"), **changes)  # type: ignore[type-var]


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_rules_as_of_and_warning_wording(locale: str) -> None:
    translator = CATALOGS.get(locale)
    article = _article(rules_as_of=datetime.date(2026, 3, 11),
                       check_by=datetime.date(2026, 7, 1))
    screen = article_short(article, locale, translator, today=TODAY)  # type: ignore[arg-type]
    assert translator.format_date(datetime.date(2026, 3, 1), "LLLL y") in screen
    assert translator.format_date(datetime.date(2026, 7, 1)) in screen.split("\n\n")[0]
    fresh = _article(rules_as_of=datetime.date(2026, 3, 11), check_by=None)
    assert not article_short(fresh, locale, translator, today=TODAY).startswith("⚠️")  # type: ignore[arg-type]


def test_report_buttons_follow_the_article() -> None:
    translator = CATALOGS.get("en")

    def data(article: object) -> set[str]:
        markup = article_keyboard(article, translator, "en")  # type: ignore[arg-type]
        return {str(b.callback_data) for row in markup.inline_keyboard for b in row}

    assert "menu:urgent_report" in data(_article(report="urgent"))
    assert "menu:report" in data(_article(report="yes"))
    assert not {"menu:report", "menu:urgent_report"} & data(_article(report=""))


def test_a_chosen_article_comes_first_and_crowds_out_none_of_the_related() -> None:
    emergency = KB.article("help.emergency")
    assert emergency is not None and len(emergency.related) == MAX_RELATED_BUTTONS
    own = [a.id for a in related_articles(emergency, KB)]
    assert own == list(emergency.related)
    chosen = [a.id for a in related_articles(emergency, KB, first=("entry.denied",))]
    assert chosen == ["entry.denied", *emergency.related]
    # Already among the related ones, or the article itself: listed once, never itself.
    again = [a.id for a in related_articles(emergency, KB, first=(
        emergency.related[2], "help.emergency", "no.such.article"))]
    assert again[0] == emergency.related[2] and sorted(again) == sorted(emergency.related)
