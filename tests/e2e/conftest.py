"""End-to-end harness: the real bot as a subprocess against the strict fake Bot API.

``bot`` starts ``python -m bot`` with BOT_TOKEN and TELEGRAM_BASE_URL pointing at the
fake, waits until it polls, and stops it with SIGTERM at the end (asserting a clean
exit). Tests act as users through ``fake`` and read replies with ``fake.chat(user)``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.crypto import KEY_FILE_NAME
from bot.fakeapi import FakeTelegram
from bot.paths import PROJECT_ROOT

TOKEN = "123456789:TEST-token_for-e2e"
ADMIN_ID = 9001
USER_ID = 1001


class BotProcess:
    """One run of ``python -m bot``; ``restart()`` keeps the same data directory.

    With ``seed``, a new data directory starts with the seed's report key and the search
    index built from it (``seeded_data``): the bot is ready at once instead of building
    for about 5 s of both cores at every start, which on a busy machine made a test's
    first answer miss its 10-second wait. Tests of the build itself mark themselves
    ``builds_index``."""

    def __init__(self, fake: FakeTelegram, data_dir: Path, extra_env: dict[str, str],
                 seed: Path | None = None) -> None:
        self.fake = fake
        self.data_dir = data_dir
        self.extra_env = extra_env
        self.seed = seed
        self.proc: asyncio.subprocess.Process | None = None
        self.output = b""
        self._reader: asyncio.Task[None] | None = None
        self.expect_errors = False  # a test that provokes errors sets this

    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items()
               if not key.lower().endswith("_proxy")}
        env.update(
            BOT_TOKEN=TOKEN,
            TELEGRAM_BASE_URL=self.fake.api_url,
            TELEGRAM_BASE_FILE_URL=self.fake.file_url,
            DATA_DIR=str(self.data_dir),
            ADMIN_IDS=str(ADMIN_ID),
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
            NO_PROXY="127.0.0.1,localhost",
            FLOOD_PER_MINUTE="1000",  # tests type faster than people; test_robustness sets 30
        )
        env.update(self.extra_env)
        return env

    async def start(self, *, wait_for_polling: bool = True) -> None:
        polls_before = len(self.fake.calls_of("getUpdates"))
        if (self.seed is not None and not (self.data_dir / KEY_FILE_NAME).exists()
                and "REPORT_KEY" not in self.extra_env):
            self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            shutil.copy2(self.seed / KEY_FILE_NAME, self.data_dir / KEY_FILE_NAME)
            shutil.copytree(self.seed / "search-cache", self.data_dir / "search-cache")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            cwd=PROJECT_ROOT, env=self.env(),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )
        self._reader = asyncio.create_task(self._collect())
        if wait_for_polling:
            await self.fake.wait_for(
                lambda: len(self.fake.calls_of("getUpdates")) > polls_before
                or self.proc is None or self.proc.returncode is not None,
                timeout=30, message="the bot never started polling",
            )
            assert self.proc.returncode is None, self.log()

    async def _collect(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        while chunk := await self.proc.stdout.read(4096):
            self.output += chunk

    def log(self) -> str:
        return self.output.decode("utf-8", "replace")

    async def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc is None:
            return 0
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
        code = await asyncio.wait_for(self.proc.wait(), timeout=30)
        if self._reader is not None:
            await self._reader
        self.proc = None
        return code

    async def restart(self, *, kill: bool = False) -> None:
        code = await self.stop(signal.SIGKILL if kill else signal.SIGTERM)
        if not kill:
            assert code == 0, self.log()
        await self.start()


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    telegram = FakeTelegram(TOKEN)
    await telegram.start()
    try:
        yield telegram
    finally:
        await telegram.stop()


@pytest.fixture(scope="session")
def seeded_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A report key and the search index built under it, once for the whole run, by
    the bot's own code (the same cache key and signature a bot's first start makes)."""
    from types import SimpleNamespace

    from bot.config import Settings
    from bot.crypto import load_report_keys
    from bot.kb.loader import load_knowledge_base
    from bot.search.cache import BuildCache
    from bot.search.engine import SearchEngine

    seed = tmp_path_factory.mktemp("seed") / "data"
    settings = Settings(data_dir=seed)
    keys = load_report_keys(settings, create=True)
    cache = BuildCache.of(SimpleNamespace(settings=settings, crypto_keys=lambda: keys))
    SearchEngine.build_isolated(load_knowledge_base(), cache=cache)
    assert len(list((seed / "search-cache").iterdir())) == 2, "the build saved no index"
    return seed


@pytest.fixture
def seed(request: pytest.FixtureRequest) -> Path | None:
    """The seed for this test's bot: none for tests that watch the index being built."""
    if request.node.get_closest_marker("builds_index"):
        return None
    return request.getfixturevalue("seeded_data")


@pytest.fixture
def bot_env() -> dict[str, str]:
    """Extra environment for the bot; override in a test module to change settings."""
    return {}


@pytest.fixture
async def bot(fake: FakeTelegram, tmp_path: Path, bot_env: dict[str, str],
              seed: Path | None) -> AsyncIterator[BotProcess]:
    process = BotProcess(fake, tmp_path / "data", bot_env, seed)
    await process.start()
    try:
        yield process
    finally:
        code = await process.stop()
        assert code == 0, f"bot exited with {code}:\n{process.log()[-3000:]}"
        if not process.expect_errors:
            assert "Traceback" not in process.log(), process.log()[-5000:]
        assert_no_api_errors(fake)


def assert_no_api_errors(fake: FakeTelegram) -> None:
    fake.assert_no_api_errors()


async def eventually(predicate: Callable[[], object], timeout: float = 10.0,
                     message: str = "condition") -> None:
    """Poll a condition the fake cannot see (the bot's database), at most ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"{message} not met within {timeout}s")
        await asyncio.sleep(0.05)


PICKER_INDEX = {"tg": 0, "ru": 1, "en": 2}


async def start_in(fake: FakeTelegram, user_id: int, locale: str,
                   language_code: str = "en") -> None:
    """A new user sends /start and picks ``locale``; the reader is left after the menu."""
    fake.add_user(user_id, first_name="Test", language_code=language_code)
    chat = fake.chat(user_id)
    fake.send_message(user_id, "/start")
    picker = await chat.next_message()
    fake.press_button(user_id, picker.message_id, PICKER_INDEX[locale])
    await chat.next_message()  # welcome
    await chat.next_message()  # main menu
