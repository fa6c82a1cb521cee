"""Bot API method table: lower-case name -> (canonical name, handler)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.fakeapi.params import Params
from bot.fakeapi.state import FakeState

Handler = Callable[[FakeState, Params], Awaitable[Any]]
METHODS: dict[str, tuple[str, Handler]] = {}


def api_method(*names: str) -> Callable[[Handler], Handler]:
    """Register a handler; Telegram matches method names case-insensitively."""

    def register(handler: Handler) -> Handler:
        for name in names:
            METHODS[name.lower()] = (name, handler)
        return handler

    return register


def lookup(method: str) -> tuple[str, Handler] | None:
    return METHODS.get(method.lower())
