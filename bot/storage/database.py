"""One aiosqlite connection, migrations, and the repositories that use it."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.storage.audit import AuditRepository
from bot.storage.base import DURABLE_SYNC
from bot.storage.broadcasts import BroadcastRepository
from bot.storage.migrations import MIGRATIONS
from bot.storage.questions import QuestionRepository
from bot.storage.reports import ReportRepository
from bot.storage.staff import StaffRepository
from bot.storage.state import StateRepository
from bot.storage.tickets import TicketRepository
from bot.storage.users import UserRepository

log = logging.getLogger(__name__)

T = TypeVar("T")


class Database:
    """The bot's SQLite database.

    Constructed without I/O so the Application can be built synchronously;
    ``connect()`` (idempotent) opens it and applies migrations. PTB loads
    persistence before ``post_init`` runs, so the persistence connects too.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: _WriteLockingConnection | None = None
        self._txn_conn: _WriteLockingConnection | None = None  # see transaction()
        self._reader: sqlite3.Connection | None = None  # see read_now()
        self._connect_lock = asyncio.Lock()
        self._txn_lock = asyncio.Lock()
        self.users = UserRepository(self)
        self.state = StateRepository(self)
        self.questions = QuestionRepository(self)
        self.reports = ReportRepository(self)
        self.staff = StaffRepository(self)
        self.audit = AuditRepository(self)
        self.tickets = TicketRepository(self)
        self.broadcasts = BroadcastRepository(self)

    @classmethod
    async def open(cls, path: Path, *, migrate: bool = True) -> Database:
        db = cls(path)
        await db.connect(migrate=migrate)
        return db

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("database is not connected; call connect() first")
        return self._conn

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """See ``_WriteLockingConnection.run``: several statements in one thread call."""
        if self._conn is None:
            raise RuntimeError("database is not connected; call connect() first")
        return await self._conn.run(fn)

    @property
    def connected(self) -> bool:
        return self._conn is not None

    async def connect(self, *, migrate: bool = True) -> None:
        async with self._connect_lock:
            if self._conn is not None:
                return
            # Owner-only: the database holds sealed reports and who is who in the bot.
            # SQLite gives its -wal and -shm files the main file's permissions.
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not self.path.exists():
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
            self._conn = await self._open_connection()
            self._txn_conn = await self._open_connection()
            self._reader = self._open_reader()
        if migrate:
            await self.migrate()

    async def _open_connection(self) -> _WriteLockingConnection:
        # Autocommit: every statement is its own transaction, unless transaction() opens
        # one. Python's default would open a transaction before a write and keep it open
        # when the write fails (a locked database), so the connection would go on reading
        # an old snapshot and a later commit would commit whatever was left half done.
        path = str(self.path)
        conn = await _WriteLockingConnection(
            lambda: sqlite3.connect(path, isolation_level=None), 64)
        # WAL lets readers run beside the writer; FULL sync makes a committed
        # report survive a power cut (per-update bookkeeping opts out: base.immediate).
        await conn.execute_fetchall("PRAGMA journal_mode=WAL")
        await conn.execute(f"PRAGMA synchronous={DURABLE_SYNC}")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute_fetchall("PRAGMA busy_timeout=5000")
        # Deleted rows are overwritten, not left readable in freed pages (SQLite's
        # default is off in many builds): /forget and retention must really erase.
        await conn.execute_fetchall("PRAGMA secure_delete=ON")
        return conn

    def _open_reader(self) -> sqlite3.Connection:
        # Used from the event loop's thread; not tied to it, so a read from a worker thread
        # (asyncio.to_thread) is not refused. SQLite serialises the calls itself.
        reader = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        reader.execute("PRAGMA query_only=ON")
        # WAL readers do not wait for writers; this bounds the rare wait (a WAL reset).
        reader.execute("PRAGMA busy_timeout=1000")
        return reader

    def read_now(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """A read of a few rows by an indexed key, at once on the calling thread.

        Asking aiosqlite's thread costs about 0.1 ms of CPU per call in hand-overs (the
        key lookups that route every message were a tenth of the bot's CPU); the lookup
        itself takes microseconds. Only for point lookups: a scan would stall the event
        loop. Every row is fetched, so no read stays open (it would hold a snapshot and
        keep a checkpoint from emptying the WAL)."""
        if self._reader is None:
            raise RuntimeError("database is not connected; call connect() first")
        return self._reader.execute(sql, params).fetchall()

    async def close(self) -> None:
        for conn in (self._txn_conn, self._conn):
            if conn is not None:
                await conn.close()
        if self._reader is not None:
            self._reader.close()
        self._conn = self._txn_conn = self._reader = None

    async def schema_version(self) -> int:
        rows = list(await self.conn.execute_fetchall("PRAGMA user_version"))
        return int(rows[0][0]) if rows else 0

    async def migrate(self) -> int:
        """Apply pending migrations, each in its own transaction; return the new version."""
        current = await self.schema_version()
        for version, script in MIGRATIONS:
            if version <= current:
                continue
            log.info("applying database migration %d", version)
            async with self.transaction() as conn:
                for statement in _split_sql(script):
                    await conn.execute(statement)
                await conn.execute(f"PRAGMA user_version = {int(version)}")
            current = version
        return current

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Several writes that must land together or not at all (a report with its
        delivery, a purge): on a connection of their own, so that no other update's
        statement, issued on the shared connection while this one awaits, joins the
        transaction or commits half of it. SQLite's lock orders the two connections; a
        failure (locked database, disk full) rolls everything back."""
        if self._txn_conn is None:
            raise RuntimeError("database is not connected; call connect() first")
        conn = self._txn_conn
        async with self._txn_lock:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                await conn.rollback()
                raise
            await conn.commit()

    async def checkpoint(self) -> None:
        """Fold the WAL into the main file (used before backups and by tests)."""
        await self.conn.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")


class _WriteLockingConnection(aiosqlite.Connection):
    """Autocommit; a write refused at once with "database is locked" is tried again.

    In WAL mode a write whose read snapshot went stale (the other connection,
    ``transaction()``, committed meanwhile, or a read of this connection that is half-way
    holds an old snapshot) is refused at once instead of waiting, since waiting could
    deadlock. Tried again a moment later, from the event loop so that the half-way read
    can finish first, it goes through. A lock really held elsewhere is not retried: the
    5-second busy timeout has already waited for it."""

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """``fn(connection)`` in the database thread: several statements for one thread
        round trip (each costs CPU on both threads). ``fn`` opens its own transaction
        (``base.immediate``) when it writes more than once; refused at once, it is run
        again from the start, so it must have written nothing before the refusal."""
        return await self._execute(fn, self._conn)

    async def commit(self) -> None:
        # Autocommit: outside BEGIN … COMMIT there is nothing to commit, and asking the
        # database thread for nothing cost a round trip after every write.
        if self._conn.in_transaction:
            await super().commit()

    async def _execute(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        for attempt in range(WRITE_ATTEMPTS):
            try:
                return await super()._execute(_refusal_marked(self._conn, fn), *args,
                                              **kwargs)
            except _RefusedAtOnce:
                await asyncio.sleep(min(0.002 * (attempt + 1), 0.05))
        raise sqlite3.OperationalError("database is locked")


WRITE_ATTEMPTS = 200  # about 8 s in all, beyond the 5 s busy timeout


class _RefusedAtOnce(sqlite3.OperationalError):
    pass


def _refusal_marked(conn: sqlite3.Connection, fn: Callable[..., T]) -> Callable[..., T]:
    def run(*args: Any, **kwargs: Any) -> T:  # in the connection's own thread
        asked = time.monotonic()
        try:
            return fn(*args, **kwargs)
        except sqlite3.OperationalError as error:
            if ("locked" in str(error) and not conn.in_transaction
                    and time.monotonic() - asked < 1.0):
                raise _RefusedAtOnce(str(error)) from error
            raise

    return run


def _split_sql(script: str) -> list[str]:
    """Statements of a migration; a trigger's body (``BEGIN …; END``) stays whole."""
    statements: list[str] = []
    current = ""
    for piece in script.split(";"):
        current += piece + ";"
        if sqlite3.complete_statement(current):
            if current.strip(" \n;"):
                statements.append(current.strip())
            current = ""
    if current.strip(" \n;"):
        statements.append(current.strip())
    return statements
