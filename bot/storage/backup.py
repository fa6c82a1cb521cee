"""A consistent copy of the live database (``python -m bot backup``).

Copying ``hamroh.sqlite3`` with ``cp`` while the bot runs can catch a half-written page or
miss what is still in the write-ahead log; SQLite's online backup API copies a consistent
snapshot from a connection of its own, while the bot goes on writing. The copy is written
to a temporary file, checked (``integrity_check``) and only then renamed into place, so a
failed backup never leaves a file that looks good. It is readable by its owner only: it
holds the same sealed reports as the database.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BackupResult:
    path: Path
    schema_version: int
    size: int


class BackupError(Exception):
    pass


def backup_database(source: Path, target: Path) -> BackupResult:
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    # Created empty with owner-only permissions before SQLite writes anything to it.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as live, \
                sqlite3.connect(partial) as copy:
            live.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            (verdict,) = copy.execute("PRAGMA integrity_check").fetchone()
            (version,) = copy.execute("PRAGMA user_version").fetchone()
        live.close()
        copy.close()
        if verdict != "ok":
            raise BackupError(f"the copy failed its integrity check: {verdict}")
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupResult(target, int(version), target.stat().st_size)
