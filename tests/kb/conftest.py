"""Small knowledge bases written to tmp_path, valid unless a test breaks them."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.kb.check import REQUIRED_IDS
from tests.fixture_categories import CATEGORIES

TODAY = datetime.date(2026, 11, 22)


def article_toml(
    aid: str,
    *,
    order: int = 10,
    reviewed: str = "2026-11-01",
    related: str = "[]",
    sources: str = '["Федеральный закон № 115-ФЗ"]',
    status: str = "reviewed",
    short: str = "<b>Do this</b> now.",
    extra: str = "",
    langs: tuple[str, ...] = ("tg", "ru", "en"),
) -> str:
    category = aid.split(".")[0]
    head = (f'id = "{aid}"\ncategory = "{category}"\norder = {order}\n'
            f"reviewed = {reviewed}\nrelated = {related}\nsources = {sources}\n{extra}\n")
    parts = [head]
    for lang in langs:
        parts.append(
            f'[{lang}]\nstatus = "{status}"\ntitle = "{aid} {lang}"\n'
            f'short = """\n{short}\n"""\ndetails = """\nMore about {aid}.\n"""\n'
            f'keywords = ["{aid}-{lang}-kw"]\n'
        )
    return "\n".join(parts)


KbWriter = Callable[..., Path]


@pytest.fixture
def write_kb(tmp_path: Path) -> KbWriter:
    """write_kb(ids=..., overrides={id: toml text}) -> directory."""

    def write(ids: tuple[str, ...] = REQUIRED_IDS, overrides: dict[str, str] | None = None,
              categories: str = CATEGORIES) -> Path:
        root = tmp_path / "knowledge"
        articles = root / "articles"
        articles.mkdir(parents=True, exist_ok=True)
        (root / "categories.toml").write_text(categories, encoding="utf-8")
        overrides = overrides or {}
        for aid in ids:
            text = overrides.get(aid, article_toml(aid))
            (articles / f"{aid}.toml").write_text(text, encoding="utf-8")
        for name, text in overrides.items():
            if name not in ids:
                (articles / f"{name}.toml").write_text(text, encoding="utf-8")
        return root

    return write
