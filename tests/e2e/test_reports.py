"""Incident reports, driven as a user through the real bot process and the fake Bot API."""

from __future__ import annotations

import base64
import re
import signal
import sqlite3
import uuid
from datetime import date
from pathlib import Path

import pytest

from bot.crypto import ReportKeys
from bot.fakeapi import FakeTelegram, StoredMessage
from bot.fakeapi.observe import ChatReader
from bot.i18n import Catalogs
from bot.kb.loader import load_knowledge_base
from bot.privacy import screens as privacy_screens
from bot.reports import draft as d
from bot.reports import flow, screens
from bot.reports.places import default_places
from bot.reports.service import ReportContent, ReportService
from bot.storage import Database
from bot.storage.reports import ReportRow
from tests.e2e.conftest import ADMIN_ID, USER_ID, BotProcess, assert_no_api_errors, start_in

CATALOGS = Catalogs.load()
PLACES = default_places()
EMERGENCY_TITLE = {
    locale: load_knowledge_base().article("help.emergency").text(locale).title  # type: ignore[union-attr]
    for locale in ("tg", "ru", "en")
}
REF = re.compile(r"R-[A-Z2-9]{6}")


class Reporter:
    """One user walking through the report flow; ``screen`` is the message with the
    current question (button presses edit it in place, typed answers get a new one)."""

    def __init__(self, fake: FakeTelegram, user_id: int, locale: str) -> None:
        self.fake = fake
        self.user_id = user_id
        self.locale = locale
        self.chat: ChatReader = fake.chat(user_id)
        self.screen: StoredMessage | None = None

    def t(self, msgid: str) -> str:
        return CATALOGS.get(self.locale).gettext(msgid)

    def long_date(self, value: date) -> str:
        return CATALOGS.get(self.locale).format_date(value)

    def place(self, place_id: str) -> str:
        return PLACES.name(place_id, self.locale)

    async def next_screen(self) -> StoredMessage:
        event = await self.chat.next_event(kinds={"message", "edit_text"})
        assert event.message is not None
        self.screen = event.message
        return event.message

    async def start(self, via_menu: bool = False) -> StoredMessage:
        if via_menu:
            menu = self.chat.last_message()
            assert menu is not None
            self.fake.press_button(self.user_id, menu.message_id,
                                   self.t("📝 Report an incident"))
        else:
            self.fake.send_message(self.user_id, "/report")
        return await self.next_screen()

    async def press(self, label: str, *, on: StoredMessage | None = None) -> StoredMessage:
        message = on or self.screen
        assert message is not None
        assert label in message.button_texts(), (label, message.button_texts(), message.text)
        self.fake.press_button(self.user_id, message.message_id, label)
        return await self.next_screen()

    async def choose_incidents(self, *codes: str) -> StoredMessage:
        """Tap each type (the first is the main one), then Continue."""
        for code in codes:
            await self.press(self.t(d.INCIDENTS[code]))
        return await self.press(self.t(screens.CONTINUE))

    async def type(self, text: str) -> StoredMessage:
        self.fake.send_message(self.user_id, text)
        return await self.next_screen()

    async def answer_all(self, *, incident: str = "held_border", place: str = "dme",
                         date_text: str | None = None, held: str = "lt3h",
                         description: str = "Border guards kept us in a small room for "
                                            "nine hours without water.",
                         contact: bool = False) -> StoredMessage:
        """From the first screen to the summary, with buttons and typed answers."""
        await self.press(self.t(screens.WITH_CONTACT if contact else screens.ANONYMOUS))
        await self.choose_incidents(incident)
        await self.press(self.place(place))
        if date_text:
            await self.type(date_text)
        else:
            await self.press(self.t(screens.YESTERDAY))
        await self.press(self.t(d.AFFECTED["me"]))
        await self.press("3–5")
        await self.press(self.t(d.GROUPS["child"]))
        await self.press(self.t(screens.DONE))
        await self.press(self.t(d.HELD[held]))
        await self.type(description)
        return await self.press(self.t(screens.SKIP))

    async def confirm(self) -> str:
        """Confirm on the summary; returns the reference from the receipt."""
        assert self.screen is not None
        self.fake.press_button(self.user_id, self.screen.message_id, self.t(screens.CONFIRM))
        receipt = await self.chat.next_message()
        match = REF.search(receipt.text)
        assert match, receipt.text
        self.screen = receipt
        return match.group(0)


async def stored_reports(data_dir: Path) -> list[tuple[ReportRow, ReportContent]]:
    """Read the bot's database with its own key file, after the bot has stopped."""
    key = base64.b64decode((data_dir / "report.key").read_text())
    db = await Database.open(data_dir / "hamroh.sqlite3")
    try:
        service = ReportService(db, ReportKeys.from_master(key))
        rows = await db.reports.all()
        return [(row, service.content_of(row)) for row in rows]
    finally:
        await db.close()


# --- complete reports in each language ---------------------------------------------------

@pytest.mark.parametrize(
    ("locale", "date_text", "expected_date", "receipt_words"),
    [
        ("tg", "5 феврали 2025", "2025-02-05", "Рақами гузориш"),
        ("ru", "5 февраля 2025", "2025-02-05", "Номер сообщения"),
        ("en", "5 February 2025", "2025-02-05", "Reference number"),
    ],
)
async def test_complete_report(fake: FakeTelegram, bot: BotProcess, locale: str,
                               date_text: str, expected_date: str, receipt_words: str) -> None:
    await start_in(fake, USER_ID, locale)
    user = Reporter(fake, USER_ID, locale)
    first = await user.start(via_menu=locale == "tg")
    assert user.t("Report an incident") in first.text
    assert "/forget" in first.text
    summary = await user.answer_all(date_text=date_text, contact=locale != "tg")
    assert user.t("Please check your report") in summary.text
    assert user.place("dme") in summary.text
    assert "nine hours" in summary.text
    assert user.t(screens.CONFIRM) in summary.button_texts()

    ref = await user.confirm()
    assert receipt_words in user.screen.text  # type: ignore[union-attr]
    assert user.t("🏠 Main menu") in user.screen.button_texts()  # type: ignore[union-attr]
    assert user.t("🆘 Emergency help") not in user.screen.button_texts()  # type: ignore[union-attr]
    # The summary's buttons are gone: it cannot be confirmed again by accident.
    assert fake.message(USER_ID, summary.message_id).buttons == []

    fake.send_message(USER_ID, "/myreports")
    listing = await user.chat.next_message()
    assert ref in listing.text and user.t("Received") in listing.text

    await bot.stop()
    ((row, content),) = await stored_reports(bot.data_dir)
    assert row.ref == ref and row.incident_date == expected_date
    assert row.locale == locale and row.groups == ("child",)
    assert content.contact is (locale != "tg") and content.reporter_id == USER_ID



# --- urgent reports -------------------------------------------------------------------

async def test_urgent_report_sends_emergency_help_and_alerts_moderators(
        fake: FakeTelegram, bot: BotProcess) -> None:
    fake.add_user(ADMIN_ID, first_name="Moderator", language_code="en")
    fake.send_message(ADMIN_ID, "/start")  # a moderator who has talked to the bot
    admin_chat = fake.chat(ADMIN_ID)
    await admin_chat.next_message()

    await start_in(fake, USER_ID, "ru")
    user = Reporter(fake, USER_ID, "ru")
    await user.start()
    await user.press(user.t(screens.ANONYMOUS))
    await user.choose_incidents("detained")
    await user.press(user.place("svo"))
    await user.press(user.t(screens.TODAY))
    await user.press(user.t(d.AFFECTED["family"]))
    await user.press("2")
    await user.press(user.t(screens.DONE))
    assert user.screen is not None
    fake.press_button(USER_ID, user.screen.message_id, user.t(d.HELD["still"]))
    # At once: the emergency checklist, before anything else is asked.
    article = await user.chat.next_message()
    assert article.text.startswith(EMERGENCY_TITLE["ru"]), article.text
    prompt = await user.next_screen()
    assert user.t("Please describe what happened, in your own words.") in prompt.text
    await user.type("Брата задержали в аэропорту, телефон забрали, не отпускают.")
    await user.press(user.t(screens.SKIP))
    ref = await user.confirm()
    assert user.screen is not None
    assert user.t("🆘 Emergency help") in user.screen.button_texts()
    assert "Модераторы оповещены" in user.screen.text

    alert = await admin_chat.next_message()
    assert ref in alert.text and "URGENT" in alert.text and "Sheremetyevo" in alert.text
    assert "Брата" not in alert.text and str(USER_ID) not in alert.text

    # The emergency button of the receipt opens the checklist again.
    fake.press_button(USER_ID, user.screen.message_id, user.t("🆘 Emergency help"))
    event = await user.chat.next_event(kinds={"message", "edit_text"})
    assert event.message is not None and EMERGENCY_TITLE["ru"] in event.message.text


@pytest.mark.parametrize("bot_env", [{"MODERATION_CHAT_ID": "-100777"}])
async def test_failed_alert_does_not_break_the_report(fake: FakeTelegram,
                                                      bot: BotProcess) -> None:
    # The moderation chat does not exist for the fake: Telegram answers "chat not found".
    await start_in(fake, USER_ID, "tg")
    user = Reporter(fake, USER_ID, "tg")
    await user.start()
    await user.press(user.t(screens.WITH_CONTACT))
    await user.choose_incidents("held_border")
    await user.press(user.place("orb_land"))
    await user.press(user.t(screens.TODAY))
    await user.press(user.t(d.AFFECTED["others"]))
    await user.press(user.t(d.PEOPLE["11+"]))
    await user.press(user.t(screens.DONE))
    assert user.screen is not None
    fake.press_button(USER_ID, user.screen.message_id, user.t(d.HELD["still"]))
    assert (await user.chat.next_message()).text.startswith(EMERGENCY_TITLE["tg"])
    await user.next_screen()
    await user.type("Дар гузаргоҳ 40 нафарро аз субҳ нигоҳ доштаанд, об намедиҳанд.")
    await user.press(user.t(screens.SKIP))
    ref = await user.confirm()
    assert "Рақами гузориш" in user.screen.text  # type: ignore[union-attr]
    await fake.wait_for(lambda: fake.api_errors)
    assert [method for method, _error in fake.api_errors] == ["sendMessage"]
    fake.api_errors.clear()
    await bot.stop()
    assert "could not deliver a report announcement" in bot.log()
    assert "-100777" not in bot.log()
    ((row, _content),) = await stored_reports(bot.data_dir)
    assert row.ref == ref and row.urgent


# --- edit, cancel, pause ---------------------------------------------------------------

async def test_edit_from_the_summary(fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, USER_ID, "en")
    user = Reporter(fake, USER_ID, "en")
    await user.start()
    summary = await user.answer_all(date_text="05.02.2025")
    assert user.long_date(date(2025, 2, 5)) in summary.text

    await user.press(user.t(screens.EDIT))
    await user.press(user.t(screens.EDIT_LABELS[d.DATE]))
    summary = await user.type("1 March 2025")
    assert user.long_date(date(2025, 3, 1)) in summary.text
    assert user.t(screens.CONFIRM) in summary.button_texts()

    # Back while editing leaves the answer as it was.
    await user.press(user.t(screens.EDIT))
    await user.press(user.t(screens.EDIT_LABELS[d.DESCRIPTION]))
    summary = await user.press(user.t(screens.BACK))
    assert "nine hours" in summary.text

    await user.press(user.t(screens.EDIT))
    await user.press(user.t(screens.EDIT_LABELS[d.PLACE]))
    await user.press(user.place("ru_other"))
    summary = await user.type("Tver region")
    assert "Elsewhere in Russia: Tver region" in summary.text

    await user.press(user.t(screens.EDIT))
    await user.press(user.t(screens.EDIT_LABELS[d.EVIDENCE]))
    fake.send_photo(USER_ID)
    received = await user.chat.next_message()
    assert "1 of 10" in received.text
    summary = await user.press(user.t(screens.DONE), on=received)
    assert "1 file" in summary.text

    await user.confirm()
    await bot.stop()
    ((row, content),) = await stored_reports(bot.data_dir)
    assert row.incident_date == "2025-03-01" and row.place == "ru_other"
    assert content.place_text == "Tver region" and len(content.evidence) == 1
    assert content.evidence[0].kind == "photo" and content.evidence[0].size == 98_000


async def test_cancel_with_button_and_command(fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, USER_ID, "ru")
    user = Reporter(fake, USER_ID, "ru")
    await user.start()
    await user.press(user.t(screens.ANONYMOUS))
    incident_screen = user.screen
    question = await user.press(user.t(screens.CANCEL))
    assert user.t("Cancel this report?") in question.text
    back = await user.press(user.t(screens.CANCEL_NO))
    assert back.text == incident_screen.text  # type: ignore[union-attr]
    await user.press(user.t(screens.CANCEL))
    done = await user.press(user.t(screens.CANCEL_YES))
    assert "Сообщение отменено" in done.text

    # A new /report starts afresh (nothing to resume), and /cancel works mid-flow.
    first = await user.start()
    assert "незаконченное" not in first.text
    await user.press(user.t(screens.ANONYMOUS))
    await user.choose_incidents("refused")
    fake.send_message(USER_ID, "/cancel")
    assert "Сообщение отменено" in (await user.chat.next_message()).text
    fake.send_message(USER_ID, "/cancel")
    assert "нечего отменять" in (await user.chat.next_message()).text

    # Free text now goes to question answering, not to the cancelled report.
    fake.send_message(USER_ID, "Какие документы нужны для въезда?")
    reply = await user.chat.next_message()
    assert user.t(flow.USE_BUTTONS) not in reply.text
    fake.send_message(USER_ID, "/myreports")
    assert "ещё не отправляли" in (await user.chat.next_message()).text


async def test_menu_pauses_the_report_and_report_resumes_it(fake: FakeTelegram,
                                                            bot: BotProcess) -> None:
    await start_in(fake, USER_ID, "en")
    user = Reporter(fake, USER_ID, "en")
    await user.start()
    await user.press(user.t(screens.ANONYMOUS))
    await user.choose_incidents("extortion")
    await user.press(user.place("kzn"))
    fake.send_message(USER_ID, "/menu")
    menu = await user.chat.next_message()
    assert user.t("📝 Report an incident") in menu.button_texts()
    note = await user.chat.next_message()
    assert "saved as a draft" in note.text
    fake.send_message(USER_ID, "Do I need a migration card?")
    answer = await user.chat.next_message()
    assert "I could not read this date" not in answer.text

    fake.press_button(USER_ID, menu.message_id, user.t("📝 Report an incident"))
    resumed = await user.next_screen()
    assert "unfinished report" in resumed.text
    assert user.t("When did it happen?") in resumed.text
    await user.type("yesterday")
    assert user.t("Who was affected?") in user.screen.text  # type: ignore[union-attr]


# --- wrong input at every step -----------------------------------------------------------

async def test_bad_input_at_each_step_is_reprompted_and_nothing_is_lost(
        fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, USER_ID, "en")
    user = Reporter(fake, USER_ID, "en")
    use_buttons = user.t(flow.USE_BUTTONS)

    async def expect(action: object, fragment: str) -> StoredMessage:
        screen = await user.chat.next_message()
        assert fragment in screen.text, (action, screen.text)
        user.screen = screen
        return screen

    consent = await user.start()
    fake.send_sticker(USER_ID)
    await expect("sticker", use_buttons)
    fake.send_message(USER_ID, "hello")
    await expect("text", use_buttons)
    await user.press(user.t(screens.ANONYMOUS))

    # incident
    fake.send_photo(USER_ID)
    await expect("photo", use_buttons)
    draft_id = user.screen.buttons[0][0].callback_data.split(":")[1]  # type: ignore[union-attr]
    update = fake.press_callback(USER_ID, user.screen.message_id, f"rp:{draft_id}:i:set:bogus")  # type: ignore[union-attr]
    await fake.wait_for(lambda: fake.callback_query(update).answered)
    assert "no longer available" in (fake.callback_query(update).answer or {}).get("text", "")
    fake.press_callback(USER_ID, user.screen.message_id, "rp:AAAAAAAA:i:set:refused")  # type: ignore[union-attr]
    await expect("other draft", user.t("What happened?"))
    fake.press_callback(USER_ID, user.screen.message_id, "rp:garbage")  # type: ignore[union-attr]
    await expect("garbage", user.t("What happened?"))
    # A button of an earlier question (the first consent screen, still on screen).
    fake.press_button(USER_ID, consent.message_id, user.t(screens.WITH_CONTACT))
    await expect("earlier button", user.t("What happened?"))
    await user.choose_incidents("other")
    fake.send_message(USER_ID, "x")
    await expect("too short", "too short")
    await user.type("Phone taken by police")

    # place
    fake.send_voice(USER_ID)
    await expect("voice", use_buttons)
    await user.press(user.place("svx"))

    # date
    for text, fragment in [("sometime last week", "could not read this date"),
                           ("01.01.2099", "in the future"),
                           ("31.12.2019", "from 2020 onwards"),
                           ("30.02.2024", "does not exist")]:
        fake.send_message(USER_ID, text)
        await expect(text, fragment)
    fake.send_sticker(USER_ID)
    await expect("sticker", "answer with text")
    await user.type("29.02.2024")

    # affected, people, groups, held
    fake.send_message(USER_ID, "me")
    await expect("text", use_buttons)
    await user.press(user.t(d.AFFECTED["me"]))
    for text in ("many", "0", "100000"):
        fake.send_message(USER_ID, text)
        await expect(text, "type a number from 1 to 10000")
    await user.type("12")
    fake.send_message(USER_ID, "child")
    await expect("text", use_buttons)
    await user.press(user.t(d.GROUPS["student"]))
    await user.press(user.t(screens.DONE))
    fake.send_location(USER_ID)
    await expect("location", use_buttons)
    await user.press(user.t(d.HELD["1-2d"]))

    # description
    fake.send_message(USER_ID, "too short")
    await expect("short", "at least one full sentence")
    fake.send_photo(USER_ID)
    await expect("photo", "first describe what happened, in words or in a voice message")
    long_text = ("They kept us for two days and took our phones. " * 100)[:4000].strip()
    await user.type(long_text)
    # Nothing is cut: the bot says how much it kept.
    assert f"saved your description ({len(long_text)} characters)" in \
        user.screen.text  # type: ignore[union-attr]

    # evidence
    fake.send_sticker(USER_ID)
    await expect("sticker", "photos, videos, documents and voice messages")
    fake.send_location(USER_ID)
    await expect("location", "photos, videos, documents and voice messages")
    for send in (fake.send_photo, fake.send_document, fake.send_video, fake.send_voice):
        send(USER_ID)
        received = await user.chat.next_message()
        assert "Received" in received.text
    summary = await user.press(user.t(screens.DONE), on=received)

    # review
    fake.send_message(USER_ID, "looks good")
    summary = await expect("text at review", use_buttons)
    for fragment in ("Phone taken by police", "Yekaterinburg", user.long_date(date(2024, 2, 29)),
                     "12", "A student", "1–2 days", "4 files",
                     f"the whole text ({len(long_text)} characters) is saved"):
        assert fragment in summary.text, fragment
    await user.confirm()

    await bot.stop()
    ((row, content),) = await stored_reports(bot.data_dir)
    assert row.incident == "other" and content.incident_text == "Phone taken by police"
    assert row.people == "12" and row.groups == ("student",)
    assert content.description == long_text.strip()
    assert [e.kind for e in content.evidence] == ["photo", "document", "video", "voice"]
    assert all(e.file_id and e.size for e in content.evidence)


# --- robustness --------------------------------------------------------------------------

async def test_restart_in_the_middle_then_complete(fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, USER_ID, "tg")
    user = Reporter(fake, USER_ID, "tg")
    await user.start()
    await user.press(user.t(screens.ANONYMOUS))
    await user.choose_incidents("documents")
    await user.press(user.place("led"))

    await bot.restart(kill=True)  # a crash: no graceful shutdown
    screen = await user.type("5.2.2025")
    assert user.t("Who was affected?") in screen.text

    await user.press(user.t(d.AFFECTED["me"]))
    await user.press("1")
    before_restart = user.screen
    await bot.restart()  # a normal restart (deploy)
    # The button on the message from before the restart still works.
    await user.press(user.t(screens.DONE), on=before_restart)
    await user.press(user.t(d.HELD["no"]))
    await user.type("Паспорти маро гирифтанд ва баъд аз ду рӯз баргардонданд.")
    await user.press(user.t(screens.SKIP))
    ref = await user.confirm()
    await bot.stop()
    ((row, _content),) = await stored_reports(bot.data_dir)
    assert row.ref == ref and row.incident_date == "2025-02-05" and row.place == "led"


async def test_double_confirm_and_redelivery_store_one_report(fake: FakeTelegram,
                                                              bot: BotProcess) -> None:
    await start_in(fake, USER_ID, "en")
    user = Reporter(fake, USER_ID, "en")
    await user.start()
    summary = await user.answer_all()
    first = fake.press_button(USER_ID, summary.message_id, user.t(screens.CONFIRM))
    fake.press_button(USER_ID, summary.message_id, user.t(screens.CONFIRM))
    receipts = [await user.chat.next_message(), await user.chat.next_message()]
    refs = {REF.search(r.text).group(0) for r in receipts}  # type: ignore[union-attr]
    assert len(refs) == 1
    fake.redeliver(first)  # the same update again, as after a lost confirmation
    fake.send_message(USER_ID, "/myreports")
    listing = await user.chat.next_message()
    assert refs.pop() in listing.text
    assert len(REF.findall(listing.text)) == 1
    await bot.stop()
    assert len(await stored_reports(bot.data_dir)) == 1


# --- /myreports and /forget ------------------------------------------------------------

async def test_myreports_lists_reports_with_status(fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, USER_ID, "ru")
    user = Reporter(fake, USER_ID, "ru")
    fake.send_message(USER_ID, "/myreports")
    assert "ещё не отправляли" in (await user.chat.next_message()).text
    await user.start()
    await user.answer_all(date_text="05.02.2025")
    first = await user.confirm()
    await user.start()
    await user.answer_all(incident="refused", place="vko")
    second = await user.confirm()
    fake.send_message(USER_ID, "/myreports")
    listing = await user.chat.next_message()
    assert "Ваши сообщения" in listing.text
    assert listing.text.index(second) < listing.text.index(first)  # newest first
    assert "5 февраля 2025" in listing.text and "Отказ во въезде" in listing.text
    assert listing.text.count("Получено") == 2
    # Another user sees none of them.
    await start_in(fake, USER_ID + 1, "ru")
    fake.send_message(USER_ID + 1, "/myreports")
    other = await fake.chat(USER_ID + 1).next_message()
    assert first not in other.text and "ещё не отправляли" in other.text


@pytest.mark.parametrize("withdraw", [False, True])
async def test_forget(fake: FakeTelegram, bot: BotProcess, withdraw: bool) -> None:
    await start_in(fake, USER_ID, "en")
    user = Reporter(fake, USER_ID, "en")
    await user.start()
    await user.answer_all(contact=True)
    ref = await user.confirm()
    # A second report in progress, left unfinished.
    await user.start()
    await user.press(user.t(screens.ANONYMOUS))
    in_progress = user.screen

    fake.send_message(USER_ID, "/forget")
    question = await user.chat.next_message()
    assert "You have sent 1 report." in question.text
    assert "kept for anonymous statistics" in question.text
    label = user.t(privacy_screens.WITHDRAW_ALL if withdraw else privacy_screens.DELETE_DATA)
    fake.press_button(USER_ID, question.message_id, label)
    event = await user.chat.next_event(kinds={"edit_text"})
    assert event.message is not None and "Your data has been deleted" in event.message.text
    assert ("withdrawn and deleted" if withdraw else "stays for anonymous statistics") in \
        event.message.text
    # While the bot runs, with no checkpoint by the test: neither the database nor its
    # write-ahead log still holds the conversation key or the reporter hash (review H1).
    keys = ReportKeys.from_master(base64.b64decode(
        (bot.data_dir / "report.key").read_text().strip()))
    needles = [f"[{USER_ID}, {USER_ID}]".encode(), keys.reporter_hash(USER_ID).encode()]
    files = [p for p in bot.data_dir.glob("hamroh.sqlite3*") if p.is_file()]
    assert [p.name for p in files for n in needles if n in p.read_bytes()] == []
    await bot.stop()

    reports = await stored_reports(bot.data_dir)
    db = await Database.open(bot.data_dir / "hamroh.sqlite3")
    try:
        assert await db.users.get(USER_ID) is None
        assert await db.reports.count_drafts() == 0
        for table in ("conversation_state", "user_state"):  # the only user's: none left
            async with db.conn.execute(f"SELECT COUNT(*) FROM {table}") as cur:
                assert (await cur.fetchone())[0] == 0, table  # type: ignore[index]
    finally:
        await db.close()
    if withdraw:
        assert reports == []
    else:
        ((row, content),) = reports
        assert row.ref == ref and row.reporter is None
        assert content.reporter_id is None and content.contact is None
        assert "nine hours" in content.description

    # The old buttons lead nowhere now, politely.
    await bot.start()
    assert in_progress is not None
    fake.press_button(USER_ID, in_progress.message_id, user.t(d.INCIDENTS["refused"]))
    assert "no longer open" in (await user.chat.next_message()).text
    fake.send_message(USER_ID, "/myreports")
    assert "not sent any reports" in (await user.chat.next_message()).text


async def test_forget_inside_a_report_ends_it(fake: FakeTelegram, bot: BotProcess) -> None:
    """The report in progress is over once the deletion is confirmed: what the person
    types next is a question again, not a step of a report that no longer exists."""
    await start_in(fake, USER_ID, "en")
    user = Reporter(fake, USER_ID, "en")
    await user.start()
    await user.press(user.t(screens.ANONYMOUS))
    fake.send_message(USER_ID, "/forget")
    question = await user.chat.next_message()
    fake.press_button(USER_ID, question.message_id, user.t(privacy_screens.DELETE_DATA))
    event = await user.chat.next_event(kinds={"edit_text"})
    assert event.message is not None and "Your data has been deleted" in event.message.text
    fake.send_message(USER_ID, "how do I pay for my patent")
    reply = await user.chat.next_message()
    assert "no longer open" not in reply.text
    assert "patent" in reply.text.lower()


async def test_forget_can_be_declined(fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, USER_ID, "tg")
    user = Reporter(fake, USER_ID, "tg")
    await user.start()
    await user.press(user.t(screens.ANONYMOUS))
    fake.send_message(USER_ID, "/forget")
    question = await user.chat.next_message()
    assert user.t(privacy_screens.WITHDRAW_ALL) not in question.button_texts()  # no reports yet
    fake.press_button(USER_ID, question.message_id, user.t(privacy_screens.KEEP_DATA))
    event = await user.chat.next_event(kinds={"edit_text"})
    assert event.message is not None and "Ҳеҷ чиз нест карда нашуд" in event.message.text
    # The report in progress is untouched.
    await user.choose_incidents("refused")
    assert user.t("Where did it happen?") in user.screen.text  # type: ignore[union-attr]


# --- expiry and privacy ----------------------------------------------------------------

@pytest.mark.parametrize("bot_env", [{"DRAFT_TTL_HOURS": "0.0005"}])  # 1.8 seconds
async def test_abandoned_draft_expires_politely(fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, USER_ID, "ru")
    user = Reporter(fake, USER_ID, "ru")
    await user.start()
    incident = await user.press(user.t(screens.ANONYMOUS))
    notice = await user.chat.next_message(timeout=15)
    assert "незаконченное сообщение удалено" in notice.text and "/report" in notice.text
    # Nothing of the report flow stays behind either: no conversation state (review M1).
    assert _rows(bot.data_dir, "SELECT COUNT(*) FROM conversation_state") == [(0,)]
    fake.press_button(USER_ID, incident.message_id, user.t(d.INCIDENTS["refused"]))
    assert "больше не открыто" in (await user.chat.next_message()).text
    fresh = await user.start()
    assert "незаконченное" not in fresh.text and user.t(screens.ANONYMOUS) in \
        fresh.button_texts()


async def test_state_of_a_report_in_progress_names_nobody(fake: FakeTelegram,
                                                          bot: BotProcess) -> None:
    """Review M1: while a report is written, the saved conversation step and the user's
    data must not sit in the database under the user's Telegram id."""
    await start_in(fake, USER_ID, "en")
    user = Reporter(fake, USER_ID, "en")
    await user.start()
    await user.press(user.t(screens.ANONYMOUS))
    await user.choose_incidents("refused")
    await bot.stop()  # a clean stop: everything the bot keeps is written
    tables = [name for (name,) in _rows(bot.data_dir, "SELECT name FROM sqlite_master "
                                                      "WHERE type = 'table'")]
    holders = [table for table in tables if table != "users"
               for row in _rows(bot.data_dir, f"SELECT * FROM {table}")
               if any(str(USER_ID) in (v.decode("latin-1") if isinstance(v, bytes) else str(v))
                      for v in row)]
    assert holders == []
    assert _rows(bot.data_dir, "SELECT COUNT(*) FROM conversation_state") == [(1,)]
    # The step survives the restart: the flow goes on where it was.
    await bot.start()
    assert user.t("When did it happen?") in (await user.press(user.place("dme"))).text


async def test_a_report_committed_just_before_a_crash_still_gets_its_receipt(
        fake: FakeTelegram, bot: BotProcess) -> None:
    """Issue 12, faults: the process dies (SIGKILL) after the report is stored but before
    anyone was told. After the restart the moderators get the announcement and the
    reporter the receipt, once, and the report exists once."""
    await start_in(fake, ADMIN_ID, "en")  # a reviewer who can be reached
    await start_in(fake, USER_ID, "en")
    user = Reporter(fake, USER_ID, "en")
    await user.start()
    await user.answer_all()
    sends = len(fake.calls_of("sendMessage"))
    fake.hold("sendMessage")  # the bot gets stuck telling the moderators
    fake.press_button(USER_ID, user.screen.message_id,  # type: ignore[union-attr]
                      user.t(screens.CONFIRM))
    await fake.wait_for(lambda: len(fake.calls_of("sendMessage")) > sends,
                        message="the bot never tried to announce the report")
    await bot.stop(signal.SIGKILL)
    fake.release("sendMessage")
    assert len(await stored_reports(bot.data_dir)) == 1  # committed before the send
    await bot.start()
    receipt = await user.chat.next_message(timeout=20)
    match = REF.search(receipt.text)
    assert match, receipt.text
    ((row, _content),) = await stored_reports(bot.data_dir)
    assert row.ref == match.group(0)
    announcement = await fake.chat(ADMIN_ID).next_message(timeout=20)
    assert row.ref in announcement.text
    # Once: a further restart sends nothing again.
    await bot.restart()
    await fake.wait_for(lambda: len(fake.calls_of("getUpdates")) > 2)
    user.chat.assert_no_pending()
    fake.chat(ADMIN_ID).assert_no_pending()


async def test_a_locked_database_gets_an_apology_and_no_half_report(
        fake: FakeTelegram, bot: BotProcess) -> None:
    """Issue 12, faults: another process holds the database (a backup tool, a disk that
    stalls) past the bot's 5-second wait. The user is told to try again; nothing half
    written remains; trying again works and stores the report once."""
    bot.expect_errors = True  # the failures are logged, with their tracebacks
    await start_in(fake, USER_ID, "en")
    user = Reporter(fake, USER_ID, "en")
    await user.start()
    summary = await user.answer_all()
    locker = sqlite3.connect(bot.data_dir / "hamroh.sqlite3", isolation_level=None)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        fake.press_button(USER_ID, summary.message_id, user.t(screens.CONFIRM))
        apology = await user.chat.next_message(timeout=30)
        assert "Please try again" in apology.text
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert "database is locked" in bot.log()
    fake.press_button(USER_ID, summary.message_id, user.t(screens.CONFIRM))
    receipt = await user.chat.next_message(timeout=20)
    assert REF.search(receipt.text), receipt.text
    await bot.stop()
    assert len(await stored_reports(bot.data_dir)) == 1


async def test_typed_text_never_reaches_the_database_in_plaintext(fake: FakeTelegram,
                                                                  bot: BotProcess) -> None:
    marker = f"PRIVATE{uuid.uuid4().hex[:12]}"
    await start_in(fake, USER_ID, "en")
    user = Reporter(fake, USER_ID, "en")
    await user.start()
    await user.answer_all(description=f"The officer {marker} took my passport at night.")
    await user.confirm()
    await user.start()
    await user.press(user.t(screens.ANONYMOUS))
    await user.choose_incidents("other")
    await user.type(f"{marker} typed type")
    await user.press(user.place("other"))
    await user.type(f"{marker} Almaty")
    await bot.stop()
    db_path = bot.data_dir / "hamroh.sqlite3"
    files = [p for p in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")) if p.exists()]
    for file in files:
        raw = file.read_bytes()
        for needle in (marker.encode(), marker.encode("utf-16-le"), marker.encode("utf-16-be")):
            assert needle not in raw, file.name
    assert marker not in bot.log()
    assert_no_api_errors(fake)


# --- what real people ran into --------------------------------------------------------------

@pytest.mark.parametrize("locale", ["ru", "tg"])
async def test_dates_and_counts_as_people_say_them(fake: FakeTelegram, bot: BotProcess,
                                                   locale: str) -> None:
    await start_in(fake, USER_ID, locale)
    user = Reporter(fake, USER_ID, locale)
    await user.start()
    await user.press(user.t(screens.ANONYMOUS))
    await user.choose_incidents("held_border")
    await user.press(user.place("dme"))
    typed_date = {"ru": "3 дня назад", "tg": "se ruz pesh"}[locale]
    screen = await user.type(typed_date)
    assert user.t("Who was affected?") in screen.text, screen.text
    await user.press(user.t(d.AFFECTED["others"]))
    typed_count = {"ru": "нас было двадцать", "tg": "мо 20 нафар будем"}[locale]
    screen = await user.type(typed_count)
    assert "⚠️" not in screen.text, screen.text
    # A question typed at a button step: the draft is kept, and the way out is named.
    screen = await user.type("сколько стоит патент?")
    assert "/menu" in screen.text and "/cancel" in screen.text
    fake.send_message(USER_ID, "/cancel")
    await user.chat.next_message()
    await bot.stop()
    assert await stored_reports(bot.data_dir) == []


async def test_a_typed_reference_shows_only_ones_own_report(fake: FakeTelegram,
                                                            bot: BotProcess) -> None:
    await start_in(fake, USER_ID, "en")
    user = Reporter(fake, USER_ID, "en")
    await user.start()
    await user.answer_all()
    ref = await user.confirm()
    fake.send_message(USER_ID, ref.lower())
    status = await user.chat.next_message()
    assert ref in status.text and user.t("Received") in status.text
    other = 1002
    await start_in(fake, other, "en")
    fake.send_message(other, ref)
    reply = await fake.chat(other).next_message()
    assert "found no report" in reply.text and user.t("Received") not in reply.text


@pytest.mark.parametrize("bot_env", [{}, {"ADMIN_IDS": ""}])
async def test_a_voice_message_outside_a_report_says_what_can_be_done(
        fake: FakeTelegram, bot: BotProcess, bot_env: dict[str, str]) -> None:
    await start_in(fake, USER_ID, "ru")
    fake.send_voice(USER_ID)
    reply = await fake.chat(USER_ID).next_message()
    assert "голосовые сообщения" in reply.text
    assert ("Спросить человека" in reply.text) is (bot_env == {})


@pytest.mark.parametrize("locale", ["ru", "tg"])
async def test_the_report_conversation_can_be_removed_from_the_phone(
        fake: FakeTelegram, bot: BotProcess, locale: str) -> None:
    await start_in(fake, USER_ID, locale)
    user = Reporter(fake, USER_ID, locale)
    first = await user.start()
    await user.answer_all()
    await user.confirm()
    receipt = user.screen
    assert receipt is not None
    in_report = [m for m in fake.transcript(USER_ID, include_user=True)
                 if m.message is not None and m.message.message_id >= first.message_id - 1]
    ids = sorted({event.message.message_id for event in in_report if event.message})
    # The /report command itself is older than Telegram's 48 hours: it cannot be removed.
    command = fake.message(USER_ID, first.message_id - 1)
    command.date -= 49 * 3600
    menu = fake.message(USER_ID, first.message_id - 2)  # before the report: untouched
    fake.press_button(USER_ID, receipt.message_id, user.t(screens.CLEAN_UP))
    done = await user.chat.next_message()
    assert "🧹" in done.text and "1" in done.text  # one older message is left
    assert not any(word in done.text for word in ("R-", "отчёт", "гузориш"))
    for message_id in ids:
        message = fake.message(USER_ID, message_id)
        assert message.deleted is (message_id != command.message_id), message_id
    assert not menu.deleted
    # Telegram refused exactly that one; the bot said so instead of failing.
    assert [(method, error.description) for method, error in fake.api_errors] == [
        ("deleteMessage", "Bad Request: message can't be deleted")]
    fake.api_errors.clear()
    # The report itself is safe.
    fake.send_message(USER_ID, "/myreports")
    assert REF.search((await user.chat.next_message()).text)


# --- what real people ran into (issue 11) ------------------------------------------------

async def _to_date_step(user: Reporter, *codes: str) -> None:
    await user.start()
    await user.press(user.t(screens.ANONYMOUS))
    await user.choose_incidents(*(codes or ("held_border",)))
    await user.press(user.place("dme"))


async def _from_affected_to_description(user: Reporter) -> None:
    await user.press(user.t(d.AFFECTED["me"]))
    await user.press("2")
    await user.press(user.t(screens.DONE))
    await user.press(user.t(d.HELD["lt3h"]))


async def _at_the_description(fake: FakeTelegram, locale: str) -> Reporter:
    await start_in(fake, USER_ID, locale)
    user = Reporter(fake, USER_ID, locale)
    await _to_date_step(user)
    await user.press(user.t(screens.TODAY))
    await _from_affected_to_description(user)
    return user


@pytest.mark.parametrize("locale", ["ru", "tg"])
async def test_several_incident_types_the_first_is_the_main_one(
        fake: FakeTelegram, bot: BotProcess, locale: str) -> None:
    await start_in(fake, USER_ID, locale)
    user = Reporter(fake, USER_ID, locale)
    await user.start()
    await user.press(user.t(screens.ANONYMOUS))
    # "Continue" with nothing chosen explains instead of moving on.
    assert user.screen is not None
    fake.press_button(USER_ID, user.screen.message_id, user.t(screens.CONTINUE))
    toast = await user.chat.next_event(kinds={"callback_answer"})
    assert toast.data.get("text") == user.t(flow.CHOOSE_ONE)
    for code in ("held_border", "documents", "extortion"):
        screen = await user.press(user.t(d.INCIDENTS[code]))
    assert f"✓ 1. {user.t(d.INCIDENTS['held_border'])}" in screen.button_texts()
    assert f"✓ 3. {user.t(d.INCIDENTS['extortion'])}" in screen.button_texts()
    await user.press(user.t(screens.CONTINUE))
    await user.press(user.place("dme"))
    await user.press(user.t(screens.TODAY))
    await _from_affected_to_description(user)
    await user.type("Нас держали девять часов, забрали паспорта и требовали деньги.")
    summary = await user.press(user.t(screens.SKIP))
    also = user.t("{main}; also: {others}").format(
        main=user.t(d.INCIDENTS["held_border"]),
        others=f"{user.t(d.INCIDENTS['documents'])}, {user.t(d.INCIDENTS['extortion'])}")
    assert also in summary.text
    await user.confirm()
    ((row, _content),) = await stored_reports(bot.data_dir)
    assert row.incident == "held_border"
    assert row.incidents == ("held_border", "documents", "extortion")


@pytest.mark.parametrize("locale", ["ru", "en"])
async def test_only_the_month_is_enough_and_back_offers_to_keep(
        fake: FakeTelegram, bot: BotProcess, locale: str) -> None:
    await start_in(fake, USER_ID, locale)
    user = Reporter(fake, USER_ID, locale)
    await _to_date_step(user)
    months = await user.press(user.t(screens.NO_EXACT_DAY))
    assert user.t("In which month did it happen?") in months.text
    assert len(months.button_texts()) == 3 + 2  # three months, Back and Cancel
    # A month typed in Latin letters is accepted as well as the buttons.
    await user.type("dekabr 2025")
    assert user.t("Who was affected?") in user.screen.text  # type: ignore[union-attr]
    # Back: the date step offers to keep what was given.
    back = await user.press(user.t(screens.BACK))
    month_name = CATALOGS.get(locale).format_date(date(2025, 12, 1), "LLLL y")
    keep = user.t(screens.KEEP_VALUE).format(value=month_name)
    assert keep in back.button_texts(), back.button_texts()
    await user.press(keep)
    await _from_affected_to_description(user)
    await user.type("Нас держали в аэропорту всю ночь без воды и еды.")
    summary = await user.press(user.t(screens.SKIP))
    assert user.t("{month} (exact day not known)").format(month=month_name) in summary.text
    await user.confirm()
    ((row, _content),) = await stored_reports(bot.data_dir)
    assert row.incident_date == "2025-12"


@pytest.mark.parametrize("locale", ["tg", "ru"])
async def test_back_to_a_typed_answer_offers_keep(fake: FakeTelegram, bot: BotProcess,
                                                  locale: str) -> None:
    await start_in(fake, USER_ID, locale)
    user = Reporter(fake, USER_ID, locale)
    await _to_date_step(user)
    await user.type("3 рӯз пеш" if locale == "tg" else "3 дня назад")
    await user.press(user.t(d.AFFECTED["others"]))
    await user.type("мо 20 нафар будем" if locale == "tg" else "нас было двадцать")
    back = await user.press(user.t(screens.BACK))
    keep = user.t(screens.KEEP_VALUE).format(value="20")
    assert keep in back.button_texts(), back.button_texts()
    after = await user.press(keep)
    assert user.t(d.GROUPS["child"]) in after.button_texts()


@pytest.mark.parametrize("locale", ["ru", "en"])
async def test_a_9000_character_description_in_three_messages_is_kept_whole(
        fake: FakeTelegram, bot: BotProcess, locale: str) -> None:
    user = await _at_the_description(fake, locale)
    parts = [f"Часть {n}. " + "Нас держали в комнате без воды, забрали телефоны. " * 60
             for n in (1, 2, 3)]
    assert all(3000 < len(part) < 3100 for part in parts)
    first = await user.type(parts[0])
    assert str(len(parts[0].strip())) in first.text  # exactly how much was kept
    for part in parts[1:]:
        notice = await user.type(part)
    whole = "\n".join(part.strip() for part in parts)
    assert len(whole) > 9000 and str(len(whole)) in notice.text
    summary = await user.press(user.t(screens.SKIP))
    assert str(len(whole)) in summary.text  # "the whole text (N characters) is saved"
    await user.confirm()
    ((_row, content),) = await stored_reports(bot.data_dir)
    assert content.description == whole


@pytest.mark.parametrize("locale", ["tg", "en"])
async def test_editing_the_description_offers_add_and_replace(
        fake: FakeTelegram, bot: BotProcess, locale: str) -> None:
    await start_in(fake, USER_ID, locale)
    user = Reporter(fake, USER_ID, locale)
    await user.start()
    await user.answer_all(description="Border guards kept us in a small room for hours.")
    await user.press(user.t(screens.EDIT))
    screen = await user.press(user.t(screens.EDIT_LABELS[d.DESCRIPTION]))
    for label in (screens.ADD_TO_DESCRIPTION, screens.REPLACE_DESCRIPTION,
                  screens.KEEP_DESCRIPTION):
        assert user.t(label) in screen.button_texts()
    await user.press(user.t(screens.ADD_TO_DESCRIPTION))
    # Two more messages: both are added, neither is refused.
    await user.type("Then they took our phones and did not give them back.")
    await user.type("In the morning they let some of us go without papers.")
    summary = await user.press(user.t(screens.DONE))
    assert "took our phones" in summary.text and "without papers" in summary.text
    await user.press(user.t(screens.EDIT))
    await user.press(user.t(screens.EDIT_LABELS[d.DESCRIPTION]))
    await user.press(user.t(screens.REPLACE_DESCRIPTION))
    await user.type("Only this new text should remain in the description.")
    summary = await user.press(user.t(screens.DONE))
    assert "took our phones" not in summary.text
    await user.confirm()
    ((_row, content),) = await stored_reports(bot.data_dir)
    assert content.description == "Only this new text should remain in the description."


@pytest.mark.parametrize("locale", ["tg", "ru"])
async def test_a_voice_message_can_be_the_description(
        fake: FakeTelegram, bot: BotProcess, locale: str) -> None:
    user = await _at_the_description(fake, locale)
    fake.send_voice(USER_ID, duration=41)
    evidence = await user.next_screen()
    assert "🎤" in evidence.text and user.t(screens.DONE) in evidence.button_texts()
    summary = await user.press(user.t(screens.DONE))
    assert "🎤 " + user.t("A voice message") in summary.text
    await user.confirm()
    ((_row, content),) = await stored_reports(bot.data_dir)
    assert content.spoken and content.description == ""
    ((voice,),) = (content.evidence,)
    assert voice.kind == "voice" and voice.duration == 41 and voice.file_id


def _rows(data_dir: Path, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    with sqlite3.connect(f"file:{data_dir / 'hamroh.sqlite3'}?mode=ro", uri=True) as conn:
        return conn.execute(sql).fetchall()
