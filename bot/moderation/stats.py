"""Report statistics for moderators and partners: periods, counts and their rendering.

Plain functions over ``ReportRow`` lists (or SQLite's counts of them); no Telegram and,
except ``load_stats``, no I/O.
Counts that leave the NGO go through ``suppress`` so that no small group of people
can be singled out.
"""

from __future__ import annotations

import calendar
import html
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from babel.core import UnknownLocaleError
from babel.dates import format_date

from bot.i18n import N_
from bot.moderation.rules import STATUS_NAMES
from bot.reports.dates import incident_day
from bot.reports.draft import GROUPS, INCIDENTS
from bot.reports.places import Places
from bot.reports.summary import OTHER_INCIDENT
from bot.storage.reports import ReportTally

if TYPE_CHECKING:
    from bot.storage import Database
    from bot.storage.reports import ReportRow

Gettext = Callable[[str], str]
Counts = tuple[tuple[str, int], ...]

DEFAULT_PERIOD = "30d"
MAX_DAYS = 3660
NO_GROUPS = "none"  # the by_groups key of reports that named none of the groups
SUPPRESSED = "<5"  # how 1–4 is shown outside the NGO
TOP = 10  # longer lists end with "… and N more"; keeps a message under Telegram's limit
MONTHS_SHOWN = 12

# --- labels (English msgids, translated where shown) ----------------------------------

TITLE = N_("Report statistics")
PERIOD = N_("Period")
ALL_TIME = N_("All time")
TOTAL = N_("Reports")
PEOPLE_MIN = N_("People affected, at least")
BY_STATUS = N_("By status")
BY_INCIDENT = N_("By type of incident (a report with several types counts for each)")
BY_PLACE = N_("By place")
BY_MONTH = N_("By month")
BY_GROUPS = N_("Among those affected")
URGENT = N_("Urgent (people still being held)")
MORE = N_("… and {count} more")
NO_REPORTS = N_("No reports in this period")
SUPPRESSION_NOTE = N_("Counts from 1 to 4 are shown as “{mark}” so that no person can be "
                      "singled out.")
NO_GROUPS_LABEL = N_("none of these")


# --- periods ------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """Incident dates from ``since`` to ``until``, both included; ``None`` is open.
    ``key`` is the canonical text ``parse_period`` reads back (buttons, file names)."""

    since: date | None
    until: date | None
    key: str

    @property
    def since_iso(self) -> str | None:
        return self.since.isoformat() if self.since else None

    @property
    def until_iso(self) -> str | None:
        return self.until.isoformat() if self.until else None

    def contains(self, day: date) -> bool:
        return (self.since is None or day >= self.since) and \
            (self.until is None or day <= self.until)


_DAYS = re.compile(r"^(\d{1,4})d$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


def parse_period(text: str | None, today: date) -> Period | None:
    """Read a period as moderators type it; ``None`` when it makes no sense."""
    value = (text or "").strip().lower() or DEFAULT_PERIOD
    if value == "all":
        return Period(None, None, "all")
    if value == "month":
        return _month(today.year, today.month, key="month")
    if days := _DAYS.match(value):
        return _last_days(int(days.group(1)), today)
    if month := _MONTH.match(value):
        return _month(int(month.group(1)), int(month.group(2)))
    if year := _YEAR.match(value):
        return _year(int(year.group(1)))
    if ".." in value:
        return _range(value)
    return None


def _last_days(days: int, today: date) -> Period | None:
    # "30d" is 30 days counting today, so "7d" is exactly one week.
    if not 1 <= days <= MAX_DAYS:
        return None
    return Period(today - timedelta(days=days - 1), today, f"{days}d")


def _month(year: int, month: int, key: str | None = None) -> Period | None:
    if year < 1 or not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    return Period(date(year, month, 1), date(year, month, last), key or f"{year:04d}-{month:02d}")


def _year(year: int) -> Period | None:
    if year < 1:
        return None
    return Period(date(year, 1, 1), date(year, 12, 31), f"{year:04d}")


def _range(value: str) -> Period | None:
    start, _sep, end = value.partition("..")
    try:
        since, until = date.fromisoformat(start.strip()), date.fromisoformat(end.strip())
    except ValueError:
        return None
    if since > until:
        return None
    return Period(since, until, f"{since.isoformat()}..{until.isoformat()}")


# --- counting -----------------------------------------------------------------------

@dataclass(frozen=True)
class ReportStats:
    """Counts as (code, count) pairs: most frequent first, ties by code; months in
    calendar order. ``statuses`` says which statuses were counted (empty: all)."""

    period: Period
    total: int
    by_status: Counts
    by_incident: Counts
    by_place: Counts
    by_month: Counts
    by_groups: Counts
    people_total_min: int
    urgent: int
    first_date: date | None
    last_date: date | None
    statuses: tuple[str, ...] = ()


def _ranked(counter: Counter[str]) -> Counts:
    return tuple(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def people_lower_bound(people: str) -> int:
    """"3-5" counts as 3, "11+" as 11, a typed "14" as 14: totals are never overstated."""
    digits = re.match(r"\s*(\d+)", people or "")
    return int(digits.group(1)) if digits else 0


def _incident_day(row: ReportRow) -> date | None:
    """A month-only date ("2025-12") counts on the month's first day."""
    try:
        return incident_day(row.incident_date)
    except (TypeError, ValueError):
        return None


def compute_stats(rows: Sequence[ReportRow], period: Period,
                  statuses: tuple[str, ...] = ()) -> ReportStats:
    """Count ``rows`` whose incident date lies in ``period`` (and status in ``statuses``,
    when given): the caller usually selected exactly these already. The rows are tallied
    as SQLite tallies them for ``load_stats``, so both count by the same rules."""
    days: list[date] = []
    kept: list[ReportRow] = []
    for row in rows:
        day = _incident_day(row)
        if day is None or not period.contains(day) or (statuses and row.status not in statuses):
            continue
        days.append(day)
        kept.append(row)

    def tallied(values: Iterable[str]) -> Counts:
        return tuple(sorted(Counter(values).items()))

    tally = ReportTally(
        total=len(kept),
        first_day=min(days).isoformat() if days else None,
        last_day=max(days).isoformat() if days else None,
        counts={
            "status": tallied(row.status for row in kept),
            "incidents": tallied(",".join(row.incidents or (row.incident,)) for row in kept),
            "place": tallied(row.place for row in kept),
            "month": tallied(day.strftime("%Y-%m") for day in days),
            "groups": tallied(",".join(row.groups) for row in kept),
            "people": tallied(row.people for row in kept),
            "urgent": tallied("1" if row.urgent else "0" for row in kept),
        },
    )
    return stats_from_tally(tally, period, statuses)


async def load_stats(db: Database, period: Period,
                     statuses: tuple[str, ...] = ()) -> ReportStats:
    tally = await db.reports.tally(statuses=statuses, since=period.since_iso,
                                   until=period.until_iso)
    return stats_from_tally(tally, period, statuses)


def stats_from_tally(tally: ReportTally, period: Period,
                     statuses: tuple[str, ...] = ()) -> ReportStats:
    """The statistics from per-column counts (SQLite's, or ``compute_stats``'s of rows):
    a report with several incident types or groups counts once for each."""
    def counted(name: str) -> tuple[tuple[str, int], ...]:
        return tally.counts.get(name, ())

    def codes(value: str) -> list[str]:
        return [code for code in value.split(",") if code]

    incidents: Counter[str] = Counter()
    for value, n in counted("incidents"):
        for code in dict.fromkeys(codes(value)):
            incidents[code] += n
    groups: Counter[str] = Counter()
    for value, n in counted("groups"):
        for code in set(codes(value)) or {NO_GROUPS}:
            groups[code] += n
    return ReportStats(
        period=period,
        total=tally.total,
        by_status=_ranked(Counter(dict(counted("status")))),
        by_incident=_ranked(incidents),
        by_place=_ranked(Counter(dict(counted("place")))),
        by_month=tuple(sorted(counted("month"))),
        by_groups=_ranked(groups),
        people_total_min=sum(people_lower_bound(value) * n for value, n in counted("people")),
        urgent=sum(n for value, n in counted("urgent") if value not in ("0", "")),
        first_date=date.fromisoformat(tally.first_day) if tally.first_day else None,
        last_date=date.fromisoformat(tally.last_day) if tally.last_day else None,
        statuses=tuple(statuses),
    )


def suppress(count: int) -> str:
    """Small-cell suppression for anything that leaves the NGO: 1–4 become "<5"."""
    if count <= 0:
        return "0"
    return SUPPRESSED if count < 5 else str(count)


# --- labels shared by the message, the chart and the summary --------------------------

def _format(day: date, pattern: str, locale: str) -> str:
    try:
        return format_date(day, pattern, locale=locale)
    except (UnknownLocaleError, ValueError):
        return day.isoformat()


def period_label(period: Period, _: Gettext, locale: str) -> str:
    """Plain text (not escaped): "1 November 2026 – 30 November 2026" or "All time"."""
    if period.since is None and period.until is None:
        return _(ALL_TIME)
    start = _format(period.since, "long", locale) if period.since else "…"
    end = _format(period.until, "long", locale) if period.until else "…"
    return f"{start} – {end}"


def month_label(month: str, locale: str) -> str:
    """"2026-11" as "November 2026" in ``locale``."""
    try:
        year, number = (int(part) for part in month.split("-"))
        return _format(date(year, number, 1), "LLLL y", locale)
    except ValueError:
        return month


def incident_name(code: str, _: Gettext) -> str:
    if code == "other":
        return _(OTHER_INCIDENT)
    return _(INCIDENTS[code]) if code in INCIDENTS else code


def status_name(code: str, _: Gettext) -> str:
    return _(STATUS_NAMES[code]) if code in STATUS_NAMES else code


def group_name(code: str, _: Gettext) -> str:
    if code == NO_GROUPS:
        return _(NO_GROUPS_LABEL)
    return _(GROUPS[code]) if code in GROUPS else code


@dataclass(frozen=True)
class Section:
    heading: str
    items: list[tuple[str, int]]  # (label, count), plain text
    chronological: bool = False  # months: the latest are kept when the list is cut

    def capped(self, _: Gettext) -> tuple[list[tuple[str, int]], str | None]:
        """At most ``TOP`` items (the latest ``MONTHS_SHOWN`` months) and the
        "… and N more" line for the rest, or ``None``."""
        shown = self.items[-MONTHS_SHOWN:] if self.chronological else self.items[:TOP]
        hidden = len(self.items) - len(shown)
        return shown, (_(MORE).format(count=hidden) if hidden else None)


def sections(stats: ReportStats, _: Gettext, locale: str, places: Places, *,
             with_status: bool = True) -> list[Section]:
    """What the renderings show, labelled in ``locale``."""
    by_status = [Section(_(BY_STATUS), [(status_name(code, _), n) for code, n in stats.by_status])]
    return [
        *(by_status if with_status else []),
        Section(_(BY_INCIDENT), [(incident_name(code, _), n) for code, n in stats.by_incident]),
        Section(_(BY_PLACE), [(places.name(code, locale), n) for code, n in stats.by_place]),
        Section(_(BY_MONTH), [(month_label(code, locale), n) for code, n in stats.by_month],
                chronological=True),
        Section(_(BY_GROUPS), [(group_name(code, _), n) for code, n in stats.by_groups]),
    ]


# --- Telegram message -----------------------------------------------------------------

def render_stats_html(stats: ReportStats, _: Gettext, locale: str, places: Places, *,
                      exact: bool) -> str:
    """Telegram HTML for /stats. ``exact=False`` suppresses small counts, for a text
    that may be forwarded outside the moderators' chat."""
    count: Callable[[int], str] = (lambda n: str(n)) if exact else suppress
    esc = html.escape
    lines = [
        f"<b>{esc(_(TITLE))}</b>",
        f"{esc(_(PERIOD))}: {esc(period_label(stats.period, _, locale))}",
        "",
        f"<b>{esc(_(TOTAL))}: {esc(count(stats.total))}</b>",
    ]
    if stats.total == 0:
        return "\n".join([*lines, "", f"<i>{esc(_(NO_REPORTS))}</i>"])
    lines.append(f"{esc(_(PEOPLE_MIN))}: {esc(count(stats.people_total_min))}")
    lines.append(f"{esc(_(URGENT))}: {esc(count(stats.urgent))}")
    for section in sections(stats, _, locale, places):
        lines += ["", f"<b>{esc(section.heading)}</b>", *_html_items(section, _, count)]
    if not exact:
        note = _(SUPPRESSION_NOTE).format(mark=SUPPRESSED)
        lines += ["", f"<i>{esc(note)}</i>"]
    return "\n".join(lines)


def _html_items(section: Section, _: Gettext, count: Callable[[int], str]) -> list[str]:
    shown, more = section.capped(_)
    lines = [f"• {html.escape(label)}: {html.escape(count(n))}" for label, n in shown]
    if more:  # months drop the earliest, so the note goes where they were
        note = f"<i>{html.escape(more)}</i>"
        lines = [note, *lines] if section.chronological else [*lines, note]
    return lines
