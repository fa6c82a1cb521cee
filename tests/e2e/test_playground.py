"""The playground as a new user meets it: ``python -m bot`` with no token, typing in a terminal."""

from __future__ import annotations

import os
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


def test_playground_help_and_missing_button(tmp_path: Path) -> None:
    result = _run(":help\n7\n:quit\n", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Playground commands" in result.stdout
    assert "[no button 7]" in result.stdout
