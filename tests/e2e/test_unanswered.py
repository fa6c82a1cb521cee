"""/unanswered end to end: a user's unanswered questions and 👎 reach the editors' view."""

from __future__ import annotations

from bot.fakeapi import FakeTelegram
from bot.kb.loader import load_knowledge_base
from bot.telegram_html import parse_html
from tests.e2e.conftest import ADMIN_ID, USER_ID, BotProcess, start_in
from tests.e2e.test_moderation import (
    MODERATOR_ID,
    STRANGER_ID,
    add_moderator,
    db_rows,
    send,
    t,
)

KB = load_knowledge_base()
STAY_LIMIT = KB.article("entry.stay_limit")
DOCUMENTS = KB.article("entry.documents")
assert STAY_LIMIT is not None and DOCUMENTS is not None

NEAR_DUPLICATES = ("where can I buy a cheap ticket to Dushanbe?",
                   "wher can i buy cheap tickets to dushanbe")
OTHER = "documents"  # the bot is unsure: it offers choices


async def ask(fake: FakeTelegram, user_id: int, question: str, expected: str) -> None:
    reply = await send(fake, user_id, question)
    assert expected in reply.text, (question, reply.text)


async def test_editors_see_grouped_questions_and_unhelpful_answers(
        fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, ADMIN_ID, "en")
    await add_moderator(fake, MODERATOR_ID, "ru")
    await start_in(fake, USER_ID, "en")
    empty = await send(fake, ADMIN_ID, "/unanswered")
    assert "No unanswered questions in the last 30 days." in empty.text
    assert "No answer was marked 👎 in the last 30 days." in empty.text

    # The user: two near-duplicates the bot cannot answer, one it is unsure about, and a
    # 👎 on an answer.
    for question in NEAR_DUPLICATES:
        await ask(fake, USER_ID, question, "I do not have an answer")
    await ask(fake, USER_ID, OTHER, "I am not sure I understood")
    answer = await send(fake, USER_ID, "How long can I stay in Russia without a patent?")
    assert answer.text.startswith(STAY_LIMIT.text("en").title)
    fake.press_button(USER_ID, answer.message_id, "👎 Not helpful")
    sorry = await fake.chat(USER_ID).next_message()
    assert "Sorry that this did not help" in sorry.text
    # ... and says what was missing: kept for the editors, encrypted, with no user link.
    fake.press_button(USER_ID, sorry.message_id, "✍️ Tell us what was missing")
    assert "what was missing" in (await fake.chat(USER_ID).next_message()).text
    comment = await send(fake, USER_ID, "COMMENT-MARK <b>nothing</b> about students")
    assert "editors will read it" in comment.text

    # The owner (a moderator too) sees one group of two, the other question, the 👎.
    view = await send(fake, ADMIN_ID, "/unanswered")
    fake.chat(ADMIN_ID).assert_no_pending()  # everything fits one message
    assert view.html is not None
    parse_html(view.html)
    text = view.text
    assert "Questions the bot could not answer in the last 30 days" in text
    assert "3 questions in all." in text
    first, second = text.split("\n\n")[1:3]
    assert first.startswith("1. ×2 · en · not found\n")
    assert first.splitlines()[1] in NEAR_DUPLICATES
    assert second.startswith("2. ×1 · en · not sure\ndocuments\nHesitated between: ")
    assert DOCUMENTS.text("en").title in second
    assert f"1. {STAY_LIMIT.text('en').title} — 👎 1 · 👍 0" in text
    assert "💬 COMMENT-MARK <b>nothing</b> about students" in text  # shown as typed, escaped
    assert "&lt;b&gt;nothing" in view.html
    stored = db_rows(bot.data_dir, "SELECT content FROM feedback_comments")
    assert len(stored) == 1 and b"COMMENT-MARK" not in bytes(stored[0][0])  # type: ignore[arg-type]
    assert str(USER_ID) not in text and "Test" not in text  # nobody is named or linked
    assert not any(e["type"] in {"text_link", "text_mention"} for e in view.entities)

    # A moderator reads the titles in their own language; a shorter period is empty.
    view = await send(fake, MODERATOR_ID, "/unanswered 7d")
    assert "×2" in view.text and "×1" in view.text
    assert f"{STAY_LIMIT.text('ru').title} — 👎 1 · 👍 0" in view.text
    assert DOCUMENTS.text("ru").title in view.text
    usage = await send(fake, MODERATOR_ID, "/unanswered last week")
    assert "/unanswered 7" in usage.text

    # Anyone else gets the ordinary answer to an unknown command, and nothing of the view.
    await start_in(fake, STRANGER_ID, "en")
    reply = await send(fake, STRANGER_ID, "/unanswered")
    assert reply.text == t("en", "Sorry, I do not know this command. Here is what I can do:")
    assert "dushanbe" not in reply.text.lower()
    await bot.stop()


async def test_unanswered_questions_are_encrypted_and_go_with_forget(
        fake: FakeTelegram, bot: BotProcess) -> None:
    """Security review H2: people type their whole story into the question box."""
    import uuid

    from bot.privacy import screens as privacy_screens

    marker = f"QMARK{uuid.uuid4().hex[:10]}"
    await start_in(fake, ADMIN_ID, "en")
    await start_in(fake, USER_ID, "en")
    await ask(fake, USER_ID, f"where can I buy a cheap ticket to Dushanbe {marker}",
              "I do not have an answer")
    files = [p for p in bot.data_dir.glob("hamroh.sqlite3*") if p.is_file()]
    assert [p.name for p in files if marker.encode() in p.read_bytes()] == []
    # The editors still read it.
    assert marker in (await send(fake, ADMIN_ID, "/unanswered")).text
    assert db_rows(bot.data_dir, "SELECT COUNT(*) FROM unanswered_questions") == [(1,)]
    # /forget removes it with everything else.
    question = await send(fake, USER_ID, "/forget")
    fake.press_button(USER_ID, question.message_id, t("en", privacy_screens.DELETE_DATA))
    await fake.chat(USER_ID).next_event(kinds={"edit_text"})
    assert db_rows(bot.data_dir, "SELECT COUNT(*) FROM unanswered_questions") == [(0,)]
