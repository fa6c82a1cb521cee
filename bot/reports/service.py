"""Storing, listing, forgetting and updating reports: everything that touches both
the database and the keys. No Telegram handler logic lives here; the few messages
sent from here (status changes, expired drafts, moderator alerts) are sent with a
``Bot`` passed in, and a failure to deliver never breaks the caller."""

from __future__ import annotations

import html
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardMarkup

from bot.crypto import (
    DecryptionError,
    ReportKeys,
    new_reference,
    pseudonym_label,
)
from bot.reports.draft import Draft, Evidence, is_complete
from bot.reports.places import Places, default_places
from bot.reports.summary import (
    REJECT_REASONS,
    STATUS_LABELS,
    STATUS_NOTES,
    announcement_keyboard,
    answer_keyboard,
    render_announcement,
)
from bot.staff import announce, send_quietly
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
    spoken: bool = False  # the reporter told the story in a voice message (in ``evidence``)

    def to_bytes(self) -> bytes:
        data = {
            "v": 1,
            "reporter_id": self.reporter_id,
            "contact": self.contact,
            "description": self.description,
            "incident_text": self.incident_text,
            "place_text": self.place_text,
            "evidence": [vars(item) for item in self.evidence],
            "spoken": self.spoken,
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
            spoken=bool(data.get("spoken", False)),
        )


@dataclass(frozen=True)
class Note:
    """A moderator's note, a question to the reporter, the reporter's answer, or a
    typed rejection reason, decrypted."""

    id: int
    kind: str
    author: int | None
    created_at: str
    text: str | None
    evidence: tuple[Evidence, ...] = ()


ANNOUNCE_STAGE, RECEIPT_STAGE = "announce", "receipt"  # what a pending delivery still needs


@dataclass(frozen=True)
class PendingDelivery:
    user_id: int
    locale: str
    first_message_id: int | None


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

    @staticmethod
    def _delivery_aad(ref: str) -> bytes:
        return b"hamroh-report-delivery:" + ref.encode("ascii")

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
        assert draft.people and draft.has_description
        content = ReportContent(
            reporter_id=draft.user_id,
            contact=draft.contact,
            description=draft.description or "",
            incident_text=draft.incident_text,
            place_text=draft.place_text,
            evidence=tuple(draft.evidence),
            spoken=draft.description_voice,
        ).to_bytes()
        for _attempt in range(MAX_REFERENCE_ATTEMPTS):
            ref = new_reference()
            report = NewReport(
                ref=ref, draft_id=draft.id, reporter=self.reporter(draft.user_id),
                locale=draft.locale, incident=draft.incident, place=draft.place,
                incident_date=draft.date, affected=draft.affected, people=draft.people,
                groups=tuple(draft.groups), held=draft.held, urgent=draft.urgent,
                incidents=tuple(dict.fromkeys([draft.incident, *draft.incidents])),
                content=self.keys.encrypt(content, self._report_aad(ref)),
            )
            # Who to tell, kept until they were told (a crash before that must not lose
            # the receipt or the moderators' announcement): see ``pending_deliveries``.
            delivery = self.keys.encrypt(json.dumps(
                {"user_id": draft.user_id, "locale": draft.locale,
                 "first_message_id": draft.first_message_id}).encode("utf-8"),
                self._delivery_aad(ref))
            try:
                stored = await self.db.reports.insert(report, delivery)
            except ReferenceTaken:
                continue
            log.info("report %s stored%s", ref, " (urgent)" if draft.urgent else "")
            return Submission(stored, created=True)
        raise RuntimeError("could not draw a free report reference")

    async def pending_deliveries(self, created_before: datetime
                                 ) -> list[tuple[ReportRow, str, PendingDelivery]]:
        """Reports stored before ``created_before`` whose announcement or receipt was
        never confirmed sent (the process died, or Telegram was unreachable)."""
        cutoff = created_before.isoformat(timespec="seconds")
        found = []
        for ref, stage, sealed in await self.db.reports.pending_deliveries(cutoff):
            row = await self.db.reports.by_ref(ref)
            try:
                data = json.loads(self.keys.decrypt(sealed, self._delivery_aad(ref)))
                pending = PendingDelivery(int(data["user_id"]), str(data["locale"]),
                                          data.get("first_message_id"))
            except (DecryptionError, ValueError, TypeError, KeyError):
                pending = None
            if row is None or pending is None:
                await self.db.reports.delivered(ref)  # nothing left that could be said
                continue
            found.append((row, stage, pending))
        return found

    async def announced(self, ref: str) -> None:
        await self.db.reports.set_delivery_stage(ref, RECEIPT_STAGE)

    async def receipt_sent(self, ref: str) -> None:
        await self.db.reports.delivered(ref)

    async def submitted_draft(self, user_id: int, draft_id: str) -> ReportRow | None:
        """The report made from ``draft_id``, if it belongs to this user."""
        row = await self.db.reports.by_draft(draft_id)
        if row is None or row.reporter != self.reporter(user_id):
            return None
        return row

    async def reports_of(self, user_id: int) -> list[ReportRow]:
        return await self.db.reports.for_reporter(self.reporter(user_id))

    async def count_of(self, user_id: int) -> int:
        """How many reports still link to the person (all of them, not a page)."""
        return await self.db.reports.count_for_reporter(self.reporter(user_id))

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
                evidence=content.evidence, spoken=content.spoken,
            )
            updates.append((row.ref, self.keys.encrypt(anonymous.to_bytes(),
                                                       self._report_aad(row.ref))))
        await self.db.reports.unlink(updates)
        log.info("a reporter was unlinked from %d report(s)", len(updates))
        return ForgetResult(draft_deleted, unlinked=len(updates))

    async def set_status(self, bot: Bot, ref: str, status: str) -> bool:
        """Change a report's status unconditionally and tell the reporter (developer
        tools and tests; moderators go through conditional changes instead).

        False when there is no such report."""
        if status not in STATUSES:
            raise ValueError(f"unknown report status {status!r}")
        row = await self.db.reports.by_ref(ref)
        if row is None:
            return False
        if row.status == status:
            return True
        await self.db.reports.set_status(ref, status)
        await self.notify_status(bot, row, status)
        return True

    async def notify_status(self, bot: Bot, row: ReportRow, status: str,
                            reason: str | None = None) -> bool:
        """Tell the reporter, in their language, what the new status means for them.

        ``reason`` (rejections) is a reason code or text a moderator typed. Not sent when
        the reporter used /forget (no id left) or cannot be reached; logged without ids.
        """
        content = self.content_of(row)
        if content.reporter_id is None or self.catalogs is None:
            return False
        locale = await self._locale_of(content.reporter_id, row.locale)
        _ = self.catalogs.get(locale).gettext
        label = _(STATUS_LABELS[status])
        lines = [_("Update on your report {ref}: {status}.").format(
            ref=f"<code>{row.ref}</code>", status=f"<b>{label}</b>")]
        if status in STATUS_NOTES:
            lines.append(_(STATUS_NOTES[status]))
        if reason:
            shown = _(REJECT_REASONS[reason]) if reason in REJECT_REASONS else reason
            lines.append(_("Reason: {reason}").format(reason=html.escape(shown)))
        lines.append(_("All your reports: /myreports"))
        return await send_quietly(bot, content.reporter_id, "\n".join(lines), "status change")

    # --- questions to the reporter, their answers, moderators' notes --------------

    @staticmethod
    def _note_aad(ref: str, kind: str) -> bytes:
        return b"hamroh-report-note:" + ref.encode("ascii") + b":" + kind.encode("ascii")

    async def add_note(self, ref: str, kind: str, author: int | None, text: str | None,
                       evidence: tuple[Evidence, ...] = ()) -> int:
        """Store a note, a question, an answer or a typed reason, encrypted."""
        raw = json.dumps({"text": text, "evidence": [vars(item) for item in evidence]},
                         ensure_ascii=False).encode("utf-8")
        return await self.db.reports.add_note(ref, kind, author,
                                              self.keys.encrypt(raw, self._note_aad(ref, kind)))

    async def notes_of(self, ref: str) -> list[Note]:
        notes = []
        for row in await self.db.reports.notes(ref):
            try:
                data = json.loads(self.keys.decrypt(row.content, self._note_aad(ref, row.kind)))
            except (DecryptionError, ValueError):
                log.error("an unreadable report note was skipped")
                continue
            notes.append(Note(row.id, row.kind, row.author, row.created_at, data.get("text"),
                              tuple(Evidence(**item) for item in data.get("evidence", []))))
        return notes

    async def ask_reporter(self, bot: Bot, row: ReportRow, question: str,
                           author: int) -> bool:
        """Relay a moderator's question to the reporter, in the reporter's language frame
        and without naming the moderator. Their next messages become the answer.

        False (nothing stored) when the reporter is anonymous, forgot, or unreachable."""
        content = self.content_of(row)
        if content.reporter_id is None or not content.contact or self.catalogs is None:
            return False
        locale = await self._locale_of(content.reporter_id, row.locale)
        tr = self.catalogs.get(locale)
        text = "\n\n".join([
            "❓ " + tr.gettext("A moderator asks about your report {ref}:").format(
                ref=f"<code>{row.ref}</code>"),
            f"<blockquote>{html.escape(question)}</blockquote>",
            tr.gettext("Write your answer here: text, a photo, a voice message or a document. "
                       "Everything you send now is added to report {ref}, until you press "
                       "“Done”.").format(ref=f"<code>{row.ref}</code>"),
        ])
        markup = answer_keyboard(row.ref, tr.gettext)
        if not await send_quietly(bot, content.reporter_id, text, "question to a reporter",
                                  markup):
            return False
        await self.add_note(row.ref, "question", author, question)
        await self.db.reports.set_awaiting_reply(row.ref, True)
        return True

    async def awaiting_answer(self, user_id: int) -> ReportRow | None:
        return await self.db.reports.awaiting_reply_of(self.reporter(user_id))

    async def stop_answering(self, user_id: int, ref: str) -> bool:
        row = await self.db.reports.by_ref(ref)
        if row is None or row.reporter != self.reporter(user_id) or not row.awaiting_reply:
            return False
        await self.db.reports.set_awaiting_reply(ref, False)
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
            await send_quietly(bot, draft.user_id, text, "draft expiry")
        if expired:
            log.info("expired %d abandoned report draft(s)", expired)
        return expired

    async def announce(self, bot: Bot, row: ReportRow) -> int:
        """Tell moderators about a new report: type, place, date, number of people and
        urgency, with an Open button; never the description or who sent it. Returns how
        many chats were reached (0 when nobody could be)."""
        if self.settings is None or self.catalogs is None:
            return 0
        content = self.content_of(row)
        catalogs = self.catalogs

        def render(locale: str) -> tuple[str, InlineKeyboardMarkup]:
            tr = catalogs.get(locale)
            text = render_announcement(row, content.incident_text, content.place_text,
                                       self.places, locale, tr.gettext)
            return text, announcement_keyboard(row.ref, tr.gettext)

        return await announce(bot, self.settings, self.db, render, "report announcement")

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
        "incidents": list(row.incidents),
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
