"""Exports for partners: CSV and JSON with HXL hashtags, and a plain-text summary for
a letter to an ombudsman. Used by ``python -m bot export`` and the /export command.

What leaves here never carries a report reference, a reporter hash or pseudonym,
a Telegram id, the contact choice, evidence file ids or the assignee. Descriptions
and typed texts only on request: they may identify people.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from bot.i18n import N_
from bot.moderation.stats import (
    PEOPLE_MIN,
    PERIOD,
    SUPPRESSED,
    SUPPRESSION_NOTE,
    Period,
    ReportStats,
    Section,
    compute_stats,
    incident_name,
    period_label,
    sections,
    suppress,
)
from bot.reports.places import Places, default_places

if TYPE_CHECKING:
    from bot.crypto import ReportKeys
    from bot.i18n import Catalogs
    from bot.reports.service import ReportContent
    from bot.storage import Database
    from bot.storage.reports import ReportRow

Gettext = Callable[[str], str]
Record = dict[str, Any]

FORMATS = ("csv", "json", "summary")
EXTENSIONS = {"csv": "csv", "json": "json", "summary": "txt"}


class Column(NamedTuple):
    name: str
    hxl: str
    description: str


EXPORT_COLUMNS: list[Column] = [
    Column("case", "#meta+id", "Row number in this file (1..n); not the report reference"),
    Column("incident_date", "#date+occurred",
           "Date of the incident (YYYY-MM-DD, or YYYY-MM when the reporter remembered only "
           "the month)"),
    Column("reported_on", "#date+reported", "Date the report was sent (YYYY-MM-DD, UTC)"),
    Column("status", "#status", "Moderation status"),
    Column("incident_type", "#event+type+code", "Main type of incident, code"),
    Column("incident_type_name", "#event+type+name", "Main type of incident, in English"),
    Column("incident_types", "#event+type+list",
           "Every type of incident the reporter chose, codes separated by ; (the main one "
           "first)"),
    Column("place_code", "#loc+code", "Place, code"),
    Column("place_name", "#loc+name", "Place, in English"),
    Column("affected", "#affected+type", "Who was affected: me, family or others"),
    Column("people", "#affected+num", "Number of people: a range (3-5, 11+) or a number"),
    Column("groups", "#affected+groups", "Vulnerable groups among them, codes separated by ;"),
    Column("held", "#event+duration", "How long people were held, code (empty: not asked)"),
    Column("urgent", "#meta+urgent", "People were still held when reported: yes or no"),
    Column("evidence_files", "#meta+evidence+num", "Number of evidence files attached"),
    Column("reporter_language", "#meta+lang", "Language the reporter used: tg, ru or en"),
    Column("incident_text", "#event+type+text", "Type of incident as typed by the reporter"),
    Column("place_text", "#loc+text", "Place as typed by the reporter"),
    Column("description", "#description", "The reporter's description, unedited"),
]
# Free text typed by reporters: exported only with descriptions, as it may identify people.
DESCRIPTION_COLUMNS = frozenset({"incident_text", "place_text", "description"})

# A spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_columns(with_descriptions: bool) -> list[Column]:
    return [column for column in EXPORT_COLUMNS
            if with_descriptions or column.name not in DESCRIPTION_COLUMNS]


# --- records ----------------------------------------------------------------------

def _english(msgid: str) -> str:
    # English msgids are the English text; the export does not depend on catalogues.
    return msgid


def build_records(items: Sequence[tuple[ReportRow, ReportContent]], *, with_descriptions: bool,
                  places: Places | None = None) -> list[Record]:
    """One dict per report, keys in ``export_columns`` order. Nothing that links a row
    to a person or to the bot's database is copied (see the module docstring)."""
    places = places or default_places()
    records: list[Record] = []
    for number, (row, content) in enumerate(items, 1):
        record: Record = {
            "case": number,
            "incident_date": row.incident_date,
            "reported_on": row.created_at[:10],
            "status": row.status,
            "incident_type": row.incident,
            "incident_type_name": incident_name(row.incident, _english),
            "incident_types": ";".join(row.incidents),
            "place_code": row.place,
            "place_name": places.name(row.place, "en"),
            "affected": row.affected,
            "people": row.people,
            "groups": ";".join(row.groups),
            "held": row.held or "",
            "urgent": "yes" if row.urgent else "no",
            "evidence_files": len(content.evidence),
            "reporter_language": row.locale,
        }
        if with_descriptions:
            record["incident_text"] = content.incident_text or ""
            record["place_text"] = content.place_text or ""
            record["description"] = content.description
        records.append(record)
    return records


def _safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def to_csv(records: Sequence[Record], *, with_descriptions: bool) -> bytes:
    """UTF-8 with a BOM (Excel then reads Cyrillic right): names, HXL hashtags, data."""
    columns = export_columns(with_descriptions)
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL)
    writer.writerow([column.name for column in columns])
    writer.writerow([column.hxl for column in columns])
    for record in records:
        writer.writerow([_safe_cell(record.get(column.name)) for column in columns])
    return buffer.getvalue().encode("utf-8-sig")


def to_json(records: Sequence[Record], *, period: Period, generated_at: datetime | str,
            with_descriptions: bool | None = None) -> bytes:
    """The records with their column descriptions; ``with_descriptions`` defaults to
    whether the records carry descriptions."""
    if with_descriptions is None:
        with_descriptions = bool(records) and "description" in records[0]
    stamp = generated_at.isoformat(timespec="seconds") \
        if isinstance(generated_at, datetime) else generated_at
    data = {
        "generated_at": stamp,
        "period": {"since": period.since_iso, "until": period.until_iso},
        "count": len(records),
        "columns": [column._asdict() for column in export_columns(with_descriptions)],
        "reports": list(records),
    }
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


# --- the summary for a letter -----------------------------------------------------

SUMMARY_TITLE = N_("Incident reports from labour migrants: summary")
VERIFIED_TOTAL = N_("Verified reports")
ALL_TOTAL = N_("Reports (not all of them verified)")
METHOD_SOURCE = N_("Method: migrants submitted these reports through the Hamroh Telegram bot, "
                   "and moderators of a human rights organisation checked them.")
METHOD_VERIFIED = N_("Only reports the moderators verified are counted.")
NOT_OFFICIAL = N_("The bot is not an official body.")

SUMMARY_LOCALES = ("ru", "en")
SECTION_RULE = "-" * 60


def summary_text(stats: ReportStats, period: Period, places: Places,
                 catalogs: Catalogs) -> str:
    """Plain text, Russian then English. Every count is suppressed: this leaves the NGO."""
    parts = [_summary_in(stats, period, places, catalogs.get(locale).gettext, locale)
             for locale in SUMMARY_LOCALES]
    return f"\n\n{SECTION_RULE}\n\n".join(parts) + "\n"


def _summary_in(stats: ReportStats, period: Period, places: Places, _: Gettext,
                locale: str) -> str:
    verified_only = stats.statuses == ("verified",)
    total = _(VERIFIED_TOTAL) if verified_only else _(ALL_TOTAL)
    lines = [
        _(SUMMARY_TITLE),
        "",
        _line(_(PERIOD), period_label(period, _, locale)),
        _line(total, suppress(stats.total)),
        _line(_(PEOPLE_MIN), suppress(stats.people_total_min)),
    ]
    # Statuses are left out: a letter cites verified reports (or says they are not).
    summary_sections = sections(stats, _, locale, places, with_status=False)
    for section in summary_sections:
        if section.items:
            lines += ["", section.heading + ":", *_plain_items(section, _)]
    method = [_(METHOD_SOURCE)]
    if verified_only:
        method.append(_(METHOD_VERIFIED))
    method += [_(SUPPRESSION_NOTE).format(mark=SUPPRESSED), _(NOT_OFFICIAL)]
    lines += ["", " ".join(method)]
    return "\n".join(lines)


def _line(label: str, value: str) -> str:
    return f"{label}: {value}"


def _plain_items(section: Section, _: Gettext) -> list[str]:
    shown, more = section.capped(_)
    lines = [f"  - {label}: {suppress(n)}" for label, n in shown]
    if more:
        lines = [f"  {more}", *lines] if section.chronological else [*lines, f"  {more}"]
    return lines


# --- one call for the CLI and the /export command -----------------------------------

def period_of(since: date | None, until: date | None) -> Period:
    if since is None and until is None:
        return Period(None, None, "all")
    key = f"{since.isoformat() if since else ''}..{until.isoformat() if until else ''}"
    return Period(since, until, key)


def export_filename(fmt: str, statuses: Sequence[str], today: date) -> str:
    """``hamroh-verified-2026-12-06.csv``: what and when, never whose."""
    what = "-".join(statuses) if statuses else "all"
    return f"hamroh-{what.replace('_', '-')}-{today.isoformat()}.{EXTENSIONS[fmt]}"


async def export_bytes(db: Database, keys: ReportKeys, fmt: str, *, statuses: tuple[str, ...],
                       since: date | None, until: date | None, with_descriptions: bool,
                       catalogs: Catalogs, places: Places, today: date) -> tuple[bytes, str]:
    """The export file and its name. Raises ``ValueError`` for an unknown format and
    ``DecryptionError`` when a report cannot be read with ``keys``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    from bot.reports.service import ReportService  # imports Telegram: only when exporting

    period = period_of(since, until)
    rows = await db.reports.select(statuses=statuses, since=period.since_iso,
                                   until=period.until_iso)
    filename = export_filename(fmt, statuses, today)
    if fmt == "summary":
        stats = compute_stats(rows, period, statuses)
        return summary_text(stats, period, places, catalogs).encode("utf-8"), filename
    service = ReportService(db, keys, places=places)
    items = [(row, service.content_of(row)) for row in rows]
    records = build_records(items, with_descriptions=with_descriptions, places=places)
    if fmt == "csv":
        return to_csv(records, with_descriptions=with_descriptions), filename
    data = to_json(records, period=period, generated_at=datetime.now(UTC),
                   with_descriptions=with_descriptions)
    return data, filename
