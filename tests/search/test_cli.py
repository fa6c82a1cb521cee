from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot import paths
from tests.search.conftest import write_fixture_kb


def run_ask(*args: str, stdin: str | None = None, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "ask", *args],
        cwd=paths.PROJECT_ROOT, input=stdin, capture_output=True, text=True,
        encoding="utf-8", env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})},
        timeout=120, check=False,
    )


def check_line(line: str, query: str) -> dict:
    obj = json.loads(line)
    assert list(obj) == ["query", "lang", "confident", "results"]
    assert obj["query"] == query
    assert obj["lang"] in ("tg", "ru", "en")
    assert isinstance(obj["confident"], bool)
    assert len(obj["results"]) <= 5
    for item in obj["results"]:
        assert list(item) == ["id", "score"]
        assert 0 <= item["score"] <= 1 and round(item["score"], 3) == item["score"]
    return obj


def test_ask_json_arguments() -> None:
    proc = run_ask("--json", "запрет", "на", "въезд")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    assert "въезд" in lines[0]  # ensure_ascii=False
    obj = check_line(lines[0], "запрет на въезд")
    assert obj["results"][0]["id"] == "entry.ban_check"


def test_ask_json_stdin_skips_blank_lines(tmp_path: Path) -> None:
    kb = write_fixture_kb(tmp_path / "kb")
    proc = run_ask("--json", "--lang", "en", stdin="lost passport\n\n   \nwork patent\n",
                   env={"KNOWLEDGE_DIR": str(kb)})
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 2
    first = check_line(lines[0], "lost passport")
    second = check_line(lines[1], "work patent")
    assert first["lang"] == second["lang"] == "en"
    assert first["results"][0]["id"] == "stay.lost_documents"
    assert second["results"][0]["id"] == "work.patent"


def test_ask_text_output(tmp_path: Path) -> None:
    kb = write_fixture_kb(tmp_path / "kb")
    proc = run_ask("zapret", "na", "vezd", env={"KNOWLEDGE_DIR": str(kb)})
    assert proc.returncode == 0, proc.stderr
    assert "entry.ban_check" in proc.stdout
    assert "Как проверить запрет на въезд" in proc.stdout


def test_ask_broken_kb_exits_2(tmp_path: Path) -> None:
    proc = run_ask("--json", "x", env={"KNOWLEDGE_DIR": str(tmp_path / "missing")})
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "categories.toml" in proc.stderr
