"""/stats counts in SQLite: the same numbers as counting the rows in Python."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from bot.moderation.stats import Period, compute_stats, load_stats, parse_period
from bot.storage import Database, database
from bot.storage.migrations import MIGRATIONS
from bot.storage.reports import NewReport, _split_by_month

INCIDENTS = ("refused", "held_border", "detained", "beaten", "other")
PLACES = ("dme", "vko", "svo", "kzn", "other")
GROUPS = ("women", "children", "elderly", "disabled")
PEOPLE = ("1", "2", "3-5", "6-10", "11+", "14", "")
STATUSES = ("new", "verified", "rejected", "in_review")


def random_report(rng: random.Random, n: int) -> NewReport:
    year = rng.choice((2024, 2025, 2026))
    month = rng.randint(1, 12)
    day = f"{year}-{month:02d}" if rng.random() < 0.2 else \
        f"{year}-{month:02d}-{rng.randint(1, 28):02d}"
    incidents = tuple(dict.fromkeys(rng.choices(INCIDENTS, k=rng.randint(1, 3))))
    return NewReport(
        ref=f"R-{n:06d}", draft_id=f"d{n}", reporter=f"h{n % 7}", locale="ru",
        incident=incidents[0], place=rng.choice(PLACES), incident_date=day, affected="me",
        people=rng.choice(PEOPLE), groups=tuple(rng.sample(GROUPS, rng.randint(0, 2))),
        held=None, urgent=rng.random() < 0.3, content=b"sealed",
        incidents=incidents if rng.random() < 0.7 else (),
    )


PERIODS = ("all", "2025", "2026-03", "90d", "2025-02-01..2025-06-30", "1d", "2024-01",
           "2025-01-31..2025-03-01", "2025-03-02..2025-03-30", "2024-12-31..2025-01-01",
           "2024-02-15..2026-11-14", "0001", "9999", "9999-12-30..9999-12-31",
           "0001-01-01..2025-06-10")


async def assert_counts_equal_rows(db: Database) -> None:
    today = date(2026, 12, 6)
    for text in PERIODS:
        period = parse_period(text, today)
        assert period is not None
        for statuses in ((), ("verified",), ("verified", "rejected")):
            rows = await db.reports.select(statuses=statuses, since=period.since_iso,
                                           until=period.until_iso)
            expected = compute_stats(rows, period, statuses)
            assert await load_stats(db, period, statuses) == expected, (text, statuses)
    async with db.conn.execute("SELECT COUNT(*) FROM report_tally WHERE n <= 0") as cursor:
        assert await cursor.fetchone() == (0,)  # emptied rows are removed


async def test_counts_in_sql_equal_counting_rows(db: Database) -> None:
    rng = random.Random(12)
    for n in range(400):
        report = random_report(rng, n)
        await db.reports.insert(report)
        await db.reports.set_status(report.ref, rng.choice(STATUSES))
    await assert_counts_equal_rows(db)
    everything = await load_stats(db, Period(None, None, "all"))
    assert everything.total == 400 and everything.urgent > 0
    assert sum(n for _, n in everything.by_month) == 400


async def test_the_summary_follows_status_changes_unlinking_and_deletion(db: Database
                                                                         ) -> None:
    """The per-day summary is kept by triggers: every write that changes a counted column
    or removes a report must show in /stats at once."""
    rng = random.Random(5)
    refs = []
    for n in range(120):
        report = random_report(rng, n)
        await db.reports.insert(report)
        refs.append(report.ref)
    for ref in refs[:60]:
        assert await db.reports.change_status(ref, expected="new", new="verified", actor=1,
                                              override=True)
    for ref in refs[:20]:
        assert await db.reports.change_status(ref, expected="verified", new="rejected",
                                              actor=1, override=True, detail="duplicate")
    await assert_counts_equal_rows(db)
    await db.reports.unlink([(ref, b"resealed") for ref in refs[60:70]])
    assert await db.reports.delete_for_reporter("h3") > 0
    await assert_counts_equal_rows(db)
    total = await load_stats(db, Period(None, None, "all"))
    assert total.total == await db.reports.count() < 120
    assert dict(total.by_status)["rejected"] == \
        sum(1 for r in await db.reports.all() if r.status == "rejected") > 0


async def test_reports_stored_before_the_summary_existed_are_counted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Migration 15 fills the summary from the reports already there."""
    before = tuple(m for m in MIGRATIONS if m[0] < 15)
    monkeypatch.setattr(database, "MIGRATIONS", before)
    old = await Database.open(tmp_path / "old.sqlite3")
    try:
        assert await old.schema_version() == 14
        rng = random.Random(8)
        for n in range(150):
            report = random_report(rng, n)
            await old.reports.insert(report)
            await old.reports.set_status(report.ref, rng.choice(STATUSES))
    finally:
        await old.close()
    monkeypatch.setattr(database, "MIGRATIONS", MIGRATIONS)
    migrated = await Database.open(tmp_path / "old.sqlite3")
    try:
        assert await migrated.schema_version() >= 15
        await assert_counts_equal_rows(migrated)
        assert (await load_stats(migrated, Period(None, None, "all"))).total == 150
    finally:
        await migrated.close()


async def test_stats_of_an_empty_database(db: Database) -> None:
    period = Period(None, None, "all")
    assert await load_stats(db, period) == compute_stats([], period)


async def test_insert_returns_the_stored_row_while_a_read_is_half_way(db: Database) -> None:
    """A read left half-way on the shared connection (another update iterating rows) pins
    that connection's snapshot: a report committed meanwhile by the transaction connection
    is not visible there yet. ``insert`` therefore returns the row as its own transaction
    read it (the report service asserted on a read-back and failed under load)."""
    rng = random.Random(3)
    for n in range(3):
        await db.reports.insert(random_report(rng, n))
    async with db.conn.execute("SELECT ref FROM reports") as half_way:
        assert await half_way.fetchone() is not None  # the statement is still open
        report = random_report(rng, 99)
        stored = await db.reports.insert(report)
        assert stored.ref == report.ref and stored.status == "new"
        assert await db.reports.by_ref(report.ref) is None  # the pinned snapshot
    assert await db.reports.by_ref(report.ref) == stored


@pytest.mark.parametrize(("since", "until", "months", "days"), [
    (None, None, (None, None), []),
    ("2025-01-01", "2025-12-31", ("2025-01", "2025-12"), []),
    ("2025-01-15", "2025-03-10", ("2025-02", "2025-02"),
     [("2025-01-15", "2025-01-31"), ("2025-03-01", "2025-03-10")]),
    ("2025-01-15", "2025-02-27", None, [("2025-01-15", "2025-02-27")]),
    ("2025-02-01", "2025-02-28", ("2025-02", "2025-02"), []),
    ("2024-02-01", "2024-02-28", None, [("2024-02-01", "2024-02-28")]),  # a leap year
    ("2025-12-02", "2026-01-31", ("2026-01", "2026-01"), [("2025-12-02", "2025-12-31")]),
    ("9999-12-01", "9999-12-31", ("9999-12", None), []),
    ("9999-12-05", "9999-12-31", None, [("9999-12-05", "9999-12-31")]),
    ("0001-01-01", "0001-01-01", None, [("0001-01-01", "0001-01-01")]),
])
def test_a_period_splits_into_whole_months_and_the_days_around_them(
        since: str | None, until: str | None, months: tuple[str | None, str | None] | None,
        days: list[tuple[str, str]]) -> None:
    assert _split_by_month(since, until) == (months, days)
