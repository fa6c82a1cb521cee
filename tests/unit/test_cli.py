from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.paths import PROJECT_ROOT


def _bot(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None
         ) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd or PROJECT_ROOT, timeout=60)


def test_help_lists_subcommands() -> None:
    result = _bot("--help")
    assert result.returncode == 0
    for command in ("run", "playground", "db", "ask", "kb", "reports"):
        assert command in result.stdout


def test_db_migrate(tmp_path: Path) -> None:
    result = _bot("db", "migrate", env={"DATA_DIR": str(tmp_path)}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "schema version" in result.stdout
    assert (tmp_path / "hamroh.sqlite3").exists()


def test_bad_configuration_names_the_variable(tmp_path: Path) -> None:
    result = _bot("run", env={"ADMIN_IDS": "twelve"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "ADMIN_IDS" in result.stderr and "Traceback" not in result.stderr


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PORT=nonsense\n", encoding="utf-8")
    result = _bot("db", "migrate", cwd=tmp_path, env={"DATA_DIR": str(tmp_path)})
    assert result.returncode == 2 and "PORT" in result.stderr


def test_the_bot_runs_on_uvloop_where_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    import uvloop

    from bot.runner import event_loop_factory

    loop = event_loop_factory()()
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()
    monkeypatch.setitem(sys.modules, "uvloop", None)  # as on Windows: not installed
    loop = event_loop_factory()()
    try:
        assert not isinstance(loop, uvloop.Loop) and isinstance(loop, asyncio.BaseEventLoop)
    finally:
        loop.close()
