"""Webhook settings and delivery to a local receiver."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest

from bot.fakeapi import FakeTelegram

USER = 5001
SECRET = "s3cret_Token-1"


class Receiver:
    """A webhook endpoint that, like PTB's, accepts only the right secret."""

    def __init__(self, fail_first: int = 0) -> None:
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.fail_first = fail_first
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.headers.append(dict(request.headers))
        if self.fail_first > 0:
            self.fail_first -= 1
            return web.Response(status=500)
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != SECRET:
            return web.Response(status=403)
        self.received.append(await request.json())
        return web.Response(status=200)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    target = Receiver()
    app = web.Application()
    app.router.add_post("/hook", target.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    target.url = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    yield target
    await runner.cleanup()


async def test_updates_are_posted_with_the_secret(fake: FakeTelegram, bot: Bot,
                                                  receiver: Receiver) -> None:
    assert await bot.set_webhook(receiver.url, secret_token=SECRET)
    update_id = fake.send_message(USER, "/start")
    await fake.wait_for(lambda: receiver.received, message="webhook delivery")
    assert receiver.received[0]["update_id"] == update_id
    assert receiver.headers[0]["Content-Type"] == "application/json"
    assert fake.webhook_responses == [200]
    info = await bot.get_webhook_info()
    assert info.url == receiver.url and info.pending_update_count == 0


async def test_pending_updates_are_kept_or_dropped(fake: FakeTelegram, bot: Bot,
                                                   receiver: Receiver) -> None:
    kept = fake.send_message(USER, "before the webhook")
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    await fake.wait_for(lambda: receiver.received)
    assert receiver.received[0]["update_id"] == kept
    await bot.delete_webhook()
    fake.send_message(USER, "dropped")
    await bot.set_webhook(receiver.url, secret_token=SECRET, drop_pending_updates=True)
    assert fake.pending == [] and len(receiver.received) == 1


async def test_wrong_secret_gets_403_and_failed_updates_are_retried(
        fake: FakeTelegram, bot: Bot, receiver: Receiver) -> None:
    await bot.set_webhook(receiver.url, secret_token="other_secret")
    fake.send_message(USER, "hi")
    await fake.wait_for(lambda: len(fake.webhook_responses) == 3, message="3 attempts")
    assert fake.webhook_responses == [403, 403, 403]
    assert fake.pending == []  # given up after the retries
    info = await bot.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 403 Forbidden"


async def test_a_failed_delivery_succeeds_on_retry(fake: FakeTelegram, bot: Bot,
                                                   receiver: Receiver) -> None:
    receiver.fail_first = 1
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    fake.send_message(USER, "hi")
    await fake.wait_for(lambda: receiver.received)
    assert fake.webhook_responses == [500, 200]


async def test_post_to_webhook_with_any_secret(fake: FakeTelegram, bot: Bot,
                                               receiver: Receiver) -> None:
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    update = {"update_id": 1, "message": {"message_id": 1}}
    assert await fake.post_to_webhook(update) == 200
    assert await fake.post_to_webhook(update, secret="wrong") == 403
    assert await fake.post_to_webhook(update, secret=None) == 403


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"url": "http://example.org/hook"}, "An https url must be provided for webhook"),
        ({"url": "https://example.org:8080/hook"}, "Webhook can be set up only on ports"),
        ({"url": "https://example.org/hook", "secret_token": "no spaces"},
         "Secret token contains unallowed characters"),
        ({"url": "https://example.org/hook", "secret_token": "x" * 257},
         "Secret token is too long"),
    ],
)
async def test_set_webhook_validation(bot: Bot, kwargs: dict[str, Any], error: str) -> None:
    with pytest.raises(BadRequest) as caught:
        await bot.set_webhook(**kwargs)
    assert error.lower() in str(caught.value).lower()
