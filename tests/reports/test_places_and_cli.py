"""The places data file and the developer's ``python -m bot reports list``."""

from __future__ import annotations

import asyncio
import base64
import io
from pathlib import Path

import pytest

from bot.config import Settings
from bot.crypto import ReportKeys
from bot.i18n import SUPPORTED_LOCALES
from bot.reports.cli import run_reports_list
from bot.reports.places import PlacesError, default_places, parse_places
from bot.reports.service import ReportService
from bot.storage import Database
from tests.reports.conftest import MASTER, complete_draft


def test_places_file_has_the_issue_places_in_three_languages() -> None:
    places = default_places()
    ids = [place.id for place in places.items]
    assert ids[:4] == ["dme", "vko", "svo", "zia"]
    assert {"led", "svx", "ovb", "kzn", "kuf", "orb_land"} <= set(ids)
    assert [p.id for p in places.items if p.typed] == ["ru_other", "other"]
    for place in places.items:
        for locale in SUPPORTED_LOCALES:
            assert place.name(locale)
    assert places.name("dme", "tg") == "Маскав – Домодедово"
    assert places.name("unknown", "en") == "unknown"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "no places"),
        ('[[place]]\nid = "Bad Id"\nname = {tg="a", ru="b", en="c"}', "Bad Id"),
        ('[[place]]\nid = "a"\nname = {tg="a", ru="b"}', "no name in en"),
        ('[[place]]\nid = "a"\nname = {tg="a", ru="b", en="c"}\n'
         '[[place]]\nid = "a"\nname = {tg="a", ru="b", en="c"}', "duplicated"),
    ],
)
def test_bad_places_files_are_explained(text: str, problem: str) -> None:
    with pytest.raises(PlacesError, match=problem):
        parse_places(text)


async def test_cli_lists_reports_decrypted(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, report_key=base64.b64encode(MASTER).decode())
    db = await Database.open(settings.database_path)
    service = ReportService(db, ReportKeys.from_master(MASTER))
    submitted = await service.submit(complete_draft(1001, description="Line one of the story.\n"
                                                    "Line two of the story."))
    await service.start_draft(1002, "en")
    await db.close()

    out = io.StringIO()
    # asyncio.run inside the CLI needs a thread without a running loop.
    code = await asyncio.to_thread(run_reports_list, None, out=out, settings=settings)
    text = out.getvalue()
    assert code == 0, text
    ref = submitted.report.ref
    assert ref in text and "Line two of the story." in text and "with contact" in text
    assert "held_border" in text and "dme" in text and "2025-02-05" in text
    assert "Reporter " in text and "1 file(s)" in text
    assert "1 report(s), 1 draft(s)" in text


def test_cli_without_key_or_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                     ) -> None:
    assert run_reports_list(None, settings=Settings(data_dir=tmp_path)) == 2
    assert "REPORT_KEY" in capsys.readouterr().err
    settings = Settings(data_dir=tmp_path, report_key=base64.b64encode(MASTER).decode())
    assert run_reports_list(None, settings=settings) == 1
    assert "No database" in capsys.readouterr().err
