"""``python -m bot export`` through ``bot.cli.main``, as an administrator runs it."""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import json
import stat
from pathlib import Path

import pytest

from bot.cli import main
from bot.crypto import ReportKeys
from bot.storage import Database
from tests.moderation.test_export import Stored, store_reports
from tests.reports.conftest import MASTER

KEY = base64.b64encode(MASTER).decode()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("REPORT_KEY", KEY)
    for name in ("BOT_TOKEN", "WEBHOOK_URL", "WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def stored(data_dir: Path) -> Stored:
    async def prepare() -> Stored:
        db = await Database.open(data_dir / "hamroh.sqlite3")
        try:
            return await store_reports(db, ReportKeys.from_master(MASTER))
        finally:
            await db.close()

    # The CLI runs its own event loop, so these tests are synchronous.
    return asyncio.run(prepare())


def test_csv_to_stdout(stored: Stored, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["export", "--format", "csv"]) == 0
    captured = capsysbinary.readouterr()
    rows = list(csv.reader(io.StringIO(captured.out.decode("utf-8-sig"))))
    assert rows[1][0] == "#meta+id" and len(rows) == 4  # two verified reports
    assert captured.err == b""
    for ref in stored.refs:
        assert ref.encode() not in captured.out


def test_json_to_a_private_file_with_descriptions(
        stored: Stored, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = data_dir / "out.json"
    code = main(["export", "--format", "json", "--status", "all", "--since", "2025-01-01",
                 "--until", "2025-12-31", "--with-descriptions", "--output", str(output)])
    assert code == 0
    err = capsys.readouterr().err
    assert "may identify" in err and str(output) in err
    document = json.loads(output.read_bytes())
    assert document["count"] == 3
    assert {r["description"] for r in document["reports"]} == set(stored.descriptions)
    assert stat.S_IMODE(output.stat().st_mode) == 0o600


def test_summary_and_status_lists(stored: Stored, data_dir: Path) -> None:
    output = data_dir / "summary.txt"
    assert main(["export", "--format", "summary", "--status", "new,verified",
                 "--output", str(output)]) == 0
    text = output.read_text("utf-8")
    assert "Reports (not all of them verified): <5" in text


def test_period_outside_the_reports_is_empty(stored: Stored, data_dir: Path) -> None:
    output = data_dir / "empty.csv"
    assert main(["export", "--since", "2026-01-01", "--output", str(output)]) == 0
    assert len(output.read_bytes().decode("utf-8-sig").splitlines()) == 2  # names, HXL


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2026-13-01"], "--since: expected a date"),
        (["--until", "yesterday"], "--until: expected a date"),
        (["--since", "2026-02-01", "--until", "2026-01-01"], "after --until"),
        (["--status", "approved"], "--status: expected"),
        (["--status", ","], "--status: expected"),
    ],
)
def test_bad_options_exit_2(stored: Stored, args: list[str], message: str,
                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", *args]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""


def test_bad_format_is_refused_by_argparse(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "--format", "xml"])
    assert exit_info.value.code == 2


def test_no_key_exits_2(data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("REPORT_KEY")
    assert main(["export"]) == 2
    assert "REPORT_KEY" in capsys.readouterr().err


def test_no_database_exits_1(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export"]) == 1
    assert "No database" in capsys.readouterr().err


def test_wrong_key_exits_1(stored: Stored, monkeypatch: pytest.MonkeyPatch,
                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("REPORT_KEY", base64.b64encode(bytes(32)).decode())
    assert main(["export"]) == 1
    assert "cannot be decrypted" in capsys.readouterr().err
