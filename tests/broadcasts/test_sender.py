"""The background sender against the fake Bot API, in one process: outcomes per recipient,
429s beyond the limiter's retries, users who left meanwhile, and pacing without a limiter."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_application
from bot.broadcasts.sender import manager_of
from bot.config import Settings
from bot.fakeapi import FakeChat, FakeTelegram
from bot.services import SERVICES_KEY, Services

TOKEN = "123456789:sender-test-token"
OWNER = 9001
USERS = list(range(500_001, 500_041))
TEXTS = {"ru": "Объявление", "en": "<b>Notice</b>"}

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    telegram = FakeTelegram(TOKEN)
    await telegram.start()
    try:
        yield telegram
    finally:
        await telegram.stop()


def reachable(fake: FakeTelegram, user_id: int) -> None:
    user = fake.add_user(user_id, f"User{user_id}")
    user.started = True
    fake.chats[user_id] = FakeChat(user_id, "private", first_name=user.first_name)


async def run_broadcast(fake: FakeTelegram, data_dir: Path, *, rate_limit: bool,
                        before: Any = None) -> tuple[Services, int]:
    settings = Settings(bot_token=TOKEN, telegram_base_url=fake.api_url,
                        telegram_base_file_url=fake.file_url, data_dir=data_dir,
                        admin_ids=frozenset({OWNER}))
    app = build_application(settings, rate_limit=rate_limit)
    services: Services = app.bot_data[SERVICES_KEY]
    # ``async with app`` does not run post_shutdown, which closes the database in the bot:
    # closed here, since a database left open keeps its (non-daemon) threads, and the test
    # process, alive after the last test.
    try:
        async with app:
            await services.db.connect()
            db = services.db
            for index, uid in enumerate([OWNER, *USERS]):
                reachable(fake, uid)
                await db.users.touch(uid)
                await db.users.set_locale(uid, ("ru", "en", "tg")[index % 3])
            await app.start()
            broadcast_id = await db.broadcasts.create(OWNER, TEXTS, "ru", "all",
                                                      progress_chat=OWNER)
            assert broadcast_id is not None
            if before is not None:
                await before(services, broadcast_id)
            runner = manager_of(app).start(broadcast_id)
            tasks = set(manager_of(app).tasks)
            for task in tasks:
                await task
            assert runner.state == "done"
            await app.stop()
    finally:
        await services.db.close()
        if services.search is not None:
            services.search.stop_building(10.0)
    return services, broadcast_id


async def test_outcomes_are_recorded_and_nobody_gets_two(fake: FakeTelegram,
                                                         tmp_path: Path) -> None:
    blocked, banned = USERS[3], USERS[5]
    fake.user(blocked).blocked = True

    async def meanwhile(services: Services, broadcast_id: int) -> None:
        await services.db.broadcasts.materialise(broadcast_id, "all")
        await services.db.broadcasts.set_status(broadcast_id, "sending")
        await services.db.users.set_banned(banned, True)  # after the list was made
        # More 429s in a row than the limiter retries: the sender waits and tries again.
        fake.fail_next("sendMessage", times=5, retry_after=1)

    services, broadcast_id = await run_broadcast(fake, tmp_path, rate_limit=True,
                                                 before=meanwhile)
    db = services.db
    await db.connect()
    try:
        counts = await db.broadcasts.counts(broadcast_id)
        assert counts["sent"] == len(USERS) - 1 and counts["blocked"] == 1
        assert counts["skipped"] == 1 and counts["pending"] == counts["sending"] == 0
        record = await db.users.get(blocked)
        assert record is not None and record.blocked_bot
        row = await db.broadcasts.get(broadcast_id)
        assert row is not None and row.status == "done"
    finally:
        await db.close()
    for index, uid in enumerate(USERS, start=1):
        messages = fake.chat(uid).messages()
        if uid in (blocked, banned):
            assert messages == []
            continue
        assert len(messages) == 1, uid
        expected = {"ru": TEXTS["ru"], "en": TEXTS["en"], "tg": TEXTS["ru"]}[
            ("ru", "en", "tg")[index % 3]]
        assert messages[0].html == expected
    # The owner chose Russian: the progress speaks it; one message, edited to the end.
    progress = [m for m in fake.chat(OWNER).messages() if f"#{broadcast_id}" in (m.text or "")]
    assert len(progress) == 1, fake.describe_chat(OWNER)
    assert "завершена" in progress[0].text and "Отправлено: 39" in progress[0].text


async def test_without_a_rate_limiter_the_sender_paces_itself(fake: FakeTelegram,
                                                              tmp_path: Path) -> None:
    times: list[float] = []
    fake.on_event(lambda event: times.append(time.monotonic())
                  if event.kind == "message" and event.chat_id in USERS else None)
    await run_broadcast(fake, tmp_path, rate_limit=False)
    # 30 a second at most (a lower bound only: a slow machine cannot make this fail).
    assert times[-1] - times[0] >= (len(USERS) - 1) / 30 * 0.95
    sends = [params for params in fake.calls_of("sendMessage")
             if int(params["chat_id"]) in USERS]
    assert len(sends) == len(USERS)
    assert all(len(fake.chat(uid).messages()) == 1 for uid in USERS)
