"""The aiohttp transport for PTB: real requests to the strict fake, and its failures mapped to
PTB's errors (a stuck server, a full pool, nothing listening)."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.aiohttp_request import AiohttpRequest, _json_body
from bot.fakeapi import FakeTelegram
from tests.fakeapi.support import TOKEN, make_bot

USER = 7001


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(TOKEN) as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with make_bot(TOKEN, fake, request=AiohttpRequest) as client:
        yield client


async def test_an_html_message_with_a_keyboard_reaches_the_chat(
        bot: Bot, fake: FakeTelegram) -> None:
    fake.send_message(USER, "/start")
    chat = fake.chat(USER)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ҳа", callback_data="yes")]])
    sent = await bot.send_message(USER, "<b>Салом</b> &amp; ҳамроҳ", parse_mode=ParseMode.HTML,
                                  reply_markup=keyboard)
    received = await chat.next_message(timeout=5)
    assert received.text == sent.text == "Салом & ҳамроҳ"
    assert received.button_texts() == ["Ҳа"]
    fake.assert_no_api_errors()


async def test_an_upload_arrives_byte_for_byte(bot: Bot, fake: FakeTelegram) -> None:
    fake.send_message(USER, "/start")
    content = bytes(range(256)) * 40
    sent = await bot.send_document(USER, content, filename="export.csv", caption="Ҳисобот")
    assert sent.document is not None and sent.caption == "Ҳисобот"
    stored = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()
    assert bytes(stored) == content
    fake.assert_no_api_errors()


async def test_telegram_refusals_keep_their_ptb_errors(bot: Bot) -> None:
    with pytest.raises(BadRequest):
        await bot.send_message(USER, "<b>unclosed", parse_mode=ParseMode.HTML)


def test_bodies_are_utf8_json_and_a_lone_surrogate_is_escaped() -> None:
    body = _json_body({"chat_id": 1, "text": "Салом"})
    assert "Салом".encode() in body and json.loads(body) == {"chat_id": 1, "text": "Салом"}
    broken = _json_body({"text": "ok \ud83d"})
    assert json.loads(broken) == {"text": "ok \ud83d"}
    assert broken.isascii()


@pytest.fixture
async def stuck_server() -> AsyncIterator[tuple[str, asyncio.Event]]:
    """A server that answers only once the test releases it."""
    release = asyncio.Event()

    async def handle(request: web.Request) -> web.Response:
        await release.wait()
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/method", release
    finally:
        release.set()
        await runner.cleanup()


async def test_a_server_that_does_not_answer_times_out(
        stuck_server: tuple[str, asyncio.Event]) -> None:
    url, _ = stuck_server
    request = AiohttpRequest(1, read_timeout=0.2)
    async with request:
        with pytest.raises(TimedOut):
            await request.do_request(url, "POST")


async def test_a_request_waiting_for_a_full_pool_gives_up(
        stuck_server: tuple[str, asyncio.Event]) -> None:
    url, release = stuck_server
    # aiohttp bounds the wait for a pooled connection and opening one together
    request = AiohttpRequest(1, read_timeout=10, pool_timeout=0.2, connect_timeout=0.2)
    async with request:
        first = asyncio.create_task(request.do_request(url, "POST"))
        await asyncio.sleep(0)  # the first takes the only connection
        with pytest.raises(TimedOut):
            await request.do_request(url, "POST")
        assert not first.done()
        release.set()
        status, body = await first
    assert status == 200 and json.loads(body)["ok"] is True


async def test_nothing_listening_is_a_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest(1)
    async with request:
        with pytest.raises(NetworkError) as caught:
            await request.do_request(f"http://127.0.0.1:{port}/x", "POST")
    assert not isinstance(caught.value, TimedOut)


async def test_requests_need_initialize_and_shutdown_twice_is_harmless() -> None:
    request = AiohttpRequest(1)
    with pytest.raises(RuntimeError):
        await request.do_request("http://127.0.0.1:9/x", "POST")
    await request.initialize()
    await request.shutdown()
    await request.shutdown()
    with pytest.raises(RuntimeError):
        await request.do_request("http://127.0.0.1:9/x", "POST")


async def test_the_proxy_of_the_environment_is_used_unless_no_proxy_names_the_host(
        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append(request.raw_path)  # absolute-form: the request came through a proxy
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    remote = "http://api.example.invalid/bot1/getMe"
    try:
        for name in ("http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
        async with AiohttpRequest(1) as request:
            assert await request.do_request(remote, "POST") == (
                200, b'{"ok": true, "result": true}')
            assert seen == [remote]
            # this machine itself never goes through a proxy
            await request.do_request(f"http://127.0.0.1:{port}/direct", "POST")
            assert seen[-1] == "/direct"
        monkeypatch.setenv("NO_PROXY", "api.example.invalid")
        async with AiohttpRequest(1) as request:
            with pytest.raises(NetworkError):  # straight to a host that does not exist
                await request.do_request(remote, "POST")
        assert len(seen) == 2
    finally:
        await runner.cleanup()
