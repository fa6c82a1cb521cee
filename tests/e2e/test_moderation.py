"""Moderation end to end: the real bot process, moderators and reporters acting through
the strict fake Bot API."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from bot.crypto import pseudonym_label
from bot.fakeapi import FakeTelegram, StoredMessage
from bot.reports import draft as d
from bot.reports import screens
from bot.reports.summary import STATUS_LABELS, STATUS_NOTES
from tests.e2e.conftest import ADMIN_ID, USER_ID, BotProcess, start_in
from tests.e2e.test_reports import CATALOGS, Reporter, stored_reports

MODERATOR_ID = 9002
SECOND_MODERATOR_ID = 9003
STRANGER_ID = 1002
GROUP_ID = -100500


def t(locale: str, msgid: str) -> str:
    return CATALOGS.get(locale).gettext(msgid)


def db_rows(data_dir: Path, sql: str) -> list[tuple[object, ...]]:
    """Read the bot's database while it runs (WAL lets a reader in beside the writer)."""
    with sqlite3.connect(data_dir / "hamroh.sqlite3") as conn:
        return conn.execute(sql).fetchall()


async def send(fake: FakeTelegram, user_id: int, text: str) -> StoredMessage:
    chat = fake.chat(user_id)
    fake.send_message(user_id, text)
    return await chat.next_message()


async def add_moderator(fake: FakeTelegram, moderator_id: int, locale: str = "en") -> None:
    await start_in(fake, moderator_id, locale)
    reply = await send(fake, ADMIN_ID, f"/mod add {moderator_id}")
    assert f"{moderator_id} is now a moderator" in reply.text, reply.text
    welcome = await fake.chat(moderator_id).next_message()
    assert "/queue" in welcome.text


async def file_report(fake: FakeTelegram, user_id: int, locale: str, *, contact: bool,
                      description: str = "Border guards kept us in a small room for nine "
                                         "hours without water.") -> str:
    await start_in(fake, user_id, locale)
    user = Reporter(fake, user_id, locale)
    await user.start()
    await user.answer_all(contact=contact, description=description)
    return await user.confirm()


async def press(fake: FakeTelegram, user_id: int, message: StoredMessage, label: str,
                *, chat_id: int | None = None) -> None:
    assert label in message.button_texts(), (label, message.button_texts())
    fake.press_button(user_id, message.message_id, label, chat_id=chat_id)


async def next_card(fake: FakeTelegram, chat_id: int) -> StoredMessage:
    """The next card shown in the chat: a new message or the pressed one, edited."""
    while True:
        event = await fake.chat(chat_id).next_event(kinds={"message", "edit_text"})
        assert event.message is not None
        if "📂" in event.message.text:
            return event.message


# --- the whole loop --------------------------------------------------------------------

async def test_take_ask_answer_verify(fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, ADMIN_ID, "en")
    await add_moderator(fake, MODERATOR_ID)
    ref = await file_report(fake, USER_ID, "ru", contact=True)
    reporter = fake.chat(USER_ID)

    # Announced to the owner and the moderator, privately: facts only, with Open.
    for staff in (ADMIN_ID, MODERATOR_ID):
        notice = await fake.chat(staff).next_message()
        assert ref in notice.text and "New incident report" in notice.text
        assert "nine hours" not in notice.text and str(USER_ID) not in notice.text
        assert "📂 Open" in notice.button_texts()
    # The receipt promised a moderator and status messages: both exist.
    receipt = reporter.last_message()
    assert receipt is not None
    assert t("ru", "• A moderator from a human rights organisation will read your report.") \
        in receipt.text

    # /queue: the counts, then the card.
    header = await send(fake, MODERATOR_ID, "/queue")
    assert "Review queue" in header.text and "🚨 Urgent" in header.button_texts()
    card = await next_card(fake, MODERATOR_ID)
    assert ref in card.text and "nine hours" in card.text and "Test" in card.text
    assert "with contact" in card.text

    await press(fake, MODERATOR_ID, card, "✋ Take")
    card = await next_card(fake, MODERATOR_ID)
    assert "In review" in card.text and "taken by Test" in card.text
    status = await reporter.next_message()
    assert ref in status.text and t("ru", STATUS_LABELS["in_review"]) in status.text

    # Ask the reporter; the question reaches them without the moderator's name.
    await press(fake, MODERATOR_ID, card, "❓ Ask the reporter")
    prompt = await fake.chat(MODERATOR_ID).next_message()
    assert "Type your question" in prompt.text
    question = "Which terminal was it, and <b>who</b> took the passports?"
    confirmation = await send(fake, MODERATOR_ID, question)
    assert "was sent to the reporter" in confirmation.text
    card = await next_card(fake, MODERATOR_ID)  # shown again, with the question in it
    assert "Needs info" in card.text and "&lt;b&gt;who" in card.html
    relayed = await reporter.next_message()
    assert ref in relayed.text and "who</b> took" not in relayed.html
    assert "&lt;b&gt;who&lt;/b&gt;" in relayed.html  # user text is escaped, never markup
    assert "Test" not in relayed.text and str(MODERATOR_ID) not in relayed.text
    assert t("ru", "A moderator asks about your report {ref}:").format(ref=ref) in relayed.text

    # The reporter answers with text and a photo; the moderator is told each time.
    fake.send_message(USER_ID, "Терминал B, паспорта забрал офицер в форме.")
    added = await reporter.next_message()
    assert ref in added.text
    fake.send_photo(USER_ID)
    await reporter.next_message()
    for _piece in range(2):
        notice = await fake.chat(MODERATOR_ID).next_message()
        assert "The reporter answered" in notice.text and ref in notice.text
        assert "Терминал" not in notice.text
    await press(fake, USER_ID, added, "✅ " + t("ru", "Done, that is all"))
    await reporter.next_message()

    await press(fake, MODERATOR_ID, notice, "📂 Open")
    card = await next_card(fake, MODERATOR_ID)
    assert "Терминал B" in card.text and "Reporter's answer" in card.text and "photo" in card.text
    await press(fake, MODERATOR_ID, card, "📎 Show evidence (1)")
    evidence = await fake.chat(MODERATOR_ID).next_message()
    assert evidence.kind == "photo" and ref in (evidence.caption or "")

    # Verify, with a second tap.
    await press(fake, MODERATOR_ID, card, "✅ Verify")
    asked = await fake.chat(MODERATOR_ID).next_event(kinds={"edit_markup"})
    assert asked.message is not None
    await press(fake, MODERATOR_ID, asked.message, "Yes: ✅ Verify")
    card = await next_card(fake, MODERATOR_ID)
    assert "Verified" in card.text
    verified = await reporter.next_message()
    assert t("ru", STATUS_LABELS["verified"]) in verified.text
    assert t("ru", STATUS_NOTES["verified"]) in verified.text

    listing = await send(fake, USER_ID, "/myreports")
    assert ref in listing.text and t("ru", STATUS_LABELS["verified"]) in listing.text

    audit = await send(fake, ADMIN_ID, "/audit")
    for action in ("mod_add", "take", "ask", "evidence", "verify"):
        assert f" · {action}" in audit.text, (action, audit.text)
    assert "new → in_review" in audit.text and "needs_info → verified" in audit.text

    await bot.stop()
    ((row, content),) = await stored_reports(bot.data_dir)
    assert row.status == "verified" and row.assignee == MODERATOR_ID
    assert content.reporter_id == USER_ID


# --- who may do what -------------------------------------------------------------------

async def test_strangers_get_nothing_and_change_nothing(fake: FakeTelegram,
                                                        bot: BotProcess) -> None:
    await start_in(fake, ADMIN_ID, "en")
    ref = await file_report(fake, USER_ID, "en", contact=False)
    await fake.chat(ADMIN_ID).next_message()  # the announcement
    await start_in(fake, STRANGER_ID, "en")
    unknown = t("en", "Sorry, I do not know this command. Here is what I can do:")
    for command in ("/queue", "/stats", "/export", "/audit", "/stale", "/mod add 1002",
                    f"/report {ref}"):
        reply = await send(fake, STRANGER_ID, command)
        if command.startswith("/report"):  # an ordinary user starts a report instead
            assert "📂" not in reply.text
            await send(fake, STRANGER_ID, "/cancel")
            continue
        assert reply.text == unknown, (command, reply.text)
    # Forged moderator buttons, on a message of the stranger's own chat.
    menu = fake.chat(STRANGER_ID).last_message()
    assert menu is not None
    for data in (f"mod:take:{ref}", f"mod:ok:{ref}:verify", f"mod:rr:{ref}:spam",
                 f"mod:open:{ref}", "mod:exp:csv:all:yes", "mod:q:open"):
        update_id = fake.press_callback(STRANGER_ID, menu.message_id, data)
        reply = await fake.chat(STRANGER_ID).next_message()
        assert ref not in reply.text and "📂" not in reply.text
        assert fake.callback_query(update_id).answer["text"] == t(
            "en", "This button is no longer available.")
    # The same from the owner's side: nothing changed, nothing was audited.
    assert db_rows(bot.data_dir, "SELECT status, assignee FROM reports") == [("new", None)]
    assert db_rows(bot.data_dir, "SELECT COUNT(*) FROM audit_log") == [(0,)]
    # /help for an ordinary user has no moderator commands; for the owner it does.
    assert "/queue" not in (await send(fake, STRANGER_ID, "/help")).text
    fake.send_message(ADMIN_ID, "/help")
    await fake.chat(ADMIN_ID).next_message()
    moderator_help = await fake.chat(ADMIN_ID).next_message()
    assert "/queue" in moderator_help.text and "/audit" in moderator_help.text
    await bot.stop()
    assert "1002" not in bot.log()


async def test_two_moderators_take_at_once(fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, ADMIN_ID, "en")
    await add_moderator(fake, MODERATOR_ID)
    await add_moderator(fake, SECOND_MODERATOR_ID, "ru")
    ref = await file_report(fake, USER_ID, "en", contact=False)
    cards = {}
    for moderator in (MODERATOR_ID, SECOND_MODERATOR_ID):
        await fake.chat(moderator).next_message()  # announcement
        fake.send_message(moderator, f"/report {ref}")
        cards[moderator] = await next_card(fake, moderator)
    # Both press Take before either answer arrives.
    presses = [
        fake.press_button(MODERATOR_ID, cards[MODERATOR_ID].message_id, "✋ Take"),
        fake.press_button(SECOND_MODERATOR_ID, cards[SECOND_MODERATOR_ID].message_id,
                          t("ru", "✋ Take")),
    ]
    queries = [fake.callback_query(update_id) for update_id in presses]
    await fake.wait_for(lambda: all(query.answered for query in queries))
    answers = {q.user_id: (q.answer or {}).get("text") or "" for q in queries}
    winners = [uid for uid, text in answers.items() if "is yours now" in text
               or t("ru", "{ref} is yours now.").format(ref=ref) in text]
    assert len(winners) == 1, answers
    loser = ({MODERATOR_ID, SECOND_MODERATOR_ID} - set(winners)).pop()
    assert "Test" in answers[loser] and ref in answers[loser]
    assert db_rows(bot.data_dir, "SELECT assignee, status FROM reports") == [
        (winners[0], "in_review")]
    takes = db_rows(bot.data_dir, "SELECT actor FROM audit_log WHERE action = 'take'")
    assert takes == [(winners[0],)]


async def test_owner_adds_and_removes_a_moderator(fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, ADMIN_ID, "en")
    await add_moderator(fake, MODERATOR_ID, "tg")
    listing = await send(fake, ADMIN_ID, "/mod list")
    assert str(MODERATOR_ID) in listing.text
    menu = [c["command"] for c in fake.commands[(f"chat:{MODERATOR_ID}", "")]]
    assert "queue" in menu and "stats" in menu and "mod" not in menu
    owner_menu = [c["command"] for c in fake.commands[(f"chat:{ADMIN_ID}", "")]]
    assert "mod" in owner_menu and "audit" in owner_menu
    header = await send(fake, MODERATOR_ID, "/queue")
    assert t("tg", "Review queue") in header.text
    await fake.chat(MODERATOR_ID).next_message()  # "nothing to review"
    removed = await send(fake, ADMIN_ID, f"/mod remove {MODERATOR_ID}")
    assert "no longer a moderator" in removed.text
    assert (f"chat:{MODERATOR_ID}", "") not in fake.commands
    reply = await send(fake, MODERATOR_ID, "/queue")
    assert reply.text == t("tg", "Sorry, I do not know this command. Here is what I can do:")
    # A moderator cannot add moderators or read the audit log.
    await add_moderator(fake, SECOND_MODERATOR_ID)
    for command in ("/mod add 1234", "/audit"):
        reply = await send(fake, SECOND_MODERATOR_ID, command)
        assert reply.text == t("en", "Sorry, I do not know this command. Here is what I can do:")
    audit = await send(fake, ADMIN_ID, "/audit")
    assert audit.text.count("mod_add") == 2 and "mod_remove" in audit.text


# --- statistics and export ---------------------------------------------------------------

async def test_stats_and_export_leak_no_identity(fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, ADMIN_ID, "en")
    refs = [await file_report(fake, USER_ID, "en", contact=True,
                              description="SECRET-STORY about the border room.")]
    user = Reporter(fake, USER_ID, "en")
    await user.start()
    await user.answer_all(description="Another long night at the airport with no water.")
    refs.append(await user.confirm())
    admin = fake.chat(ADMIN_ID)
    for ref in refs:  # verify both
        fake.send_message(ADMIN_ID, f"/report {ref}")
        card = await next_card(fake, ADMIN_ID)
        await press(fake, ADMIN_ID, card, "✅ Verify")
        asked = await admin.next_event(kinds={"edit_markup"})
        assert asked.message is not None
        await press(fake, ADMIN_ID, asked.message, "Yes: ✅ Verify")
        await next_card(fake, ADMIN_ID)

    fake.send_message(ADMIN_ID, "/stats all")
    text = await admin.next_message()
    assert "Report statistics" in text.text and "Verified" in text.text
    chart = await admin.next_message()
    assert chart.kind == "photo" and chart.file is not None
    assert chart.file.data().startswith(b"\x89PNG\r\n\x1a\n")

    await bot.stop()
    stored = await stored_reports(bot.data_dir)
    secrets = {str(USER_ID)}
    for row, content in stored:
        secrets |= {row.ref, pseudonym_label(row.reporter or ""), row.reporter or ""}
        secrets |= {item.file_id for item in content.evidence}
    await bot.start()

    documents = {}
    for label in ("📄 CSV", "🧾 JSON"):
        menu = await send(fake, ADMIN_ID, "/export")
        await press(fake, ADMIN_ID, menu, label)
        document = await admin.next_message()
        assert document.kind == "document" and document.file is not None
        documents[label] = document.file.data()
    csv_text = documents["📄 CSV"].decode("utf-8-sig")
    assert csv_text.splitlines()[1].startswith("#")  # HXL hashtags
    assert len(json.loads(documents["🧾 JSON"])["reports"]) == 2
    for data in documents.values():
        for secret in secrets:
            assert secret.encode() not in data, secret
        assert b"SECRET-STORY" not in data
    # With descriptions: only after a warning and a second confirmation.
    menu = await send(fake, ADMIN_ID, "/export")
    await press(fake, ADMIN_ID, menu, "📄 CSV with descriptions")
    warning = await admin.next_message()
    assert "identify" in warning.text
    await press(fake, ADMIN_ID, warning, "⚠️ Yes, include descriptions")
    document = await admin.next_message()
    assert document.file is not None and b"SECRET-STORY" in document.file.data()
    assert str(USER_ID).encode() not in document.file.data()

    summary = await send(fake, ADMIN_ID, "/export summary")
    assert summary.kind == "document" and summary.file is not None
    body = summary.file.data().decode("utf-8")
    assert "<5" in body and re.search("[а-я]", body)
    audit = await send(fake, ADMIN_ID, "/audit")
    assert "csv+descriptions" in audit.text


# --- honest promises -------------------------------------------------------------------

@pytest.mark.parametrize("bot_env", [{"ADMIN_IDS": ""}])
async def test_nobody_to_alert_nobody_promised(fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, USER_ID, "en")
    user = Reporter(fake, USER_ID, "en")
    first = await user.start()
    assert "no moderator is connected to this bot right now" in first.text
    await user.press(user.t(screens.WITH_CONTACT))
    await user.choose_incidents("held_border")
    await user.press(user.place("dme"))
    await user.press(user.t(screens.TODAY))
    await user.press(user.t(d.AFFECTED["me"]))
    await user.press("2")
    await user.press(user.t(screens.DONE))
    assert user.screen is not None
    fake.press_button(USER_ID, user.screen.message_id, user.t(d.HELD["still"]))
    await user.chat.next_message()  # the emergency article
    await user.next_screen()
    await user.type("They are holding us in the airport room since the morning.")
    await user.press(user.t(screens.SKIP))
    await user.confirm()
    receipt = user.screen
    assert receipt is not None
    assert "alerted" in receipt.text and "Moderators have been alerted" not in receipt.text
    assert "No moderator could be alerted" in receipt.text and "112" in receipt.text
    assert "will read your report" not in receipt.text
    assert "may write to you" not in receipt.text
    assert "status of the report changes" not in receipt.text


# --- the moderation group -----------------------------------------------------------------

@pytest.mark.parametrize("bot_env", [{"MODERATION_CHAT_ID": str(GROUP_ID)}])
async def test_buttons_in_the_moderation_group_check_the_presser(
        fake: FakeTelegram, bot: BotProcess) -> None:
    fake.add_group(GROUP_ID, "Moderators", chat_type="supergroup")
    await start_in(fake, ADMIN_ID, "en")
    ref = await file_report(fake, USER_ID, "en", contact=False)
    group = fake.chat(GROUP_ID)
    notice = await group.next_message()
    assert ref in notice.text and "📂 Open" in notice.button_texts()
    # A group member without the role presses Open, then a forged Take: nothing happens.
    fake.user(STRANGER_ID)
    fake.set_member_status(GROUP_ID, STRANGER_ID, "member")
    for data in (f"mod:open:{ref}", f"mod:take:{ref}"):
        update_id = fake.press_callback(STRANGER_ID, notice.message_id, data, chat_id=GROUP_ID)
        await fake.wait_for(lambda uid=update_id: fake.callback_query(uid).answered)
    assert not [m for m in group.messages() if "📂" in m.text]
    assert db_rows(bot.data_dir, "SELECT assignee FROM reports") == [(None,)]
    # The owner presses the same Open: the card appears in the group; Take works there.
    fake.press_button(ADMIN_ID, notice.message_id, "📂 Open", chat_id=GROUP_ID)
    card = await next_card(fake, GROUP_ID)
    assert ref in card.text
    fake.press_button(ADMIN_ID, card.message_id, "✋ Take", chat_id=GROUP_ID)
    card = await next_card(fake, GROUP_ID)
    assert "taken by Test" in card.text
    assert db_rows(bot.data_dir, "SELECT assignee FROM reports") == [(ADMIN_ID,)]


@pytest.mark.parametrize("bot_env", [{"MODERATION_CHAT_ID": str(GROUP_ID)}])
async def test_asking_from_the_group_takes_only_the_reply_to_the_prompt(
        fake: FakeTelegram, bot: BotProcess) -> None:
    fake.add_group(GROUP_ID, "Moderators", chat_type="supergroup")
    await start_in(fake, ADMIN_ID, "en")
    ref = await file_report(fake, USER_ID, "en", contact=True)
    group, reporter = fake.chat(GROUP_ID), fake.chat(USER_ID)
    notice = await group.next_message()
    fake.press_button(ADMIN_ID, notice.message_id, "📂 Open", chat_id=GROUP_ID)
    card = await next_card(fake, GROUP_ID)
    fake.press_button(ADMIN_ID, card.message_id, "❓ Ask the reporter", chat_id=GROUP_ID)
    prompt = await group.next_message()
    assert prompt.keyboard is not None and prompt.keyboard.get("force_reply")
    assert "Type your question" in prompt.text
    # Talk in the group that is not a reply to the prompt is not the question.
    fake.send_group_message(GROUP_ID, ADMIN_ID, "brb, coffee", chat_type="supergroup")
    fake.send_group_message(GROUP_ID, ADMIN_ID, "Was anyone hurt?", chat_type="supergroup",
                            reply_to=prompt.message_id)
    relayed = await reporter.next_message()
    assert "Was anyone hurt?" in relayed.text and "coffee" not in relayed.text
    assert ref in relayed.text


async def test_stale_lists_the_articles_to_check(fake: FakeTelegram, bot: BotProcess) -> None:
    import datetime

    from bot.kb.check import stale_articles
    from bot.kb.loader import load_knowledge_base

    await start_in(fake, ADMIN_ID, "ru")
    reply = await send(fake, ADMIN_ID, "/stale")
    stale = stale_articles(load_knowledge_base().articles.values(),
                           datetime.datetime.now(datetime.UTC).date())
    if not stale:
        assert "Nothing" in reply.text or "нечего" in reply.text
        return
    assert t("ru", "Articles to check: the rules in them may have changed") in reply.text
    for article in stale:
        assert article.id in reply.text


async def test_a_long_question_or_reason_is_refused_politely_and_kept_pending(
        fake: FakeTelegram, bot: BotProcess) -> None:
    """Both reach the reporter inside a framed message, which must stay under Telegram's
    4,096 characters: the moderator is asked to shorten it, and nothing is sent."""
    await start_in(fake, ADMIN_ID, "en")
    ref = await file_report(fake, USER_ID, "en", contact=True)
    reporter = fake.chat(USER_ID)
    await fake.chat(ADMIN_ID).next_message()  # the announcement
    reporter.skip()
    card = await send(fake, ADMIN_ID, f"/queue {ref}")
    card = card if "📂" in card.text else await next_card(fake, ADMIN_ID)
    await press(fake, ADMIN_ID, card, "✋ Take")
    card = await next_card(fake, ADMIN_ID)
    await reporter.next_message()  # "in review"
    long_text = "Please describe the room and the officers in detail. " * 70  # ~3,800
    await press(fake, ADMIN_ID, card, "❓ Ask the reporter")
    await fake.chat(ADMIN_ID).next_message()
    refusal = await send(fake, ADMIN_ID, long_text)
    assert "too long for one message to the reporter" in refusal.text
    shorter = await send(fake, ADMIN_ID, "Which terminal was it?")  # still asking
    assert "was sent to the reporter" in shorter.text
    assert "Which terminal" in (await reporter.next_message()).text

    card = await next_card(fake, ADMIN_ID)
    await press(fake, ADMIN_ID, card, "❌ Reject")
    reasons = await fake.chat(ADMIN_ID).next_event(kinds={"message", "edit_markup"})
    assert reasons.message is not None
    await press(fake, ADMIN_ID, reasons.message, "✍️ Type a reason")
    await fake.chat(ADMIN_ID).next_message()
    refusal = await send(fake, ADMIN_ID, long_text)
    assert "too long for one message to the reporter" in refusal.text
    done = await send(fake, ADMIN_ID, "We could not confirm the date.")
    assert ref in done.text
    told = await reporter.next_message()
    assert "We could not confirm the date." in told.text
