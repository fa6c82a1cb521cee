"""THE privacy test: what people write never reaches the database file in plaintext."""

from __future__ import annotations

import uuid
from pathlib import Path

from bot.crypto import ReportKeys
from bot.reports.service import ReportService
from bot.storage import Database
from tests.reports.conftest import MASTER, complete_draft

USER_ID = 777_000_123


def encodings(marker: str) -> list[bytes]:
    return [marker.encode("utf-8"), marker.encode("utf-16-le"), marker.encode("utf-16-be")]


def database_files(path: Path) -> list[Path]:
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def assert_absent(path: Path, markers: list[str]) -> None:
    files = database_files(path)
    assert files, "no database files to inspect"
    for file in files:
        raw = file.read_bytes()
        for marker in markers:
            for needle in encodings(marker):
                assert needle not in raw, f"{marker!r} found in {file.name}"


async def test_description_draft_and_identity_are_not_in_the_database_files(
        tmp_path: Path) -> None:
    path = tmp_path / "hamroh.sqlite3"
    db = await Database.open(path)
    service = ReportService(db, ReportKeys.from_master(MASTER))
    marker = f"MARKER-{uuid.uuid4().hex}"
    cyrillic = f"Маркер-тавсиф-{uuid.uuid4().hex[:8]}-ҳодиса"
    typed = f"TYPED-{uuid.uuid4().hex}"
    file_id = f"FILEID-{uuid.uuid4().hex}"

    # A submitted report...
    draft = complete_draft(USER_ID, description=f"{marker} {cyrillic} они забрали паспорт")
    draft.incident, draft.incident_text = "other", typed
    draft.incidents = ["other"]
    draft.evidence[0].file_id = file_id
    await service.save_draft(draft)
    await service.submit(draft)
    # ...and a draft still being written, edited several times (old pages, WAL frames).
    pending = await service.start_draft(USER_ID, "tg")
    for step in range(5):
        pending.description = f"{marker} draft version {step} {cyrillic}"
        pending.place_text = typed
        await service.save_draft(pending)

    markers = [marker, cyrillic, typed, file_id, str(USER_ID)]
    assert_absent(path, markers)  # while running: main file and WAL
    await db.close()
    assert_absent(path, markers)  # after the WAL is folded into the main file

    # The content is really there, only encrypted.
    db = await Database.open(path)
    try:
        service = ReportService(db, ReportKeys.from_master(MASTER))
        (row,) = await service.reports_of(USER_ID)
        assert marker in service.content_of(row).description
        again = await service.load_draft(USER_ID)
        assert again is not None and marker in (again.description or "")
    finally:
        await db.close()


async def test_forget_leaves_no_identity_behind(tmp_path: Path) -> None:
    path = tmp_path / "hamroh.sqlite3"
    db = await Database.open(path)
    keys = ReportKeys.from_master(MASTER)
    service = ReportService(db, keys)
    await service.submit(complete_draft(USER_ID))
    reporter = keys.reporter_hash(USER_ID)
    await service.forget(USER_ID, withdraw=False)
    await db.checkpoint()
    await db.close()
    for file in database_files(path):
        raw = file.read_bytes()
        assert reporter.encode() not in raw
        assert str(USER_ID).encode() not in raw


async def test_forget_leaves_nothing_in_the_write_ahead_log(tmp_path: Path) -> None:
    """Security review H1: without a checkpoint, the WAL kept old draft and report pages
    (with the reporter hash) and the report's draft id, equal to the old draft's id."""
    path = tmp_path / "hamroh.sqlite3"
    db = await Database.open(path)
    keys = ReportKeys.from_master(MASTER)
    service = ReportService(db, keys)
    draft = await service.start_draft(USER_ID, "ru")
    for step in ("consent", "incident", "place", "date", "description"):
        draft.step = step
        await service.save_draft(draft)  # old pages in the WAL, as in a real report
    done = complete_draft(USER_ID)
    done.id = draft.id
    report = (await service.submit(done)).report
    reporter = keys.reporter_hash(USER_ID)
    await service.forget(USER_ID, withdraw=False)
    # No checkpoint by the test: /forget must leave the files clean by itself.
    leaks = [(file.name, what) for file in database_files(path)
             for what, needle in (("reporter hash", reporter), ("draft id", report.draft_id))
             if needle.encode() in file.read_bytes()]
    assert leaks == []
    (row,) = await db.reports.all()
    assert row.reporter is None and row.draft_id != report.draft_id
    await db.close()
