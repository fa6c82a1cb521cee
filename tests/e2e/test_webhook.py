"""Webhook mode: Telegram's secret header is required; without it the bot answers 403."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.fakeapi import FakeTelegram
from tests.e2e.conftest import USER_ID, BotProcess, assert_no_api_errors

SECRET = "e2e-webhook_secret"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def webhook_bot(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotProcess]:
    port = _free_port()
    process = BotProcess(fake, tmp_path / "data", {
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "WEBHOOK_SECRET": SECRET,
        "LISTEN": "127.0.0.1",
        "PORT": str(port),
    })
    await process.start(wait_for_polling=False)
    await fake.wait_for(lambda: fake.calls_of("setWebhook"), timeout=30,
                        message="the bot never set its webhook")
    await _wait_until_listening(port)
    try:
        yield process
    finally:
        assert await process.stop() == 0, process.log()[-3000:]
        assert_no_api_errors(fake)


async def _wait_until_listening(port: int, attempts: int = 400) -> None:
    # PTB registers the webhook and starts its server concurrently; poll the port briefly.
    for _ in range(attempts):
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise AssertionError(f"nothing listens on port {port}")


def _update(update_id: int) -> dict:  # type: ignore[type-arg]
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1, "date": 1700000000, "text": "/help",
            "chat": {"id": USER_ID, "type": "private", "first_name": "T"},
            "from": {"id": USER_ID, "is_bot": False, "first_name": "T", "language_code": "en"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }


async def test_webhook_registration_and_delivery(fake: FakeTelegram,
                                                 webhook_bot: BotProcess) -> None:
    registered = fake.calls_of("setWebhook")[-1]
    assert registered["secret_token"] == SECRET
    assert registered["url"].endswith("/telegram")

    fake.add_user(USER_ID, language_code="ru")
    chat = fake.chat(USER_ID)
    fake.send_message(USER_ID, "/start")  # the fake posts it to the webhook with the secret
    picker = await chat.next_message()
    assert "🇷🇺 Русский" in picker.button_texts()
    await fake.wait_for(lambda: 200 in fake.webhook_responses)


async def test_webhook_rejects_missing_or_wrong_secret(fake: FakeTelegram,
                                                       webhook_bot: BotProcess) -> None:
    fake._private_chat(fake.add_user(USER_ID, language_code="en"))  # as if they wrote before
    assert await fake.post_to_webhook(_update(777001), secret=None) == 403
    assert await fake.post_to_webhook(_update(777002), secret="wrong") == 403
    assert fake.transcript(USER_ID) == []  # nothing reached the handlers

    assert await fake.post_to_webhook(_update(777003)) == 200
    reply = await fake.chat(USER_ID).next_message()
    assert "How to use Hamroh" in reply.text


async def _raw_request(port: int, head: str, body: bytes = b"", timeout: float = 5.0) -> str:
    """Send a request by hand (headers, then maybe a body) and return the status line."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head.encode("ascii") + body)
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), timeout)
        return line.decode("ascii", "replace").strip()
    finally:
        writer.close()


def _port(bot: BotProcess) -> int:
    return int(bot.env()["PORT"])


async def test_webhook_refuses_big_bodies_before_reading_them(fake: FakeTelegram,
                                                              webhook_bot: BotProcess) -> None:
    """Review M3: PTB's server read up to 100 MB before checking the secret. The answer
    must come from the headers alone: no body is sent here at all."""
    port = _port(webhook_bot)
    huge = 50 * 1024 * 1024
    wrong = (f"POST /telegram HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             f"X-Telegram-Bot-Api-Secret-Token: wrong\r\nContent-Length: {huge}\r\n\r\n")
    assert " 403 " in await _raw_request(port, wrong) + " "
    right = wrong.replace("Token: wrong", f"Token: {SECRET}")
    assert " 413 " in await _raw_request(port, right) + " "
    no_secret = wrong.replace("X-Telegram-Bot-Api-Secret-Token: wrong\r\n", "")
    assert " 403 " in await _raw_request(port, no_secret) + " "
    # A body of 2 MB with a wrong secret: refused too, and the bot still answers.
    body = b"{" + b" " * (2 * 1024 * 1024) + b"}"
    sized = wrong.replace(str(huge), str(len(body)))
    assert " 403 " in await _raw_request(port, sized, body) + " "
    fake._private_chat(fake.add_user(USER_ID, language_code="en"))
    assert await fake.post_to_webhook(_update(777010)) == 200
    assert "How to use Hamroh" in (await fake.chat(USER_ID).next_message()).text


async def test_webhook_accepts_only_post_and_valid_updates(fake: FakeTelegram,
                                                           webhook_bot: BotProcess) -> None:
    port = _port(webhook_bot)
    get = (f"GET /telegram HTTP/1.1\r\nHost: x\r\n"
           f"X-Telegram-Bot-Api-Secret-Token: {SECRET}\r\n\r\n")
    assert " 405 " in await _raw_request(port, get) + " "
    other_path = (f"POST /elsewhere HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                  f"X-Telegram-Bot-Api-Secret-Token: {SECRET}\r\n\r\n")
    assert " 404 " in await _raw_request(port, other_path, b"{}") + " "
    junk = b"not json"
    bad = (f"POST /telegram HTTP/1.1\r\nHost: x\r\nContent-Length: {len(junk)}\r\n"
           f"Content-Type: application/json\r\n"
           f"X-Telegram-Bot-Api-Secret-Token: {SECRET}\r\n\r\n")
    assert " 400 " in await _raw_request(port, bad, junk) + " "
    fake._private_chat(fake.add_user(USER_ID, language_code="en"))
    assert await fake.post_to_webhook(_update(777020)) == 200
    assert "How to use Hamroh" in (await fake.chat(USER_ID).next_message()).text
