"""What every repository shares: the connection of its Database and a timestamp format."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import aiosqlite

if TYPE_CHECKING:
    from bot.storage.database import Database


# How every connection commits: in WAL mode, FULL waits for the disk at each commit, so a
# committed report survives a power cut. Bookkeeping may opt out (``immediate``).
DURABLE_SYNC = "FULL"


@contextmanager
def immediate(conn: sqlite3.Connection, *, durable: bool = True) -> Iterator[None]:
    """Statements run in the database thread as one transaction, the write lock taken
    first (so the busy timeout applies instead of a refusal half-way); inside a
    transaction already open, they simply join it.

    ``durable=False`` is for bookkeeping that a power cut may take back (an update marked
    as handled, a last-seen time): committed without waiting for the disk (WAL with
    synchronous=NORMAL: still atomic, and kept when the process is killed; the next
    durable commit writes it to disk too). Waiting for the disk on every update cost about
    a quarter of the bot's CPU per question under load (BENCHMARKS.md)."""
    if conn.in_transaction:
        yield
        return
    if not durable:
        conn.execute("PRAGMA synchronous=NORMAL")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            # Also when COMMIT itself fails: a transaction left open would silently
            # swallow every later write on this connection (they join it, see above).
            if conn.in_transaction:  # SQLite may have rolled back already (a full disk)
                conn.execute("ROLLBACK")
            raise
    finally:
        if not durable:
            conn.execute(f"PRAGMA synchronous={DURABLE_SYNC}")


def now_iso() -> str:
    """UTC, to the second, sortable as text."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class Repository:
    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def _conn(self) -> aiosqlite.Connection:
        return self._db.conn

    # Reads run in one call to the database thread (execute and fetch together). A read
    # left open between awaits (execute, then fetch) keeps this shared connection on the
    # snapshot it started with while other updates' statements use it: they would miss
    # what ``Database.transaction()`` committed meanwhile (a report's receipt failed so).
    # A statement that returns a row, even a PRAGMA (wal_checkpoint, secure_delete), runs
    # with ``execute_fetchall`` too: aiosqlite's thread keeps the last result alive while
    # it runs the next call, and a half-read PRAGMA makes that call's COMMIT fail.

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(await self._conn.execute_fetchall(sql, params))

    async def _write_bookkeeping(self, sql: str, params: Sequence[Any] = ()) -> None:
        """One write that need not wait for the disk (``immediate(durable=False)``), in one
        call to the database thread."""
        def write(conn: sqlite3.Connection) -> None:
            with immediate(conn, durable=False):
                conn.execute(sql, params)

        await self._db.run(write)

    def _one_now(self, sql: str, params: Sequence[Any] = ()) -> Any | None:
        """As ``_one``, for a lookup by an indexed key: see ``Database.read_now``."""
        rows = self._db.read_now(sql, params)
        return rows[0] if rows else None

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> Any | None:
        """The first row; only for reads of at most one row (a key, LIMIT 1, COUNT)."""
        rows = await self._all(sql, params)
        return rows[0] if rows else None
