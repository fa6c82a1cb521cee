"""Load benchmark: the real bot process against a bare python-telegram-bot echo bot.

Run from the project root (the script pins the bots itself; do not wrap it in taskset):

    .venv/bin/python benchmarks/load.py [--users 50] [--messages 4] [--load mixed]
    .venv/bin/python benchmarks/load.py --load questions --users 100 --messages 5
    .venv/bin/python benchmarks/load.py --rounds 8 --messages 10 # 8 pairs of runs, alternating;
                                                                 # the ratio's median and worst
    .venv/bin/python benchmarks/load.py --profile /tmp/bot.prof  # Hamroh alone, profiled
    git archive HEAD | tar -x -C /tmp/head                       # a clean copy of a commit,
    .venv/bin/python benchmarks/load.py --bot-root /tmp/head     # while the tree is edited

Design: the fake Bot API (``bot.fakeapi``) and the simulated users run in this process; each
bot under test runs in its own process (``python -m bot run``, or this file with
``--echo-bot``) pointed at the fake through BOT_TOKEN / TELEGRAM_BASE_URL, as the end-to-end
tests start it. The bot is pinned to one core (``--bot-cpu``, default 0, with ``taskset``)
and this process to the other cores, so the load generator never takes the bot's CPU. A third
process for the fake server is not needed: simulated users are in-memory calls, and the
script prints the share of a core this process used ("load side"), which would be near 100 %
if the load side were the limit (it is 10-30 %). With a single CPU, both share it.

Loads (each simulated user has a language, tg/ru/en in turn):
    questions  every message is a free-text question in the user's language (built-in list)
    menu       /start, /help, /menu, /start, ...
    mixed      a question, then a command, then a question, ...
Closed loop: every user sends their next message as soon as the bot's whole response to the
previous one has reached the fake, so ``--users`` messages are in flight at once and the
bot is kept saturated; reply time is therefore about users / throughput (Little's law), not
the latency of a lone message (benchmarks/throughput.py queues everything in one burst
instead). Before the timed phase (not timed) every user picks a language (Hamroh, like the
e2e tests' start_in) or says /start (echo); then one extra user per language sends each
distinct text once, to learn how many messages the bot answers it with (Hamroh answers
/start with two) and to wait for the search index the bot builds in the background.

Printed for both bots: updates/s; reply time p50/p99 (from the user's update being queued
in the fake to the bot's first reply message reaching the fake), also by kind; CPU ms per
update (utime + stime of the bot process from /proc/<pid>/stat, timed phase only; also its
main thread alone); the bot's share of its core and what other processes took of that core
meanwhile (/proc/stat: on a shared machine, the numbers mean little when that is high; CPU
ms per update is the steadiest figure); Bot API requests per update; peak RSS (VmHWM, whole
life of the process, start-up included); and Hamroh's throughput as a ratio of the echo's.

Outgoing rate limiting is off for both: the echo bot has none (PTB's default) and Hamroh
gets BENCHMARK_NO_RATE_LIMIT=1 (the script says so if the bot's source does not know it).
FLOOD_PER_MINUTE=1000 as in the end-to-end tests, so no simulated user is told to slow down.

The echo bot is PTB's echobot example (a CommandHandler each for /start and /help, a
MessageHandler echoing the text, ``concurrent_updates(True)``), except that it echoes every
text, commands included, so /menu gets a reply as well.

``--profile PATH`` runs only Hamroh, through this file (``--profiled-bot``), which runs
``bot`` like ``python -m bot run`` with cProfile switched on by SIGUSR1 just before the timed
phase and off (and written) by SIGUSR2 after it. A whole-life ``python -m cProfile -m bot
run`` is dominated by start-up and warm-up, and there the search-index thread holds the GIL,
which inflates every GIL-releasing call of the main thread (stat, getpeername). Only the
main thread is profiled: SQLite runs in aiosqlite's thread (see "of which main thread").
"""

# Only the standard library and telegram at module level: the echo bot runs this file, and
# importing the project (bot.*) there would inflate its memory and start-up.
from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.metadata
import logging
import os
import platform
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from telegram import Update
    from telegram.ext import ContextTypes

    from bot.fakeapi import ChatEvent, FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:load-benchmark-token"
LOCALES = ("tg", "ru", "en")
PICKER_INDEX = {"tg": 0, "ru": 1, "en": 2}  # the language picker's buttons, in order
COMMANDS = ("/start", "/help", "/menu")
# Written for this benchmark (not taken from the tuning or test sets).
QUESTIONS: dict[str, tuple[str, ...]] = {
    "tg": (
        "бе патент чанд рӯз дар Русия мондан мумкин аст",
        "чӣ тавр фаҳмам, ки ба ман запрет ҳаст",
        "корфармо музди корамро ду моҳ боз намедиҳад",
        "бақайдгириро чӣ тавр дароз кунам",
        "имтиҳони забони русиро барои патент дар куҷо месупоранд",
        "пули патентро ҳар моҳ чӣ тавр пардохт кунам",
    ),
    "ru": (
        "сколько дней можно жить в России без патента",
        "как узнать есть ли у меня запрет на въезд",
        "работодатель второй месяц не платит зарплату что делать",
        "как продлить регистрацию по месту пребывания",
        "где сдавать экзамен по русскому языку для патента",
        "как каждый месяц оплачивать патент",
    ),
    "en": (
        "how long can I stay in Russia without a work patent",
        "how can I find out whether I am banned from entering Russia",
        "my employer has not paid my salary for two months",
        "how do I extend my migration registration",
        "where do I take the Russian language exam for the patent",
        "how do I pay for my patent every month",
    ),
}
QUIET = 0.5  # s without a bot message: a response is over (learning phase only)
FIRST_REPLY_TIMEOUT = 180.0  # s; the first question may wait for the search index
TURN_TIMEOUT = 60.0  # s for one response in the timed phase
USER_IDS = 100_000  # simulated user n has the id USER_IDS + n
PROBE_IDS = 900_000  # the users that learn the response sizes


# -- the echo bot (its own process) ------------------------------------------------------------


def run_echo_bot() -> int:
    """PTB's echobot example against TELEGRAM_BASE_URL; stops on SIGTERM like Hamroh."""
    from telegram import ForceReply, Update
    from telegram.ext import Application, CommandHandler, MessageHandler, filters

    logging.basicConfig(format="%(asctime)s - %(name)s - %(levelname)s - %(message)s",
                        level=logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        assert update.message is not None and user is not None
        await update.message.reply_html(rf"Hi {user.mention_html()}!",
                                        reply_markup=ForceReply(selective=True))

    async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text("Help!")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    application = (Application.builder().token(os.environ["BOT_TOKEN"])
                   .base_url(os.environ["TELEGRAM_BASE_URL"])
                   .base_file_url(os.environ["TELEGRAM_BASE_FILE_URL"])
                   .concurrent_updates(True).build())
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(MessageHandler(filters.TEXT, echo))  # the example: & ~COMMAND
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


def run_profiled_bot(path: str) -> int:
    """``python -m bot run`` with cProfile on between SIGUSR1 and SIGUSR2 (then written to
    ``path``), so the profile holds the timed phase only, not start-up or warm-up."""
    import cProfile
    import runpy

    profile = cProfile.Profile()

    def on(signum: int, frame: object) -> None:
        profile.enable()

    def off(signum: int, frame: object) -> None:
        profile.disable()
        profile.dump_stats(path + ".tmp")
        os.replace(path + ".tmp", path)

    signal.signal(signal.SIGUSR1, on)
    signal.signal(signal.SIGUSR2, off)
    sys.argv = ["bot", "run"]
    sys.path.insert(0, os.getcwd())  # as ``python -m``: the bot package of the working dir
    try:
        runpy.run_module("bot", run_name="__main__", alter_sys=True)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 1
    return 0


def print_profile(path: str, bot_root: Path, top: int = 15) -> None:
    """The top functions by cumulative and by own time, with shortened paths."""
    import pstats

    stats = pstats.Stats(path)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = stats.stats  # type: ignore[attr-defined]

    def where(key: tuple[str, int, str]) -> str:
        file, line, name = key
        if file == "~":
            return name
        for marker in ("site-packages/", f"{bot_root}/", f"{ROOT}/", "python3."):
            if marker in file:
                file = file.split(marker, 1)[1]
                if marker == "python3.":
                    file = "stdlib" + file[file.index("/"):]
                break
        return f"{file}:{line}({name})"

    for order, column in (("cumulative", 3), ("own (tottime)", 2)):
        print(f"\ntop {top} by {order} time, timed phase only ({total:.2f} s profiled; "
              "coroutine ncalls count every resumption):")
        print(f"{'ncalls':>9} {'tottime':>8} {'cumtime':>8}  function")
        ranked = sorted(rows.items(), key=lambda item: item[1][column], reverse=True)
        for key, (_, ncalls, tottime, cumtime, _) in ranked[:top]:
            print(f"{ncalls:>9} {tottime:>8.3f} {cumtime:>8.3f}  {where(key)}")


# -- the load -----------------------------------------------------------------------------------


def locale_of(user: int) -> str:
    return LOCALES[user % len(LOCALES)]


def script(load: str, user: int, messages: int) -> list[tuple[str, str]]:
    """What simulated user ``user`` types: (kind, text) pairs, kind "question"/"command"."""
    questions = QUESTIONS[locale_of(user)]
    steps: list[tuple[str, str]] = []
    for n in range(messages):
        if load == "questions" or (load == "mixed" and n % 2 == 0):
            step = n if load == "questions" else n // 2
            steps.append(("question", questions[(user + step) % len(questions)]))
        else:
            step = n if load == "menu" else n // 2
            steps.append(("command", COMMANDS[step % len(COMMANDS)]))
    return steps


@dataclass
class Turn:
    """One message of a user and the bot's response to it."""

    kind: str
    text: str
    expected: int  # bot messages that make the whole response
    sent: float  # perf_counter() when the update was queued in the fake
    done: asyncio.Future[None]
    first: float | None = None  # the first reply message reached the fake
    received: int = 0
    update_id: int = 0


class Tracker:
    """Attributes the bot's messages to the one turn each user has in flight."""

    def __init__(self) -> None:
        self.active: dict[int, Turn] = {}
        self.stray = 0  # bot messages in a chat with no turn in flight (response too long?)

    def on_event(self, event: ChatEvent) -> None:
        if not event.by_bot or event.kind != "message":
            return
        turn = self.active.get(event.chat_id)
        if turn is None:
            self.stray += 1
            return
        if turn.first is None:
            turn.first = time.perf_counter()
        turn.received += 1
        if turn.received >= turn.expected:
            del self.active[event.chat_id]
            if not turn.done.done():
                turn.done.set_result(None)

    def begin(self, chat_id: int, kind: str, text: str, expected: int) -> Turn:
        future = asyncio.get_running_loop().create_future()
        turn = Turn(kind, text, expected, time.perf_counter(), future)
        self.active[chat_id] = turn
        return turn

    def abandon(self, chat_id: int) -> None:
        self.active.pop(chat_id, None)


# -- the processes under test -------------------------------------------------------------------


@dataclass
class BotUnderTest:
    name: str
    argv: list[str]
    picks_language: bool  # Hamroh: /start shows a language picker to a new user
    cwd: Path = ROOT  # ``python -m bot`` imports the bot package found here
    core: int | None = None  # the CPU it is pinned to
    env: dict[str, str] = field(default_factory=dict)
    profile: str | None = None  # run_profiled_bot() writes its profile here


def _cpu_seconds(stat_path: Path) -> float:
    stat = stat_path.read_text()
    fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "; field 3 first
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def core_busy_seconds(cpu: int | None) -> float:
    """Time core ``cpu`` spent running anything (user+nice+system+irq+softirq+steal)."""
    if cpu is None:
        return 0.0
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith(f"cpu{cpu} "):
            user, nice, system, _, _, irq, softirq, steal = map(int, line.split()[1:9])
            return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    return 0.0


class BotProcess:
    """One bot process (started like tests/e2e/conftest.py does) and its /proc counters."""

    def __init__(self, bot: BotUnderTest, fake: FakeTelegram, workdir: Path) -> None:
        self.bot = bot
        self.fake = fake
        self.log_path = workdir / f"{bot.name}.log"
        self.proc: asyncio.subprocess.Process | None = None

    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items()
               if not key.lower().endswith("_proxy")}
        env.update(BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=self.fake.api_url,
                   TELEGRAM_BASE_FILE_URL=self.fake.file_url, PYTHONUNBUFFERED="1",
                   DATA_DIR=str(self.log_path.parent / "data"),  # a fresh database each run
                   NO_PROXY="127.0.0.1,localhost", **self.bot.env)
        return env

    async def start(self) -> None:
        with self.log_path.open("wb") as log:
            self.proc = await asyncio.create_subprocess_exec(
                *self.bot.argv, cwd=self.bot.cwd, env=self.env(),
                stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=asyncio.subprocess.STDOUT,
            )
        await self.fake.wait_for(
            lambda: self.fake.calls_of("getUpdates") or self.proc is None
            or self.proc.returncode is not None,
            timeout=120, message=f"{self.bot.name} polling")
        if self.proc.returncode is not None:
            raise RuntimeError(f"{self.bot.name} exited at start:\n{self.log()[-3000:]}")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid  # taskset execs the bot, so this is the bot's own pid

    def cpu_seconds(self) -> float:
        """utime + stime of the whole process (all threads), from /proc/<pid>/stat."""
        return _cpu_seconds(Path(f"/proc/{self.pid}/stat"))

    def thread_cpu_seconds(self) -> dict[int, float]:
        """The same per thread (/proc/<pid>/task/<tid>/stat); the main thread's tid = pid."""
        threads: dict[int, float] = {}
        for task in Path(f"/proc/{self.pid}/task").iterdir():
            with contextlib.suppress(OSError):  # a thread that just ended
                threads[int(task.name)] = _cpu_seconds(task / "stat")
        return threads

    def status_kib(self, key: str) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
        raise KeyError(key)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    async def stop(self) -> int:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), timeout=60)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
            return -signal.SIGKILL


# -- one run ------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    updates: int
    elapsed: float
    latencies: dict[str, list[float]]  # by kind, seconds
    cpu: float  # bot CPU seconds in the timed phase
    others_on_core: float  # CPU seconds other processes used on the bot's core meanwhile
    main_thread_cpu: float  # of which the main thread (the event loop)
    load_cpu: float  # this process's CPU seconds in the timed phase
    peak_rss_kib: int
    rss_kib: int
    incomplete: int
    stray: int
    calls: dict[str, int]  # Bot API requests in the timed phase, by method
    warnings: list[str]

    def all_latencies(self) -> list[float]:
        return sorted(x for values in self.latencies.values() for x in values)


def first_tracebacks(log: str) -> tuple[int, str] | None:
    """How many tracebacks a bot logged, and the first with the log line before it."""
    lines = log.splitlines()
    starts = [n for n, line in enumerate(lines) if line.startswith("Traceback")]
    if not starts:
        return None
    end = starts[0] + 1
    while end < len(lines) and not lines[end][:4].isdigit():  # up to the next log record
        end += 1
    return len(starts), "\n".join(lines[max(0, starts[0] - 1):end])


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def warm_up(fake: FakeTelegram, bot: BotUnderTest, user_id: int, locale: str) -> None:
    """Untimed: Hamroh's new user picks a language (tests' start_in); echo: /start."""
    fake.add_user(user_id, first_name=f"U{user_id}", language_code=locale)
    chat = fake.chat(user_id)
    fake.send_message(user_id, "/start")
    first = await chat.next_message(timeout=60)
    if bot.picks_language:
        fake.press_button(user_id, first.message_id, PICKER_INDEX[locale])
        await chat.next_message(timeout=60)  # welcome
        await chat.next_message(timeout=60)  # main menu


async def response_size(fake: FakeTelegram, user_id: int, text: str) -> int:
    """How many messages the bot answers ``text`` with (then QUIET seconds of silence)."""
    chat = fake.chat(user_id)
    chat.skip()
    fake.send_message(user_id, text)
    await chat.next_message(timeout=FIRST_REPLY_TIMEOUT)
    count = 1
    while True:
        try:
            await chat.next_message(timeout=QUIET)
        except AssertionError:
            return count
        count += 1


async def learn_sizes(fake: FakeTelegram, bot: BotUnderTest,
                      scripts: dict[int, list[tuple[str, str]]]) -> dict[tuple[str, str], int]:
    async def one_locale(index: int, locale: str) -> dict[tuple[str, str], int]:
        probe = PROBE_IDS + index
        await warm_up(fake, bot, probe, locale)
        # A question first, whatever the load: its answer waits for the search index, which
        # a child process builds on the bot's core in its first seconds (a menu-only load
        # would otherwise time those seconds too).
        await response_size(fake, probe, QUESTIONS[locale][0])
        texts = dict.fromkeys(text for user, steps in scripts.items()
                              if locale_of(user) == locale for _, text in steps)
        return {(locale, text): await response_size(fake, probe, text) for text in texts}

    sizes: dict[tuple[str, str], int] = {}
    for part in await asyncio.gather(*(one_locale(i, loc) for i, loc in enumerate(LOCALES))):
        sizes.update(part)
    return sizes


async def run_bot(bot: BotUnderTest, users: int, messages: int, load: str,
                  workdir: Path) -> Result:
    from bot.fakeapi import FakeTelegram

    fake = FakeTelegram(TOKEN)
    await fake.start()
    process = BotProcess(bot, fake, workdir)
    warnings: list[str] = []
    try:
        await process.start()
        scripts = {user: script(load, user, messages) for user in range(users)}
        await asyncio.gather(*(warm_up(fake, bot, USER_IDS + user, locale_of(user))
                               for user in range(users)))
        size_of = await learn_sizes(fake, bot, scripts)
        odd = {key: n for key, n in size_of.items() if n != 1}
        if odd:
            print(f"  {bot.name}: responses of more than one message: "
                  + ", ".join(f"{text!r} ({locale}): {n}" for (locale, text), n in odd.items()))
        await asyncio.sleep(QUIET)  # let anything late arrive before counting strays

        tracker = Tracker()
        unsubscribe = fake.on_event(tracker.on_event)
        turns: list[Turn] = []
        incomplete: list[Turn] = []

        async def user_loop(user: int) -> None:
            chat_id = USER_IDS + user
            for kind, text in scripts[user]:
                turn = tracker.begin(chat_id, kind, text, size_of[(locale_of(user), text)])
                turn.update_id = fake.send_message(chat_id, text)
                try:
                    await asyncio.wait_for(asyncio.shield(turn.done), TURN_TIMEOUT)
                except TimeoutError:
                    tracker.abandon(chat_id)
                    incomplete.append(turn)
                turns.append(turn)

        if bot.profile:
            Path(bot.profile).unlink(missing_ok=True)
            os.kill(process.pid, signal.SIGUSR1)  # the profiler starts
        calls_before = len(fake.calls)
        threads_before = process.thread_cpu_seconds()
        cpu_before = process.cpu_seconds()
        core_before = core_busy_seconds(bot.core)
        load_cpu_before = time.process_time()
        start = time.perf_counter()
        await asyncio.gather(*(user_loop(user) for user in range(users)))
        elapsed = time.perf_counter() - start
        cpu = process.cpu_seconds() - cpu_before
        others = max(0.0, core_busy_seconds(bot.core) - core_before - cpu)
        load_cpu = time.process_time() - load_cpu_before
        main_cpu = process.thread_cpu_seconds().get(process.pid, 0.0) - threads_before.get(
            process.pid, 0.0)
        calls = Counter(name for name, _ in fake.calls[calls_before:])
        undelivered = {update["update_id"] for update in fake.pending}
        for turn in incomplete:
            state = "never fetched" if turn.update_id in undelivered else "fetched by the bot"
            warnings.append(f"{bot.name}: no complete response to update {turn.update_id} "
                            f"({turn.text!r}): {turn.received} of {turn.expected} messages "
                            f"after {TURN_TIMEOUT:.0f} s; {state}")
        if bot.profile:
            os.kill(process.pid, signal.SIGUSR2)  # ... stops and writes the profile
            for _ in range(600):
                if Path(bot.profile).exists():
                    break
                await asyncio.sleep(0.1)
            else:
                warnings.append(f"{bot.name} wrote no profile to {bot.profile}")
        await asyncio.sleep(QUIET)  # a response longer than learnt shows up as strays
        unsubscribe()
        peak_rss, rss = process.status_kib("VmHWM"), process.status_kib("VmRSS")
    finally:
        code = await process.stop() if process.proc is not None else 0
        await fake.stop()
    if code != 0:
        warnings.append(f"{bot.name} exited with {code}")
    tracebacks = first_tracebacks(process.log())
    if tracebacks:
        warnings.append(f"{bot.name} logged {tracebacks[0]} traceback(s); the first:\n"
                        + tracebacks[1])
    errors = [(m, e) for m, e in fake.api_errors if not e.forced]
    if errors:
        warnings.append(f"{bot.name} got {len(errors)} API errors, e.g. "
                        + "; ".join(f"{m}: {e.description}" for m, e in errors[:3]))
    latencies: dict[str, list[float]] = {}
    for turn in turns:
        if turn.first is not None:
            latencies.setdefault(turn.kind, []).append(turn.first - turn.sent)
    return Result(bot.name, len(turns), elapsed, latencies, cpu, others, main_cpu, load_cpu,
                  peak_rss, rss, len(incomplete), tracker.stray, dict(calls), warnings)


# -- the comparison -----------------------------------------------------------------------------


def hamroh_honours_no_rate_limit(bot_root: Path) -> bool:
    """Whether the bot's source reads BENCHMARK_NO_RATE_LIMIT and acts on it."""
    config = (bot_root / "bot" / "config.py").read_text()
    app = (bot_root / "bot" / "app.py").read_text()
    return "BENCHMARK_NO_RATE_LIMIT" in config and "benchmark_no_rate_limit" in app


def library_versions() -> str:
    """Much of the echo bot's cost is its HTTP stack (httpx on anyio) and of Hamroh's aiohttp
    on uvloop: runs on different releases are not comparable, so each run names them."""
    names = ("python-telegram-bot", "httpx", "httpcore", "anyio", "aiohttp", "uvloop")
    found = []
    for name in names:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name} -")
    return ", ".join(found)


def pin(bot_cpu: int | None) -> tuple[list[str], str]:
    """taskset prefix for the bots; this process moves to the other cores."""
    if bot_cpu is None:
        return [], "not pinned"
    others = os.sched_getaffinity(0) - {bot_cpu}
    if others:
        os.sched_setaffinity(0, others)
        where = f"load generator + fake API on CPU {','.join(map(str, sorted(others)))}"
    else:
        where = "load generator + fake API share it (no other CPU available)"
    return ["taskset", "-c", str(bot_cpu)], f"bots pinned to CPU {bot_cpu}, {where}"


def report(results: list[Result], load: str, users: int, messages: int,
           pinned: bool) -> None:
    def ms(values: Sequence[float], share: float) -> str:
        return f"{percentile(values, share) * 1000:.1f}" if values else "-"

    rows: list[tuple[str, list[str]]] = [
        ("updates/s", [f"{r.updates / r.elapsed:.1f}" for r in results]),
        ("reply p50 (ms)", [ms(r.all_latencies(), 0.5) for r in results]),
        ("reply p99 (ms)", [ms(r.all_latencies(), 0.99) for r in results]),
    ]
    kinds = sorted({kind for r in results for kind in r.latencies})
    if len(kinds) > 1:
        for kind in kinds:
            rows.append((f"  {kind}s p50/p99 (ms)",
                         [f"{ms(r.latencies.get(kind, []), 0.5)} / "
                          f"{ms(r.latencies.get(kind, []), 0.99)}" for r in results]))
    rows += [
        ("CPU ms per update", [f"{r.cpu * 1000 / r.updates:.2f}" for r in results]),
        ("  of which main thread", [f"{r.main_thread_cpu * 1000 / r.updates:.2f}"
                                    for r in results]),
        ("bot CPU use (% of its core)", [f"{100 * r.cpu / r.elapsed:.0f}" for r in results]),
        ("other processes on that core (%)", [
            f"{100 * r.others_on_core / r.elapsed:.0f}" if pinned else "-" for r in results]),
        ("peak RSS, VmHWM (MiB)", [f"{r.peak_rss_kib / 1024:.1f}" for r in results]),
        ("RSS at the end (MiB)", [f"{r.rss_kib / 1024:.1f}" for r in results]),
        ("load side CPU (% of a core)", [f"{100 * r.load_cpu / r.elapsed:.0f}" for r in results]),
        ("API requests per update", [
            f"{sum(n for m, n in r.calls.items() if m != 'getUpdates') / r.updates:.2f}"
            for r in results]),
        ("getUpdates per update", [f"{r.calls.get('getUpdates', 0) / r.updates:.2f}"
                                   for r in results]),
        ("timed phase (s)", [f"{r.elapsed:.2f}" for r in results]),
    ]
    width = max(len(label) for label, _ in rows) + 2
    print()
    print(f"load {load!r}: {users} users x {messages} messages = {users * messages} updates "
          "per bot, closed loop")
    print(" " * width + "".join(f"{r.name:>17}" for r in results))
    for label, values in rows:
        print(f"{label:<{width}}" + "".join(f"{value:>17}" for value in values))
    by_name = {r.name: r for r in results}
    if "hamroh" in by_name and "echo" in by_name:
        ours, echo = by_name["hamroh"], by_name["echo"]
        ratio = throughput_ratio(results)
        print(f"hamroh throughput / echo throughput: {ratio:.2f} "
              f"(CPU per update x{(ours.cpu / ours.updates) / (echo.cpu / echo.updates):.1f})")
    for r in results:
        print(f"{r.name} requests in the timed phase: "
              + ", ".join(f"{m} {n}" for m, n in sorted(r.calls.items(), key=lambda x: -x[1])))
    for r in results:
        if r.incomplete:
            print(f"WARNING {r.name}: {r.incomplete} responses not complete after "
                  f"{TURN_TIMEOUT:.0f} s (the bot hung, failed, or sent fewer messages than "
                  "learnt); its throughput is meaningless")
        if r.stray:
            print(f"WARNING {r.name}: {r.stray} bot messages outside any response (an error "
                  "message, or more messages than learnt); its latencies are suspect")
        for warning in r.warnings:
            print(f"WARNING {warning}")


def throughput_ratio(results: list[Result]) -> float:
    by_name = {r.name: r for r in results}
    ours, echo = by_name["hamroh"], by_name["echo"]
    return (ours.updates / ours.elapsed) / (echo.updates / echo.elapsed)


def summarise(rounds: list[list[Result]]) -> None:
    """One line per figure over all rounds: on a shared machine a single pair of runs can be
    off by 15 % either way, so the claim is the median and the worst round."""
    ratios = [throughput_ratio(results) for results in rounds]

    def cpu_ms(name: str) -> list[float]:
        return [r.cpu * 1000 / r.updates for results in rounds for r in results if r.name == name]

    print()
    print(f"over {len(rounds)} rounds (alternating which bot runs first):")
    print("  throughput ratio per round: " + ", ".join(f"{x:.2f}" for x in ratios))
    print(f"  ratio median {statistics.median(ratios):.2f}, lowest {min(ratios):.2f}, "
          f"highest {max(ratios):.2f}")
    for name in ("hamroh", "echo"):
        values = cpu_ms(name)
        print(f"  {name} CPU ms per update: median {statistics.median(values):.2f} "
              f"({min(values):.2f}-{max(values):.2f})")


async def benchmark(args: argparse.Namespace) -> None:
    prefix, pinning = pin(args.bot_cpu)
    this = str(Path(__file__).resolve())
    profile = str(Path(args.profile).resolve()) if args.profile else None
    run = ["-m", "bot", "run"] if profile is None else [this, "--profiled-bot", profile]
    bot_root = Path(args.bot_root).resolve()
    hamroh_env = {"BENCHMARK_NO_RATE_LIMIT": "1", "FLOOD_PER_MINUTE": "1000", "LOG_LEVEL": "INFO"}
    bots = [BotUnderTest("hamroh", [*prefix, sys.executable, *run], picks_language=True,
                         cwd=bot_root, core=args.bot_cpu, env=hamroh_env, profile=profile)]
    if not args.profile:
        bots.append(BotUnderTest("echo", [*prefix, sys.executable, this, "--echo-bot"],
                                 picks_language=False, core=args.bot_cpu))
    limiter = ("off for both (Hamroh: BENCHMARK_NO_RATE_LIMIT=1; the echo bot has none)"
               if hamroh_honours_no_rate_limit(bot_root) else
               "ON for Hamroh (this version has no setting to turn it off), none in the echo bot")
    print(f"{pinning}; outgoing rate limiter {limiter}")
    print(f"Python {platform.python_version()}; {library_versions()}")
    if bot_root != ROOT:
        print(f"Hamroh runs from {bot_root}")
    print("load average before: " + " ".join(f"{x:.2f}" for x in os.getloadavg())
          + f" ({os.cpu_count()} CPUs; other work on the machine skews the numbers)")
    if profile:
        print(f"Hamroh runs with cProfile on in the timed phase ({profile}): "
              "its numbers include the profiler's overhead")
    rounds: list[list[Result]] = []
    for number in range(1, args.rounds + 1):
        # Every other round the echo bot goes first, so neither bot always meets the
        # machine's state (caches, a neighbour's load) that the other left behind.
        order = bots if number % 2 else bots[::-1]
        if args.rounds > 1:
            print(f"round {number} of {args.rounds}", flush=True)
        results: list[Result] = []
        with tempfile.TemporaryDirectory(prefix="hamroh-load-") as tmp:
            for bot in order:
                workdir = Path(tmp) / bot.name
                workdir.mkdir()
                print(f"running {bot.name} ...", flush=True)
                results.append(await run_bot(bot, args.users, args.messages, args.load, workdir))
        results.sort(key=lambda r: r.name != "hamroh")
        report(results, args.load, args.users, args.messages, args.bot_cpu is not None)
        rounds.append(results)
    if len(rounds) > 1 and len(bots) > 1:
        summarise(rounds)
    print("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    if profile and Path(profile).exists():
        print_profile(profile, bot_root)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--messages", type=int, default=4, help="per user")
    parser.add_argument("--load", choices=("questions", "menu", "mixed"), default="mixed")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run both bots this many times, alternating which goes first, "
                        "and print the median and lowest throughput ratio")
    parser.add_argument("--bot-cpu", default="0",
                        help="CPU to pin each bot to with taskset ('none': no pinning)")
    parser.add_argument("--bot-root", metavar="DIR", default=str(ROOT),
                        help="run Hamroh from this checkout (e.g. a `git archive` of a commit; "
                        "default: this project)")
    parser.add_argument("--profile", metavar="PATH",
                        help="run only Hamroh, with cProfile on during the timed phase; "
                        "the profile goes to PATH and its top functions are printed")
    parser.add_argument("--echo-bot", action="store_true",
                        help="be the echo bot (started by the benchmark itself)")
    parser.add_argument("--profiled-bot", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.echo_bot:
        return run_echo_bot()
    if args.profiled_bot:
        return run_profiled_bot(args.profiled_bot)
    args.bot_cpu = None if args.bot_cpu == "none" else int(args.bot_cpu)
    if args.users < 1 or args.messages < 1 or args.rounds < 1:
        parser.error("--users, --messages and --rounds must be at least 1")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(benchmark(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
