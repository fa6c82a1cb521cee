"""Storing, listing, forgetting and updating reports; draft expiry; moderator alerts."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from telegram.error import BadRequest, Forbidden

from bot.crypto import pseudonym_label
from bot.reports.draft import Draft
from bot.reports.service import IncompleteDraft, ReportService
from bot.storage import Database
from bot.storage.migrations import MIGRATIONS
from bot.storage.reports import NewReport
from tests.reports.conftest import NOW, FakeBot, complete_draft


async def test_migration_3_is_last_and_creates_tables(db: Database) -> None:
    assert MIGRATIONS[-1][0] >= 3
    async with db.conn.execute("SELECT name FROM sqlite_master WHERE type='table'") as cur:
        tables = {row[0] for row in await cur.fetchall()}
    assert {"reports", "report_drafts"} <= tables


async def test_draft_round_trip_is_encrypted_and_keyed_by_pseudonym(
        service: ReportService, db: Database) -> None:
    draft = await service.start_draft(1001, "tg")
    draft.description = "unique draft text"
    await service.save_draft(draft)
    loaded = await service.load_draft(1001)
    assert loaded == draft
    assert await service.load_draft(1002) is None
    row = await db.reports.get_draft(service.reporter(1001))
    assert row is not None and b"unique draft text" not in row.content
    async with db.conn.execute("SELECT reporter FROM report_drafts") as cur:
        assert [r[0] for r in await cur.fetchall()] == [service.reporter(1001)]
    assert await service.discard_draft(1001) and await service.load_draft(1001) is None


async def test_unreadable_draft_is_discarded(service: ReportService, db: Database) -> None:
    draft = await service.start_draft(1001, "en")
    await db.reports.save_draft(service.reporter(1001), draft.id, b"\x01" + b"0" * 40)
    assert await service.load_draft(1001) is None
    assert await db.reports.count_drafts() == 0


async def test_submit_is_idempotent_and_drops_the_draft(service: ReportService,
                                                        db: Database) -> None:
    draft = complete_draft()
    await service.save_draft(draft)
    first = await service.submit(draft)
    second = await service.submit(draft)  # Confirm pressed twice
    assert first.created and not second.created
    assert first.report.ref == second.report.ref
    assert await db.reports.count() == 1 and await db.reports.count_drafts() == 0
    row = first.report
    assert row.status == "new" and row.incident == "held_border" and row.place == "dme"
    assert row.groups == ("child", "woman") and row.people == "3-5" and not row.urgent
    assert row.reporter == service.reporter(1001)
    content = service.content_of(row)
    assert content.reporter_id == 1001 and content.contact is True
    assert content.evidence[0].file_id == "AgACAgIAAxkBAAIB-photo-file-id"
    with pytest.raises(sqlite3.IntegrityError):  # the database itself refuses a second copy
        await db.reports.insert(NewReport(
            ref="R-ZZZZZZ", draft_id=draft.id, reporter="x", locale="en", incident="refused",
            place="dme", incident_date="2025-01-01", affected="me", people="1", groups=(),
            held=None, urgent=False, content=b"x"))
    await db.conn.rollback()


async def test_reference_collision_draws_again(service: ReportService,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    await service.submit(complete_draft(1001))
    taken = (await service.reports_of(1001))[0].ref
    refs = iter([taken, taken, "R-NEWREF"])
    monkeypatch.setattr("bot.reports.service.new_reference", lambda: next(refs))
    submission = await service.submit(complete_draft(1002))
    assert submission.report.ref == "R-NEWREF"


async def test_incomplete_draft_is_refused(service: ReportService) -> None:
    draft = complete_draft()
    draft.description = None
    with pytest.raises(IncompleteDraft):
        await service.submit(draft)
    draft = complete_draft()
    draft.place = "atlantis"  # not in the places file
    with pytest.raises(IncompleteDraft):
        await service.submit(draft)


async def test_reports_of_and_submitted_draft_belong_to_the_user(service: ReportService
                                                                 ) -> None:
    mine = await service.submit(complete_draft(1001))
    await service.submit(complete_draft(1002))
    assert [r.ref for r in await service.reports_of(1001)] == [mine.report.ref]
    assert await service.submitted_draft(1001, mine.report.draft_id) is not None
    assert await service.submitted_draft(1002, mine.report.draft_id) is None


async def test_forget_unlinks_identity_but_keeps_anonymous_content(
        service: ReportService, db: Database) -> None:
    kept = await service.submit(complete_draft(1001, description="Keep this text please."))
    await service.start_draft(1001, "en")
    other = await service.submit(complete_draft(1002))
    result = await service.forget(1001, withdraw=False)
    assert result.draft_deleted and result.unlinked == 1 and result.withdrawn == 0
    row = await db.reports.by_ref(kept.report.ref)
    assert row is not None and row.reporter is None
    content = service.content_of(row)
    assert content.reporter_id is None and content.contact is None
    assert content.description == "Keep this text please." and content.evidence
    assert ReportService.pseudonym(row) is None
    assert await service.reports_of(1001) == []
    assert (await db.reports.by_ref(other.report.ref)).reporter is not None  # type: ignore[union-attr]


async def test_forget_with_withdraw_deletes_the_reports(service: ReportService,
                                                        db: Database) -> None:
    await service.submit(complete_draft(1001))
    await service.submit(complete_draft(1001))
    await service.submit(complete_draft(1002))
    result = await service.forget(1001, withdraw=True)
    assert result.withdrawn == 2 and await db.reports.count() == 1


async def test_set_status_notifies_in_the_reporters_language(
        service: ReportService, db: Database, fake_bot: FakeBot) -> None:
    submission = await service.submit(complete_draft(1001, locale="en"))
    await db.users.touch(1001)
    await db.users.set_locale(1001, "tg")  # the user switched language since
    assert await service.set_status(fake_bot, submission.report.ref, "in_review")  # type: ignore[arg-type]
    assert len(fake_bot.sent) == 1 and fake_bot.sent[0].chat_id == 1001
    text = fake_bot.sent[0].text
    assert submission.report.ref in text and "Дар ҳоли баррасӣ" in text and "/myreports" in text
    assert (await db.reports.by_ref(submission.report.ref)).status == "in_review"  # type: ignore[union-attr]
    # Same status again: nothing new to say.
    assert await service.set_status(fake_bot, submission.report.ref, "in_review")  # type: ignore[arg-type]
    assert len(fake_bot.sent) == 1
    assert not await service.set_status(fake_bot, "R-NOSUCH", "closed")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        await service.set_status(fake_bot, submission.report.ref, "deleted")  # type: ignore[arg-type]


async def test_set_status_after_forget_and_when_blocked(service: ReportService,
                                                        fake_bot: FakeBot,
                                                        caplog: pytest.LogCaptureFixture
                                                        ) -> None:
    forgotten = await service.submit(complete_draft(1001))
    await service.forget(1001, withdraw=False)
    assert await service.set_status(fake_bot, forgotten.report.ref, "verified")  # type: ignore[arg-type]
    assert fake_bot.sent == []
    blocked = await service.submit(complete_draft(1002, locale="ru"))
    fake_bot.fail_for[1002] = Forbidden("Forbidden: bot was blocked by the user")
    with caplog.at_level(logging.WARNING):
        assert await service.set_status(fake_bot, blocked.report.ref, "closed")  # type: ignore[arg-type]
    assert "1002" not in caplog.text and "status change" in caplog.text


async def test_expired_drafts_are_deleted_once_with_a_polite_message(
        service: ReportService, db: Database, fake_bot: FakeBot) -> None:
    await service.start_draft(1001, "ru")
    await service.start_draft(1002, "en")
    ttl = timedelta(hours=48)
    later = datetime.now(UTC) + timedelta(hours=49)
    assert await service.expire_drafts(fake_bot, ttl, now=datetime.now(UTC)) == 0  # type: ignore[arg-type]
    assert await service.expire_drafts(fake_bot, ttl, now=later) == 2  # type: ignore[arg-type]
    assert await db.reports.count_drafts() == 0
    assert sorted(m.chat_id for m in fake_bot.sent) == [1001, 1002]
    russian = next(m for m in fake_bot.sent if m.chat_id == 1001)
    assert "/report" in russian.text and "незаконченное" in russian.text
    assert await service.expire_drafts(fake_bot, ttl, now=later) == 0  # type: ignore[arg-type]
    assert len(fake_bot.sent) == 2


async def test_confirmed_reports_never_expire(service: ReportService, db: Database,
                                              fake_bot: FakeBot) -> None:
    await service.submit(complete_draft(1001))
    await service.expire_drafts(fake_bot, timedelta(seconds=1),  # type: ignore[arg-type]
                                now=datetime.now(UTC) + timedelta(days=3650))
    assert await db.reports.count() == 1


async def test_urgent_alert_goes_to_admins_without_description_or_identity(
        service: ReportService, fake_bot: FakeBot, caplog: pytest.LogCaptureFixture) -> None:
    draft = complete_draft(1001, held="still", description="SECRET-DESCRIPTION of events")
    draft.place, draft.place_text, draft.place_typed = "ru_other", "Тверь", True
    submission = await service.submit(draft)
    assert submission.report.urgent
    for admin in (9001, 9002):  # both have talked to the bot; 9001 cannot be reached now
        await service.db.users.touch(admin)
    fake_bot.fail_for[9001] = BadRequest("Chat not found")
    with caplog.at_level(logging.WARNING):
        reached = await service.announce(fake_bot, submission.report)  # type: ignore[arg-type]
    assert reached == 1 and [m.chat_id for m in fake_bot.sent] == [9002]
    text = fake_bot.sent[0].text
    assert submission.report.ref in text and "URGENT" in text and "Тверь" in text
    assert "Held at a border crossing" in text
    assert "SECRET-DESCRIPTION" not in text and "1001" not in text
    assert pseudonym_label(service.reporter(1001)) not in text
    assert "9001" not in caplog.text and "report announcement" in caplog.text


async def test_urgent_alert_prefers_the_moderation_chat(db: Database, keys, catalogs,  # type: ignore[no-untyped-def]
                                                        tmp_path, fake_bot: FakeBot) -> None:
    from bot.config import Settings

    service = ReportService(db, keys, catalogs,
                            Settings(data_dir=tmp_path, admin_ids=frozenset({1}),
                                     moderation_chat_id=-100123))
    submission = await service.submit(complete_draft(held="still"))
    assert await service.announce(fake_bot, submission.report) == 1  # type: ignore[arg-type]
    assert [m.chat_id for m in fake_bot.sent] == [-100123]


async def test_new_draft_has_unique_ids() -> None:
    assert len({Draft.new(1, "en", NOW).id for _ in range(500)}) == 500


async def test_a_stored_report_stays_pending_until_announced_and_confirmed(
        service: ReportService, db: Database) -> None:
    """The outbox: what a crash between storing and telling must not lose."""
    draft = complete_draft()
    draft.first_message_id = 77
    await service.save_draft(draft)
    submission = await service.submit(draft)
    later = datetime.now(UTC) + timedelta(seconds=2)
    ((row, stage, pending),) = await service.pending_deliveries(later)
    assert (row.ref, stage) == (submission.report.ref, "announce")
    assert (pending.user_id, pending.locale, pending.first_message_id) == (1001, draft.locale, 77)
    assert await service.pending_deliveries(datetime.now(UTC) - timedelta(hours=1)) == []
    await service.announced(row.ref)
    assert [s for _, s, _ in await service.pending_deliveries(later)] == ["receipt"]
    await service.receipt_sent(row.ref)
    assert await service.pending_deliveries(later) == []
    # Who to tell is sealed: the user id is nowhere in the row in clear.
    await service.submit(draft)  # a repeat stores nothing new
    assert await service.pending_deliveries(later) == []


async def test_an_unreadable_pending_delivery_is_dropped(service: ReportService,
                                                         db: Database) -> None:
    draft = complete_draft()
    await service.save_draft(draft)
    submission = await service.submit(draft)
    await db.conn.execute("UPDATE report_outbox SET sealed = ?", (b"\x01" + b"0" * 40,))
    await db.conn.commit()
    assert await service.pending_deliveries(datetime.now(UTC) + timedelta(seconds=2)) == []
    assert await db.conn.execute_fetchall("SELECT * FROM report_outbox") == []
    assert await db.reports.by_ref(submission.report.ref) is not None


async def test_a_full_disk_leaves_no_half_written_report(service: ReportService,
                                                         db: Database) -> None:
    """Issue 12, faults: the report, its pending delivery and the draft's removal land
    together or not at all."""
    draft = complete_draft()
    draft.description = "A long account of the night at the border. " * 200
    await service.save_draft(draft)
    (pages,) = (await db.conn.execute_fetchall("PRAGMA page_count"))[0]
    for conn in (db.conn, db._txn_conn):  # as if the disk had no room left
        assert conn is not None
        await conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(sqlite3.OperationalError, match="full"):
        await service.submit(draft)
    assert await db.reports.count() == 0
    assert await db.conn.execute_fetchall("SELECT * FROM report_outbox") == []
    assert await service.load_draft(draft.user_id) == draft  # nothing lost either
    for conn in (db.conn, db._txn_conn):
        assert conn is not None
        await conn.execute("PRAGMA max_page_count = 1073741823")
    assert (await service.submit(draft)).created
    assert await db.reports.count() == 1
