"""Support tickets: opening, storing messages encrypted, claiming, closing, retention and
/forget. Everything that touches both the database and the keys; no Telegram here."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.crypto import DecryptionError, ReportKeys, pseudonym_label
from bot.storage import Database
from bot.storage.tickets import TicketRow

log = logging.getLogger(__name__)

TICKET_PREFIX = "T-"


def ticket_ref(ticket_id: int) -> str:
    return f"{TICKET_PREFIX}{ticket_id}"


def parse_ticket_ref(text: str) -> int | None:
    value = text.strip().upper().removeprefix(TICKET_PREFIX).removeprefix("#")
    return int(value) if value.isdecimal() and 0 < int(value) < 2**53 else None


@dataclass(frozen=True)
class Requester:
    """Who asked, decrypted: the Telegram id to answer (None once unlinked) and whether
    they agreed that staff see their name."""

    user_id: int | None
    show_name: bool = False


@dataclass(frozen=True)
class TicketMessage:
    direction: str
    author: int | None
    created_at: str
    kind: str
    text: str | None
    file_id: str | None


@dataclass
class TicketService:
    db: Database
    keys: ReportKeys

    # --- associated data: a blob decrypts only in the row it was written for ----------

    @staticmethod
    def _ticket_aad(ticket_id: int) -> bytes:
        return b"hamroh-ticket:%d" % ticket_id

    @staticmethod
    def _message_aad(ticket_id: int) -> bytes:
        return b"hamroh-ticket-message:%d" % ticket_id

    def requester_hash(self, user_id: int) -> str:
        return self.keys.reporter_hash(user_id)

    def pseudonym(self, ticket: TicketRow) -> str:
        return pseudonym_label(ticket.requester) if ticket.requester else "—"

    # --- tickets ---------------------------------------------------------------------

    async def open_ticket(self, user_id: int, locale: str,
                          last_article: str | None) -> tuple[TicketRow, bool]:
        """The user's open ticket, or a new one; True when it was created now."""
        requester = self.requester_hash(user_id)
        ticket, created = await self.db.tickets.create(requester, locale, last_article, b"")
        if created:
            await self._store_requester(ticket.id, Requester(user_id))
            log.info("a support ticket was opened")
        elif last_article:
            await self.db.tickets.set_last_article(ticket.id, last_article)
        fresh = await self.db.tickets.get(ticket.id)
        assert fresh is not None
        return fresh, created

    async def _store_requester(self, ticket_id: int, requester: Requester) -> None:
        raw = json.dumps({"user_id": requester.user_id, "show_name": requester.show_name})
        await self.db.tickets.set_content(
            ticket_id, self.keys.encrypt(raw.encode(), self._ticket_aad(ticket_id)))

    def requester_of(self, ticket: TicketRow) -> Requester:
        try:
            data = json.loads(self.keys.decrypt(ticket.content, self._ticket_aad(ticket.id)))
        except (DecryptionError, ValueError):
            return Requester(None)
        return Requester(data.get("user_id"), bool(data.get("show_name")))

    async def open_of(self, user_id: int) -> TicketRow | None:
        return await self.db.tickets.open_of(self.requester_hash(user_id))

    async def show_name(self, ticket: TicketRow, user_id: int) -> bool:
        if ticket.requester != self.requester_hash(user_id):
            return False
        await self._store_requester(ticket.id, Requester(user_id, show_name=True))
        return True

    async def add_message(self, ticket_id: int, direction: str, author: int | None, *,
                          kind: str, text: str | None, file_id: str | None) -> None:
        raw = json.dumps({"kind": kind, "text": text, "file_id": file_id}, ensure_ascii=False)
        await self.db.tickets.add_message(
            ticket_id, direction, author,
            self.keys.encrypt(raw.encode("utf-8"), self._message_aad(ticket_id)))

    async def messages_of(self, ticket_id: int) -> list[TicketMessage]:
        result = []
        for row in await self.db.tickets.messages(ticket_id):
            try:
                data = json.loads(self.keys.decrypt(row.content, self._message_aad(ticket_id)))
            except (DecryptionError, ValueError):
                log.error("an unreadable ticket message was skipped")
                continue
            result.append(TicketMessage(row.direction, row.author, row.created_at,
                                        data.get("kind", "text"), data.get("text"),
                                        data.get("file_id")))
        return result

    # --- retention and /forget ---------------------------------------------------------

    async def drop_old_identities(self, retention: timedelta,
                                  now: datetime | None = None) -> int:
        """Closed tickets older than ``retention`` forget who asked: the hash goes, the
        Telegram id is re-encrypted away, and the staff-side message map is dropped."""
        cutoff = ((now or datetime.now(UTC)) - retention).isoformat(timespec="seconds")
        dropped = 0
        while rows := await self.db.tickets.closed_before(cutoff):
            for ticket in rows:
                raw = json.dumps({"user_id": None, "show_name": False}).encode()
                await self.db.tickets.unlink(
                    ticket.id, self.keys.encrypt(raw, self._ticket_aad(ticket.id)))
                dropped += 1
        if dropped:
            log.info("%d closed ticket(s) lost their identity link after retention", dropped)
        return dropped

    async def forget(self, user_id: int) -> tuple[int, list[tuple[int, int]]]:
        """Delete the user's tickets; return how many, and the staff-side copies (chat,
        message) that the caller may try to delete in Telegram."""
        requester = self.requester_hash(user_id)
        tickets = await self.db.tickets.of_requester(requester)
        copies = await self.db.tickets.relays_of([ticket.id for ticket in tickets])
        deleted = await self.db.tickets.delete_of(requester)
        return deleted, copies
