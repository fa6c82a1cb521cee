"""The repository's own knowledge base loads and has every required article."""

from __future__ import annotations

from bot.kb import load_knowledge_base
from bot.kb.check import REQUIRED_IDS, check_knowledge_base


def test_real_kb_loads_with_required_ids() -> None:
    kb = load_knowledge_base()
    missing = [rid for rid in REQUIRED_IDS if rid not in kb.articles]
    assert missing == []


def test_real_kb_passes_check() -> None:
    problems = [p for p in check_knowledge_base() if p.level == "error"]
    assert problems == [], "\n".join(f"{p.where}: {p.message}" for p in problems)
