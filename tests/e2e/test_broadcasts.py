"""Broadcasts end to end: the real bot process sends an owner's announcement to hundreds of
users through the strict fake Bot API (flood limits, injected 429s, users who blocked the
bot), survives restarts without a second copy, and stays invisible to everyone else."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

from bot.broadcasts.sender import WORKERS
from bot.broadcasts.views import language_label
from bot.fakeapi import ChatEvent, FakeChat, FakeTelegram, StoredMessage
from bot.storage import Database
from tests.e2e.conftest import ADMIN_ID, USER_ID, BotProcess, start_in

FIRST_USER = 300_001
LOCALES = ("tg", "ru", "en", None)
TEXTS = {
    "tg": "<b>Эълон</b>: аз 1 декабр ҳуҷҷатҳоро <i>барвақт</i> омода кунед.",
    "ru": 'Объявление: с 1 декабря готовьте документы заранее. '
          '<a href="https://example.org/docs">Подробнее</a>',
    "en": "<b>Notice</b>: from 1 December prepare your documents <i>early</i>.",
}
FALLBACK = "ru"


def db_rows(data_dir: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple]:
    with sqlite3.connect(data_dir / "hamroh.sqlite3") as conn:
        return conn.execute(sql, params).fetchall()


class Population:
    """Users the bot knows (rows in its database) and the fake can reach."""

    def __init__(self, count: int, *, blocked_in_fake: int = 0, blocked_in_db: int = 0,
                 banned: int = 0) -> None:
        self.ids = list(range(FIRST_USER, FIRST_USER + count))
        self.locale = {uid: LOCALES[i % len(LOCALES)] for i, uid in enumerate(self.ids)}
        self.blocked_in_fake = set(self.ids[7::25][:blocked_in_fake])
        rest = [uid for uid in self.ids if uid not in self.blocked_in_fake]
        self.blocked_in_db = set(rest[3::40][:blocked_in_db])
        rest = [uid for uid in rest if uid not in self.blocked_in_db]
        self.banned = set(rest[11::40][:banned])
        self.excluded = self.blocked_in_db | self.banned
        self.receivers = [uid for uid in self.ids
                          if uid not in self.excluded and uid not in self.blocked_in_fake]

    async def seed(self, fake: FakeTelegram, data_dir: Path) -> None:
        """Rows as /start would have left them, and users who have started the bot in the
        fake; those who blocked it did so long ago (Telegram no longer has the update)."""
        db = await Database.open(data_dir / "hamroh.sqlite3")
        try:
            await db.conn.executemany(
                "INSERT INTO users (id, locale, first_seen, last_seen, blocked_bot, banned) "
                "VALUES (?, ?, '2026-11-01T00:00:00+00:00', '2026-11-01T00:00:00+00:00', ?, ?)",
                [(uid, self.locale[uid], int(uid in self.blocked_in_db), int(uid in self.banned))
                 for uid in self.ids])
            await db.conn.commit()
        finally:
            await db.close()
        for uid in self.ids:
            user = fake.add_user(uid, f"User{uid}", language_code=self.locale[uid] or "uz")
            user.started = True
            fake.chats[uid] = FakeChat(uid, "private", first_name=user.first_name)
        for uid in self.blocked_in_fake:
            fake.block_bot(uid)
        fake.pending[:] = [u for u in fake.pending if "my_chat_member" not in u]

    def expected(self, uid: int) -> str:
        return TEXTS.get(self.locale[uid] or "", TEXTS[FALLBACK])


def delivered(fake: FakeTelegram, uid: int) -> list[StoredMessage]:
    return fake.chat(uid).messages()


def delivered_count(fake: FakeTelegram, population: Population) -> int:
    return sum(len(delivered(fake, uid)) for uid in population.ids)


@contextlib.asynccontextmanager
async def running_bot(fake: FakeTelegram, data_dir: Path, seed: Path | None
                      ) -> AsyncIterator[BotProcess]:
    """Like the ``bot`` fixture, for a database seeded before the first start."""
    bot = BotProcess(fake, data_dir, {}, seed)
    await bot.start()
    try:
        yield bot
    finally:
        code = await bot.stop()
        assert code == 0, f"bot exited with {code}:\n{bot.log()[-3000:]}"
        assert "Traceback" not in bot.log(), bot.log()[-5000:]
        # 429s are expected here (injected, or the fake's per-chat flood limit; the bot
        # retried them), and 403s from users who blocked the bot. Anything else is a bug.
        errors = [(m, e.description) for m, e in fake.api_errors
                  if e.code != 429 and "blocked by the user" not in e.description]
        assert not errors, errors


async def send(fake: FakeTelegram, user_id: int, text: str) -> StoredMessage:
    """Send ``text``; the bot's next message in that chat, not counting the announcement
    (the owner is a user too and receives it while working)."""
    chat = fake.chat(user_id)
    fake.send_message(user_id, text)
    while (message := await chat.next_message()).html in TEXTS.values():
        pass
    return message


def press(fake: FakeTelegram, message: StoredMessage, label: str) -> int:
    assert label in message.button_texts(), (label, message.button_texts())
    return fake.press_button(ADMIN_ID, message.message_id, label)


async def edited(fake: FakeTelegram, message: StoredMessage) -> StoredMessage:
    event = await fake.chat(ADMIN_ID).next_event(kinds={"edit_text"})
    assert event.message is not None and event.message.message_id == message.message_id
    return event.message


async def write_and_preview(fake: FakeTelegram) -> StoredMessage:
    """The owner writes all three texts, picks Russian as the fallback and previews."""
    screen = await send(fake, ADMIN_ID, "/broadcast")
    assert "New announcement" in screen.text
    assert "👁 Preview" not in screen.button_texts()  # nothing to preview yet
    for lang in ("tg", "ru", "en"):
        press(fake, screen, "✏️ " + language_label(lang))
        prompt = await fake.chat(ADMIN_ID).next_message()
        assert language_label(lang) in prompt.text
        if lang == "tg":  # broken HTML is refused with what is wrong, and nothing is kept
            refusal = await send(fake, ADMIN_ID, "<b>Эълон без охир")
            assert "not valid Telegram HTML" in refusal.text and "tag \"b\"" in refusal.text
        screen = await send(fake, ADMIN_ID, TEXTS[lang])
        assert f"{language_label(lang)}: written" in screen.text
    press(fake, screen, f"Use {language_label(FALLBACK)} as the fallback")
    screen = await edited(fake, screen)
    assert f"Fallback: {language_label(FALLBACK)}" in screen.text

    press(fake, screen, "👁 Preview")
    chat = fake.chat(ADMIN_ID)
    previews = [await chat.next_message() for _ in range(3)]
    assert [p.html for p in previews] == [TEXTS["tg"], TEXTS["ru"], TEXTS["en"]]
    assert all(not p.buttons for p in previews)  # exactly what users get
    return await chat.next_message()


async def confirm_everyone(fake: FakeTelegram, chooser: StoredMessage,
                           expected_recipients: int) -> StoredMessage:
    assert "Who should receive it?" in chooser.text
    everyone = f"👥 Everyone ({expected_recipients})"
    press(fake, chooser, everyone)
    confirm = await edited(fake, chooser)
    assert f"{expected_recipients} users" in confirm.text
    press(fake, confirm, f"✅ Send to {expected_recipients} users")
    return await edited(fake, confirm)  # the confirmation becomes the progress message


def final_counts(text: str) -> dict[str, int]:
    counts = {}
    for line in text.splitlines():
        for label in ("Sent", "Failed", "Blocked the bot", "Left", "Unknown",
                      "Not sent (cancelled)"):
            marker = f"{label}: "
            if marker in line:
                counts[label] = int(line.split(marker, 1)[1].split()[0])
    return counts


def progress_edits(fake: FakeTelegram, message_id: int, times: list[float]):  # type: ignore[no-untyped-def]
    def on_event(event: ChatEvent) -> None:
        if event.chat_id == ADMIN_ID and event.kind == "edit_text" and event.message \
                and event.message.message_id == message_id:
            times.append(time.monotonic())
    return fake.on_event(on_event)


# --- the whole broadcast ----------------------------------------------------------------------

async def test_broadcast_reaches_everyone_once_in_their_language(fake: FakeTelegram,
                                                                 tmp_path: Path,
                                                                 seed: Path | None) -> None:
    population = Population(500, blocked_in_fake=20, blocked_in_db=5, banned=5)
    data_dir = tmp_path / "data"
    await population.seed(fake, data_dir)
    fake.flood_limit = 5  # per chat and second: the owner's chat sees bursts
    async with running_bot(fake, data_dir, seed):
        await start_in(fake, ADMIN_ID, "en")  # the owner is a user too
        recipients = 500 - len(population.excluded) + 1
        chooser = await write_and_preview(fake)
        progress = await confirm_everyone(fake, chooser, recipients)
        edits: list[float] = []
        unsubscribe = progress_edits(fake, progress.message_id, edits)

        await fake.wait_for(lambda: delivered_count(fake, population) >= 60, timeout=30)
        fake.fail_next("sendMessage", times=3, retry_after=1)  # Telegram says: slow down
        # An ordinary user is answered at once while the broadcast goes on.
        await start_in(fake, USER_ID, "en")
        asked = time.monotonic()
        reply = await send(fake, USER_ID, "/help")
        assert "Hamroh" in reply.text and time.monotonic() - asked < 3

        await fake.wait_for(lambda: "finished" in progress.text, timeout=60,
                            message="the broadcast did not finish")
        unsubscribe()

    for uid in population.receivers:
        messages = delivered(fake, uid)
        assert len(messages) == 1, (uid, [m.text for m in messages])
        assert messages[0].html == population.expected(uid), uid
    for uid in population.blocked_in_fake | population.excluded:
        assert delivered(fake, uid) == [], uid
    owner_copy = [m for m in fake.chat(ADMIN_ID).messages() if m.html == TEXTS["en"]]
    assert len(owner_copy) == 2  # the preview and the broadcast itself

    counts = final_counts(progress.text)
    assert counts == {"Sent": len(population.receivers) + 1, "Failed": 0,
                      "Blocked the bot": 20}, progress.text
    assert not progress.buttons
    # Edited while sending (at least every few seconds), never more than every ~3 s.
    assert len(edits) >= 4, edits
    gaps = [b - a for a, b in itertools.pairwise(edits[1:-1])]
    assert all(gap > 2.0 for gap in gaps), gaps

    blocked = {row[0] for row in db_rows(data_dir, "SELECT id FROM users WHERE blocked_bot = 1")}
    assert blocked == population.blocked_in_fake | population.blocked_in_db
    statuses = dict(db_rows(data_dir, "SELECT status, COUNT(*) FROM broadcast_recipients "
                                      "GROUP BY status"))
    assert statuses == {"sent": len(population.receivers) + 1, "blocked": 20}
    assert db_rows(data_dir, "SELECT status FROM broadcasts") == [("done",)]
    audit = db_rows(data_dir, "SELECT actor, detail FROM audit_log WHERE action = 'broadcast'")
    assert audit == [(ADMIN_ID, "start #1 all")]
    assert [m for m, e in fake.api_errors if e.code == 429]  # the injected 429s were retried


async def test_graceful_restart_midway_sends_nobody_a_second_copy(fake: FakeTelegram,
                                                                  tmp_path: Path,
                                                                  seed: Path | None) -> None:
    population = Population(500, blocked_in_fake=20)
    data_dir = tmp_path / "data"
    await population.seed(fake, data_dir)
    fake.flood_limit = 5
    async with running_bot(fake, data_dir, seed) as bot:
        await start_in(fake, ADMIN_ID, "en")
        chooser = await write_and_preview(fake)
        progress = await confirm_everyone(fake, chooser, 501)
        await fake.wait_for(lambda: delivered_count(fake, population) >= 150, timeout=30)
        await bot.restart()  # SIGTERM: the sends in flight finish and are recorded
        assert any("restarting" in (v.text or "") for v in progress.versions)
        sent_before = db_rows(data_dir, "SELECT COUNT(*) FROM broadcast_recipients "
                                        "WHERE status = 'sent'")[0][0]
        assert sent_before >= 150
        assert db_rows(data_dir, "SELECT COUNT(*) FROM broadcast_recipients "
                                 "WHERE status = 'sending'") == [(0,)]
        await fake.wait_for(lambda: "finished" in progress.text, timeout=60,
                            message="the broadcast did not resume and finish")
        assert "resuming broadcast 1" in bot.log()

    for uid in population.receivers:
        assert len(delivered(fake, uid)) == 1, uid
    counts = final_counts(progress.text)
    assert counts == {"Sent": len(population.receivers) + 1, "Failed": 0,
                      "Blocked the bot": 20}, progress.text
    assert "Unknown" not in progress.text


async def test_crash_midway_sends_at_most_once_and_says_so(fake: FakeTelegram,
                                                           tmp_path: Path,
                                                           seed: Path | None) -> None:
    population = Population(300)
    data_dir = tmp_path / "data"
    await population.seed(fake, data_dir)
    async with running_bot(fake, data_dir, seed) as bot:
        await start_in(fake, ADMIN_ID, "en")
        chooser = await write_and_preview(fake)
        progress = await confirm_everyone(fake, chooser, 301)
        await fake.wait_for(lambda: delivered_count(fake, population) >= 100, timeout=30)
        await bot.restart(kill=True)  # SIGKILL: whatever was in flight is not recorded
        await fake.wait_for(lambda: "finished" in progress.text, timeout=60)

    unknown = {row[0] for row in db_rows(
        data_dir, "SELECT user_id FROM broadcast_recipients WHERE status = 'unknown'")}
    assert len(unknown) <= WORKERS  # at most the sends that were in flight
    for uid in population.ids:
        count = len(delivered(fake, uid))
        assert count <= 1, uid
        if count == 0:
            assert uid in unknown, uid  # only someone in flight at the crash can miss it
    counts = final_counts(progress.text)
    assert counts["Sent"] + counts.get("Unknown", 0) == 301
    if unknown:
        assert f"Unknown: {len(unknown)}" in progress.text
        assert "could not tell whether" in progress.text


# --- the owner's controls -------------------------------------------------------------------------

async def test_pause_resume_and_cancel(fake: FakeTelegram, tmp_path: Path,
                                       seed: Path | None) -> None:
    population = Population(200)
    data_dir = tmp_path / "data"
    await population.seed(fake, data_dir)
    async with running_bot(fake, data_dir, seed):
        await start_in(fake, ADMIN_ID, "en")
        chooser = await write_and_preview(fake)
        progress = await confirm_everyone(fake, chooser, 201)
        await fake.wait_for(lambda: "⏸ Pause" in progress.button_texts(), timeout=10)
        await fake.wait_for(lambda: delivered_count(fake, population) >= 20, timeout=30)

        press(fake, progress, "⏸ Pause")
        await fake.wait_for(lambda: "paused" in progress.text, timeout=10)
        paused_at = delivered_count(fake, population)
        await asyncio.sleep(1.5)
        assert delivered_count(fake, population) == paused_at  # nothing goes out
        assert "▶️ Resume" in progress.button_texts()

        # /broadcast meanwhile shows this one instead of a new draft.
        note = await send(fake, ADMIN_ID, "/broadcast")
        assert "Only one broadcast runs at a time" in note.text
        progress = await fake.chat(ADMIN_ID).next_message()
        assert "paused" in progress.text and "▶️ Resume" in progress.button_texts()

        press(fake, progress, "▶️ Resume")
        await fake.wait_for(lambda: delivered_count(fake, population) >= paused_at + 20,
                            timeout=30)
        press(fake, progress, "✖️ Cancel the broadcast")
        question = await fake.chat(ADMIN_ID).next_message()
        assert "Cancel broadcast #1?" in question.text
        press(fake, question, "Yes, cancel it")
        await fake.wait_for(lambda: "cancelled" in progress.text, timeout=10)
        stopped_at = delivered_count(fake, population)
        await asyncio.sleep(1.0)
        assert delivered_count(fake, population) == stopped_at

    counts = final_counts(progress.text)
    assert counts["Sent"] == stopped_at + 1  # the owner (the lowest id) got it first
    assert counts["Sent"] + counts["Not sent (cancelled)"] == 201, progress.text
    assert 0 < counts["Not sent (cancelled)"] < 201 - 40
    assert all(len(delivered(fake, uid)) <= 1 for uid in population.ids)
    audit = [row[0] for row in db_rows(data_dir, "SELECT detail FROM audit_log "
                                                 "WHERE action = 'broadcast' ORDER BY id")]
    assert audit == ["start #1 all", "pause #1", "resume #1", "cancel #1"]
    assert db_rows(data_dir, "SELECT status FROM broadcasts") == [("cancelled",)]


async def test_cancel_discards_the_draft_and_a_language_audience(fake: FakeTelegram,
                                                                 tmp_path: Path,
                                                                 seed: Path | None) -> None:
    population = Population(40)
    data_dir = tmp_path / "data"
    await population.seed(fake, data_dir)
    async with running_bot(fake, data_dir, seed):
        await start_in(fake, ADMIN_ID, "en")
        screen = await send(fake, ADMIN_ID, "/broadcast")
        press(fake, screen, "✏️ " + language_label("en"))
        await fake.chat(ADMIN_ID).next_message()
        discarded = await send(fake, ADMIN_ID, "/cancel")
        assert "The draft was discarded. Nothing was sent." in discarded.text
        # The text after /cancel is an ordinary question again, not an announcement.
        answer = await send(fake, ADMIN_ID, "how long can I stay without a patent")
        assert "New announcement" not in answer.text

        # Only Tajik users: written in Tajik alone, which is then everyone's text.
        screen = await send(fake, ADMIN_ID, "/broadcast")
        assert "not written" in screen.text
        press(fake, screen, "✏️ " + language_label("tg"))
        await fake.chat(ADMIN_ID).next_message()
        screen = await send(fake, ADMIN_ID, TEXTS["tg"])
        press(fake, screen, "👁 Preview")
        chat = fake.chat(ADMIN_ID)
        previews = [await chat.next_message() for _ in range(3)]
        assert [p.html for p in previews] == [TEXTS["tg"]] * 3
        chooser = await chat.next_message()
        tajik = [uid for uid in population.ids if population.locale[uid] == "tg"]
        press(fake, chooser, f"{language_label('tg')} ({len(tajik)})")
        confirm = await edited(fake, chooser)
        press(fake, confirm, f"✅ Send to {len(tajik)} users")
        progress = await edited(fake, confirm)
        await fake.wait_for(lambda: "finished" in progress.text, timeout=30)
        # A second tap on the old button starts nothing.
        fake.press_callback(ADMIN_ID, progress.message_id, "bc:go:tg")
        await asyncio.sleep(0.5)

    for uid in population.ids:
        assert len(delivered(fake, uid)) == (1 if uid in tajik else 0), uid
    assert db_rows(data_dir, "SELECT COUNT(*) FROM broadcasts") == [(1,)]


# --- invisible to everyone else -------------------------------------------------------------------

async def test_non_owners_see_nothing(fake: FakeTelegram, tmp_path: Path,
                                      seed: Path | None) -> None:
    async with running_bot(fake, tmp_path / "data", seed):
        await start_in(fake, USER_ID, "en")
        reply = await send(fake, USER_ID, "/broadcast")
        assert "Sorry, I do not know this command." in reply.text
        update_id = fake.press_callback(USER_ID, reply.message_id, "bc:go:all")
        await fake.wait_for(lambda: fake.callback_query(update_id).answered, timeout=10)
        answer = fake.callback_query(update_id).answer or {}
        assert answer.get("text") == "This button is no longer available."
        fake.press_callback(USER_ID, reply.message_id, "bc:p:1")
        await fake.chat(USER_ID).next_message()  # the ordinary menu, as for any old button
    assert db_rows(tmp_path / "data", "SELECT COUNT(*) FROM broadcasts") == [(0,)]
