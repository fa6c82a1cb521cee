"""The playground as a new user meets it: ``python -m bot`` with no token, typing in a terminal."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from bot.paths import PROJECT_ROOT


def _run(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    env.update(DATA_DIR=str(tmp_path / "data"), PYTHONUNBUFFERED="1")
    return subprocess.run(
        [sys.executable, "-m", "bot"], input=script, capture_output=True, text=True,
        cwd=tmp_path, env=env, timeout=120,
    )


def test_playground_without_token_runs_the_bot(tmp_path: Path) -> None:
    result = _run("/start\n3\n:sticker\n:admin\n/start\n:quit\n", tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[1] 🇹🇯 Тоҷикӣ" in out and "[3] 🇬🇧 English" in out
    assert "Welcome, Dilshod!" in out  # pressed 3 = English
    assert "[1] 📚 Questions by topic" in out
    assert "I can only read text here" in out
    assert "now typing as the owner and moderator" in out
    assert (tmp_path / "data" / "hamroh.sqlite3").exists()
    assert PROJECT_ROOT.exists()
    # Owner-only, the log included (the playground made the folder before the database).
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "data").iterdir()
            if p.name in {"playground.log", "hamroh.sqlite3"}} == {
        "playground.log": 0o600, "hamroh.sqlite3": 0o600}


def test_playground_help_and_missing_button(tmp_path: Path) -> None:
    result = _run(":help\n7\n:quit\n", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Playground commands" in result.stdout
    assert "[no button 7]" in result.stdout


def test_second_run_answers_the_first_message(tmp_path: Path) -> None:
    first = _run("/start\n3\n:quit\n", tmp_path)
    assert "Welcome, Dilshod!" in first.stdout
    second = _run("/start\n:quit\n", tmp_path)  # same DATA_DIR: the bot remembers updates
    assert second.returncode == 0, second.stderr
    assert "Welcome, Dilshod!" in second.stdout


REPORT_BY_NUMBERS = (
    "/start\n3\n/report\n"
    "1\n"  # with contact
    "1\n9\n1\n"  # refused entry, Continue, Domodedovo
    "2\n1\n2\n7\n2\n"  # yesterday, me, 2 people, no groups, held < 3 h
    "They kept us at the border room for nine hours without water at all.\n"
    "1\n1\n"  # skip evidence, confirm
)


def test_the_admin_tries_the_moderator_side(tmp_path: Path) -> None:
    script = REPORT_BY_NUMBERS + (
        ":admin\n:lang en\n/language\n3\n"
        "/queue\n1\n"  # the card of the report, then Take
        ":user\n:admin\n/stats all\n/audit\n:quit\n"
    )
    result = _run(script, tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Reference number: R-" in out and "A moderator from a human rights" in out
    assert "[a message arrived for the admin: type :admin to read it]" in out
    assert "New incident report R-" in out  # shown when switching to :admin
    assert "📂 Report R-" in out and "taken by Moderator" in out
    assert "Update on your report R-" in out  # the user was told, shown on :user
    assert "Report statistics" in out and " · take · R-" in out


def test_bad_terminal_input_is_cleaned_and_logs_stay_out_of_the_chat(tmp_path: Path) -> None:
    long_text = "Ман дар сарҳад будам. " * 300  # ~6,600 characters: two Telegram messages
    cut = "Салом".encode()[:-1]  # a paste cut in the middle of a character
    script = b"/start\n3\n" + cut + b"\n" + long_text.encode() + b"\n:quit\n"
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    env.update(DATA_DIR=str(tmp_path / "data"), PYTHONUNBUFFERED="1")
    result = subprocess.run([sys.executable, "-m", "bot"], input=script, capture_output=True,
                            cwd=tmp_path, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert "Welcome, Dilshod!" in out and "you> " in out
    assert "Traceback" not in out and " INFO " not in out and " WARNING " not in out
    log = (tmp_path / "data" / "playground.log").read_text()
    assert "created a new report encryption key" in log  # the warning went to the file
    assert "Traceback" not in log
    assert out.count("── bot") >= 4  # the cut paste and both parts of the long text got answers


def test_split_for_telegram_counts_like_telegram() -> None:
    from bot.playground import clean_line, split_for_telegram
    from bot.telegram_html import utf16_len

    parts = split_for_telegram("😀" * 3000)  # two UTF-16 units each
    assert [utf16_len(part) for part in parts] == [4096, 1904]
    assert "".join(parts) == "😀" * 3000
    assert clean_line("Сало\udcd0\x07м ") == "Салом"
