"""/stats counts in SQLite: the same numbers as counting the rows in Python."""

from __future__ import annotations

import random
from datetime import date

from bot.moderation.stats import Period, compute_stats, load_stats, parse_period
from bot.storage import Database
from bot.storage.reports import NewReport

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


async def test_counts_in_sql_equal_counting_rows(db: Database) -> None:
    rng = random.Random(12)
    for n in range(400):
        report = random_report(rng, n)
        await db.reports.insert(report)
        await db.reports.set_status(report.ref, rng.choice(STATUSES))
    today = date(2026, 12, 6)
    periods = [parse_period(text, today) for text in
               ("all", "2025", "2026-03", "90d", "2025-02-01..2025-06-30", "1d")]
    for period in periods:
        assert period is not None
        for statuses in ((), ("verified",), ("verified", "rejected")):
            rows = await db.reports.select(statuses=statuses, since=period.since_iso,
                                           until=period.until_iso)
            expected = compute_stats(rows, period, statuses)
            assert await load_stats(db, period, statuses) == expected
    everything = await load_stats(db, Period(None, None, "all"))
    assert everything.total == 400 and everything.urgent > 0
    assert sum(n for _, n in everything.by_month) == 400


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
