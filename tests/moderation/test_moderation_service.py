"""Moderator actions against a real database: conditional claims and changes, the
append-only audit log, encrypted notes, what the reporter is told."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.crypto import ReportKeys
from bot.i18n import Catalogs
from bot.moderation import rules
from bot.moderation.card import render_card
from bot.moderation.service import ModerationService
from bot.reports.places import default_places
from bot.reports.service import ReportService
from bot.services import Services
from bot.staff import Role, alert_targets, reviewers_exist, role_of
from bot.storage import Database
from bot.telegram_html import parse_html
from bot.views.text import split_message
from tests.reports.conftest import FakeBot, complete_draft

OWNER, MOD_A, MOD_B = 9001, 7001, 7002


class ChatBot(FakeBot):
    async def get_chat(self, chat_id: int) -> Any:
        class Chat:
            first_name, last_name, username = "Dilshod", None, "dilshod_t"
        return Chat()


@pytest.fixture
def services(db: Database, keys: ReportKeys, catalogs: Catalogs, tmp_path: Path) -> Services:
    settings = Settings(data_dir=tmp_path, admin_ids=frozenset({OWNER}))
    return Services(settings=settings, db=db, catalogs=catalogs, keys=keys)


@pytest.fixture
def bot() -> ChatBot:
    return ChatBot()


async def _report(services: Services, **kwargs: Any) -> str:
    reports = ReportService.from_services(services)
    return (await reports.submit(complete_draft(**kwargs))).report.ref


async def test_roles_live_in_the_database(services: Services, db: Database) -> None:
    settings = services.settings
    assert await role_of(settings, db, OWNER) is Role.OWNER
    assert await role_of(settings, db, MOD_A) is None
    assert await db.staff.add_moderator(MOD_A, OWNER)
    assert not await db.staff.add_moderator(MOD_A, OWNER)  # already
    assert await role_of(settings, db, MOD_A) is Role.MODERATOR
    assert await alert_targets(settings, db) == []  # neither has talked to the bot yet
    await db.users.touch(MOD_A)
    await db.users.touch(OWNER)
    await db.users.set_locale(OWNER, "tg")
    assert [(t.chat_id, t.locale) for t in await alert_targets(settings, db)] == [
        (MOD_A, "en"), (OWNER, "tg")]
    await db.users.set_blocked(OWNER, True)
    assert [t.chat_id for t in await alert_targets(settings, db)] == [MOD_A]
    assert await db.staff.remove_moderator(MOD_A)
    assert await role_of(settings, db, MOD_A) is None
    assert await reviewers_exist(settings, db)
    nobody = Settings(data_dir=settings.data_dir)
    assert not await reviewers_exist(nobody, db)
    assert await alert_targets(nobody, db) == []


async def test_exactly_one_of_two_simultaneous_takes_wins(services: Services, bot: ChatBot,
                                                          db: Database) -> None:
    ref = await _report(services)
    a, b = ModerationService(services, bot), ModerationService(services, bot)  # type: ignore[arg-type]
    first, second = await asyncio.gather(a.take(MOD_A, ref), b.take(MOD_B, ref))
    assert sorted([first.ok, second.ok]) == [False, True]
    loser = second if first.ok else first
    assert loser.code == "taken" and loser.holder
    row = await db.reports.by_ref(ref)
    assert row is not None and row.status == "in_review"
    assert row.assignee == (MOD_A if first.ok else MOD_B)
    assert [e.action for e in await db.audit.recent()] == ["take"]
    # The reporter was told once, in their language.
    assert len(bot.sent) == 1 and ref in bot.sent[0].text


async def test_changes_are_conditional_and_audited(services: Services, bot: ChatBot,
                                                   db: Database) -> None:
    ref = await _report(services)
    moderation = ModerationService(services, bot)  # type: ignore[arg-type]
    assert (await moderation.take(MOD_A, ref)).ok
    refused = await moderation.change(MOD_B, Role.MODERATOR, ref, rules.VERIFY)
    assert not refused.ok and refused.code == "taken"
    done = await moderation.change(MOD_A, Role.MODERATOR, ref, rules.REJECT, reason="spam")
    assert done.ok and done.told_reporter
    assert "not a real incident report" in bot.sent[-1].text
    again = await moderation.change(MOD_A, Role.MODERATOR, ref, rules.REJECT, reason="spam")
    assert not again.ok and again.code == "wrong_status"
    assert not (await moderation.change(MOD_A, Role.MODERATOR, ref, rules.REOPEN)).ok
    assert (await moderation.change(OWNER, Role.OWNER, ref, rules.REOPEN)).ok
    typed = await moderation.change(OWNER, Role.OWNER, ref, rules.REJECT,
                                    reason="Same as the report of <yesterday> & more")
    assert typed.ok and "Same as the report of &lt;yesterday&gt; &amp; more" in bot.sent[-1].text
    entries = await db.audit.recent()
    assert [(e.action, e.old_status, e.new_status, e.detail) for e in reversed(entries)] == [
        ("take", "new", "in_review", None),
        ("reject", "in_review", "rejected", "spam"),
        ("reopen", "rejected", "in_review", None),
        ("reject", "in_review", "rejected", "typed"),  # the text itself is not in the log
    ]


async def test_the_audit_log_cannot_be_edited(services: Services, db: Database) -> None:
    await db.audit.record(OWNER, "mod_add", detail="7001")
    for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            await db.conn.execute(statement)
    assert len(await db.audit.recent()) == 1


async def test_notes_are_encrypted_and_shown_escaped(services: Services, bot: ChatBot,
                                                     db: Database, catalogs: Catalogs) -> None:
    ref = await _report(services)
    moderation = ModerationService(services, bot)  # type: ignore[arg-type]
    await db.staff.remember_name(MOD_A, "Aziz")
    await moderation.note(MOD_A, ref, "NOTE-MARKER <script> & co")
    raw = b"".join(bytes(row[0]) for row in await (await db.conn.execute(
        "SELECT content FROM report_notes")).fetchall())
    assert b"NOTE-MARKER" not in raw
    card = await moderation.card(ref)
    assert card is not None and card.reporter_name == "Dilshod (@dilshod_t)"
    en = catalogs.get("en")
    text = render_card(card, en.gettext, en.ngettext, "en", default_places())
    parse_html(text)
    assert "NOTE-MARKER &lt;script&gt; &amp; co" in text and "Note by Aziz" in text


async def test_a_long_card_is_split_never_cut(services: Services, bot: ChatBot,
                                              catalogs: Catalogs) -> None:
    words = " ".join(f"word{i}" for i in range(500))  # ~4,400 characters
    story = words[:2990].rsplit(" ", 1)[0]  # the longest description a report takes
    ref = await _report(services, description=story)
    moderation = ModerationService(services, bot)  # type: ignore[arg-type]
    for i in range(4):
        await moderation.note(MOD_A, ref, f"note {i}: " + words)
    card = await moderation.card(ref)
    assert card is not None
    en = catalogs.get("en")
    text = render_card(card, en.gettext, en.ngettext, "en", default_places())
    parts = split_message(text)
    assert len(parts) > 1
    plain = "".join(parse_html(part)[0] for part in parts)
    for i in range(4):
        assert f"note {i}: word0" in plain
    assert plain.count("word499") == 4 and story.split()[-1] in plain


async def test_asking_needs_contact_and_a_reachable_reporter(services: Services, bot: ChatBot,
                                                             db: Database) -> None:
    moderation = ModerationService(services, bot)  # type: ignore[arg-type]
    anonymous = complete_draft(1002)
    anonymous.contact = False
    anon_ref = (await ReportService.from_services(services).submit(anonymous)).report.ref
    outcome = await moderation.ask(MOD_A, Role.MODERATOR, anon_ref, "Where?")
    assert not outcome.ok and outcome.code == "anonymous" and bot.sent == []

    ref = await _report(services, user_id=1003)
    from telegram.error import Forbidden

    bot.fail_for[1003] = Forbidden("Forbidden: bot was blocked by the user")
    outcome = await moderation.ask(MOD_A, Role.MODERATOR, ref, "Where?")
    assert not outcome.ok and outcome.code == "unreachable"
    row = await db.reports.by_ref(ref)
    assert row is not None and row.status == "new" and not row.awaiting_reply
    assert await db.reports.notes(ref) == []

    del bot.fail_for[1003]
    outcome = await moderation.ask(MOD_A, Role.MODERATOR, ref, "Where exactly?")
    assert outcome.ok
    row = await db.reports.by_ref(ref)
    assert row is not None and row.status == "needs_info" and row.awaiting_reply
    reports = ReportService.from_services(services)
    assert (await reports.awaiting_answer(1003)) is not None
    assert await reports.stop_answering(1003, ref)
    assert await reports.awaiting_answer(1003) is None
