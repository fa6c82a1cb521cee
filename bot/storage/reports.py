"""Incident reports and their drafts. Contents arrive here already encrypted:
this module stores bytes and the structured fields, and never sees plaintext."""

from __future__ import annotations

import secrets
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bot.storage.base import Repository, now_iso

STATUSES = ("new", "in_review", "needs_info", "verified", "rejected", "closed")
OPEN_STATUSES = ("new", "in_review", "needs_info")
# /queue filters: which reports each shows, always urgent first, then oldest.
QUEUE_FILTERS = ("open", "urgent", "new", "in_review", "needs_info", "mine")


@dataclass(frozen=True)
class DraftRow:
    reporter: str
    draft_id: str
    content: bytes
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class NewReport:
    ref: str
    draft_id: str
    reporter: str
    locale: str
    incident: str
    place: str
    incident_date: str
    affected: str
    people: str
    groups: tuple[str, ...]
    held: str | None
    urgent: bool
    content: bytes
    incidents: tuple[str, ...] = ()  # every type, the main one (``incident``) first


@dataclass(frozen=True)
class ReportRow:
    ref: str
    draft_id: str
    reporter: str | None
    created_at: str
    updated_at: str
    status: str
    locale: str
    incident: str
    place: str
    incident_date: str
    affected: str
    people: str
    groups: tuple[str, ...]
    held: str | None
    urgent: bool
    content: bytes
    assignee: int | None = None
    awaiting_reply: bool = False
    status_detail: str | None = None
    incidents: tuple[str, ...] = ()  # every type, the main one (``incident``) first


@dataclass(frozen=True)
class NoteRow:
    id: int
    ref: str
    kind: str  # note | question | answer | reason
    author: int | None  # a staff id; None for the reporter
    created_at: str
    content: bytes


_COLUMNS = (
    "ref, draft_id, reporter, created_at, updated_at, status, locale, incident, place, "
    "incident_date, affected, people, groups, held, urgent, content, assignee, "
    "awaiting_reply, status_detail, incidents"
)
_INSERT_COLUMNS = _COLUMNS.rsplit(", assignee", 1)[0] + ", incidents"


def _as_day(incident_date: str | None) -> str | None:
    """A month-only date ("2025-12") counts as the month's first day."""
    return incident_date + "-01" if incident_date and len(incident_date) == 7 else incident_date


# ReportTally.counts: the names under which the ``report_tally`` triggers (migration 15)
# count a report's values: status, incidents (comma-separated codes), place, month,
# groups (comma-separated codes, '' for none), people, urgent ('0'/'1').
_TALLIED = ("status", "incidents", "place", "month", "groups", "people", "urgent")


@dataclass(frozen=True)
class ReportTally:
    """Reports counted per value of each column in ``_TALLIED`` (value, count), sorted by
    value; ``first_day``/``last_day``: the earliest and latest incident day (ISO)."""

    total: int
    first_day: str | None
    last_day: str | None
    counts: dict[str, tuple[tuple[str, int], ...]]


def _range_clause(statuses: tuple[str, ...], column: str, low: str | None,
                  high: str | None) -> tuple[str, tuple[object, ...]]:
    """WHERE for rows of these statuses with ``column`` from ``low`` to ``high`` (both
    included, ``None`` open)."""
    clauses: list[str] = []
    params: list[object] = []
    if statuses:
        clauses.append(f"status IN ({','.join('?' * len(statuses))})")
        params += statuses
    if low:
        clauses.append(f"{column} >= ?")
        params.append(low)
    if high:
        clauses.append(f"{column} <= ?")
        params.append(high)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", tuple(params)


def _period_clause(statuses: tuple[str, ...], since: str | None, until: str | None
                   ) -> tuple[str, tuple[object, ...]]:
    """WHERE for reports by status and incident date (ISO dates, both ends included)."""
    # A month-only date ("2025-12") counts as the month's first day. As strings,
    # "2025-12" sorts just before "2025-12-01", so plain comparisons on the indexed column
    # are exact: the upper end as it is; the lower end includes the month-only value only
    # when the period starts on that month's first day. No expression per row.
    low = since[:7] if since and since[8:] == "01" else since
    return _range_clause(statuses, "incident_date", low, until)


DayRange = tuple[str | None, str | None]


def _split_by_month(since: str | None, until: str | None
                    ) -> tuple[DayRange | None, list[DayRange]]:
    """A period (ISO days, both included, ``None`` open) as the whole months inside it
    (first, last "YYYY-MM", ``None`` for none) and the day ranges left before and after."""
    start = date.fromisoformat(since) if since else None
    end = date.fromisoformat(until) if until else None
    # The first whole month starts on or after ``start``; the last ends on or before ``end``.
    if start is not None and start.day != 1 and (start.year, start.month) == (9999, 12):
        return None, [(since, until)]  # no month after it
    first = start if start is None or start.day == 1 else _next_month(start)
    # The calendar's last day is a period's open end (nothing follows it).
    after_last = end + timedelta(days=1) if end and end != date.max else None
    last_end = after_last if after_last is None or after_last.day == 1 else \
        after_last.replace(day=1)
    if first is not None and last_end is not None and first >= last_end:
        return None, [(since, until)]  # no whole month inside
    days: list[DayRange] = []
    if start is not None and first is not None and start < first:
        days.append((since, (first - timedelta(days=1)).isoformat()))
    if end is not None and last_end is not None and last_end <= end and end != date.max:
        days.append((last_end.isoformat(), until))
    last = (last_end - timedelta(days=1)) if last_end else None
    months = (first.isoformat()[:7] if first else None, last.isoformat()[:7] if last else None)
    return months, days


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _report(row: Sequence[Any]) -> ReportRow:
    return ReportRow(
        ref=row[0], draft_id=row[1], reporter=row[2], created_at=row[3], updated_at=row[4],
        status=row[5], locale=row[6], incident=row[7], place=row[8], incident_date=row[9],
        affected=row[10], people=row[11],
        groups=tuple(item for item in row[12].split(",") if item),
        held=row[13], urgent=bool(row[14]), content=bytes(row[15]), assignee=row[16],
        awaiting_reply=bool(row[17]), status_detail=row[18],
        incidents=tuple(item for item in row[19].split(",") if item) or (row[7],),
    )


class ReferenceTaken(Exception):
    """The random reference already exists; the caller draws another."""


class ReportRepository(Repository):
    # --- drafts: one per reporter ---------------------------------------------------

    async def get_draft(self, reporter: str) -> DraftRow | None:
        row = self._one_now(  # on every message a person types (a report being written?)
            "SELECT reporter, draft_id, content, created_at, updated_at FROM report_drafts "
            "WHERE reporter = ?", (reporter,))
        return DraftRow(row[0], row[1], bytes(row[2]), row[3], row[4]) if row else None

    async def save_draft(self, reporter: str, draft_id: str, content: bytes) -> None:
        now = now_iso()
        await self._conn.execute(
            "INSERT INTO report_drafts (reporter, draft_id, content, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(reporter) DO UPDATE SET "
            "draft_id = excluded.draft_id, content = excluded.content, "
            "updated_at = excluded.updated_at",
            (reporter, draft_id, content, now, now),
        )
        await self._conn.commit()

    async def delete_draft(self, reporter: str) -> bool:
        cursor = await self._conn.execute(
            "DELETE FROM report_drafts WHERE reporter = ?", (reporter,))
        await self._conn.commit()
        return cursor.rowcount > 0

    async def stale_drafts(self, cutoff: datetime) -> list[DraftRow]:
        rows = await self._all(
            "SELECT reporter, draft_id, content, created_at, updated_at FROM report_drafts "
            "WHERE updated_at < ? ORDER BY updated_at",
            (cutoff.isoformat(timespec="seconds"),))
        return [DraftRow(row[0], row[1], bytes(row[2]), row[3], row[4]) for row in rows]

    async def delete_stale_draft(self, reporter: str, cutoff: datetime) -> bool:
        """Delete only if still untouched since ``cutoff``: the user may have just typed."""
        cursor = await self._conn.execute(
            "DELETE FROM report_drafts WHERE reporter = ? AND updated_at < ?",
            (reporter, cutoff.isoformat(timespec="seconds")),
        )
        await self._conn.commit()
        return cursor.rowcount > 0

    async def count_drafts(self) -> int:
        row = await self._one("SELECT COUNT(*) FROM report_drafts")
        return int(row[0]) if row else 0

    # --- reports -------------------------------------------------------------------

    async def insert(self, report: NewReport, delivery: bytes | None = None) -> ReportRow:
        """Store the report, its pending ``delivery`` (sealed: who to tell) and drop its
        draft in one commit; the stored row, as the transaction read it back (a read on
        the shared connection may still hold a snapshot from before the commit).

        Raises ``ReferenceTaken`` when the reference collides; a second insert of the
        same draft is prevented by the caller's ``by_draft`` check and, as a last
        line, by the UNIQUE draft_id (which raises ``sqlite3.IntegrityError``).
        """
        now = now_iso()
        try:
            async with self._db.transaction() as conn:
                await conn.execute(
                    f"INSERT INTO reports ({_INSERT_COLUMNS}) "
                    "VALUES (?, ?, ?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (report.ref, report.draft_id, report.reporter, now, now, report.locale,
                     report.incident, report.place, report.incident_date, report.affected,
                     report.people, ",".join(report.groups), report.held,
                     int(report.urgent), report.content,
                     ",".join(report.incidents or (report.incident,))),
                )
                if delivery is not None:
                    await conn.execute(
                        "INSERT INTO report_outbox (ref, stage, sealed, created_at) "
                        "VALUES (?, 'announce', ?, ?)", (report.ref, delivery, now))
                await conn.execute(
                    "DELETE FROM report_drafts WHERE draft_id = ?", (report.draft_id,))
                rows = await conn.execute_fetchall(
                    f"SELECT {_COLUMNS} FROM reports WHERE ref = ?", (report.ref,))
                row = next(iter(rows), None)
        except sqlite3.IntegrityError as error:
            if "reports.ref" in str(error):
                raise ReferenceTaken(report.ref) from error
            raise
        assert row is not None  # inserted just above, in the same transaction
        return _report(row)

    async def pending_deliveries(self, created_before: str) -> list[tuple[str, str, bytes]]:
        """(ref, stage, sealed) of reports not yet fully announced, oldest first."""
        rows = await self._conn.execute_fetchall(
            "SELECT ref, stage, sealed FROM report_outbox WHERE created_at < ? "
            "ORDER BY created_at", (created_before,))
        return [(str(ref), str(stage), bytes(sealed)) for ref, stage, sealed in rows]

    async def set_delivery_stage(self, ref: str, stage: str) -> None:
        await self._conn.execute("UPDATE report_outbox SET stage = ? WHERE ref = ?",
                                 (stage, ref))
        await self._conn.commit()

    async def delivered(self, ref: str) -> None:
        await self._conn.execute("DELETE FROM report_outbox WHERE ref = ?", (ref,))
        await self._conn.commit()

    async def _select(self, where: str, params: tuple[object, ...]) -> list[ReportRow]:
        rows = await self._all(f"SELECT {_COLUMNS} FROM reports {where}", params)
        return [_report(row) for row in rows]

    async def by_draft(self, draft_id: str) -> ReportRow | None:
        rows = await self._select("WHERE draft_id = ?", (draft_id,))
        return rows[0] if rows else None

    async def by_ref(self, ref: str) -> ReportRow | None:
        rows = await self._select("WHERE ref = ?", (ref,))
        return rows[0] if rows else None

    async def for_reporter(self, reporter: str, limit: int = 50) -> list[ReportRow]:
        return await self._select("WHERE reporter = ? ORDER BY id DESC LIMIT ?",
                                  (reporter, limit))

    async def all(self) -> list[ReportRow]:
        return await self._select("ORDER BY id", ())

    async def count(self) -> int:
        row = await self._one("SELECT COUNT(*) FROM reports")
        return int(row[0]) if row else 0

    async def set_status(self, ref: str, status: str) -> bool:
        if status not in STATUSES:
            raise ValueError(f"unknown report status {status!r}")
        cursor = await self._conn.execute(
            "UPDATE reports SET status = ?, updated_at = ? WHERE ref = ?",
            (status, now_iso(), ref),
        )
        await self._conn.commit()
        return cursor.rowcount > 0

    async def _erase_freed_space(self) -> None:
        # /forget must not leave the old rows readable in freed pages of the file.
        await self._conn.execute_fetchall("PRAGMA secure_delete = ON")

    async def unlink(self, updates: list[tuple[str, bytes]]) -> None:
        """Remove the identity link: no reporter hash, content re-encrypted without it,
        and a new random draft id (the old one equals the id of the person's draft, whose
        old copies may survive elsewhere). Then fold the WAL into the file, so that no
        older page image keeps the link (security review H1)."""
        await self._erase_freed_space()
        for ref, content in updates:
            await self._conn.execute(
                "UPDATE reports SET reporter = NULL, content = ?, draft_id = ?, "
                "updated_at = ? WHERE ref = ?",
                (content, "unlinked-" + secrets.token_urlsafe(12), now_iso(), ref),
            )
        await self._conn.commit()
        await self.erase_history()

    async def erase_history(self) -> None:
        """Checkpoint and truncate the WAL: what was deleted or changed is gone from it."""
        await self._conn.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")

    async def delete_for_reporter(self, reporter: str) -> int:
        await self._erase_freed_space()
        cursor = await self._conn.execute("DELETE FROM reports WHERE reporter = ?", (reporter,))
        await self._conn.commit()
        await self.erase_history()
        return cursor.rowcount

    # --- moderation ----------------------------------------------------------------

    @staticmethod
    def _queue_where(name: str, me: int | None) -> tuple[str, tuple[object, ...]]:
        open_marks = ",".join("?" * len(OPEN_STATUSES))
        if name == "open":  # what is left to do and not someone else's
            return (f"status IN ({open_marks}) AND (assignee IS NULL OR assignee = ?)",
                    (*OPEN_STATUSES, me))
        if name == "urgent":
            return f"status IN ({open_marks}) AND urgent = 1", OPEN_STATUSES
        if name == "mine":
            return f"status IN ({open_marks}) AND assignee = ?", (*OPEN_STATUSES, me)
        if name in OPEN_STATUSES:
            return "status = ?", (name,)
        raise ValueError(f"unknown queue filter {name!r}")

    async def queue(self, name: str, me: int | None, limit: int = 1,
                    offset: int = 0) -> list[ReportRow]:
        where, params = self._queue_where(name, me)
        return await self._select(f"WHERE {where} ORDER BY urgent DESC, id LIMIT ? OFFSET ?",
                                  (*params, limit, offset))

    async def queue_count(self, name: str, me: int | None) -> int:
        where, params = self._queue_where(name, me)
        row = await self._one(f"SELECT COUNT(*) FROM reports WHERE {where}", params)
        return int(row[0]) if row else 0

    async def claim(self, ref: str, moderator: int) -> bool:
        """Assign an open report to ``moderator`` unless someone else has it. One
        conditional UPDATE: of two moderators pressing Take at once, exactly one wins."""
        open_marks = ",".join("?" * len(OPEN_STATUSES))
        cursor = await self._conn.execute(
            "UPDATE reports SET assignee = ?, updated_at = ?, "
            "status = CASE status WHEN 'new' THEN 'in_review' ELSE status END "
            f"WHERE ref = ? AND status IN ({open_marks}) "
            "AND (assignee IS NULL OR assignee = ?)",
            (moderator, now_iso(), ref, *OPEN_STATUSES, moderator),
        )
        await self._conn.commit()
        return cursor.rowcount > 0

    async def change_status(self, ref: str, *, expected: str, new: str, actor: int,
                            override: bool, detail: str | None = None) -> bool:
        """Move the report from ``expected`` to ``new`` if nobody changed it meanwhile and
        it is not someone else's (``override``: owners may act on any report). The actor
        takes an unassigned report. False when the condition no longer holds."""
        if new not in STATUSES:
            raise ValueError(f"unknown report status {new!r}")
        cursor = await self._conn.execute(
            "UPDATE reports SET status = ?, status_detail = ?, updated_at = ?, "
            "assignee = COALESCE(assignee, ?), "
            "awaiting_reply = CASE WHEN ? = 'needs_info' THEN awaiting_reply ELSE 0 END "
            "WHERE ref = ? AND status = ? AND (assignee IS NULL OR assignee = ? OR ?)",
            (new, detail, now_iso(), actor, new, ref, expected, actor, int(override)),
        )
        await self._conn.commit()
        return cursor.rowcount > 0

    async def count_for_reporter(self, reporter: str) -> int:
        row = await self._one("SELECT COUNT(*) FROM reports WHERE reporter = ?", (reporter,))
        return int(row[0]) if row else 0

    async def set_awaiting_reply(self, ref: str, awaiting: bool) -> None:
        await self._conn.execute(
            "UPDATE reports SET awaiting_reply = ? WHERE ref = ?", (int(awaiting), ref))
        await self._conn.commit()

    async def awaiting_reply_of(self, reporter: str) -> ReportRow | None:
        """The reporter's report that is waiting for their answer to a moderator."""
        row = self._one_now(  # on every message a person types
            f"SELECT {_COLUMNS} FROM reports WHERE reporter = ? AND awaiting_reply = 1 "
            "AND status = 'needs_info' ORDER BY updated_at DESC LIMIT 1", (reporter,))
        return _report(row) if row else None

    async def add_note(self, ref: str, kind: str, author: int | None, content: bytes) -> int:
        cursor = await self._conn.execute(
            "INSERT INTO report_notes (ref, kind, author, created_at, content) "
            "VALUES (?, ?, ?, ?, ?)", (ref, kind, author, now_iso(), content))
        await self._conn.commit()
        return int(cursor.lastrowid or 0)

    async def notes(self, ref: str) -> list[NoteRow]:
        rows = await self._all(
            "SELECT id, ref, kind, author, created_at, content FROM report_notes "
            "WHERE ref = ? ORDER BY id", (ref,))
        return [NoteRow(r[0], r[1], r[2], r[3], r[4], bytes(r[5])) for r in rows]

    async def select(self, *, statuses: tuple[str, ...] = (), since: str | None = None,
                     until: str | None = None) -> list[ReportRow]:
        """Reports by status and incident date (ISO dates, both ends included), oldest
        first: the input of exports."""
        where, params = _period_clause(statuses, since, until)
        return await self._select(f"{where} ORDER BY incident_date, id", params)

    async def tally(self, *, statuses: tuple[str, ...] = (), since: str | None = None,
                    until: str | None = None) -> ReportTally:
        """What /stats counts, counted by SQLite: the same reports as ``select`` picks, read
        from the summaries the triggers keep (migration 15), never a report row: whole
        months from the monthly summary, the days before and after them from the daily."""
        found: Counter[tuple[str, str]] = Counter()
        months, days = _split_by_month(since, until)
        if months is not None:
            first_month, last_month = months
            where, params = _range_clause(statuses, "month", first_month, last_month)
            found.update(await self._summed("report_tally_month", where, params))
        for day_since, day_until in days:
            where, params = _period_clause(statuses, day_since, day_until)
            found.update(await self._summed("report_tally", where, params))
        by_name: dict[str, list[tuple[str, int]]] = {name: [] for name in _TALLIED}
        for (name, value), n in sorted(found.items()):
            if n:
                by_name[name].append((value, n))
        counts = {name: tuple(values) for name, values in by_name.items()}
        total = sum(n for _value, n in counts["status"])
        # The earliest and latest strings are the earliest and latest days ("2025-12" sorts
        # first in its month, and is last only when no day of it follows).
        where, params = _period_clause(statuses, since, until)
        where = (where + " AND" if where else "WHERE") + " name = 'status'"
        first = last = None
        if total:
            first = await self._scalar(
                f"SELECT incident_date FROM report_tally {where} "
                "ORDER BY incident_date LIMIT 1", params)
            last = await self._scalar(
                f"SELECT incident_date FROM report_tally {where} "
                "ORDER BY incident_date DESC LIMIT 1", params)
        return ReportTally(int(total), _as_day(first), _as_day(last), counts)

    async def _summed(self, table: str, where: str, params: tuple[object, ...]
                      ) -> Counter[tuple[str, str]]:
        rows = await self._all(
            f"SELECT name, value, SUM(n) FROM {table} {where} GROUP BY name, value", params)
        return Counter({(str(name), str(value)): int(n) for name, value, n in rows})

    async def _scalar(self, sql: str, params: tuple[object, ...]) -> str | None:
        row = await self._one(sql, params)
        return str(row[0]) if row else None

    async def reporters(self) -> list[str]:
        """Every reporter hash still linked to a report (to find a pseudonym)."""
        rows = await self._all(
            "SELECT DISTINCT reporter FROM reports WHERE reporter IS NOT NULL")
        return [str(row[0]) for row in rows]

    async def latest_of(self, reporter: str) -> ReportRow | None:
        rows = await self._select("WHERE reporter = ? ORDER BY id DESC LIMIT 1", (reporter,))
        return rows[0] if rows else None
