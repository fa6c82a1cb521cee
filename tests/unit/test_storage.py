from __future__ import annotations

from pathlib import Path

import pytest

from bot.storage import Database
from bot.storage.migrations import MIGRATIONS


async def test_migrations_pragmas_and_users(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        assert await db.schema_version() == MIGRATIONS[-1][0]
        async with db.conn.execute("PRAGMA journal_mode") as cur:
            assert (await cur.fetchone())[0] == "wal"
        async with db.conn.execute("PRAGMA foreign_keys") as cur:
            assert (await cur.fetchone())[0] == 1
        async with db.conn.execute("PRAGMA synchronous") as cur:
            assert (await cur.fetchone())[0] == 2  # FULL: a committed report survives a power cut

        first = await db.users.touch(42)
        again = await db.users.touch(42)
        assert first.is_new and not again.is_new and first.locale is None
        # Days only: a time to the second would match a report's creation (review M1).
        assert len(again.first_seen) == len(again.last_seen) == len("2026-12-06")
        await db.users.set_locale(42, "tg")
        await db.users.set_blocked(42, True)
        record = await db.users.get(42)
        assert record is not None and record.locale == "tg" and record.blocked_bot
        await db.users.touch(42)  # writing again means the user unblocked us
        record = await db.users.get(42)
        assert record is not None and not record.blocked_bot
    finally:
        await db.close()


async def test_migrate_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    db = await Database.open(path)
    await db.users.touch(1)
    await db.close()
    db = await Database.open(path)
    try:
        assert await db.users.count() == 1
        assert await db.migrate() == MIGRATIONS[-1][0]
    finally:
        await db.close()


async def test_update_deduplication(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        assert await db.state.first_time_seen(1001)
        assert not await db.state.first_time_seen(1001)
        assert await db.state.first_time_seen(1002)
    finally:
        await db.close()


async def test_recording_an_update_and_its_user_is_one_transaction(tmp_path: Path) -> None:
    import sqlite3

    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        first, record = await db.state.record_update(2001, 42)
        assert first and record is not None and record.is_new and record.id == 42
        assert await db.state.record_update(2001, 42) == (False, None)  # a re-delivery
        first, record = await db.state.record_update(2002, 42)
        assert first and record is not None and not record.is_new
        assert await db.state.record_update(2003, None) == (True, None)
        assert await db.users.count() == 1

        # A failure half-way leaves nothing behind: the update is not marked as seen, so
        # Telegram's re-delivery is handled instead of being dropped as a duplicate.
        await db.conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON users "
                              "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        with pytest.raises(sqlite3.DatabaseError):
            await db.state.record_update(2004, 43)
        await db.conn.execute("DROP TRIGGER refuse")
        first, record = await db.state.record_update(2004, 43)
        assert first and record is not None and record.is_new
        assert not db.conn.in_transaction
        # The bookkeeping commits without waiting for the disk; whatever commits next
        # (a report) waits again, after a failed record as after a good one.
        async with db.conn.execute("PRAGMA synchronous") as cur:
            assert (await cur.fetchone())[0] == 2
    finally:
        await db.close()


async def test_repositories_need_a_connection(tmp_path: Path) -> None:
    import pytest

    db = Database(tmp_path / "db.sqlite3")
    with pytest.raises(RuntimeError, match="not connected"):
        await db.users.get(1)


async def test_editor_views_of_feedback_and_questions(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        await db.questions.add_feedback("entry.documents", True, "ru")
        await db.questions.add_feedback("entry.documents", False, "tg")
        await db.questions.add_feedback("work.patent", True, "en")
        summary = {s.article_id: (s.helpful, s.not_helpful)
                   for s in await db.questions.feedback_summary()}
        assert summary == {"entry.documents": (1, 1), "work.patent": (1, 0)}

        first = await db.questions.add_unanswered(lambda n: b"sealed-%d" % n, "owner-a", "en",
                                                  [], "not_found")
        await db.questions.add_unanswered(lambda n: b"sealed-%d" % n, "owner-b", "ru",
                                          ["work.patent"], "unsure")
        rows = await db.questions.unanswered_since("2000-01-01")
        assert [(r.sealed, r.lang, r.best_ids, r.reason, r.legacy_text) for r in rows] == [
            (b"sealed-%d" % (first + 1), "ru", ("work.patent",), "unsure", ""),
            (b"sealed-%d" % first, "en", (), "not_found", "")]
        assert await db.questions.delete_unanswered_of("owner-a") == 1
        assert await db.questions.purge_unanswered_before("2000-01-01") == 0
        assert await db.questions.purge_unanswered_before("9999-01-01") == 1

    finally:
        await db.close()


async def test_banned_user_flag(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        await db.users.touch(5)
        await db.users.set_banned(5, True)
        record = await db.users.get(5)
        assert record is not None and record.banned
    finally:
        await db.close()


async def test_questions_stored_in_clear_before_are_sealed_at_start(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from bot.app import seal_legacy_questions
    from bot.crypto import ReportKeys
    from bot.sealing import open_question

    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        await db.conn.execute(
            "INSERT INTO unanswered_questions (question, lang, best_ids, reason, created_at) "
            "VALUES ('паспорт 400123456 меня избили', 'ru', '[]', 'not_found', '2026-11-01')")
        await db.conn.commit()
        keys = ReportKeys.from_master(b"k" * 32)
        await seal_legacy_questions(SimpleNamespace(db=db, crypto_keys=lambda: keys))
        (row,) = await db.questions.unanswered_since("2000-01-01")
        assert row.legacy_text == "" and row.sealed is not None
        assert open_question(keys, row.id, row.sealed) == "паспорт 400123456 меня избили"
        assert await db.questions.legacy_unanswered() == []
    finally:
        await db.close()


async def test_new_data_directory_and_database_are_private(tmp_path: Path) -> None:
    """Review L4: outside systemd the defaults were 0755 and 0644."""
    import stat

    db = await Database.open(tmp_path / "data" / "hamroh.sqlite3")
    try:
        await db.users.touch(1)
        files = sorted((tmp_path / "data").iterdir())
        assert [p.name for p in files] == ["hamroh.sqlite3", "hamroh.sqlite3-shm",
                                           "hamroh.sqlite3-wal"]
        assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o600}
        assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    finally:
        await db.close()


async def test_backup_while_the_bot_writes_restores_and_reads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import stat

    from bot.cli import main

    data = tmp_path / "data"
    db = await Database.open(data / "hamroh.sqlite3")
    try:
        for user_id in range(1, 51):
            await db.users.touch(user_id)
        await db.users.set_locale(7, "tg")  # still in the write-ahead log, not checkpointed
        target = tmp_path / "copies" / "backup.sqlite3"
        monkeypatch.setenv("DATA_DIR", str(data))
        assert main(["backup", str(target)]) == 0
    finally:
        await db.close()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["backup.sqlite3"]
    restored = await Database.open(target)
    try:
        assert await restored.users.count() == 50
        record = await restored.users.get(7)
        assert record is not None and record.locale == "tg"
        assert await restored.schema_version() == MIGRATIONS[-1][0]
    finally:
        await restored.close()


def test_backup_of_a_missing_database_fails_clearly(tmp_path: Path) -> None:
    from bot.storage.backup import BackupError, backup_database

    with pytest.raises(BackupError, match="no database"):
        backup_database(tmp_path / "nothing.sqlite3", tmp_path / "copy.sqlite3")
    assert not (tmp_path / "copy.sqlite3").exists()


async def test_idle_users_are_forgotten_but_not_banned_ones_or_staff(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        for user_id in (1, 2, 3, 4, 5):
            await db.users.touch(user_id)
        await db.conn.execute(
            "UPDATE users SET last_seen = '2024-01-01' WHERE id IN (1, 2, 3, 5)")
        await db.conn.execute("INSERT INTO staff (user_id, moderator) VALUES (3, 1)")
        await db.conn.commit()
        await db.users.set_banned(2, True)
        await db.conn.execute("INSERT INTO broadcasts (id, owner, texts, fallback, audience, "
                              "status, created_at) VALUES (1, 9, '{}', 'en', 'all', 'done', "
                              "'2024-01-01')")
        await db.conn.executemany("INSERT INTO broadcast_recipients (broadcast_id, user_id) "
                                  "VALUES (1, ?)", [(1,), (4,)])
        await db.conn.commit()
        assert await db.users.forget_idle("2025-01-01", batch=1) == 2  # in two batches
        assert [r for r in (await db.conn.execute_fetchall("SELECT id FROM users ORDER BY id"))
                ] == [(2,), (3,), (4,)]
        assert list(await db.conn.execute_fetchall(
            "SELECT user_id FROM broadcast_recipients")) == [(4,)]
        assert await db.users.forget_idle("2025-01-01") == 0
    finally:
        await db.close()


async def test_point_reads_on_the_loop_see_every_write_and_hold_no_snapshot(
        tmp_path: Path) -> None:
    import sqlite3

    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        assert await db.users.get(7) is None
        await db.users.touch(7)  # written by the database thread's connection
        await db.users.set_locale(7, "ru")
        assert not await db.staff.is_moderator(7)
        record = await db.users.get(7)  # read on this thread, at once
        assert record is not None and record.locale == "ru"
        await db.users.touch(8)
        assert db.read_now("SELECT id FROM users ORDER BY id") == [(7,), (8,)]
        # No read stays open: a checkpoint can fold and empty the whole WAL.
        rows = list(await db.conn.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)"))
        assert rows[0][0] == 0  # not busy
        assert (tmp_path / "db.sqlite3-wal").stat().st_size == 0
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            db.read_now("DELETE FROM users")  # query_only: it cannot write
    finally:
        await db.close()
    with pytest.raises(RuntimeError):
        db.read_now("SELECT 1")


def test_bookkeeping_transactions_commit_without_waiting_for_the_disk(tmp_path: Path) -> None:
    import sqlite3

    from bot.storage.base import immediate

    conn = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (x INTEGER)")

    def sync_level() -> int:
        return conn.execute("PRAGMA synchronous").fetchone()[0]

    with immediate(conn):
        assert sync_level() == 2
        conn.execute("INSERT INTO t VALUES (1)")
    with immediate(conn, durable=False):
        assert sync_level() == 1 and conn.in_transaction  # NORMAL for this commit only
        conn.execute("INSERT INTO t VALUES (2)")
    assert sync_level() == 2
    with pytest.raises(ZeroDivisionError), immediate(conn, durable=False):
        conn.execute("INSERT INTO t VALUES (3)")
        raise ZeroDivisionError
    assert sync_level() == 2 and not conn.in_transaction
    # Joining an open transaction leaves its durability to the outer one.
    with immediate(conn), immediate(conn, durable=False):
        assert sync_level() == 2
        conn.execute("INSERT INTO t VALUES (4)")
    assert [x for (x,) in conn.execute("SELECT x FROM t ORDER BY x")] == [1, 2, 4]
    conn.close()


async def test_no_statement_stays_open_on_the_shared_connection(tmp_path: Path) -> None:
    """A PRAGMA that returns a row (wal_checkpoint, secure_delete) left its statement
    open on the shared connection: aiosqlite's thread keeps the last result alive while
    it runs the next call, so a bookkeeping write right after /forget's checkpoint failed
    to commit ("SQL statements in progress") and left its transaction open."""
    import sqlite3

    db = await Database.open(tmp_path / "db.sqlite3")

    def commit_nothing(conn: sqlite3.Connection) -> None:
        # Fails while any statement of this connection is still in progress.
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("COMMIT")

    steps = {
        "open": None,
        "checkpoint": db.checkpoint,
        "reports.erase_history": db.reports.erase_history,
        "reports.unlink": lambda: db.reports.unlink([]),
        "reports.delete_for_reporter": lambda: db.reports.delete_for_reporter("nobody"),
        "tickets.delete_of": lambda: db.tickets.delete_of("nobody"),
    }
    try:
        for name, step in steps.items():
            if step is not None:
                await step()
            try:
                await db.run(commit_nothing)
            except sqlite3.OperationalError as error:
                pytest.fail(f"after {name}: {error}")
            assert not db.conn.in_transaction, name
        await db.checkpoint()
        await db.state.save_user_state("owner", b"sealed")  # the write that failed in CI
        assert not db.conn.in_transaction
    finally:
        await db.close()


def test_a_failed_commit_leaves_no_transaction_open(tmp_path: Path) -> None:
    import sqlite3

    from bot.storage.base import immediate

    conn = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (x INTEGER)")
    pending = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # a row not yet read
    with pytest.raises(sqlite3.OperationalError, match="in progress"), \
            immediate(conn, durable=False):
        conn.execute("INSERT INTO t VALUES (1)")
    assert not conn.in_transaction  # else later writes would join it and never commit
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
    pending.close()
    with immediate(conn):
        conn.execute("INSERT INTO t VALUES (2)")
    assert [x for (x,) in conn.execute("SELECT x FROM t")] == [2]
    conn.close()
