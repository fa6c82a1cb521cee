"""Shared fixtures for report tests: a migrated database, keys, a service, drafts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.crypto import ReportKeys
from bot.i18n import Catalogs
from bot.reports.draft import Draft, Evidence
from bot.reports.service import ReportService
from bot.storage import Database

MASTER = bytes(range(32))
NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def keys() -> ReportKeys:
    return ReportKeys.from_master(MASTER)


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    return Catalogs.load()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "db.sqlite3")
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, admin_ids=frozenset({9001, 9002}))


@pytest.fixture
def service(db: Database, keys: ReportKeys, catalogs: Catalogs,
            settings: Settings) -> ReportService:
    return ReportService(db, keys, catalogs, settings)


def complete_draft(user_id: int = 1001, *, description: str | None = None,
                   held: str = "lt3h", locale: str = "en") -> Draft:
    draft = Draft.new(user_id, locale, NOW)
    draft.contact = True
    draft.incident = "held_border"
    draft.incidents = ["held_border"]
    draft.incidents_done = True
    draft.place = "dme"
    draft.date = "2025-02-05"
    draft.affected = "me"
    draft.people = "3-5"
    draft.groups = ["child", "woman"]
    draft.groups_done = True
    draft.held = held
    draft.description = description or "Border guards kept us in a room for many hours."
    draft.evidence = [Evidence("photo", "AgACAgIAAxkBAAIB-photo-file-id", 98_000)]
    draft.evidence_done = True
    draft.step = "review"
    return draft


@dataclass
class SentMessage:
    chat_id: int
    text: str
    kwargs: dict[str, Any]


@dataclass
class FakeBot:
    """Records ``send_message``; chat ids in ``fail_for`` raise like Telegram would."""

    sent: list[SentMessage] = field(default_factory=list)
    fail_for: dict[int, Exception] = field(default_factory=dict)

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> None:
        if chat_id in self.fail_for:
            raise self.fail_for[chat_id]
        self.sent.append(SentMessage(chat_id, text, kwargs))


@pytest.fixture
def fake_bot() -> FakeBot:
    return FakeBot()
