"""``python -m bot export``: reports as CSV, JSON or a text summary, for partners.

Verified reports by default. Needs the bot's key (``REPORT_KEY`` or
``DATA_DIR/report.key``) and never creates one: evidence counts and descriptions
are inside the encrypted part of each report.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import date
from pathlib import Path
from typing import BinaryIO

from bot.config import ConfigError, Settings, load_settings
from bot.crypto import DecryptionError, ReportKeys, load_report_keys
from bot.storage.reports import STATUSES

DEFAULT_STATUS = "verified"


class UsageError(ValueError):
    """A bad option value; the message says which and what is expected."""


def parse_statuses(text: str) -> tuple[str, ...]:
    """"verified", "verified,closed" or "all" (empty tuple: every status)."""
    names = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if names == ("all",):
        return ()
    unknown = [name for name in names if name not in STATUSES]
    if not names or unknown:
        raise UsageError(f"--status: expected 'all' or one or more of {', '.join(STATUSES)} "
                         "separated by commas")
    return names


def parse_day(text: str | None, option: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise UsageError(f"{option}: expected a date like 2026-01-31, got {text!r}") from error


def run_export(args: argparse.Namespace, *, settings: Settings | None = None,
               out: BinaryIO | None = None) -> int:
    try:
        statuses = parse_statuses(args.status)
        since = parse_day(args.since, "--since")
        until = parse_day(args.until, "--until")
        if since and until and since > until:
            raise UsageError("--since is after --until")
        settings = settings or load_settings()
        keys = load_report_keys(settings, create=False)
    except UsageError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 2
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    if not settings.database_path.exists():
        print(f"No database at {settings.database_path}", file=sys.stderr)
        return 1
    if args.with_descriptions and args.format != "summary":
        print("Warning: descriptions and typed places may identify the people who reported "
              "or were affected. Share this file only with people who need it.",
              file=sys.stderr)
    try:
        data, _name = asyncio.run(_export(settings, keys, args, statuses, since, until))
    except DecryptionError:
        print("Error: a report cannot be decrypted: is this the bot's key?", file=sys.stderr)
        return 1
    if args.output:
        _write_private(Path(args.output), data)
        print(f"Wrote {args.output}", file=sys.stderr)
    else:
        target = out or sys.stdout.buffer
        target.write(data)
        target.flush()
    return 0


async def _export(settings: Settings, keys: ReportKeys, args: argparse.Namespace,
                  statuses: tuple[str, ...], since: date | None, until: date | None
                  ) -> tuple[bytes, str]:
    from bot.i18n import Catalogs
    from bot.moderation.export import export_bytes
    from bot.reports.places import default_places
    from bot.storage import Database

    db = await Database.open(settings.database_path)
    try:
        return await export_bytes(
            db, keys, args.format, statuses=statuses, since=since, until=until,
            with_descriptions=args.with_descriptions, catalogs=Catalogs.load(),
            places=default_places(), today=date.today(),
        )
    finally:
        await db.close()


def _write_private(path: Path, data: bytes) -> None:
    # Readable by the owner only when created: the file may hold descriptions.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
