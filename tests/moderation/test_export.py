"""Exports for partners: nothing that identifies a reporter or a report leaves, texts
only on request, spreadsheets cannot be tricked into running formulas."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from bot.crypto import ReportKeys, pseudonym_label
from bot.i18n import Catalogs
from bot.moderation.export import (
    EXPORT_COLUMNS,
    SUMMARY_TITLE,
    build_records,
    export_bytes,
    export_filename,
    summary_text,
    to_csv,
    to_json,
)
from bot.moderation.stats import Period, compute_stats
from bot.reports.draft import Evidence
from bot.reports.places import default_places
from bot.reports.service import ReportContent, ReportService
from bot.storage import Database
from bot.storage.reports import ReportRow
from tests.reports.conftest import MASTER, complete_draft

TODAY = date(2026, 12, 6)
FORMULA_DESCRIPTION = "=HYPERLINK(\"http://x\") they kept us at the border for hours"


@dataclass
class Stored:
    """What was put in the database, to look for in the exports."""

    refs: list[str]
    user_ids: list[int]
    reporter_hashes: list[str]
    file_ids: list[str]
    descriptions: list[str]


@pytest.fixture
def keys() -> ReportKeys:
    return ReportKeys.from_master(MASTER)


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs.load()


async def store_reports(db: Database, keys: ReportKeys) -> Stored:
    """Two verified reports and one new one."""
    service = ReportService(db, keys)
    stored = Stored([], [], [], [], [])
    specs = [
        (734512987, "verified", FORMULA_DESCRIPTION, "other", "-typed incident", "other",
         "@Somewhere far"),
        (734512988, "verified", "Кричали на нас и забрали паспорта у всей семьи.", "documents",
         None, "dme", None),
        (734512989, "new", "Not yet checked by anybody, a long enough story.", "refused",
         None, "vko", None),
    ]
    for user_id, status, description, incident, incident_text, place, place_text in specs:
        draft = complete_draft(user_id, description=description)
        draft.incident, draft.incident_text = incident, incident_text
        draft.incidents = [incident]
        draft.place, draft.place_typed, draft.place_text = place, place_text is not None, \
            place_text
        file_id = f"AgACAgIAAxkBAAIB-file-of-{user_id}"
        draft.evidence = [Evidence("photo", file_id, 1000), Evidence("document", file_id + "d")]
        report = (await service.submit(draft)).report
        await db.reports.set_status(report.ref, status)
        stored.refs.append(report.ref)
        stored.user_ids.append(user_id)
        stored.reporter_hashes.append(keys.reporter_hash(user_id))
        stored.file_ids += [file_id, file_id + "d"]
        stored.descriptions.append(description)
    return stored


@pytest.fixture
async def stored(db: Database, keys: ReportKeys) -> Stored:
    return await store_reports(db, keys)


async def export(db: Database, keys: ReportKeys, catalogs: Catalogs, fmt: str, *,
                 statuses: tuple[str, ...] = ("verified",), with_descriptions: bool = False,
                 since: date | None = None, until: date | None = None) -> tuple[bytes, str]:
    return await export_bytes(db, keys, fmt, statuses=statuses, since=since, until=until,
                              with_descriptions=with_descriptions, catalogs=catalogs,
                              places=default_places(), today=TODAY)


def assert_nothing_identifying(data: bytes, stored: Stored) -> None:
    text = data.decode("utf-8-sig")
    secrets = [*stored.refs, *stored.reporter_hashes, *stored.file_ids,
               *(pseudonym_label(h) for h in stored.reporter_hashes),
               *(str(user_id) for user_id in stored.user_ids)]
    leaked = [secret for secret in secrets if secret in text]
    assert not leaked, leaked
    for word in ("ref", "reporter", "pseudonym", "contact", "assignee", "file_id"):
        assert f'"{word}"' not in text and f"{word}," not in text


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Cyrillic
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.parametrize("with_descriptions", [False, True])
@pytest.mark.parametrize("fmt", ["csv", "json", "summary"])
async def test_exports_identify_nobody(db: Database, keys: ReportKeys, catalogs: Catalogs,
                                       stored: Stored, fmt: str,
                                       with_descriptions: bool) -> None:
    data, _name = await export(db, keys, catalogs, fmt, statuses=(),
                               with_descriptions=with_descriptions)
    assert_nothing_identifying(data, stored)


async def test_csv_rows_hxl_and_descriptions_on_request(
        db: Database, keys: ReportKeys, catalogs: Catalogs, stored: Stored) -> None:
    data, name = await export(db, keys, catalogs, "csv")
    assert name == "hamroh-verified-2026-12-06.csv"
    rows = read_csv(data)
    header, hxl, *records = rows
    assert header[:3] == ["case", "incident_date", "reported_on"]
    assert hxl == [c.hxl for c in EXPORT_COLUMNS if c.name in header]
    assert all(tag.startswith("#") for tag in hxl)
    assert "description" not in header and "place_text" not in header
    assert len(records) == 2  # the new report is not verified
    by_name = [dict(zip(header, record, strict=True)) for record in records]
    assert [r["case"] for r in by_name] == ["1", "2"]
    assert {r["incident_type"] for r in by_name} == {"other", "documents"}
    other = next(r for r in by_name if r["incident_type"] == "other")
    assert other["incident_type_name"] == "Other incident"
    assert other["place_name"] == default_places().name("other", "en")
    assert other["people"] == "3-5" and other["groups"] == "child;woman"
    assert other["evidence_files"] == "2" and other["urgent"] == "no"
    assert other["reporter_language"] == "en" and other["held"] == "lt3h"
    text = data.decode("utf-8-sig")
    for description in stored.descriptions:
        assert description[5:30] not in text
    assert "typed incident" not in text and "Somewhere" not in text


async def test_csv_with_descriptions_guards_formulas(
        db: Database, keys: ReportKeys, catalogs: Catalogs, stored: Stored) -> None:
    data, _name = await export(db, keys, catalogs, "csv", with_descriptions=True)
    header, hxl, *records = read_csv(data)
    assert header[-3:] == ["incident_text", "place_text", "description"]
    assert hxl[-3:] == ["#event+type+text", "#loc+text", "#description"]
    cells = {cell for record in records for cell in record}
    assert "'" + FORMULA_DESCRIPTION in cells
    assert "'-typed incident" in cells and "'@Somewhere far" in cells
    assert stored.descriptions[1] in cells  # Cyrillic survives the round trip
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_guarded(start: str) -> None:
    row = ReportRow(
        ref="R-AAAAAA", draft_id="d", reporter=None, created_at="2026-01-02T03:04:05+00:00",
        updated_at="", status="verified", locale="tg", incident="other", place="other",
        incident_date="2026-01-01", affected="me", people="1", groups=(), held=None,
        urgent=False, content=b"",
    )
    content = ReportContent(reporter_id=None, contact=None, description=start + "cmd|' /C calc",
                            incident_text=start + "1+1", place_text="ok")
    records = build_records([(row, content)], with_descriptions=True)
    _header, _hxl, record = read_csv(to_csv(records, with_descriptions=True))
    assert record[-1] == "'" + start + "cmd|' /C calc"
    assert record[-3] == "'" + start + "1+1"
    assert record[-2] == "ok" and record[1] == "2026-01-01" and record[2] == "2026-01-02"


async def test_json_shape(db: Database, keys: ReportKeys, catalogs: Catalogs,
                          stored: Stored) -> None:
    data, name = await export(db, keys, catalogs, "json", since=date(2025, 1, 1),
                              until=date(2025, 12, 31), with_descriptions=True)
    assert name.endswith(".json")
    document = json.loads(data)
    assert document["period"] == {"since": "2025-01-01", "until": "2025-12-31"}
    assert document["count"] == len(document["reports"]) == 2
    names = [column["name"] for column in document["columns"]]
    assert names == list(document["reports"][0])
    assert {"name", "hxl", "description"} == set(document["columns"][0])
    assert document["reports"][1]["description"] == stored.descriptions[1]
    assert "Кричали" in data.decode("utf-8")  # ensure_ascii=False
    datetime.fromisoformat(document["generated_at"])


async def test_json_without_descriptions(db: Database, keys: ReportKeys, catalogs: Catalogs,
                                         stored: Stored) -> None:
    data, _name = await export(db, keys, catalogs, "json")
    document = json.loads(data)
    assert "description" not in document["reports"][0]
    assert "description" not in [column["name"] for column in document["columns"]]
    assert document["period"] == {"since": None, "until": None}
    for description in stored.descriptions:
        assert description not in data.decode("utf-8")


def test_to_json_of_nothing() -> None:
    document = json.loads(to_json([], period=Period(None, None, "all"),
                                  generated_at=datetime(2026, 12, 6, tzinfo=UTC)))
    assert document["count"] == 0 and document["reports"] == []
    assert document["generated_at"] == "2026-12-06T00:00:00+00:00"


def test_filenames() -> None:
    assert export_filename("summary", ("verified",), TODAY) == "hamroh-verified-2026-12-06.txt"
    assert export_filename("csv", (), TODAY) == "hamroh-all-2026-12-06.csv"
    assert export_filename("json", ("in_review", "new"), TODAY) == \
        "hamroh-in-review-new-2026-12-06.json"


async def test_unknown_format(db: Database, keys: ReportKeys, catalogs: Catalogs) -> None:
    with pytest.raises(ValueError, match="xml"):
        await export(db, keys, catalogs, "xml")


async def test_summary_suppresses_and_has_both_languages(
        db: Database, keys: ReportKeys, catalogs: Catalogs, stored: Stored) -> None:
    data, name = await export(db, keys, catalogs, "summary")
    assert name == "hamroh-verified-2026-12-06.txt"
    text = data.decode("utf-8")
    russian, english = text.split("-" * 60)
    ru = catalogs.get("ru").gettext
    assert ru(SUMMARY_TITLE) in russian and SUMMARY_TITLE in english
    assert ru("Documents taken or damaged") in russian  # a Russian label
    assert "Отказ" not in russian  # the new report is not counted
    assert "Documents taken or damaged: <5" in english
    assert "Verified reports: <5" in english and "People affected, at least: 6" in english
    assert "Only reports the moderators verified are counted." in english
    assert "“<5”" in english and "not an official body" in english
    assert "<b>" not in text and "&lt;" not in text
    assert default_places().name("dme", "ru") in russian
    assert default_places().name("dme", "en") in english


def test_summary_shows_large_counts_and_unverified_wording(catalogs: Catalogs) -> None:
    from tests.moderation.test_stats import row

    rows = [row(f"R-{n}", status="new" if n % 2 else "verified") for n in range(12)]
    stats = compute_stats(rows, Period(date(2026, 11, 1), date(2026, 11, 30), "2026-11"))
    text = summary_text(stats, stats.period, default_places(), catalogs)
    english = text.split("-" * 60)[1]
    assert "Reports (not all of them verified): 12" in english
    assert "Only reports the moderators verified" not in english
    assert "Refused entry: 12" in english


async def test_several_types_and_a_month_only_date_in_the_export(
        db: Database, keys: ReportKeys, catalogs: Catalogs) -> None:
    draft = complete_draft(734512990, description="They held us and took the passports too.")
    draft.incident, draft.incidents = "held_border", ["held_border", "documents"]
    draft.date = "2025-12"
    report = (await ReportService(db, keys).submit(draft)).report
    await db.reports.set_status(report.ref, "verified")
    # The month counts as its first day: inside December, outside November.
    data, _name = await export(db, keys, catalogs, "json", since=date(2025, 12, 1),
                               until=date(2025, 12, 31))
    (record,) = json.loads(data)["reports"]
    assert record["incident_date"] == "2025-12"
    assert record["incident_type"] == "held_border"
    assert record["incident_types"] == "held_border;documents"
    data, _name = await export(db, keys, catalogs, "json", since=date(2025, 11, 1),
                               until=date(2025, 11, 30))
    assert json.loads(data)["reports"] == []
