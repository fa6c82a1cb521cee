"""Broadcasts and their per-recipient progress."""

from __future__ import annotations

from bot.storage.base import Repository


class BroadcastRepository(Repository):
    pass
