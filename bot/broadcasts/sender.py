"""Sending a broadcast in the background, at most once per recipient.

One :class:`BroadcastRunner` per broadcast runs as an ``Application.create_task`` task (so
``Application.stop`` waits for it). A feeder reads pending recipients in id order; a few
workers each mark one ``sending`` in the database, send it with low priority through the
rate limiter (people's answers go first; see ``bot.ratelimit``), and record the outcome
before taking the next. So:

* a graceful stop (SIGTERM) lets every send in flight finish and be recorded, then the
  runner ends; the broadcast stays ``sending`` and ``setup_broadcasts`` resumes it at the
  next start — nobody gets a second copy;
* after a crash (SIGKILL) the few recipients left ``sending`` are counted as "unknown" and
  never sent again;
* a 429 that outlasts the limiter's retries puts the recipient back to pending (Telegram
  delivered nothing) and tries again after ``retry_after``;
* 403 Forbidden (blocked the bot, deleted account) marks the user as having blocked the bot.

The owner's progress message is edited at most every ``PROGRESS_INTERVAL`` seconds, and at
once when the state changes (paused, resumed, cancelled, finished, stopping).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from bot.broadcasts.rules import text_for
from bot.broadcasts.views import STOPPING, Progress, progress_screen
from bot.i18n import DEFAULT_LOCALE, Translator
from bot.ratelimit import LOW, LOW_PRIORITY, MESSAGES_PER_SECOND, PriorityGate, retry_after_seconds
from bot.services import SERVICES_KEY, Services
from bot.storage.broadcasts import (
    BLOCKED,
    CANCELLED,
    CLAIMED,
    DONE,
    FAILED,
    OUTCOMES,
    PAUSED,
    PENDING,
    PREPARING,
    SENDING,
    SENT,
    SKIPPED,
    UNKNOWN,
    BroadcastRow,
    Recipient,
)

log = logging.getLogger(__name__)

MANAGER_KEY = "broadcasts"
WORKERS = 8  # sends in flight at once: ~30/s even at 250 ms per call to Telegram
PAGE = 200  # pending recipients read at a time
PROGRESS_INTERVAL = 3.0  # seconds between two edits of the progress message
RATE_WINDOW = 30.0  # seconds of history behind the "time left" estimate
PAUSE_POLL = 1.0  # a paused runner checks this often whether the bot is stopping


class BroadcastManager:
    """The runners of this process, by broadcast id (kept in ``bot_data``)."""

    def __init__(self, app: Application) -> None:  # type: ignore[type-arg]
        self.app = app
        self.runners: dict[int, BroadcastRunner] = {}
        self.tasks: set[asyncio.Task[Any]] = set()

    def get(self, broadcast_id: int) -> BroadcastRunner | None:
        return self.runners.get(broadcast_id)

    def start(self, broadcast_id: int, *,
              shown: tuple[str, InlineKeyboardMarkup | None] | None = None) -> BroadcastRunner:
        """Run (or keep running) a broadcast in the background. ``shown``: what its progress
        message already says (so the first edit is not one that changes nothing)."""
        runner = self.runners.get(broadcast_id)
        if runner is not None:
            runner.resume()
            return runner
        runner = BroadcastRunner(self.app, broadcast_id, self)
        if shown is not None:
            runner.shown = (shown[0], _markup_key(shown[1]))
        self.runners[broadcast_id] = runner
        name = f"broadcast-{broadcast_id}"
        if self.app.running:  # then Application.stop() waits for it
            task = self.app.create_task(runner.run(), name=name)
        else:  # pragma: no cover - setup_broadcasts starts runners once the app runs
            task = asyncio.create_task(runner.run(), name=name)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return runner


def manager_of(app: Application) -> BroadcastManager:  # type: ignore[type-arg]
    manager = app.bot_data.get(MANAGER_KEY)
    if not isinstance(manager, BroadcastManager):
        manager = BroadcastManager(app)
        app.bot_data[MANAGER_KEY] = manager
    return manager


def owner_translator(services: Services, locale: str | None) -> Translator:
    return services.catalogs.get(locale or DEFAULT_LOCALE)


class BroadcastRunner:
    def __init__(self, app: Application, broadcast_id: int,  # type: ignore[type-arg]
                 manager: BroadcastManager) -> None:
        self.app = app
        self.id = broadcast_id
        self.manager = manager
        self.services: Services = app.bot_data[SERVICES_KEY]
        self.db = self.services.db
        self.paused = False
        self.cancelled = False
        self.state = PREPARING
        self.counts: dict[str, int] = {}
        self.row: BroadcastRow | None = None
        self.translator = owner_translator(self.services, None)
        self._wake = asyncio.Event()
        self._publish_lock = asyncio.Lock()
        self._last_edit = 0.0
        self.shown: tuple[str, str] | None = None
        self._samples: deque[tuple[float, int]] = deque()
        # Without a rate limiter (benchmarks' rate_limit=False) the runner paces itself.
        self._gate = None if app.bot.rate_limiter is not None else PriorityGate(
            MESSAGES_PER_SECOND, burst=1)

    # -- control from the owner's buttons -----------------------------------------------------

    def pause(self) -> None:
        self.paused = True
        self._wake.set()

    def resume(self) -> None:
        self.paused = False
        self._wake.set()

    def cancel(self) -> None:
        self.cancelled = True
        self._wake.set()

    def move_progress(self, chat_id: int, message_id: int) -> None:
        """The owner asked for the progress again: edit the new message from now on."""
        if self.row is not None:
            self.row = _replace_target(self.row, chat_id, message_id)
        self.shown = None

    @property
    def stopping(self) -> bool:
        return not self.app.running

    def _halted(self) -> bool:
        return self.paused or self.cancelled or self.stopping

    # -- the run --------------------------------------------------------------------------------

    async def run(self) -> None:
        try:
            await self._run()
        except Exception:
            log.exception("broadcast %d stopped by an error; it resumes at the next start",
                          self.id)
        finally:
            if self.manager.runners.get(self.id) is self:
                del self.manager.runners[self.id]

    async def _run(self) -> None:
        row = await self.db.broadcasts.get(self.id)
        if row is None or not row.active:
            return
        self.row = row
        owner = await self.db.users.get(row.owner)
        self.translator = owner_translator(self.services, owner.locale if owner else None)
        if row.status == PREPARING:
            self.counts = await self.db.broadcasts.counts(self.id)
            await self._publish(force=True)
            listed = await self.db.broadcasts.materialise(self.id, row.audience,
                                                          should_stop=self._halted)
            if self.stopping:
                return  # still "preparing": listing continues at the next start
            if listed is None or not await self.db.broadcasts.set_status(
                    self.id, SENDING, expected=(PREPARING,)):
                self.cancelled = True  # cancelled while the list was made
            else:
                log.info("broadcast %d: %d recipients", self.id, listed)
        else:
            self.paused = row.status == PAUSED
        unknown = await self.db.broadcasts.settle_interrupted(self.id)
        if unknown:
            log.warning("broadcast %d: %d recipients were being sent to when the bot stopped "
                        "abruptly; they count as unknown and are not sent again", self.id, unknown)
        self.counts = await self.db.broadcasts.counts(self.id)
        publisher = asyncio.create_task(self._publish_loop())
        try:
            await self._loop()
        finally:
            publisher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await publisher
        self.counts = await self.db.broadcasts.counts(self.id)
        await self._publish(force=True)

    async def _loop(self) -> None:
        while True:
            if self.cancelled:
                self.state = CANCELLED
                return
            if self.stopping:
                # A paused broadcast stays paused (its Resume button works after the
                # restart); one being sent says it goes on when the bot is back.
                self.state = PAUSED if self.paused else STOPPING
                log.info("broadcast %d: stopping with the bot; it resumes at the next start",
                         self.id)
                return
            if self.paused:
                await self._set_state(PAUSED)
                await self._wait_while_paused()
                continue
            await self._set_state(SENDING)
            finished = await self._send_pass()
            if finished and not self._halted():
                counts = await self.db.broadcasts.counts(self.id)
                if counts[PENDING] or counts[CLAIMED]:
                    continue  # put back after a 429 meanwhile: another pass
                if await self.db.broadcasts.set_status(self.id, DONE, expected=(SENDING,)):
                    self.state = DONE
                    log.info("broadcast %d finished", self.id)
                    return
                await self._follow_stored_status()  # paused or cancelled just now

    async def _follow_stored_status(self) -> None:
        row = await self.db.broadcasts.get(self.id)
        if row is None or row.status == CANCELLED:
            self.cancelled = True
        elif row.status == PAUSED:
            self.paused = True

    async def _set_state(self, state: str) -> None:
        if self.state != state:
            self.state = state
            await self._publish(force=True)

    async def _wait_while_paused(self) -> None:
        while self.paused and not self.cancelled and not self.stopping:
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), PAUSE_POLL)

    async def _send_pass(self) -> bool:
        """Send to every pending recipient; True when the list was gone through, False when
        paused, cancelled or stopping."""
        queue: asyncio.Queue[Recipient | None] = asyncio.Queue(maxsize=WORKERS * 2)
        feeder = asyncio.create_task(self._feed(queue))
        workers = [asyncio.create_task(self._work(queue)) for _ in range(WORKERS)]
        try:
            results = await asyncio.gather(*workers)
        finally:
            for task in (feeder, *workers):
                task.cancel()
            await asyncio.gather(feeder, *workers, return_exceptions=True)
        return all(results)

    async def _feed(self, queue: asyncio.Queue[Recipient | None]) -> None:
        after: int | None = None
        while page := await self.db.broadcasts.pending(self.id, after, PAGE):
            for recipient in page:
                await queue.put(recipient)
            after = page[-1].user_id
        for _worker in range(WORKERS):
            await queue.put(None)

    async def _work(self, queue: asyncio.Queue[Recipient | None]) -> bool:
        while not self._halted():
            recipient = await queue.get()
            if recipient is None:
                return True
            if self._halted():
                return False
            await self._deliver(recipient)
        return False

    async def _deliver(self, recipient: Recipient) -> None:
        broadcasts = self.db.broadcasts
        if not recipient.reachable:
            await broadcasts.record(self.id, recipient.user_id, SKIPPED)
            self._move(PENDING, SKIPPED)
            return
        if not await broadcasts.claim(self.id, recipient.user_id):
            return
        self._move(PENDING, CLAIMED)
        assert self.row is not None
        text = text_for(self.row.texts, self.row.fallback, recipient.locale)
        outcome = await self._send(recipient.user_id, text)
        if outcome is None:  # put back after a 429, and the runner is halting
            self._move(CLAIMED, PENDING)
            return
        await broadcasts.record(self.id, recipient.user_id, outcome)
        self._move(CLAIMED, outcome)

    async def _send(self, user_id: int, text: str) -> str | None:
        bot = self.app.bot
        extra: dict[str, Any] = {}
        if bot.rate_limiter is not None:
            extra["rate_limit_args"] = LOW_PRIORITY
        while True:
            try:
                if self._gate is not None:
                    await self._gate.acquire(LOW)
                await bot.send_message(user_id, text, **extra)
                return SENT
            except Forbidden:
                return BLOCKED
            except RetryAfter as error:
                # Telegram refused: nothing was delivered, so the recipient may wait again.
                await self.db.broadcasts.release(self.id, user_id)
                await self._sleep_unless_halted(retry_after_seconds(error) + 0.1)
                if self._halted() or not await self.db.broadcasts.claim(self.id, user_id):
                    return None
            except TimedOut:
                return UNKNOWN  # it may have arrived: never sent twice
            except TelegramError as error:
                log.info("broadcast %d: a message could not be sent: %s", self.id,
                         type(error).__name__)
                return FAILED

    async def _sleep_unless_halted(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self._halted() and (left := deadline - time.monotonic()) > 0:
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), min(left, PAUSE_POLL))

    def _move(self, old: str, new: str) -> None:
        self.counts[old] = self.counts.get(old, 0) - 1
        self.counts[new] = self.counts.get(new, 0) + 1

    # -- progress --------------------------------------------------------------------------------

    def _done(self) -> int:
        return sum(self.counts.get(status, 0) for status in OUTCOMES)

    def _eta(self) -> float | None:
        now = time.monotonic()
        done = self._done()
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[1][0] >= RATE_WINDOW:
            self._samples.popleft()
        first_time, first_done = self._samples[0]
        left = self.counts.get(PENDING, 0) + self.counts.get(CLAIMED, 0)
        if now - first_time >= 2 * PROGRESS_INTERVAL and done > first_done:
            rate = (done - first_done) / (now - first_time)
        else:
            rate = MESSAGES_PER_SECOND
        return left / rate

    def progress(self) -> Progress:
        assert self.row is not None
        return Progress(self.id, self.state, dict(self.counts), self.row.audience,
                        self._eta() if self.state == SENDING else None)

    async def _publish_loop(self) -> None:
        while True:
            await asyncio.sleep(PROGRESS_INTERVAL)
            await self._publish()

    async def _publish(self, *, force: bool = False) -> None:
        async with self._publish_lock:
            if not force and time.monotonic() - self._last_edit < PROGRESS_INTERVAL * 0.9:
                return
            text, markup = progress_screen(self.progress(), self.translator)
            assert self.row is not None
            self.row, shown = await show_progress(self.app, self.row, text, markup, self.shown)
            if shown:
                self.shown = (text, _markup_key(markup))
            self._last_edit = time.monotonic()


def _markup_key(markup: InlineKeyboardMarkup | None) -> str:
    return "" if markup is None else str(markup.to_dict())


def _replace_target(row: BroadcastRow, chat_id: int, message_id: int) -> BroadcastRow:
    from dataclasses import replace

    return replace(row, progress_chat=chat_id, progress_message=message_id)


async def show_progress(app: Application, row: BroadcastRow, text: str,  # type: ignore[type-arg]
                        markup: InlineKeyboardMarkup | None,
                        shown: tuple[str, str] | None = None) -> tuple[BroadcastRow, bool]:
    """Edit the broadcast's progress message (or send a new one when it cannot be edited).
    Returns the row with the message it is now in, and whether the owner sees ``text``."""
    if row.progress_chat is None:
        return row, False
    if shown == (text, _markup_key(markup)):
        return row, True
    bot = app.bot
    if row.progress_message is not None:
        try:
            await bot.edit_message_text(text, row.progress_chat, row.progress_message,
                                        reply_markup=markup)
            return row, True
        except BadRequest as error:
            if "not modified" in str(error).lower():
                return row, True
            # deleted or too old: a new message below
        except (Forbidden, RetryAfter):
            return row, False  # the owner blocked the bot, or Telegram wants a pause
        except TelegramError as error:
            log.info("could not edit a broadcast's progress: %s", type(error).__name__)
            return row, False
    try:
        message = await bot.send_message(row.progress_chat, text, reply_markup=markup)
    except TelegramError as error:
        log.info("could not show a broadcast's progress: %s", type(error).__name__)
        return row, False
    services: Services = app.bot_data[SERVICES_KEY]
    await services.db.broadcasts.set_progress_message(row.id, row.progress_chat,
                                                      message.message_id)
    return _replace_target(row, row.progress_chat, message.message_id), True


async def publish_final(app: Application, broadcast_id: int) -> None:  # type: ignore[type-arg]
    """Show a broadcast's state when no runner is there to do it (cancelled while paused
    after a restart)."""
    services: Services = app.bot_data[SERVICES_KEY]
    row = await services.db.broadcasts.get(broadcast_id)
    if row is None:
        return
    owner = await services.db.users.get(row.owner)
    tr = owner_translator(services, owner.locale if owner else None)
    counts = await services.db.broadcasts.counts(broadcast_id)
    text, markup = progress_screen(Progress(row.id, row.status, counts, row.audience), tr)
    await show_progress(app, row, text, markup)


async def resume_interrupted(app: Application) -> None:  # type: ignore[type-arg]
    """At start: continue every broadcast that was being prepared or sent."""
    services: Services = app.bot_data[SERVICES_KEY]
    manager = manager_of(app)
    for row in await services.db.broadcasts.resumable():
        log.info("resuming broadcast %d", row.id)
        manager.start(row.id)

