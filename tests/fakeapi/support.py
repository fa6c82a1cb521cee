"""Shared helpers for the fake's tests: a real PTB Bot wired to a FakeTelegram."""

from __future__ import annotations

import os
import ssl
from collections.abc import Callable

from telegram import Bot
from telegram.request import BaseRequest, HTTPXRequest

from bot.fakeapi import FakeTelegram

TOKEN = "123456789:AAFakeTokenForTests_abcdefghijklmno"
# Building an SSL context costs ~60 ms per httpx client; share one (the fake is plain HTTP).
_SSL = ssl.create_default_context()

# httpx and aiohttp must not send loopback traffic through a proxy.
os.environ["NO_PROXY"] = ",".join(filter(None, [os.environ.get("NO_PROXY"), "127.0.0.1",
                                                "localhost"]))


def make_request() -> HTTPXRequest:
    return HTTPXRequest(httpx_kwargs={"verify": _SSL})


def make_bot(token: str, fake: FakeTelegram,
             request: Callable[[], BaseRequest] = make_request) -> Bot:
    """A real PTB Bot talking to the fake (through ``request()``'s transport)."""
    return Bot(token, base_url=fake.api_url, base_file_url=fake.file_url,
               request=request(), get_updates_request=request())
