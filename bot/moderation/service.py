"""Moderator actions on reports: each one a conditional change in the database, an
audit entry, and the reporter told in their language. No Telegram handler logic here;
messages to reporters go through the reports feature's service."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.moderation import rules
from bot.moderation.card import CardData, staff_label
from bot.reports.service import ReportService
from bot.staff import Role

if TYPE_CHECKING:
    from telegram import Bot

    from bot.services import Services
    from bot.storage.reports import ReportRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    code: str  # what happened, for the handler's message
    row: ReportRow | None = None
    told_reporter: bool = False
    holder: str | None = None  # who has the report, when someone else took it first


class ModerationService:
    def __init__(self, services: Services, bot: Bot) -> None:
        self.services = services
        self.db = services.db
        self.bot = bot
        self.reports = ReportService.from_services(services)

    async def card(self, ref: str) -> CardData | None:
        row = await self.db.reports.by_ref(ref)
        if row is None:
            return None
        content = self.reports.content_of(row)
        notes = await self.reports.notes_of(ref)
        other = (await self.db.reports.count_for_reporter(row.reporter) - 1
                 if row.reporter else 0)
        reporter_name = None
        if content.contact and content.reporter_id is not None:
            reporter_name = await _telegram_name(self.bot, content.reporter_id)
        ids = {note.author for note in notes if note.author is not None}
        if row.assignee is not None:
            ids.add(row.assignee)
        names = await self.db.staff.names(ids)
        return CardData(row, content, notes, other, reporter_name,
                        names.get(row.assignee) if row.assignee else None, names)

    async def take(self, actor: int, ref: str) -> Outcome:
        row = await self.db.reports.by_ref(ref)
        if row is None:
            return Outcome(False, "missing")
        if not await self.db.reports.claim(ref, actor):
            current = await self.db.reports.by_ref(ref)
            if current is not None and current.assignee not in (None, actor):
                assert current.assignee is not None
                names = await self.db.staff.names({current.assignee})
                return Outcome(False, "taken", current,
                               holder=staff_label(current.assignee, names))
            return Outcome(False, "wrong_status", current)
        after = await self.db.reports.by_ref(ref)
        assert after is not None
        await self.db.audit.record(actor, rules.TAKE, ref=ref, old_status=row.status,
                                   new_status=after.status)
        told = False
        if after.status != row.status:
            told = await self.reports.notify_status(self.bot, after, after.status)
        return Outcome(True, rules.TAKE, after, told)

    async def change(self, actor: int, role: Role, ref: str, action: str,
                     reason: str | None = None) -> Outcome:
        """Verify, reject (with a reason code or typed text), close or reopen."""
        row = await self.db.reports.by_ref(ref)
        if row is None:
            return Outcome(False, "missing")
        verdict = rules.check(action, row, role, actor)
        if not verdict.allowed:
            return Outcome(False, verdict.why or "not_allowed", row)
        target = rules.new_status(action, row.status)
        assert target is not None
        detail = reason if reason in _REASON_CODES else ("typed" if reason else None)
        if not await self.db.reports.change_status(
                ref, expected=row.status, new=target, actor=actor,
                override=role is Role.OWNER, detail=detail):
            return Outcome(False, "changed", await self.db.reports.by_ref(ref))
        if reason and detail == "typed":
            await self.reports.add_note(ref, "reason", actor, reason)
        await self.db.audit.record(actor, action, ref=ref, old_status=row.status,
                                   new_status=target, detail=detail)
        after = await self.db.reports.by_ref(ref)
        assert after is not None
        told = await self.reports.notify_status(self.bot, after, target, reason)
        log.info("a moderator changed a report's status to %s", target)
        return Outcome(True, action, after, told)

    async def ask(self, actor: int, role: Role, ref: str, question: str) -> Outcome:
        row = await self.db.reports.by_ref(ref)
        if row is None:
            return Outcome(False, "missing")
        verdict = rules.check(rules.ASK, row, role, actor)
        if not verdict.allowed:
            return Outcome(False, verdict.why or "not_allowed", row)
        content = self.reports.content_of(row)
        if not rules.can_ask(row.reporter is not None, content.contact):
            return Outcome(False, "anonymous", row)
        if row.status != "needs_info" and not await self.db.reports.change_status(
                ref, expected=row.status, new="needs_info", actor=actor,
                override=role is Role.OWNER):
            return Outcome(False, "changed", await self.db.reports.by_ref(ref))
        after = await self.db.reports.by_ref(ref)
        assert after is not None
        delivered = await self.reports.ask_reporter(self.bot, after, question, actor)
        if not delivered:  # put the status back: nobody is waiting for an answer
            await self.db.reports.change_status(ref, expected="needs_info", new=row.status,
                                                actor=actor, override=True)
            return Outcome(False, "unreachable", row)
        await self.db.audit.record(actor, rules.ASK, ref=ref, old_status=row.status,
                                   new_status="needs_info")
        return Outcome(True, rules.ASK, after, True)

    async def note(self, actor: int, ref: str, text: str) -> Outcome:
        row = await self.db.reports.by_ref(ref)
        if row is None:
            return Outcome(False, "missing")
        await self.reports.add_note(ref, "note", actor, text)
        await self.db.audit.record(actor, rules.NOTE, ref=ref, old_status=row.status,
                                   new_status=row.status)
        return Outcome(True, rules.NOTE, row)


_REASON_CODES = frozenset({"duplicate", "not_incident", "no_detail", "spam"})


async def _telegram_name(bot: Bot, user_id: int) -> str | None:
    from telegram.error import TelegramError

    try:
        chat = await bot.get_chat(user_id)
    except TelegramError:
        return None
    name = " ".join(part for part in (chat.first_name, chat.last_name) if part)
    if chat.username:
        name = f"{name} (@{chat.username})" if name else f"@{chat.username}"
    return name or None
