"""A floor on answer quality over the shared dev questions (skipped without them).

The benchmark (benchmarks/answer_quality.py) reports the real numbers; this only
catches a badly broken search.
"""

from __future__ import annotations

import json

import pytest

from bot import paths
from bot.search.engine import SearchEngine


def test_dev_set_floor(real_engine: SearchEngine) -> None:
    path = paths.shared_dir() / "eval" / "dev.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} not present")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    inscope = [r for r in rows if r["expect"]]
    oos = [r for r in rows if not r["expect"]]
    top3 = sum(any(h.article_id in r["expect"] for h in real_engine.search(r["q"]).hits[:3])
               for r in inscope)
    oos_confident = sum(real_engine.search(r["q"]).confident for r in oos)
    assert top3 >= 0.9 * len(inscope)
    assert oos_confident <= 0.2 * len(oos)
