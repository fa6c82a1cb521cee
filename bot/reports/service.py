"""Storing, listing, forgetting and updating reports: everything that touches both
the database and the keys. No Telegram handler logic lives here; the few messages
sent from here (status changes, expired drafts, moderator alerts) are sent with a
``Bot`` passed in, and a failure to deliver never breaks the caller."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from telegram.error import TelegramError

from bot.crypto import (
    DecryptionError,
    ReportKeys,
    new_reference,
    pseudonym_label,
)
from bot.reports.draft import Draft, Evidence, is_complete
from bot.reports.places import Places, default_places
from bot.reports.summary import STATUS_LABELS, STATUS_NOTES, incident_label, place_label
from bot.storage.reports import STATUSES, NewReport, ReferenceTaken, ReportRow

if TYPE_CHECKING:
    from telegram import Bot

    from bot.config import Settings
    from bot.i18n import Catalogs
    from bot.services import Services
    from bot.storage import Database

log = logging.getLogger(__name__)

MAX_REFERENCE_ATTEMPTS = 20


class IncompleteDraft(ValueError):
    pass


@dataclass(frozen=True)
class ReportContent:
    """The encrypted part of a report, decrypted."""

    reporter_id: int | None
    contact: bool | None
    description: str
    incident_text: str | None = None
    place_text: str | None = None
    evidence: tuple[Evidence, ...] = ()

    def to_bytes(self) -> bytes:
        data = {
            "v": 1,
            "reporter_id": self.reporter_id,
            "contact": self.contact,
            "description": self.description,
            "incident_text": self.incident_text,
            "place_text": self.place_text,
            "evidence": [vars(item) for item in self.evidence],
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_bytes(cls, raw: bytes) -> ReportContent:
        data = json.loads(raw.decode("utf-8"))
        return cls(
            reporter_id=data.get("reporter_id"),
            contact=data.get("contact"),
            description=data.get("description", ""),
            incident_text=data.get("incident_text"),
            place_text=data.get("place_text"),
            evidence=tuple(Evidence(**item) for item in data.get("evidence", [])),
        )


@dataclass(frozen=True)
class Submission:
    report: ReportRow
    created: bool  # False: this draft had been submitted before (double Confirm)


@dataclass(frozen=True)
class ForgetResult:
    draft_deleted: bool
    unlinked: int = 0
    withdrawn: int = 0


@dataclass
class ReportService:
    db: Database
    keys: ReportKeys
    catalogs: Catalogs | None = None
    settings: Settings | None = None
    places: Places = field(default_factory=default_places)

    @classmethod
    def from_services(cls, services: Services) -> ReportService:
        return cls(services.db, report_keys(services), services.catalogs, services.settings)

    # --- associated data: a blob only decrypts in the row it was written for -------

    @staticmethod
    def _report_aad(ref: str) -> bytes:
        return b"hamroh-report:" + ref.encode("ascii")

    @staticmethod
    def _draft_aad(reporter: str) -> bytes:
        return b"hamroh-draft:" + reporter.encode("ascii")

    def reporter(self, user_id: int) -> str:
        return self.keys.reporter_hash(user_id)

    # --- drafts ----------------------------------------------------------------------

    async def load_draft(self, user_id: int) -> Draft | None:
        reporter = self.reporter(user_id)
        row = await self.db.reports.get_draft(reporter)
        if row is None:
            return None
        try:
            raw = self.keys.decrypt(row.content, self._draft_aad(reporter))
            return Draft.from_json(json.loads(raw.decode("utf-8")))
        except (DecryptionError, ValueError, TypeError, KeyError):
            # Unreadable (key replaced, or a bug): a fresh start beats a stuck user.
            log.error("an unreadable report draft was discarded")
            await self.db.reports.delete_draft(reporter)
            return None

    async def save_draft(self, draft: Draft) -> None:
        reporter = self.reporter(draft.user_id)
        raw = json.dumps(draft.to_json(), ensure_ascii=False).encode("utf-8")
        await self.db.reports.save_draft(reporter, draft.id,
                                         self.keys.encrypt(raw, self._draft_aad(reporter)))

    async def start_draft(self, user_id: int, locale: str) -> Draft:
        draft = Draft.new(user_id, locale)
        await self.save_draft(draft)
        return draft

    async def discard_draft(self, user_id: int) -> bool:
        return await self.db.reports.delete_draft(self.reporter(user_id))

    # --- reports ---------------------------------------------------------------------

    async def submit(self, draft: Draft) -> Submission:
        """Store the report (committed before this returns) and drop the draft.

        Idempotent per draft: a second call returns the report stored by the first.
        """
        existing = await self.db.reports.by_draft(draft.id)
        if existing is not None:
            await self.db.reports.delete_draft(self.reporter(draft.user_id))
            return Submission(existing, created=False)
        if not is_complete(draft, self.places):
            raise IncompleteDraft(draft.id)
        assert draft.incident and draft.place and draft.date and draft.affected
        assert draft.people and draft.description is not None
        content = ReportContent(
            reporter_id=draft.user_id,
            contact=draft.contact,
            description=draft.description,
            incident_text=draft.incident_text,
            place_text=draft.place_text,
            evidence=tuple(draft.evidence),
        ).to_bytes()
        for _attempt in range(MAX_REFERENCE_ATTEMPTS):
            ref = new_reference()
            report = NewReport(
                ref=ref, draft_id=draft.id, reporter=self.reporter(draft.user_id),
                locale=draft.locale, incident=draft.incident, place=draft.place,
                incident_date=draft.date, affected=draft.affected, people=draft.people,
                groups=tuple(draft.groups), held=draft.held, urgent=draft.urgent,
                content=self.keys.encrypt(content, self._report_aad(ref)),
            )
            try:
                await self.db.reports.insert(report)
            except ReferenceTaken:
                continue
            stored = await self.db.reports.by_ref(ref)
            assert stored is not None
            log.info("report %s stored%s", ref, " (urgent)" if draft.urgent else "")
            return Submission(stored, created=True)
        raise RuntimeError("could not draw a free report reference")

    async def submitted_draft(self, user_id: int, draft_id: str) -> ReportRow | None:
        """The report made from ``draft_id``, if it belongs to this user."""
        row = await self.db.reports.by_draft(draft_id)
        if row is None or row.reporter != self.reporter(user_id):
            return None
        return row

    async def reports_of(self, user_id: int) -> list[ReportRow]:
        return await self.db.reports.for_reporter(self.reporter(user_id))

    def content_of(self, row: ReportRow) -> ReportContent:
        return ReportContent.from_bytes(self.keys.decrypt(row.content, self._report_aad(row.ref)))

    @staticmethod
    def pseudonym(row: ReportRow) -> str | None:
        return pseudonym_label(row.reporter) if row.reporter else None

    async def forget(self, user_id: int, *, withdraw: bool) -> ForgetResult:
        """Delete the user's draft and their link to reports; with ``withdraw`` the
        reports themselves. Bot-wide user data (users, questions, conversation state)
        is deleted by the caller, which also owns the in-memory copies."""
        reporter = self.reporter(user_id)
        draft_deleted = await self.db.reports.delete_draft(reporter)
        if withdraw:
            withdrawn = await self.db.reports.delete_for_reporter(reporter)
            log.info("a reporter withdrew %d report(s)", withdrawn)
            return ForgetResult(draft_deleted, withdrawn=withdrawn)
        updates: list[tuple[str, bytes]] = []
        for row in await self.db.reports.for_reporter(reporter, limit=1_000_000):
            content = self.content_of(row)
            anonymous = ReportContent(
                reporter_id=None, contact=None, description=content.description,
                incident_text=content.incident_text, place_text=content.place_text,
                evidence=content.evidence,
            )
            updates.append((row.ref, self.keys.encrypt(anonymous.to_bytes(),
                                                       self._report_aad(row.ref))))
        await self.db.reports.unlink(updates)
        log.info("a reporter was unlinked from %d report(s)", len(updates))
        return ForgetResult(draft_deleted, unlinked=len(updates))

    async def set_status(self, bot: Bot, ref: str, status: str) -> bool:
        """Change a report's status and tell the reporter in their language.

        False when there is no such report. The reporter is not told when they used
        /forget (no id left) or cannot be reached; that is logged without ids.
        """
        if status not in STATUSES:
            raise ValueError(f"unknown report status {status!r}")
        row = await self.db.reports.by_ref(ref)
        if row is None:
            return False
        if row.status == status:
            return True
        await self.db.reports.set_status(ref, status)
        content = self.content_of(row)
        if content.reporter_id is None or self.catalogs is None:
            return True
        locale = await self._locale_of(content.reporter_id, row.locale)
        _ = self.catalogs.get(locale).gettext
        label = _(STATUS_LABELS[status])
        lines = [_("Update on your report {ref}: {status}.").format(
            ref=f"<code>{ref}</code>", status=f"<b>{label}</b>")]
        if status in STATUS_NOTES:
            lines.append(_(STATUS_NOTES[status]))
        lines.append(_("All your reports: /myreports"))
        await self._send_quietly(bot, content.reporter_id, "\n".join(lines), "status change")
        return True

    async def _locale_of(self, user_id: int, fallback: str) -> str:
        record = await self.db.users.get(user_id)
        return record.locale if record and record.locale else fallback

    async def expire_drafts(self, bot: Bot | None, ttl: timedelta,
                            now: datetime | None = None) -> int:
        """Delete drafts untouched for ``ttl`` and tell each owner once, politely."""
        cutoff = (now or datetime.now(UTC)) - ttl
        expired = 0
        for row in await self.db.reports.stale_drafts(cutoff):
            draft: Draft | None
            try:
                raw = self.keys.decrypt(row.content, self._draft_aad(row.reporter))
                draft = Draft.from_json(json.loads(raw.decode("utf-8")))
            except (DecryptionError, ValueError, TypeError, KeyError):
                draft = None
            # Delete first: a crash after this must not send the message twice.
            if not await self.db.reports.delete_stale_draft(row.reporter, cutoff):
                continue
            expired += 1
            if draft is None or bot is None or self.catalogs is None:
                continue
            locale = await self._locale_of(draft.user_id, draft.locale)
            _ = self.catalogs.get(locale).gettext
            text = _("Your unfinished report was deleted because it was not completed for a "
                     "long time. This protects your privacy. Nothing from it was kept. "
                     "You can start again at any time: /report")
            await self._send_quietly(bot, draft.user_id, text, "draft expiry")
        if expired:
            log.info("expired %d abandoned report draft(s)", expired)
        return expired

    async def notify_moderators(self, bot: Bot, row: ReportRow) -> int:
        """Alert moderators to an urgent report: reference, type, place, date; never the
        description or who sent it. Returns how many chats were reached."""
        if self.settings is None:
            return 0
        targets: list[int] = (
            [self.settings.moderation_chat_id] if self.settings.moderation_chat_id is not None
            else sorted(self.settings.admin_ids)
        )
        if not targets:
            log.warning("urgent report %s: no MODERATION_CHAT_ID or ADMIN_IDS to notify",
                        row.ref)
            return 0
        content = self.content_of(row)
        # Moderators share no single language with reporters; like the other
        # moderator notices this one is English.
        en = (self.catalogs.get("en").gettext if self.catalogs else _identity)
        incident = incident_label(row.incident, content.incident_text, en)
        place = place_label(self.places, row.place, content.place_text, "en")
        text = "\n".join([
            f"🚨 <b>URGENT incident report {row.ref}</b>",
            f"Type: {incident}",
            f"Place: {place}",
            f"Date: {row.incident_date}",
            "People are still being held. The reporter was sent the emergency checklist.",
        ])
        reached = 0
        for chat_id in targets:
            if await self._send_quietly(bot, chat_id, text, "moderator alert"):
                reached += 1
        return reached

    @staticmethod
    async def _send_quietly(bot: Bot, chat_id: int, text: str, what: str) -> bool:
        try:
            await bot.send_message(chat_id, text)
        except TelegramError as error:
            log.warning("could not deliver a %s: %s", what, type(error).__name__)
            return False
        return True


def _identity(text: str) -> str:
    return text


def report_keys(services: Services) -> ReportKeys:
    """The process's report keys, loaded on first use (``post_init`` loads them early)."""
    return services.crypto_keys()


def export_content(row: ReportRow, content: ReportContent) -> dict[str, Any]:
    """Plain structure for the developer CLI."""
    return {
        "ref": row.ref,
        "created": row.created_at,
        "status": row.status,
        "incident": row.incident,
        "incident_text": content.incident_text,
        "place": row.place,
        "place_text": content.place_text,
        "date": row.incident_date,
        "affected": row.affected,
        "people": row.people,
        "groups": list(row.groups),
        "held": row.held,
        "locale": row.locale,
        "urgent": row.urgent,
        "description": content.description,
        "evidence": len(content.evidence),
        "pseudonym": ReportService.pseudonym(row),
        "contact": content.contact,
    }
