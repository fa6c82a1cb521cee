"""Support tickets, their messages (encrypted by the caller) and where staff saw them."""

from __future__ import annotations

from bot.storage.base import Repository


class TicketRepository(Repository):
    pass
