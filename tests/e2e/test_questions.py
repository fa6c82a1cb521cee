"""Free-text questions through the real bot: answers, choices, out of scope, feedback."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bot.config import Settings
from bot.crypto import load_report_keys
from bot.fakeapi import FakeTelegram
from bot.kb.loader import load_knowledge_base
from tests.e2e.conftest import USER_ID, BotProcess, eventually, start_in

KB = load_knowledge_base()
STAY_LIMIT = KB.article("entry.stay_limit")
assert STAY_LIMIT is not None


def _human_requests(data_dir: Path) -> list[str]:
    """What users asked a person: the first messages of their tickets, decrypted."""
    keys = load_report_keys(Settings(data_dir=data_dir), create=False)
    texts = []
    for ticket_id, blob in _rows(data_dir, "SELECT ticket_id, content FROM ticket_messages "
                                           "WHERE direction = 'in' ORDER BY id"):
        raw = keys.decrypt(bytes(blob), b"hamroh-ticket-message:%d" % ticket_id)
        texts.append(json.loads(raw)["text"])
    return texts


def _unanswered(data_dir: Path) -> list[tuple[str | None, str]]:
    """The editors' log, decrypted with the bot's key: (question, reason)."""
    from bot.sealing import open_question

    keys = load_report_keys(Settings(data_dir=data_dir), create=False)
    return [(open_question(keys, row_id, bytes(blob)), reason) for row_id, blob, reason in
            _rows(data_dir, "SELECT id, sealed, reason FROM unanswered_questions ORDER BY id")]


def _rows(data_dir: Path, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    with sqlite3.connect(f"file:{data_dir / 'hamroh.sqlite3'}?mode=ro", uri=True) as conn:
        return conn.execute(sql).fetchall()


@pytest.mark.parametrize(("locale", "question"), [
    ("tg", "Бе патент чанд рӯз мондан мумкин аст?"),
    ("ru", "skolko dney mozhno nahoditsya bez patenta"),
    ("en", "How long can I stay in Russia without a patent?"),
])
async def test_confident_answer_in_users_language(fake: FakeTelegram, bot: BotProcess,
                                                  locale: str, question: str) -> None:
    await start_in(fake, USER_ID, locale)
    chat = fake.chat(USER_ID)
    fake.send_message(USER_ID, question)
    answer = await chat.next_message()
    assert answer.text.startswith(STAY_LIMIT.text(locale).title)  # type: ignore[union-attr]
    assert any("👍" in t for t in answer.button_texts())
    chat.assert_no_pending()


async def test_question_in_another_language_offers_a_switch(fake: FakeTelegram,
                                                             bot: BotProcess) -> None:
    await start_in(fake, USER_ID, "tg")
    chat = fake.chat(USER_ID)
    fake.send_message(USER_ID, "How long can I stay in Russia without a patent?")
    answer = await chat.next_message()
    assert answer.text.startswith(STAY_LIMIT.text("en").title)  # type: ignore[union-attr]
    offer = await chat.next_message()
    assert offer.button_texts() == ["Yes, switch to English", "No, thanks"]
    fake.press_button(USER_ID, offer.message_id, 0)
    assert "Welcome" in (await chat.next_message()).text


async def test_the_offer_to_switch_is_made_once_and_can_be_declined(
        fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, USER_ID, "tg")
    chat = fake.chat(USER_ID)
    fake.send_message(USER_ID, "How long can I stay in Russia without a patent?")
    assert (await chat.next_message()).text.startswith(STAY_LIMIT.text("en").title)  # type: ignore[union-attr]
    offer = await chat.next_message()
    fake.press_button(USER_ID, offer.message_id, "No, thanks")
    await chat.next_event(kinds={"edit_markup"})
    assert fake.message(USER_ID, offer.message_id).button_texts() == []
    # Updates of one chat are handled in order: the menu closes the second question's turn.
    fake.send_message(USER_ID, "How long can I stay in Russia without a patent?")
    assert (await chat.next_message()).text.startswith(STAY_LIMIT.text("en").title)  # type: ignore[union-attr]
    fake.send_message(USER_ID, "/menu")
    menu = await chat.next_message()  # no second offer came before it
    from bot.i18n import Catalogs
    from bot.keyboards import MENU_TOPICS

    assert Catalogs.load().get("tg").gettext(MENU_TOPICS) in menu.button_texts()  # still Tajik


async def test_ambiguous_question_offers_choices(fake: FakeTelegram, bot: BotProcess) -> None:
    documents = KB.article("entry.documents")
    assert documents is not None
    await start_in(fake, USER_ID, "ru")
    chat = fake.chat(USER_ID)
    fake.send_message(USER_ID, "документы")  # for entering Russia? lost? at a police check?
    reply = await chat.next_message()
    assert "не уверен" in reply.text
    buttons = reply.button_texts()
    assert documents.text("ru").title in buttons
    assert "🙋 Спросить человека" in buttons and len(buttons) <= 5
    fake.press_button(USER_ID, reply.message_id, documents.text("ru").title)
    await chat.next_event(kinds={"edit_text"})
    shown = fake.message(USER_ID, reply.message_id)
    assert documents.text("ru").title in shown.text.split("\n\n")[:2]  # after a warning
    assert _unanswered(bot.data_dir) == [("документы", "unsure")]


@pytest.mark.parametrize(("locale", "question", "expected"), [
    ("en", "what's the weather in Dushanbe tomorrow?", "I do not have an answer"),
    ("ru", "кто вчера выиграл, Спартак или Зенит?", "нет ответа"),
])
async def test_out_of_scope_gets_menu_not_an_answer(fake: FakeTelegram, bot: BotProcess,
                                                     locale: str, question: str,
                                                     expected: str) -> None:
    await start_in(fake, USER_ID, locale)
    chat = fake.chat(USER_ID)
    fake.send_message(USER_ID, question)
    reply = await chat.next_message()
    assert expected in reply.text
    assert len(reply.button_texts()) == 3  # ask a person, topics, main menu


async def test_greeting_and_bare_request(fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, USER_ID, "tg")
    chat = fake.chat(USER_ID)
    fake.send_message(USER_ID, "салом")
    assert "Ман омодаам ба Шумо кӯмак кунам" in (await chat.next_message()).text
    fake.send_message(USER_ID, "I have a question")
    reply = await chat.next_message()
    assert "Please type your question" in reply.text  # answered in the question's language
    await chat.next_message()  # the offer to switch to English


async def test_feedback_buttons(fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, USER_ID, "en")
    chat = fake.chat(USER_ID)
    fake.send_message(USER_ID, "How long can I stay in Russia without a patent?")
    answer = await chat.next_message()
    fake.press_button(USER_ID, answer.message_id, "👍 Helpful")
    await chat.next_event(kinds={"edit_markup"})
    kept = fake.message(USER_ID, answer.message_id).button_texts()
    assert not any("👍" in t for t in kept)
    assert "More details" in " ".join(kept)  # the way onwards stays after a vote

    fake.send_message(USER_ID, "How long can I stay in Russia without a patent?")
    second = await chat.next_message()
    fake.press_button(USER_ID, second.message_id, "👎 Not helpful")
    offer = await chat.next_message()
    assert "ask a person" in offer.text
    fake.press_button(USER_ID, offer.message_id, "🙋 Ask a person")
    saved = await chat.next_message()
    # The owner never talked to the bot, so no volunteer can be reached: the bot says so.
    assert "no volunteer could be reached" in saved.text and "T-1" in saved.text

    assert sorted(_rows(bot.data_dir, "SELECT article_id, helpful FROM answer_feedback")) == [
        ("entry.stay_limit", 0), ("entry.stay_limit", 1)]
    assert _human_requests(bot.data_dir) == ["How long can I stay in Russia without a patent?"]
    # Feedback is anonymous: its table has no user column at all.
    columns = [row[1] for row in _rows(bot.data_dir, "PRAGMA table_info(answer_feedback)")]
    assert not any("user" in column for column in columns)


async def test_question_survives_a_crash_before_ask_a_person(fake: FakeTelegram,
                                                              bot: BotProcess) -> None:
    await start_in(fake, USER_ID, "en")
    chat = fake.chat(USER_ID)
    fake.send_message(USER_ID, "documents")
    choices = await chat.next_message()
    # The reply goes out inside the handler; the state is written right after it.
    await eventually(lambda: _rows(bot.data_dir, "SELECT sealed FROM user_state"),
                     message="the question was written to the database")
    await bot.restart(kill=True)  # SIGKILL: only what was already written survives
    fake.press_button(USER_ID, choices.message_id, "🙋 Ask a person")
    assert "Your question is saved" in (await chat.next_message()).text
    assert _human_requests(bot.data_dir) == ["documents"]


async def test_questions_for_a_person_are_not_stored_in_plaintext(fake: FakeTelegram,
                                                                   bot: BotProcess) -> None:
    marker = "Zebra-question-7731 xylophone quartz"
    await start_in(fake, USER_ID, "en")
    chat = fake.chat(USER_ID)
    fake.send_message(USER_ID, marker)
    reply = await chat.next_message()
    fake.press_button(USER_ID, reply.message_id, "🙋 Ask a person")
    await chat.next_message()
    await bot.stop()
    assert _human_requests(bot.data_dir) == [marker]
    # The question for a person (with the id to answer), the pending question in user
    # data and the "unanswered" log for the editors are all encrypted.
    for table, column in (("ticket_messages", "content"), ("tickets", "content"),
                          ("user_state", "sealed"),
                          ("unanswered_questions", "question"),
                          ("unanswered_questions", "sealed")):
        for (value,) in _rows(bot.data_dir, f"SELECT {column} FROM {table}"):
            raw = value if isinstance(value, bytes) else value.encode()
            assert b"Zebra-question-7731" not in raw, table
    assert [question for question, _reason in _unanswered(bot.data_dir)] == [marker]
    columns = [row[1] for row in _rows(bot.data_dir, "PRAGMA table_info(unanswered_questions)")]
    assert not any("user" in column for column in columns)  # only a keyed "owner" hash


@pytest.mark.parametrize(("locale", "question"), [
    ("ru", "меня держат в аэропорту уже 10 часов что делать"),
    ("tg", "ҳозир маро дар фурудгоҳ нигоҳ доштаанд, ёрдам диҳед"),
    ("en", "they are holding my brother at the border right now, please help"),
])
async def test_happening_now_gets_the_emergency_answer_and_an_urgent_report(
        fake: FakeTelegram, bot: BotProcess, locale: str, question: str) -> None:
    from bot.i18n import Catalogs
    from bot.views.articles import REPORT_URGENT

    await start_in(fake, USER_ID, locale)
    chat = fake.chat(USER_ID)
    fake.send_message(USER_ID, question)
    answer = await chat.next_message()
    emergency = KB.article("help.emergency")
    assert emergency is not None and emergency.text(locale).title in answer.text
    urgent = Catalogs.load().get(locale).gettext(REPORT_URGENT)
    assert urgent in answer.button_texts()
    fake.press_button(USER_ID, answer.message_id, urgent)
    flow = await chat.next_message()
    assert "🆘" in flow.text  # the report starts already marked urgent


def _title(article_id: str, locale: str) -> str:
    article = KB.article(article_id)
    assert article is not None
    return article.text(locale).title


@pytest.mark.parametrize(("locale", "question", "article_id"), [
    # Refused entry, in Russian typed with Latin letters.
    ("ru", "menya vchera ne pustili v rossiyu v aeroportu, dali bumagu ob otkaze, "
           "chto teper delat?", "entry.denied"),
    # A long Tajik story about a beating at a document check.
    ("tg", "Дирӯз дар метро полис ҳуҷҷатҳоямро тафтиш кард, баъд маро ба хонача бурданд ва "
           "ду нафар маро заданд, телефонамро гирифтанд. Патентам дуруст буд, ҳама ҳуҷҷатҳо "
           "дар даст. Ҳоло баданам дард мекунад ва метарсам. Куҷо шикоят кунам?",
     "rights.abuse"),
])
async def test_stories_get_the_article_of_their_situation(
        fake: FakeTelegram, bot: BotProcess, locale: str, question: str,
        article_id: str) -> None:
    await start_in(fake, USER_ID, locale)
    chat = fake.chat(USER_ID)
    fake.send_message(USER_ID, question)
    answer = await chat.next_message()
    assert answer.text.startswith(_title(article_id, locale))


async def test_an_urgent_answer_offers_the_situation_first_under_it(
        fake: FakeTelegram, bot: BotProcess) -> None:
    """Refused at the border right now: the emergency checklist, and the refused-entry
    article as the first button under it (it was not among the emergency's own)."""
    await start_in(fake, USER_ID, "ru")
    chat = fake.chat(USER_ID)
    fake.send_message(USER_ID, "menya ne puskayut v rossiyu zapret")
    answer = await chat.next_message()
    assert _title("help.emergency", "ru") in answer.text
    articles = [text for text in answer.button_texts() if text.startswith("➡️")]
    assert articles[0] == "➡️ " + _title("entry.denied", "ru")
    assert len(articles) == 5  # the emergency article's own four are all still there
