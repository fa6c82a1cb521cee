"""Tickets against a real database: one open ticket per person, encryption, retention,
/forget."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.crypto import ReportKeys
from bot.storage import Database
from bot.support.service import TicketService, parse_ticket_ref, ticket_ref


def test_ticket_references() -> None:
    assert ticket_ref(12) == "T-12"
    for typed, expected in (("T-12", 12), ("t-12", 12), ("12", 12), ("#12", 12), ("T-", None),
                            ("T-0", None), ("T-1x", None), ("", None)):
        assert parse_ticket_ref(typed) == expected, typed


async def test_one_open_ticket_per_person_even_when_racing(db: Database,
                                                           keys: ReportKeys) -> None:
    tickets = TicketService(db, keys)
    results = await asyncio.gather(*(tickets.open_ticket(1001, "tg", None) for _ in range(5)))
    assert len({ticket.id for ticket, _created in results}) == 1
    assert sum(created for _ticket, created in results) == 1
    other, created = await tickets.open_ticket(1002, "ru", "work.patent")
    assert created and other.id != results[0][0].id and other.last_article == "work.patent"
    assert tickets.requester_of(other).user_id == 1002


async def test_contents_are_encrypted_and_bound_to_their_ticket(db: Database,
                                                                keys: ReportKeys) -> None:
    tickets = TicketService(db, keys)
    ticket, _ = await tickets.open_ticket(1001, "en", None)
    await tickets.add_message(ticket.id, "in", None, kind="text",
                              text="MARKER-7788 my passport number", file_id=None)
    await db.checkpoint()
    raw = db.path.read_bytes()
    assert b"MARKER-7788" not in raw and b"1001" not in raw
    (message,) = await tickets.messages_of(ticket.id)
    assert message.text == "MARKER-7788 my passport number"
    # A blob moved to another ticket no longer decrypts there.
    second, _ = await tickets.open_ticket(1002, "en", None)
    row = (await db.tickets.messages(ticket.id))[0]
    await db.tickets.add_message(second.id, "in", None, row.content)
    assert await tickets.messages_of(second.id) == []


async def test_retention_drops_the_identity_of_old_closed_tickets(db: Database,
                                                                  keys: ReportKeys) -> None:
    tickets = TicketService(db, keys)
    old, _ = await tickets.open_ticket(1001, "en", None)
    recent, _ = await tickets.open_ticket(1002, "en", None)
    still_open, _ = await tickets.open_ticket(1003, "en", None)
    await db.tickets.add_relay(-100, 55, old.id)
    await db.tickets.close(old.id)
    await db.tickets.close(recent.id)
    later = datetime.now(UTC) + timedelta(days=91)
    assert await tickets.drop_old_identities(timedelta(days=90), now=later) == 2
    assert await tickets.drop_old_identities(timedelta(days=90), now=later) == 0
    for ticket in (old, recent):
        row = await db.tickets.get(ticket.id)
        assert row is not None and row.requester is None
        assert tickets.requester_of(row).user_id is None
    assert await db.tickets.by_relay(-100, 55) is None
    assert (await db.tickets.get(still_open.id)).requester is not None  # type: ignore[union-attr]
    # A new question after that opens a fresh ticket.
    fresh, created = await tickets.open_ticket(1001, "en", None)
    assert created and fresh.id not in (old.id, recent.id)


async def test_forget_deletes_tickets_and_returns_staff_copies(db: Database,
                                                               keys: ReportKeys) -> None:
    tickets = TicketService(db, keys)
    ticket, _ = await tickets.open_ticket(1001, "en", None)
    await tickets.add_message(ticket.id, "in", None, kind="text", text="hi", file_id=None)
    await db.tickets.add_relay(-100, 7, ticket.id)
    deleted, copies = await tickets.forget(1001)
    assert deleted == 1 and copies == [(-100, 7)]
    assert await db.tickets.get(ticket.id) is None
    assert await db.tickets.messages(ticket.id) == []
