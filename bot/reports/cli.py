"""``python -m bot reports list``: every stored report, decrypted, for a developer
debugging on their own machine. It needs the same key as the bot (``REPORT_KEY`` or
``DATA_DIR/report.key``) and never creates one."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TextIO

from bot.config import ConfigError, Settings, load_settings
from bot.crypto import DecryptionError, ReportKeys, load_report_keys
from bot.reports.service import ReportService, export_content
from bot.storage import Database


def run_reports_list(args: argparse.Namespace | None = None, *, out: TextIO | None = None,
                     settings: Settings | None = None) -> int:
    out = out or sys.stdout
    try:
        settings = settings or load_settings()
        keys = load_report_keys(settings, create=False)
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    if not settings.database_path.exists():
        print(f"No database at {settings.database_path}", file=sys.stderr)
        return 1
    return asyncio.run(_list(settings, keys, out))


async def _list(settings: Settings, keys: ReportKeys, out: TextIO) -> int:
    db = await Database.open(settings.database_path)
    try:
        service = ReportService(db, keys)
        rows = await db.reports.all()
        failures = 0
        for row in rows:
            try:
                data = export_content(row, service.content_of(row))
            except DecryptionError:
                failures += 1
                print(f"{row.ref}: cannot decrypt (different key?)", file=out)
                continue
            print(_format(data), file=out)
        print(f"{len(rows)} report(s), {await db.reports.count_drafts()} draft(s) in progress",
              file=out)
    finally:
        await db.close()
    return 1 if failures else 0


def _format(data: dict[str, object]) -> str:
    incident = data["incident"] if not data["incident_text"] \
        else f"{data['incident']} ({data['incident_text']})"
    place = data["place"] if not data["place_text"] else f"{data['place']} ({data['place_text']})"
    contact = {True: "with contact", False: "anonymous", None: "forgotten"}[data["contact"]]
    lines = [
        f"== {data['ref']}  created {data['created']}  status {data['status']}"
        + ("  URGENT" if data["urgent"] else ""),
        f"   type: {incident}",
        f"   place: {place}",
        f"   date: {data['date']}",
        f"   affected: {data['affected']}, people {data['people']}, "
        f"groups {','.join(data['groups']) or '-'}, held {data['held'] or '-'}, "  # type: ignore[arg-type]
        f"language {data['locale']}",
        f"   reporter: {data['pseudonym'] or '(unlinked)'}, {contact}",
        f"   evidence: {data['evidence']} file(s)",
        "   description:",
        *("     " + line for line in str(data["description"]).splitlines()),
    ]
    return "\n".join(lines)
