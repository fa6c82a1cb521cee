"""Periods, counting, small-cell suppression and the /stats message."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest

from bot.i18n import Catalogs
from bot.moderation.stats import (
    Period,
    compute_stats,
    parse_period,
    people_lower_bound,
    render_stats_html,
    suppress,
)
from bot.reports.places import default_places
from bot.storage.reports import ReportRow
from bot.telegram_html import parse_html

TODAY = date(2026, 12, 6)
TELEGRAM_LIMIT = 4096


def row(ref: str = "R-AAAAAA", *, status: str = "verified", incident: str = "refused",
        place: str = "dme", day: str = "2026-11-05", people: str = "1",
        groups: tuple[str, ...] = (), urgent: bool = False) -> ReportRow:
    return ReportRow(
        ref=ref, draft_id=ref, reporter="hash-" + ref, created_at="2026-11-06T10:00:00+00:00",
        updated_at="2026-11-06T10:00:00+00:00", status=status, locale="ru", incident=incident,
        place=place, incident_date=day, affected="me", people=people, groups=groups,
        held="still" if urgent else "no", urgent=urgent, content=b"",
    )


@pytest.mark.parametrize(
    ("text", "since", "until", "key"),
    [
        (None, date(2026, 11, 7), TODAY, "30d"),
        ("", date(2026, 11, 7), TODAY, "30d"),
        ("  30D ", date(2026, 11, 7), TODAY, "30d"),
        ("7d", date(2026, 11, 30), TODAY, "7d"),
        ("1d", TODAY, TODAY, "1d"),
        ("90d", date(2026, 9, 8), TODAY, "90d"),
        ("3660d", date(2016, 11, 29), TODAY, "3660d"),
        ("month", date(2026, 12, 1), date(2026, 12, 31), "month"),
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30), "2026-11"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "2024-02"),
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "2026"),
        ("all", None, None, "all"),
        ("ALL", None, None, "all"),
        ("2026-01-01..2026-03-31", date(2026, 1, 1), date(2026, 3, 31),
         "2026-01-01..2026-03-31"),
        ("2026-03-05..2026-03-05", date(2026, 3, 5), date(2026, 3, 5),
         "2026-03-05..2026-03-05"),
    ],
)
def test_parse_period(text: str | None, since: date | None, until: date | None,
                      key: str) -> None:
    assert parse_period(text, TODAY) == Period(since, until, key)


@pytest.mark.parametrize(
    "text",
    ["0d", "3661d", "-7d", "d", "week", "2026-13", "2026-00", "0000", "26", "2026-1",
     "2026-03-31..2026-01-01", "2026-01-01..", "..2026-01-01", "2026-02-30..2026-03-01",
     "yesterday", "2026-01-01...2026-02-01"],
)
def test_parse_period_rejects(text: str) -> None:
    assert parse_period(text, TODAY) is None


@pytest.mark.parametrize("text", ["7d", "month", "2026-11", "2026", "all",
                                  "2026-01-01..2026-03-31"])
def test_period_key_reads_back(text: str) -> None:
    period = parse_period(text, TODAY)
    assert period is not None
    assert parse_period(period.key, TODAY) == period


@pytest.mark.parametrize(
    ("count", "shown"), [(0, "0"), (1, "<5"), (2, "<5"), (4, "<5"), (5, "5"), (123, "123")],
)
def test_suppress(count: int, shown: str) -> None:
    assert suppress(count) == shown


@pytest.mark.parametrize(
    ("people", "lower"), [("1", 1), ("2", 2), ("3-5", 3), ("6-10", 6), ("11+", 11),
                          ("14", 14), ("", 0), ("many", 0)],
)
def test_people_lower_bound(people: str, lower: int) -> None:
    assert people_lower_bound(people) == lower


ROWS = [
    row("R-1", incident="refused", place="dme", day="2026-10-30", people="3-5",
        groups=("child", "woman")),
    row("R-2", incident="refused", place="vko", day="2026-11-02", people="11+",
        groups=("child",), urgent=True),
    row("R-3", incident="detained", place="dme", day="2026-11-03", people="14",
        groups=("child", "child")),
    row("R-4", incident="other", place="dme", day="2026-11-20", status="new"),
    row("R-5", incident="detained", place="svo", day="2025-01-01"),  # outside the period
]
PERIOD = Period(date(2026, 10, 1), date(2026, 11, 30), "x")


def test_compute_stats_counts_and_orders() -> None:
    stats = compute_stats(ROWS, PERIOD)
    assert stats.total == 4
    assert stats.by_status == (("verified", 3), ("new", 1))
    assert stats.by_incident == (("refused", 2), ("detained", 1), ("other", 1))
    assert stats.by_place == (("dme", 3), ("vko", 1))
    assert stats.by_month == (("2026-10", 1), ("2026-11", 3))
    # A code counts once per report, even if stored twice; no groups count as "none".
    assert stats.by_groups == (("child", 3), ("none", 1), ("woman", 1))
    assert stats.people_total_min == 3 + 11 + 14 + 1
    assert stats.urgent == 1
    assert (stats.first_date, stats.last_date) == (date(2026, 10, 30), date(2026, 11, 20))


def test_compute_stats_filters_statuses_and_open_periods() -> None:
    stats = compute_stats(ROWS, Period(None, None, "all"), ("verified",))
    assert stats.total == 4 and stats.statuses == ("verified",)
    assert stats.first_date == date(2025, 1, 1)


def test_compute_stats_of_nothing() -> None:
    stats = compute_stats([], PERIOD)
    assert stats.total == 0 and stats.by_month == () and stats.first_date is None


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs.load()


def _count_tokens(text: str) -> list[str]:
    """Every count: the value after the last ': ' of a line (the period line has dates)."""
    plain, _entities = parse_html(text)
    return [line.rsplit(": ", 1)[1] for line in plain.splitlines()
            if ": " in line and not line.startswith("Period:")]


@pytest.mark.parametrize("locale", ["tg", "ru", "en"])
@pytest.mark.parametrize("exact", [True, False])
def test_render_is_valid_telegram_html(catalogs: Catalogs, locale: str, exact: bool) -> None:
    stats = compute_stats(ROWS, PERIOD)
    text = render_stats_html(stats, catalogs.get(locale).gettext, locale, default_places(),
                             exact=exact)
    plain, _entities = parse_html(text)
    assert len(text) < TELEGRAM_LIMIT
    assert set(re.findall(r"</?(\w+)", text)) <= {"b", "i", "code"}
    assert catalogs.get(locale).gettext("Refused entry") in plain
    assert default_places().name("dme", locale) in plain


def test_exact_counts_and_suppressed_counts(catalogs: Catalogs) -> None:
    stats = compute_stats(ROWS, PERIOD)
    _ = catalogs.get("en").gettext
    exact = render_stats_html(stats, _, "en", default_places(), exact=True)
    assert "Refused entry: 2" in exact and "Reports: 4" in parse_html(exact)[0]
    shown = render_stats_html(stats, _, "en", default_places(), exact=False)
    counts = _count_tokens(shown)
    assert counts and "&lt;5" in shown
    assert not [c for c in counts if c in {"1", "2", "3", "4"}], counts
    assert all(c == "<5" or int(c) >= 5 for c in counts), counts


def test_render_escapes_unknown_codes(catalogs: Catalogs) -> None:
    odd = replace(row("R-9"), place="<b>", incident="a&b", status="<x>")
    text = render_stats_html(compute_stats([odd], PERIOD), catalogs.get("en").gettext, "en",
                             default_places(), exact=True)
    plain, _entities = parse_html(text)
    assert "<b>: 1" in plain and "a&b: 1" in plain


def test_render_empty_period(catalogs: Catalogs) -> None:
    text = render_stats_html(compute_stats([], PERIOD), catalogs.get("en").gettext, "en",
                             default_places(), exact=False)
    plain, _entities = parse_html(text)
    assert "No reports in this period" in plain and "Reports: 0" in plain


def test_long_lists_are_cut_and_stay_under_the_limit(catalogs: Catalogs) -> None:
    places = [place.id for place in default_places().items]
    rows = [
        row(f"R-{n}", incident="other", place=f"{places[n % len(places)]}{n}",
            day=f"{2010 + n // 12}-{n % 12 + 1:02d}-01", groups=("child", "woman"))
        for n in range(200)
    ]
    stats = compute_stats(rows, Period(None, None, "all"))
    text = render_stats_html(stats, catalogs.get("ru").gettext, "ru", default_places(),
                             exact=True)
    parse_html(text)
    assert len(text) < TELEGRAM_LIMIT
    plain = parse_html(text)[0]
    assert "190" in plain  # 200 places, 10 shown
    assert "188" in plain  # 200 months, the latest 12 shown
    assert "2026" in plain and "2010" not in plain.split("\n", 3)[3]


def test_several_types_count_once_each_and_month_only_dates_count_in_their_month() -> None:
    several = replace(row("R-AAAAAA", incident="held_border"),
                                  incidents=("held_border", "documents", "documents"))
    single = row("R-BBBBBB", incident="documents")
    month_only = row("R-CCCCCC", incident="refused", day="2026-11")
    stats = compute_stats([several, single, month_only], parse_period("2026-11", TODAY))
    assert stats.total == 3
    assert dict(stats.by_incident) == {"documents": 2, "held_border": 1, "refused": 1}
    assert dict(stats.by_month) == {"2026-11": 3}
    assert compute_stats([month_only], parse_period("2026-10", TODAY)).total == 0
