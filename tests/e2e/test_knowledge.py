"""Browsing the knowledge base and asking free-text questions, in each language."""

from __future__ import annotations

import pytest

from bot.fakeapi import FakeTelegram
from bot.i18n import Catalogs
from bot.kb.loader import load_knowledge_base
from bot.telegram_html import parse_html
from bot.views import articles as views
from tests.e2e.conftest import USER_ID, BotProcess, start_in

KB = load_knowledge_base()

MENU_TOPICS = {"tg": "📚 Саволҳо аз рӯи мавзӯъ", "ru": "📚 Вопросы по темам",
               "en": "📚 Questions by topic"}
CATALOGS = Catalogs.load()
MORE = {"tg": "📖 Маълумоти бештар", "ru": "📖 Подробнее", "en": "📖 More details"}


def t(locale: str, msgid: str) -> str:
    return CATALOGS.get(locale).gettext(msgid)


@pytest.mark.parametrize("locale", ["tg", "ru", "en"])
async def test_browse_category_article_and_details(fake: FakeTelegram, bot: BotProcess,
                                                   locale: str) -> None:
    await start_in(fake, USER_ID, locale)
    chat = fake.chat(USER_ID)
    menu = chat.last_message()
    assert menu is not None
    fake.press_button(USER_ID, menu.message_id, MENU_TOPICS[locale])
    await chat.next_event(kinds={"edit_text"})
    category = KB.categories[0]
    topics = fake.message(USER_ID, menu.message_id)
    assert f"{category.icon} {category.title(locale)}" in topics.button_texts()

    fake.press_button(USER_ID, menu.message_id, f"{category.icon} {category.title(locale)}")
    await chat.next_event(kinds={"edit_text"})
    article = KB.in_category(category.id)[0]
    listing = fake.message(USER_ID, menu.message_id)
    assert article.text(locale).title in listing.button_texts()

    fake.press_button(USER_ID, menu.message_id, article.text(locale).title)
    await chat.next_event(kinds={"edit_text"})
    shown = fake.message(USER_ID, menu.message_id)
    assert article.text(locale).title in shown.text.split("\n")[:3]
    rules_as_of = t(locale, "Rules as of {month}").split("{")[0].strip()
    assert rules_as_of in shown.text and "2026" in shown.text
    assert article.sources[0][:20] not in shown.text  # sources are behind a button
    assert MORE[locale] in shown.button_texts()

    fake.press_button(USER_ID, menu.message_id, MORE[locale])
    await chat.next_event(kinds={"edit_text"})
    detailed = fake.message(USER_ID, menu.message_id)
    details_plain, _ = parse_html(article.text(locale).details)
    assert details_plain.strip()[:30] in detailed.text
    assert MORE[locale] not in detailed.button_texts()
    fake.press_button(USER_ID, menu.message_id, t(locale, views.SOURCES))
    await chat.next_event(kinds={"edit_text"})
    sources = fake.message(USER_ID, menu.message_id)
    assert article.sources[0][:20] in sources.text
    assert t(locale, views.SHORT_ANSWER) in sources.button_texts()

    # Back returns to the category list.
    fake.press_button(USER_ID, menu.message_id, {"tg": "⬅️ Бозгашт", "ru": "⬅️ Назад",
                                                  "en": "⬅️ Back"}[locale])
    await chat.next_event(kinds={"edit_text"})
    assert article.text(locale).title in fake.message(USER_ID, menu.message_id).button_texts()


async def test_double_tap_on_details_is_harmless(fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, USER_ID, "en")
    chat = fake.chat(USER_ID)
    menu = chat.last_message()
    assert menu is not None
    fake.press_callback(USER_ID, menu.message_id, "kb:d:entry.documents")
    fake.press_callback(USER_ID, menu.message_id, "kb:d:entry.documents")
    await chat.next_event(kinds={"edit_text"})
    # Both presses are answered; the second edit would be "not modified" and is swallowed.
    await fake.wait_for(lambda: sum(e.kind == "callback_answer"
                                    for e in fake.transcript(USER_ID)) == 2)
    assert KB.article("entry.documents").text("en").title in fake.message(  # type: ignore[union-attr]
        USER_ID, menu.message_id).text
    # Telegram refused the identical second edit; the bot swallowed it and stayed quiet.
    await fake.wait_for(lambda: fake.api_errors)
    assert [m for m, e in fake.api_errors] == ["editMessageText"]
    assert "not modified" in fake.api_errors[0][1].description
    fake.api_errors.clear()
    chat.skip()
    fake.send_message(USER_ID, "/menu")
    assert "What would you like to do" in (await chat.next_message()).text


async def test_emergency_button_shows_checklist_and_contacts(fake: FakeTelegram,
                                                             bot: BotProcess) -> None:
    await start_in(fake, USER_ID, "ru")
    chat = fake.chat(USER_ID)
    menu = chat.last_message()
    assert menu is not None
    fake.press_button(USER_ID, menu.message_id, "🆘 Экстренная помощь")
    emergency = await chat.next_message()
    contacts = await chat.next_message()
    assert KB.article("help.emergency").text("ru").title in emergency.text  # type: ignore[union-attr]
    assert KB.article("help.contacts").text("ru").title in contacts.text  # type: ignore[union-attr]


@pytest.mark.parametrize("locale", ["tg", "ru", "en"])
async def test_an_answer_leads_onwards_related_articles_and_report_buttons(
        fake: FakeTelegram, bot: BotProcess, locale: str) -> None:
    await start_in(fake, USER_ID, locale)
    chat = fake.chat(USER_ID)
    menu = chat.last_message()
    assert menu is not None
    detention = KB.article("rights.detention")
    assert detention is not None and detention.report and detention.related
    fake.press_callback(USER_ID, menu.message_id, "kb:a:rights.detention")
    await chat.next_event(kinds={"edit_text"})
    shown = fake.message(USER_ID, menu.message_id)
    buttons = shown.button_texts()
    for label in (views.MORE_DETAILS, views.SOURCES, views.REPORT_THIS):
        assert t(locale, label) in buttons, (label, buttons)
    related = KB.article(detention.related[0])
    assert related is not None
    label = "➡️ " + related.text(locale).title
    assert label in buttons
    fake.press_button(USER_ID, menu.message_id, label)  # a related article opens in place
    await chat.next_event(kinds={"edit_text"})
    assert related.text(locale).title in fake.message(USER_ID, menu.message_id).text

    # The emergency answer starts a report already marked urgent.
    fake.press_callback(USER_ID, menu.message_id, "kb:a:help.emergency")
    await chat.next_event(kinds={"edit_text"})
    urgent = t(locale, views.REPORT_URGENT)
    assert urgent in fake.message(USER_ID, menu.message_id).button_texts()
    fake.press_button(USER_ID, menu.message_id, urgent)
    event = await chat.next_event(kinds={"message", "edit_text"})
    assert event.message is not None and "🆘" in event.message.text
    assert t(locale, "How would you like to report?") in event.message.text
