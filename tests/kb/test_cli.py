from __future__ import annotations

import pytest

from bot.cli import main
from tests.kb.conftest import KbWriter, article_toml


def test_kb_check_exit_codes(write_kb: KbWriter, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    root = write_kb()
    monkeypatch.setenv("KNOWLEDGE_DIR", str(root))
    assert main(["kb", "check"]) == 0
    assert "0 error(s)" in capsys.readouterr().out

    (root / "articles" / "work.extra.toml").write_text(
        article_toml("work.extra", related='["work.gone"]'), encoding="utf-8")
    assert main(["kb", "check"]) == 1
    out = capsys.readouterr().out
    assert "articles/work.extra.toml\n  ERROR   related id 'work.gone' does not exist" in out
    assert "1 error(s)" in out
