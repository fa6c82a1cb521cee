"""Concurrent update processing that keeps each chat's updates in order.

PTB's ``concurrent_updates`` runs updates of one chat in parallel too, which
lets a ConversationHandler see a user's second message in the old state. One
lock per chat keeps every chat sequential while different chats overlap; the
persistence is flushed right after each update so a crash loses almost nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 16) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiters: dict[int, int] = {}
        self.after_update: Callable[[object], Awaitable[None]] | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        if key is None:
            await coroutine
        else:
            lock = self._locks.setdefault(key, asyncio.Lock())
            self._waiters[key] = self._waiters.get(key, 0) + 1
            try:
                async with lock:
                    await coroutine
            finally:
                self._waiters[key] -= 1
                if self._waiters[key] == 0:  # drop idle locks so memory stays flat
                    del self._waiters[key]
                    del self._locks[key]
        if self.after_update is not None:
            await self.after_update(update)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None
