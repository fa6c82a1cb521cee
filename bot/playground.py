"""The local playground: the real bot against an in-process fake Telegram, in a terminal.

You type as a Telegram user; the bot's replies are printed with their buttons numbered,
and typing a number presses that button of the latest message that has buttons.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from typing import TextIO

from bot.config import ConfigError, Settings, load_settings
from bot.fakeapi import ChatEvent, FakeTelegram, StoredMessage
from bot.telegram_html import utf16_len

log = logging.getLogger(__name__)

PLAYGROUND_TOKEN = "1000000001:playground-local-token"
USER_ID = 1001
ADMIN_ID = 9001

HELP = """Playground commands:
  text or /command   send it to the bot as the current user
  1, 2, …            press that button of the latest message with buttons
  :user / :admin     switch between an ordinary user and an owner (ADMIN_IDS), who
                     is a moderator too: try /queue, /stats, /export, /audit, /mod
                     (messages that arrive for the other one are shown when you switch)
  :lang tg|ru|en     the Telegram app language of the current user (for new users)
  :sticker :photo :voice :document   send that kind of message
  :edit TEXT         edit your last text message
  :help              this list
  :quit              stop (Ctrl-D works too)"""


@dataclass
class PlaygroundSession:
    """What the terminal user is doing; kept apart from I/O so it is easy to test."""

    fake: FakeTelegram
    out: TextIO
    user_id: int = USER_ID
    last_text_update: dict[int, int] = field(default_factory=dict)
    # Messages for the user not being played now, shown when the terminal switches.
    waiting: dict[int, list[str]] = field(default_factory=dict)
    muted: bool = False  # while the playground itself prepares the chats

    def keyboard_message(self) -> StoredMessage | None:
        for message in reversed(self.fake.chat(self.user_id).messages()):
            if message.buttons and not message.deleted:
                return message
        return None

    def prompt(self) -> None:
        self.out.write(f"{'admin' if self.user_id == ADMIN_ID else 'you'}> ")
        self.out.flush()

    def handle_line(self, line: str) -> bool:
        """Act on one typed line; False means quit."""
        line = clean_line(line)
        if not line:
            return True
        if line in {":quit", ":q", ":exit"}:
            return False
        if line == ":help":
            self.print(HELP)
        elif line in {":user", ":admin"}:
            self.user_id = ADMIN_ID if line == ":admin" else USER_ID
            role = "owner and moderator" if line == ":admin" else "ordinary user"
            self.print(f"[now typing as the {role}, id {self.user_id}]")
            for text in self.waiting.pop(self.user_id, []):
                self.print(text)
        elif line.startswith(":lang"):
            code = line.split(maxsplit=1)[1] if " " in line else ""
            self.fake.user(self.user_id).language_code = code or None
            self.print(f"[Telegram app language set to {code or 'none'}]")
        elif line in {":sticker", ":photo", ":voice", ":document"}:
            sender = getattr(self.fake, "send_" + line[1:])
            sender(self.user_id)
        elif line.startswith(":edit "):
            update_id = self.last_text_update.get(self.user_id)
            if update_id is None:
                self.print("[nothing to edit yet]")
            else:
                message_id = self.fake.message_id_of(update_id)
                self.fake.edit_user_message(self.user_id, message_id, line[6:])
        elif line.isdecimal():
            self.press(int(line))
        else:
            # A Telegram app sends a text over 4096 characters as several messages.
            for part in split_for_telegram(line):
                self.last_text_update[self.user_id] = self.fake.send_message(self.user_id,
                                                                             part)
        return True

    def press(self, number: int) -> None:
        message = self.keyboard_message()
        flat = [b for row in message.buttons for b in row] if message else []
        if message is None or not 1 <= number <= len(flat):
            self.print(f"[no button {number}]")
            return
        pressed = flat[number - 1]
        if pressed.callback_data is None:
            self.print(f"[that button opens {pressed.url}]")
            return
        self.fake.press_button(self.user_id, message.message_id, number - 1)

    def show_event(self, event: ChatEvent) -> None:
        if self.muted:
            return
        other = ADMIN_ID if self.user_id == USER_ID else USER_ID
        if (event.by_bot and event.chat_id == other and event.message is not None
                and event.kind == "message"):
            who, switch = ("the admin", ":admin") if other == ADMIN_ID else ("the user", ":user")
            held = self.waiting.setdefault(other, [])
            held.append(render_message(event.message))
            if len(held) == 1:
                self.print(f"[a message arrived for {who}: type {switch} to read it]")
            return
        if not event.by_bot or event.chat_id != self.user_id or event.message is None:
            if event.by_bot and event.kind == "callback_answer" and event.data:
                text = event.data.get("text") if isinstance(event.data, dict) else None
                if text:
                    self.print(f"  (popup: {text})")
            return
        if event.kind not in {"message", "edit_text", "edit_markup"}:
            return
        self.print(render_message(event.message, edited=event.kind != "message"))

    def print(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()


def clean_line(line: str) -> str:
    """What a terminal may hand over that Telegram would never carry: lone surrogates
    (a character cut in half) and control characters other than tabs."""
    return "".join(ch for ch in line if not 0xD800 <= ord(ch) <= 0xDFFF
                   and (ch == "\t" or ord(ch) >= 32)).strip()


def split_for_telegram(text: str, limit: int = 4096) -> list[str]:
    """Parts of at most ``limit`` UTF-16 units, as Telegram counts message length."""
    parts: list[str] = []
    start, size = 0, 0
    for index, ch in enumerate(text):
        width = utf16_len(ch)
        if size + width > limit:
            parts.append(text[start:index])
            start, size = index, 0
        size += width
    if start < len(text):
        parts.append(text[start:])
    return parts


def render_message(message: StoredMessage, *, edited: bool = False) -> str:
    label = "bot (edited)" if edited else "bot"
    body = message.text or message.caption or f"[{message.kind}]"
    lines = [f"── {label} " + "─" * 30, body]
    number = 0
    for row in message.buttons:
        cells = []
        for item in row:
            number += 1
            cells.append(f"[{number}] {item.text}")
        lines.append("   ".join(cells))
    return "\n".join(lines)


def _start_stdin_reader(queue: asyncio.Queue[str | None]) -> None:
    """Read stdin in a daemon thread: a blocked readline() must not delay exit after :quit."""
    loop = asyncio.get_running_loop()

    def read() -> None:
        # Bytes, decoded leniently: a paste cut in the middle of a character must not
        # kill this thread (the playground would then wait for input forever).
        for raw in sys.stdin.buffer:
            loop.call_soon_threadsafe(queue.put_nowait, raw.decode("utf-8", "replace"))
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=read, name="playground-stdin", daemon=True).start()


async def _bot_idle(fake: FakeTelegram, app: object, timeout: float = 10.0) -> None:
    """Wait until the bot has fetched every update and finished handling them, so
    scripted input (a pipe) does not press buttons that have not arrived yet."""
    processor = getattr(app, "update_processor", None)

    def idle() -> bool:
        busy = processor.current_concurrent_updates if processor is not None else 0
        return not fake.pending and busy == 0

    with contextlib.suppress(AssertionError):  # a slow reply still prints when it arrives
        await fake.wait_for(idle, timeout=timeout)


async def run_session(settings: Settings, out: TextIO = sys.stdout) -> None:
    from bot.app import build_application

    # Real Telegram never reuses an update id; a fake that started from the same number on
    # every run would have its updates dropped as repeats by a bot that remembers them.
    fake = FakeTelegram(PLAYGROUND_TOKEN, first_update_id=time.time_ns() // 1_000_000)
    await fake.start()
    fake.add_user(USER_ID, first_name="Dilshod", language_code="tg")
    fake.add_user(ADMIN_ID, first_name="Moderator", language_code="ru")
    settings = replace(
        settings,
        bot_token=PLAYGROUND_TOKEN,
        telegram_base_url=fake.api_url,
        telegram_base_file_url=fake.file_url,
        admin_ids=settings.admin_ids | {ADMIN_ID},
        webhook_url=None,
    )
    app = build_application(settings)
    session = PlaygroundSession(fake, out)
    unsubscribe = fake.on_event(session.show_event)
    session.print("Hamroh playground: the real bot, a fake Telegram, no network. "
                  "Type /start, or :help for the playground's commands.")
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    _start_stdin_reader(queue)
    try:
        async with app:
            if app.post_init:
                await app.post_init(app)
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(timeout=1, allowed_updates=None)
            # The owner has used the bot before, as a real one would have: alerts reach them.
            session.muted = True
            fake.send_message(ADMIN_ID, "/start")
            await _bot_idle(fake, app)
            session.muted = False
            session.prompt()
            while (line := await queue.get()) is not None:
                try:
                    if not session.handle_line(line):
                        break
                except Exception as error:  # a bad line must never end the session
                    log.exception("the playground could not handle a typed line")
                    session.print(f"[could not send that: {type(error).__name__}]")
                await _bot_idle(fake, app)
                session.prompt()
            await app.updater.stop()
            await app.stop()
        if app.post_shutdown:  # after shutdown(), which flushes the persistence
            await app.post_shutdown(app)
    finally:
        unsubscribe()
        await fake.stop()


def run_playground(settings: Settings | None = None) -> int:
    if settings is None:
        try:
            settings = load_settings()
        except ConfigError as error:
            print(f"Configuration error: {error}", file=sys.stderr)
            return 2
    log_file = _log_to_file(settings)  # keep the chat readable: logs go to a file
    print(f"(logs: {log_file})", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_session(settings))
    sys.stdout.flush()
    return 0


def _log_to_file(settings: Settings) -> str:
    """Send every log record to DATA_DIR/playground.log instead of the terminal."""
    path = settings.data_dir / "playground.log"
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # as the database's
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    return str(path)
