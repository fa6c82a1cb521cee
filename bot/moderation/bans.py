"""Finding the person behind a pseudonym, a ticket or a report, to ban or unban them.

A ban makes the bot ignore everything the person sends (the tracking handler stops their
updates before any feature); what they already reported stays. The id is found through
the encrypted content, so it never needs to be typed or shown."""

from __future__ import annotations

import re

from bot.crypto import pseudonym_label
from bot.reports.service import ReportService
from bot.services import Services
from bot.support.service import TicketService, parse_ticket_ref

_PSEUDONYM = re.compile(r"^(?:reporter\s+)?([A-HJ-NP-Z2-9]{6})$", re.IGNORECASE)
_REPORT = re.compile(r"^R-?([A-HJ-NP-Z2-9]{6})$", re.IGNORECASE)


async def find_person(services: Services, target: str) -> tuple[int | None, str]:
    """The Telegram id behind ``target`` (None if unknown or unlinked) and a label for
    the audit log that does not contain the id."""
    target = " ".join(target.split())
    keys = services.crypto_keys()
    if match := _REPORT.match(target):
        ref = f"R-{match.group(1).upper()}"
        row = await services.db.reports.by_ref(ref)
        if row is None:
            return None, ref
        return ReportService(services.db, keys).content_of(row).reporter_id, ref
    if target.upper().startswith("T-") and (ticket_id := parse_ticket_ref(target)):
        ticket = await services.db.tickets.get(ticket_id)
        tickets = TicketService(services.db, keys)
        return (tickets.requester_of(ticket).user_id if ticket else None), f"T-{ticket_id}"
    if match := _PSEUDONYM.match(target):
        wanted = "Reporter " + match.group(1).upper()
        reports = ReportService(services.db, keys)
        for reporter in await services.db.reports.reporters():
            if pseudonym_label(reporter) == wanted:
                row = await services.db.reports.latest_of(reporter)
                if row is not None:
                    return reports.content_of(row).reporter_id, wanted
        tickets = TicketService(services.db, keys)
        for requester in await services.db.tickets.requesters_like():
            if pseudonym_label(requester) == wanted:
                for ticket in await services.db.tickets.of_requester(requester):
                    user_id = tickets.requester_of(ticket).user_id
                    if user_id is not None:
                        return user_id, wanted
        return None, wanted
    return None, ""
