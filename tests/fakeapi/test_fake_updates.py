"""getUpdates: offsets, limits, real long polling, conflicts, allowed_updates, redelivery."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from telegram import Bot
from telegram.error import Conflict

from bot.fakeapi import FakeTelegram

from .support import make_bot

USER = 5001


async def test_offset_confirms_earlier_updates(fake: FakeTelegram, bot: Bot) -> None:
    first = fake.send_message(USER, "one")
    second = fake.send_message(USER, "two")
    assert [u.update_id for u in await bot.get_updates()] == [first, second]
    assert [u.update_id for u in await bot.get_updates()] == [first, second]  # not confirmed
    assert [u.update_id for u in await bot.get_updates(offset=second)] == [second]
    assert await bot.get_updates(offset=second + 1) == ()
    assert fake.pending == []


async def test_limit_and_negative_offset(fake: FakeTelegram, bot: Bot) -> None:
    ids = [fake.send_message(USER, str(n)) for n in range(5)]
    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
    assert [u.update_id for u in await bot.get_updates(offset=-2)] == ids[-2:]
    assert len(fake.pending) == 2  # "-2" forgot the earlier ones


async def test_long_poll_waits_and_wakes_on_new_update(fake: FakeTelegram, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await fake.wait_for(lambda: fake.calls_of("getUpdates"), message="poll arrived")
    assert not poll.done()
    update_id = fake.send_message(USER, "wake up")
    updates = await asyncio.wait_for(poll, 5)
    assert [u.update_id for u in updates] == [update_id]


async def test_long_poll_honours_timeout(bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await bot.get_updates(timeout=0.3) == ()
    assert 0.25 <= loop.time() - started < 3


async def test_stop_releases_pending_polls_at_once() -> None:
    fake = FakeTelegram("1:stop")
    await fake.start()
    async with aiohttp.ClientSession() as session:
        poll = asyncio.create_task(session.post(f"{fake.api_url}1:stop/getUpdates",
                                                json={"timeout": 60}))
        await fake.wait_for(lambda: fake.calls_of("getUpdates"))
        loop = asyncio.get_running_loop()
        started = loop.time()
        await fake.stop()
        response = await asyncio.wait_for(poll, 5)
        assert (await response.json()) == {"ok": True, "result": []}
    assert loop.time() - started < 2


async def test_second_poll_ends_the_first_with_conflict(fake: FakeTelegram, bot: Bot) -> None:
    """Two bot instances polling: Telegram ends the older request with 409."""
    first = asyncio.create_task(bot.get_updates(timeout=30))
    await fake.wait_for(lambda: fake.calls_of("getUpdates"))
    async with make_bot(fake.token, fake) as other_instance:
        second = asyncio.create_task(other_instance.get_updates(timeout=30))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await asyncio.wait_for(first, 5)
        update_id = fake.send_message(USER, "hi")
        assert [u.update_id for u in await asyncio.wait_for(second, 5)] == [update_id]


async def test_allowed_updates_filters_new_updates(fake: FakeTelegram, bot: Bot) -> None:
    await bot.get_updates(allowed_updates=["callback_query"])
    fake.send_message(USER, "ignored")
    assert await bot.get_updates() == ()
    await bot.get_updates(allowed_updates=[])  # back to the default set
    assert len(await bot.get_updates()) == 0
    update_id = fake.send_message(USER, "seen")
    assert [u.update_id for u in await bot.get_updates()] == [update_id]


async def test_chat_member_updates_need_opt_in(fake: FakeTelegram, bot: Bot) -> None:
    raw = {"chat_member": {"chat": {"id": -1, "type": "group", "title": "g"}}}
    fake.inject_update(raw)
    assert fake.pending == []
    await bot.get_updates(allowed_updates=["chat_member"])
    fake.inject_update(raw)
    assert len(fake.pending) == 1


async def test_redeliver_repeats_the_same_update_id(fake: FakeTelegram, bot: Bot) -> None:
    update_id = fake.send_message(USER, "/start")
    await bot.get_updates(offset=update_id + 1)
    assert fake.redeliver(update_id) == update_id
    again = await bot.get_updates()
    assert [u.update_id for u in again] == [update_id]
    assert again[0].message.text == "/start"


async def test_inject_update_keeps_or_assigns_ids(fake: FakeTelegram, bot: Bot) -> None:
    update_id = fake.send_message(USER, "hi")
    duplicate = dict(fake.updates[update_id])
    assert fake.inject_update(duplicate) == update_id
    fresh = fake.inject_update({"message": duplicate["message"]})
    assert fresh > update_id
    assert [u.update_id for u in await bot.get_updates()] == [update_id, update_id, fresh]


async def test_methods_are_case_insensitive_and_calls_are_recorded(fake: FakeTelegram) -> None:
    async with aiohttp.ClientSession() as session:
        url = f"{fake.api_url}{fake.token}/GETME"
        async with session.get(url) as response:
            assert (await response.json())["result"]["username"] == "hamroh_test_bot"
    assert fake.calls == [("getMe", {})]
