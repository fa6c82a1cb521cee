"""A fixed corpus of hostile input through the real bot process and the strict fake.

Each test starts the bot once and sends many inputs. The ``bot`` fixture already asserts,
when the test ends, that the process exits cleanly with no "Traceback" in its log and that
the fake returned no API error to it (an over-long text, invalid HTML, an invalid button).
On top of that every test checks, with :func:`check_output`, that every message the bot
sent (every version of it) is valid Telegram HTML and shows user-supplied markup as text,
and, where an answer is due, that one came.

Markup in the corpus carries a unique marker (HX…): if the bot ever sent it unescaped, the
raw markup would be in the message's HTML source; where the marker is visible, the markup
typed before it must be visible too, character for character.

Inputs that once crashed a handler (digits like "²", the year 0000, a 4,096-character
message to a volunteer) stay here as regressions.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path

from bot.fakeapi import FakeTelegram, StoredMessage
from bot.fakeapi.user import detect_entities
from bot.fakeapi.validation import caption_text, message_text
from bot.i18n import Catalogs
from bot.reports import draft as d
from bot.reports import screens
from bot.reports.places import default_places
from tests.e2e.conftest import ADMIN_ID, USER_ID, BotProcess

CATALOGS = Catalogs.load()
PLACES = default_places()


def t(msgid: str, locale: str = "en") -> str:
    return CATALOGS.get(locale).gettext(msgid)


UNKNOWN = t("Sorry, I do not know this command. Here is what I can do:")
UNKNOWN_ANY = {t("Sorry, I do not know this command. Here is what I can do:", locale)
               for locale in ("tg", "ru", "en")}  # forged "lang:" buttons switch languages
EDIT_REPLY = t("I only see new messages, not edits. Please send the corrected text as a new "
               "message.")
APOLOGY = t("Sorry, something went wrong on our side. Please try again, or open the menu "
            "with /menu.")
GROUP_ID = -100500
SUPERGROUP_ID = -100600

# --- the corpus -----------------------------------------------------------------------

# (markup typed by a user, the marker inside it). No whitespace inside: the bot may
# collapse whitespace in short typed answers, never markup.
INJECTIONS: tuple[tuple[str, str], ...] = (
    ("<b>HXB1</b>", "HXB1"),
    ("<i>HXI2", "HXI2"),
    ("</a>HXA3", "HXA3"),
    ('<a href="https://evil.example/">HXL4</a>', "HXL4"),
    ("<script>HXS5</script>", "HXS5"),
    ("&amp;HXE6", "HXE6"),
    ("&lt;HXE7&gt;", "HXE7"),
    ("<tg-spoiler>HXP8</tg-spoiler>", "HXP8"),
    ("<pre>HXC9</pre>", "HXC9"),
    ("*HXM10*", "HXM10"),
    ("[HXM11](https://evil.example)", "HXM11"),
    ("`HXM12`", "HXM12"),
    ("{HXF13}", "HXF13"),
    ("{0}HXF14", "HXF14"),
    ("%sHXF15", "HXF15"),
    ("{user}HXF16", "HXF16"),
    ("%(name)sHXF17", "HXF17"),
)
MARKUP = " ".join(piece for piece, _marker in INJECTIONS)
RTL = "\u202eتست مرحبا\u202c שלום \u2067patent\u2069 \u200fما هو الباتنت\u200f"
ZERO_WIDTH = "pa\u200bt\u200ce\u200dnt\ufeff \u2060регистрация\u00ad \u200b\u200b\u200b"
CONTROL = "\x00\x01\x07\x08\x1b[31mpatent\x1b[0m\x7f \x0b\x0c\x1c\x1d\x1e\x85 запрет"
FORMAT_BAIT = "{0} {1} {} {user} {name} {ref} {count} %s %d %(name)s {{ }} { } }{ {0!r} {.x}"


def _fill(piece: str, size: int = 4096) -> str:
    """``piece`` repeated to exactly ``size`` UTF-16 units (Telegram's maximum by default)."""
    out, units = "", 0
    for char in piece * (size // max(len(piece), 1) + 2):
        width = 2 if ord(char) > 0xFFFF else 1
        if units + width > size:
            break
        out, units = out + char, units + width
    return out


PRIVATE_TEXTS: tuple[str, ...] = (
    MARKUP,
    *(piece for piece, _marker in INJECTIONS),
    "*bold* _italic_ __underline__ ~strike~ ||spoiler|| [link](https://evil.example) "
    "```code``` > quote \\*escaped\\*",
    FORMAT_BAIT,
    RTL,
    ZERO_WIDTH,
    CONTROL,
    "\u200b",
    "\u202e",
    "🇹🇯👨‍👩‍👧‍👦🏳️‍🌈" * 10,
    "Z̵̡̢̛̗̘̙̜̝̞̟̠̖̗̘̙̜̝̞̟̠a̴l̶g̷o̸" * 20,
    "R-ABCDEF",
    "r-zzzzzz",
    "T-1",
    "/",
    "/ start",
    "/start <b>HXB1</b>",
    "/help {0}HXF14",
    "/menu %sHXF15",
    "/language \u202e",
    "/report@SomeOtherBot",
    "/cancel",
    "/myreports <script>HXS5</script>",
    "/" + "a" * 32,
    "/start" + "x" * 4000,
    _fill("patent "),
    _fill(MARKUP + " "),
    _fill("😀"),
    _fill("\u200b"),
    _fill("&amp;HXE6 "),
    _fill("меня держат в аэропорту уже 10 часов {0} "),
)

STAFF_COMMANDS: tuple[str, ...] = (
    "/queue", "/queue urgent", "/queue <b>HXB1</b>", "/stats", "/stats all",
    "/stats 2026-11", "/stats {0}HXF14", "/export", "/export summary", "/export csv all yes",
    "/mod add 1001", "/mod add 9001", "/mod remove 9001", "/mod list", "/mod add ²",
    "/broadcast", "/broadcast <b>HXB1</b>", "/reply T-1 <b>HXB1</b>", "/reply T-² x",
    "/close T-1", "/tickets", "/stale", "/unanswered", "/unanswered 7", "/unanswered ²",
    "/reload", "/audit", "/audit ²", "/ban R-ABCDEF", "/ban 9001", "/unban T-1",
    "/queue@SomeOtherBot",
)

# --- helpers ---------------------------------------------------------------------------


def _versions(message: StoredMessage) -> Iterable[tuple[str | None, str, bool]]:
    """(HTML source or None, visible text, is a caption) of every version of a message."""
    for version in message.versions or [message.snapshot()]:
        yield version.html, version.text or "", False
    if message.caption is not None or message.caption_html is not None:
        yield message.caption_html, message.caption or "", True


def check_output(fake: FakeTelegram, chat_ids: Iterable[int]) -> int:
    """Every bot message in these chats: valid HTML, user markup shown as text. Returns
    how many messages were checked."""
    checked = 0
    for chat_id in chat_ids:
        for message in fake.chat(chat_id).messages():
            checked += 1
            for source, visible, is_caption in _versions(message):
                where = f"chat {chat_id} message {message.message_id}: {visible[:300]!r}"
                if source is not None:
                    shown = (caption_text(source, "HTML", None) if is_caption
                             else message_text(source, "HTML", None))
                    assert shown.text == visible, where
                for piece, marker in INJECTIONS:
                    if source is not None and any(c in piece for c in "<>&"):
                        assert piece not in source, f"unescaped {piece!r} in {where}"
                    if marker in visible:
                        typed = piece[: piece.index(marker) + len(marker)]
                        assert typed in visible, f"{piece!r} altered in {where}"
    return checked


Action = Callable[[], object]  # something a user does: a fake.send_… call


async def answered(fake: FakeTelegram, user_id: int, send: Action) -> list[StoredMessage]:
    """Run ``send()`` (a user action) and wait until the bot sent at least one new message
    in the user's chat; return the new messages."""
    chat = fake.chat(user_id)
    before = len(chat.messages())
    send()
    await fake.wait_for(lambda: len(chat.messages()) > before, timeout=20,
                        message=f"no answer in chat {user_id}:\n{fake.describe_chat(user_id)}")
    return chat.messages()[before:]


async def sync(fake: FakeTelegram, user_id: int) -> None:
    """Everything sent so far in this chat is answered: the bot handles one chat's updates
    one at a time, so once an unknown command (one reply, in any state) is answered, every
    earlier update of the chat is done."""
    chat = fake.chat(user_id)
    before = len(chat.messages())
    fake.send_message(user_id, "/hostile_sync")
    await fake.wait_for(lambda: any(m.text in UNKNOWN_ANY for m in chat.messages()[before:]),
                        timeout=20, message=f"no sync in chat {user_id}")


async def start_user(fake: FakeTelegram, user_id: int, *, first_name: str = "Test",
                     language_code: str | None = "en", pick: str = "en") -> StoredMessage:
    """/start, pick a language; returns the welcome (the main menu follows it)."""
    fake.add_user(user_id, first_name=first_name, language_code=language_code)
    chat = fake.chat(user_id)
    fake.send_message(user_id, "/start")
    picker = await chat.next_message()
    fake.press_button(user_id, picker.message_id, {"tg": 0, "ru": 1, "en": 2}[pick])
    welcome = await chat.next_message()
    await chat.next_message()  # the main menu
    return welcome


def send_raw(fake: FakeTelegram, user_id: int, kind: str) -> int:
    """A message kind the fake's user side has no helper for: dice, video_note, animation,
    venue or poll (stored in the fake like any user message)."""
    user = fake.user(user_id)
    chat = fake.chats[user_id]
    files = []
    extra: dict[str, object] = {}
    if kind == "dice":
        extra = {"dice": {"emoji": "🎲", "value": 6}}
    elif kind == "video_note":
        files = [fake.register_file("video_note", size=300_000, duration=5, width=240,
                                    height=240)]
    elif kind == "animation":
        files = [fake.register_file("animation", size=200_000, duration=3, width=320,
                                    height=240, mime_type="video/mp4", file_name="a.mp4")]
    elif kind == "venue":
        location = {"latitude": 55.75, "longitude": 37.61}
        extra = {"location": location, "venue": {
            "location": location, "title": "<b>HXB1</b>", "address": "{0}HXF14"}}
    elif kind == "poll":
        extra = {"poll": {  # as Bot API 10.0 sends it (PTB refuses older shapes)
            "id": "5001", "question": "<b>HXB1</b>?", "total_voter_count": 0,
            "options": [{"text": "{0}HXF14", "voter_count": 0, "persistent_id": "a"},
                        {"text": "&amp;HXE6", "voter_count": 0, "persistent_id": "b"}],
            "is_closed": False, "is_anonymous": True, "type": "regular",
            "allows_multiple_answers": False, "allows_revoting": False,
            "members_only": False}}
    else:
        raise AssertionError(kind)
    message = StoredMessage(chat_id=user_id, message_id=fake.new_message_id(user_id),
                            from_bot=False, date=fake.now(), kind=kind, sender=user.to_api(),
                            chat=chat.to_api(), files=files, extra=extra)
    fake.store(message)
    fake.log(user_id, "user_message", by_bot=False, message=message)
    return fake.new_update({"message": fake.message_api(message)})


RAW_KINDS = ("dice", "video_note", "animation", "venue", "poll")


def media_senders(fake: FakeTelegram, user_id: int, caption: str | None = MARKUP[:1000]
                  ) -> dict[str, Action]:
    """Every kind of message the fake can send from a user, captioned where possible."""
    senders: dict[str, Action] = {
        "photo": lambda: fake.send_photo(user_id, caption=caption),
        "document": lambda: fake.send_document(
            user_id, file_name="<b>HXB1</b>{0}.pdf", caption=caption),
        "video": lambda: fake.send_video(user_id, caption=caption),
        "voice": lambda: fake.send_voice(user_id),
        "audio": lambda: fake.send_audio(user_id),
        "sticker": lambda: fake.send_sticker(user_id, emoji="😈"),
        "location": lambda: fake.send_location(user_id, 0.0, -179.9999),
        "contact": lambda: fake.send_contact(user_id, "+0<b>HXB1</b>", own=False,
                                             first_name="{0}HXF14"),
    }
    for kind in RAW_KINDS:
        senders[kind] = (lambda kind=kind: send_raw(fake, user_id, kind))
    return senders


async def with_buttons(fake: FakeTelegram, user_id: int) -> StoredMessage:
    """The latest bot message in the chat that has inline buttons (a client can press
    only those; a forged press changes the data, not the message). /menu if none is left."""
    def latest() -> StoredMessage | None:
        shown = [m for m in fake.chat(user_id).messages() if not m.deleted and m.buttons]
        return shown[-1] if shown else None

    if latest() is None:
        await answered(fake, user_id, lambda: fake.send_message(user_id, "/menu"))
    message = latest()
    assert message is not None
    return message


def db_rows(data_dir: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(f"file:{data_dir / 'hamroh.sqlite3'}?mode=ro", uri=True) as conn:
        return conn.execute(sql).fetchall()


# --- outside any flow ---------------------------------------------------------------------

async def test_hostile_messages_in_private_and_in_groups(fake: FakeTelegram,
                                                        bot: BotProcess) -> None:
    # Hostile names and language codes first: the welcome greets the user by name.
    names = {
        USER_ID: ("<b>HXB1</b>{name}&amp;HXE6", "en", "en"),
        1002: ("{0}HXF14 %sHXF15", "ru-RU", "ru"),
        1003: ("\u202eAli\u202c </a>HXA3", "tg", "tg"),
        1004: ("\u200b", "zz-Hant-XX", "en"),
        1005: ("Ёжик" * 16, None, "ru"),
    }
    welcomes = await asyncio.gather(*(
        start_user(fake, user_id, first_name=name, language_code=code, pick=pick)
        for user_id, (name, code, pick) in names.items()))
    for (name, _code, _pick), welcome in zip(names.values(), welcomes, strict=True):
        assert name in welcome.text, welcome.text

    # Every text of the corpus gets an answer, in all three languages (users in parallel).
    async def texts(user_id: int, chunk: Iterable[str]) -> None:
        for text in chunk:
            await answered(fake, user_id, lambda text=text: fake.send_message(user_id, text))

    extra = (MARKUP, FORMAT_BAIT, RTL, CONTROL, _fill("патент ҳуҷҷат "))
    await asyncio.gather(*(texts(user_id, PRIVATE_TEXTS[index::len(names)]
                                 + (extra if user_id in (1002, 1003) else ()))
                           for index, user_id in enumerate(names)))

    # Edits of earlier messages, to hostile text, are answered as edits.
    chat = fake.chat(USER_ID)
    for text in (MARKUP, FORMAT_BAIT, _fill("<b>HXB1</b> ")):
        hello = fake.message_id_of(fake.send_message(USER_ID, "hello"))
        before = len(chat.messages())
        fake.edit_user_message(USER_ID, hello, text)
        await fake.wait_for(lambda before=before: EDIT_REPLY in [
            message.text for message in chat.messages()[before:]], timeout=20)

    # Every kind of message but text, with hostile captions and names.
    for kind, send in media_senders(fake, USER_ID).items():
        replies = await answered(fake, USER_ID, send)
        assert replies[0].text, kind

    # In groups (privacy mode: the bot sees commands and replies) it says nothing at all.
    fake.add_group(GROUP_ID, "<b>HXB1</b> {0}")
    fake.add_group(SUPERGROUP_ID, "\u202eevil", chat_type="supergroup")
    texts = (*PRIVATE_TEXTS[:20], *STAFF_COMMANDS[:12], "/start", "/report", "/ask",
             "/forget", "/help@SomeOtherBot", "R-ABCDEF", _fill(MARKUP + " "))
    for chat_id, chat_type in ((GROUP_ID, "group"), (SUPERGROUP_ID, "supergroup")):
        for text in texts:
            fake.send_group_message(chat_id, 1006, text, chat_type=chat_type)
        for kind in ("photo", "document", "voice", "video"):
            fake.send_group_media(chat_id, 1006, kind, caption=MARKUP[:1000])
    fake.send_group_message(GROUP_ID, ADMIN_ID, "<b>HXB1</b> {0}HXF14 hello")
    # An edit in a group (the fake's edit helper is for private chats: built by hand).
    edited = fake.message(GROUP_ID, fake.message_id_of(
        fake.send_group_message(GROUP_ID, 1006, "/queue")))
    edited.text, edited.entities = MARKUP, detect_entities(MARKUP)
    edited.edit_date = fake.now()
    fake.new_update({"edited_message": fake.message_api(edited)})

    await sync(fake, USER_ID)
    await fake.wait_for(lambda: not fake.pending, timeout=20)
    assert await bot.stop() == 0  # alive until now; a clean stop finishes every update
    assert fake.transcript(GROUP_ID) == [] and fake.transcript(SUPERGROUP_ID) == []
    assert check_output(fake, (*names, ADMIN_ID, 1006)) > 60


FORGED: tuple[str, ...] = (
    "rp:", "rp:AAAAAAAA:zz:set:0", "rp:AAAAAAAA:c:set:contact", "rp:x:d:set:99999",
    "rp:" + "A" * 8 + ":i:toggle:other", "menu:", "menu:nonexistent", "menu:main:extra",
    "lang:xx", "lang:tg:extra", "kb:a:../../etc/passwd", "kb:a:no.such.article",
    "kb:a:help.emergency:extra", "fb:u:no.such", "fb:d:work.patent:extra", "human:ask:x",
    "tu:end:0", "tu:end:-1", "tu:end:999999999999999999999999", "tu:rate:1:u",
    "tk:take:1", "tk:close:٣", "mod:open:R-ABCDEF", "mod:take:R-ABCDEF",
    "mod:exp:csv:all:yes", "bc:p:1", "bc:sy:1", "ra:done:R-ABCDEF", "rc:0", "rc:-5",
    "rc:abc", "rc:99999999", "fgt:nope", "x" * 64, "menu:" + "a" * 200, "\x00garbage",
    "💥" * 20, ":::", "<b>HXB1</b>", "{0}HXF14", "%sHXF15", "\u202e",
)
DELETING = "rc:1:2:3"  # a valid range: it deletes the conversation it names (pressed last)


STRANGERS = (USER_ID, 1002, 1003, 1004)  # ordinary users, each in a chat of their own


async def test_no_privilege_from_staff_commands_or_forged_buttons(fake: FakeTelegram,
                                                                  bot: BotProcess) -> None:
    """Staff commands from an ordinary user get the ordinary answer. Forged button data
    (Telegram clients can send any data for a bot message: MTProto sends bytes) is answered
    (no endless spinner) and changes nothing. Several users at once: the bot serves
    different chats in parallel, one chat's updates in order."""
    await start_user(fake, ADMIN_ID)
    await asyncio.gather(*(start_user(fake, user_id, first_name="<b>HXB1</b>{0}")
                           for user_id in STRANGERS))
    staff = fake.chat(ADMIN_ID)
    staff.skip()

    async def commands(user_id: int, chunk: Iterable[str]) -> None:
        for command in chunk:
            replies = await answered(fake, user_id, lambda command=command:
                                     fake.send_message(user_id, command))
            assert replies[0].text == UNKNOWN, (command, replies[0].text)

    await asyncio.gather(*(commands(user_id, STAFF_COMMANDS[index::len(STRANGERS)])
                           for index, user_id in enumerate(STRANGERS)))

    # The same in the middle of a report: the ordinary answer, and the report goes on.
    await answered(fake, USER_ID, lambda: fake.send_message(USER_ID, "/report"))
    await commands(USER_ID, ("/queue", "/stats all", "/mod add 1001", "/broadcast",
                             "/reload", "/export summary"))
    replies = await answered(fake, USER_ID, lambda: fake.send_message(USER_ID, "/report"))
    assert "unfinished report" in replies[0].text

    async def forge(user_id: int, chunk: Iterable[str]) -> None:
        for data in chunk:
            message = await with_buttons(fake, user_id)
            update_id = fake.press_callback(user_id, message.message_id, data)
            await fake.wait_for(lambda update_id=update_id:
                                fake.callback_query(update_id).answered, timeout=10,
                                message=f"the press of {data!r} was never answered")
            await sync(fake, user_id)  # the next press goes to a message that stays

    await asyncio.gather(*(forge(user_id, FORGED[index::len(STRANGERS)])
                           for index, user_id in enumerate(STRANGERS)))
    await forge(USER_ID, [DELETING])
    for user_id in STRANGERS:
        assert APOLOGY not in [message.text for message in fake.chat(user_id).messages()]

    # No privilege was gained: still ordinary users, nobody was told anything, and the
    # owner sees no moderator, no broadcast and an empty audit log.
    replies = await answered(fake, USER_ID, lambda: fake.send_message(USER_ID, "/queue"))
    assert replies[0].text in UNKNOWN_ANY
    staff.assert_no_pending()
    listing = await answered(fake, ADMIN_ID, lambda: fake.send_message(ADMIN_ID, "/mod list"))
    assert not any(str(user_id) in listing[0].text for user_id in STRANGERS)
    assert db_rows(bot.data_dir, "SELECT COUNT(*) FROM audit_log") == [(0,)]
    assert db_rows(bot.data_dir, "SELECT COUNT(*) FROM broadcasts") == [(0,)]
    await sync(fake, USER_ID)
    check_output(fake, (*STRANGERS, ADMIN_ID))


# --- the report flow ----------------------------------------------------------------------

class Flow:
    """A user in the report flow; ``screen`` is the latest question (a new message, or the
    pressed message edited in place)."""

    def __init__(self, fake: FakeTelegram, user_id: int) -> None:
        self.fake, self.user_id = fake, user_id
        self.chat = fake.chat(user_id)
        self.screen: StoredMessage | None = None

    async def next(self) -> StoredMessage:
        event = await self.chat.next_event(kinds={"message", "edit_text"}, timeout=20)
        assert event.message is not None
        self.screen = event.message
        return event.message

    async def press(self, label: str) -> StoredMessage:
        assert self.screen is not None
        assert label in self.screen.button_texts(), (label, self.screen.button_texts())
        self.fake.press_button(self.user_id, self.screen.message_id, label)
        return await self.next()

    async def type(self, text: str) -> StoredMessage:
        self.fake.send_message(self.user_id, text)
        return await self.next()

    async def send(self, sender: Action) -> StoredMessage:
        sender()
        return await self.next()


DESCRIPTION = _fill("They took my passport at the border. " + MARKUP + " " + RTL + " "
                    + FORMAT_BAIT + "\n", 4000)


async def ask_a_person_with_hostile_messages(fake: FakeTelegram, user_id: int) -> None:
    """A user (named with markup) in a conversation with a volunteer sends the corpus and
    every kind of message; the owner receives them all and answers with markup-like text."""
    await start_user(fake, user_id, first_name="Zarina <b>HXB1</b>{0}")
    user, staff = fake.chat(user_id), fake.chat(ADMIN_ID)
    opened = await answered(fake, user_id, lambda: fake.send_message(user_id, "/ask"))
    ref = next(word for word in opened[-1].text.split() if word.startswith("T-"))
    ref = ref.strip(").,")
    fake.press_button(user_id, opened[-1].message_id, "👤 Show my name to the volunteer")
    await user.next_event(kinds={"edit_markup"})
    before = len(staff.messages())
    relayed = 0
    for text in (MARKUP, FORMAT_BAIT, RTL, CONTROL, _fill(MARKUP + " ", 3900)):
        fake.send_message(user_id, text)
        relayed += 1
    for send in media_senders(fake, user_id).values():
        send()
        relayed += 1
    await sync(fake, user_id)
    await fake.wait_for(lambda: sum(1 for m in staff.messages()[before:] if ref in (
        m.text or m.caption or "")) >= relayed, timeout=20,
        message=f"not all relayed:\n{fake.describe_chat(ADMIN_ID)}")
    assert "Zarina <b>HXB1</b>{0}" in "".join(m.text or m.caption or ""
                                                for m in staff.messages()[before:])
    # The volunteer answers with text that looks like markup; the user sees it as text.
    reply = "<b>HXB1</b> {0}HXF14 &amp;HXE6"
    await answered(fake, user_id, lambda: fake.send_message(ADMIN_ID, f"/reply {ref} {reply}"))
    assert reply in user.messages()[-1].text


async def test_report_and_ticket_with_hostile_answers_and_every_media_type(
        fake: FakeTelegram, bot: BotProcess) -> None:
    await start_user(fake, ADMIN_ID)
    reporter_name = "Zuhro <b>HXB1</b>{name}"
    await start_user(fake, USER_ID, first_name=reporter_name)
    flow = Flow(fake, USER_ID)
    flow.chat.skip()
    await flow.type("/report")
    use_buttons = t(
        "Please choose one of the buttons below. Your report is kept as a draft: /menu "
        "pauses it (for example to ask a question), /cancel deletes it.")

    # Anything but a button at a button step: the same question again, with a note.
    for kind, send in media_senders(fake, USER_ID).items():
        screen = await flow.send(send)
        assert use_buttons in screen.text, kind
    for text in (MARKUP, FORMAT_BAIT, _fill("<b>HXB1</b> ")):
        assert use_buttons in (await flow.type(text)).text

    await flow.press(t(screens.WITH_CONTACT))
    await flow.press(t(d.INCIDENTS["other"]))
    await flow.press(t(d.INCIDENTS["detained"]))
    await flow.press(t(screens.CONTINUE))

    # Typed answers: too short, too long, then hostile ones that are kept.
    too_short = t("This is too short. Please write a few words.")
    assert too_short in (await flow.type("<b>")).text
    assert too_short in (await flow.type("\u200b\u200b\u200b")).text
    assert "up to 100 characters" in (await flow.type(_fill("<b>HXB1</b> "))).text
    incident_text = "phone <b>HXB1</b> {0}HXF14 %sHXF15 \u202etaken"
    await flow.type(incident_text)
    await flow.press(PLACES.name("other", "en"))
    place_text = "Omsk </a>HXA3 &amp;HXE6 <script>HXS5</script> {user}HXF16"
    await flow.type(place_text)

    unreadable = t("I could not read this date. Please write it like 05.02.2025 or “5 "
                   "February”, or press a button.")
    for text in ("{0}", "<b>5</b>", "&amp;", "5 февраля 1999", "31.02.2025", RTL, CONTROL,
                 _fill("5 "), "%s", "99999999 days ago"):
        screen = await flow.type(text)
        assert screen.text.startswith("⚠️"), (text, screen.text)
    for kind in ("photo", "sticker", "location", "dice"):
        screen = await flow.send(media_senders(fake, USER_ID)[kind])
        assert "Please answer with text" in screen.text, kind
    assert unreadable in (await flow.type("vchera <b>")).text
    await flow.type("3 дня назад")
    await flow.press(t(d.AFFECTED["me"]))

    invalid_people = t("Please press a button or type a number from 1 to {limit}.").format(
        limit=10_000)
    for text in ("<script>", "0", "-3", "2.5", "{0}", "10001", "двадцать тридцать",
                 _fill("9"), "²"):
        assert invalid_people in (await flow.type(text)).text, text
    await flow.type("мо 7 нафар <i>")
    await flow.press(t(screens.DONE))
    await flow.press(t(d.HELD["lt3h"]))

    describe_first = t("Please first describe what happened, in words or in a voice message. "
                       "You can add photos and files at the next step.")
    for kind in ("photo", "document", "sticker", "contact", "poll"):
        assert describe_first in (await flow.send(media_senders(fake, USER_ID)[kind])).text
    too_short_story = t("Please describe what happened in at least one full sentence (a few "
                        "words): what happened, who did it, what was said.")
    assert too_short_story in (await flow.type(MARKUP[:15])).text
    await flow.type(DESCRIPTION)  # saved; the evidence step follows

    # Evidence: every file kind is kept, the rest is refused politely.
    for kind, send in media_senders(fake, USER_ID).items():
        screen = await flow.send(send)
        assert screen.text, kind
    added = await flow.type("And then they asked for money HXEND " + MARKUP)
    assert "added this text" in added.text
    review = await flow.press(t(screens.DONE))
    assert incident_text in review.text and place_text in review.text
    assert "<b>HXB1</b>" in review.text and "&lt;b&gt;HXB1" in (review.html or "")

    flow.fake.press_button(USER_ID, review.message_id, t(screens.CONFIRM))
    receipt = await flow.chat.next_message(timeout=20)
    assert "R-" in receipt.text

    # The owner: the announcement (never the description), then the whole card.
    staff = fake.chat(ADMIN_ID)
    await fake.wait_for(lambda: any("New incident report" in m.text for m in staff.messages()
                                    if m.text), timeout=20)
    notice = next(m for m in staff.messages() if m.text and "New incident report" in m.text)
    assert "HXEND" not in notice.text and "Zuhro" not in notice.text
    before = len(staff.messages())
    fake.press_button(ADMIN_ID, notice.message_id, "📂 Open")
    await fake.wait_for(lambda: any("✋ Take" in m.button_texts()
                                    for m in staff.messages()[before:]), timeout=20)
    card = staff.messages()[before:]
    shown = "".join(m.text or "" for m in card)
    assert len(card) >= 2  # over 4,096 characters: split, never cut
    assert "HXEND" in shown and reporter_name in shown and place_text in shown
    last = card[-1]
    evidence = next(label for label in last.button_texts() if label.startswith("📎"))
    before = len(staff.messages())
    fake.press_button(ADMIN_ID, last.message_id, evidence)
    await fake.wait_for(lambda: len(staff.messages()) - before >= 6, timeout=20)

    await sync(fake, USER_ID)
    await ask_a_person_with_hostile_messages(fake, 1002)
    await sync(fake, ADMIN_ID)
    check_output(fake, (USER_ID, 1002, ADMIN_ID))


async def test_inputs_that_crash_a_handler(fake: FakeTelegram, bot: BotProcess) -> None:
    bot.expect_errors = True  # the log is checked below, with a clearer message
    await asyncio.gather(start_user(fake, USER_ID), start_user(fake, 1002))
    flow = Flow(fake, USER_ID)
    flow.chat.skip()
    await flow.type("/report")
    await flow.press(t(screens.ANONYMOUS))
    await flow.press(t(d.INCIDENTS["refused"]))
    await flow.press(t(screens.CONTINUE))
    await flow.press(PLACES.name("dme", "en"))
    replies = []
    for text in ("12.0000", "декабрь 0000", "² дня назад", "5 ²"):
        replies.append((text, (await flow.type(text)).text))
    presses = {data: fake.press_callback(1002, (await with_buttons(fake, 1002)).message_id,
                                         data) for data in ("tu:end:²", "rc:²", "tu:name:①")}
    await sync(fake, USER_ID)
    await sync(fake, 1002)
    await bot.stop()
    assert "Traceback" not in bot.log(), bot.log()[-3000:]
    for text, reply in replies:
        assert reply.startswith("⚠️") and APOLOGY not in reply, (text, reply)
    assert APOLOGY not in [message.text for message in fake.chat(1002).messages()]
    assert [data for data, update_id in presses.items()
            if not fake.callback_query(update_id).answered] == []


# --- asking a person: a long message --------------------------------------------------------

async def test_a_long_message_reaches_the_volunteer(fake: FakeTelegram, bot: BotProcess
                                                    ) -> None:
    await start_user(fake, ADMIN_ID)
    await start_user(fake, USER_ID)
    staff = fake.chat(ADMIN_ID)
    await answered(fake, USER_ID, lambda: fake.send_message(USER_ID, "/ask"))
    staff.skip()
    story = _fill("My employer keeps my passport and does not pay. HXEND ")
    before = len(fake.chat(USER_ID).messages())
    fake.send_message(USER_ID, story)
    await sync(fake, USER_ID)
    try:
        assert not fake.api_errors, [error.description for _m, error in fake.api_errors]
        told = [m.text for m in fake.chat(USER_ID).messages()[before:]]
        assert not any("could not be passed" in text for text in told), told
        shown = "".join(m.text or "" for m in staff.messages())
        assert shown.count("HXEND") == story.count("HXEND")  # all of it, in one or more parts
        # The volunteer answers at the same length, replying to the relayed message.
        answer = _fill("Keep copies of your contract and go to the labour inspection. HXANS ")
        relayed = [m for m in staff.messages() if "HXEND" in (m.text or "")][-1]
        before = len(fake.chat(USER_ID).messages())
        fake.send_message(ADMIN_ID, answer, reply_to=relayed.message_id)
        await sync(fake, ADMIN_ID)
        await sync(fake, USER_ID)
        assert not fake.api_errors, [error.description for _m, error in fake.api_errors]
        received = "".join(m.text or "" for m in fake.chat(USER_ID).messages()[before:])
        assert received.count("HXANS") == answer.count("HXANS")
    finally:
        fake.api_errors.clear()  # asserted above; the fixture would only repeat it
