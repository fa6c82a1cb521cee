"""``python -m bot kb check``: print the knowledge base's problems, exit 1 on errors."""

from __future__ import annotations

import argparse
import sys
from itertools import groupby

from bot import paths
from bot.kb.check import check_knowledge_base
from bot.kb.loader import ARTICLES_DIR


def run_kb_check(args: argparse.Namespace | None = None) -> int:
    directory = paths.knowledge_dir()
    problems = check_knowledge_base(directory)
    for where, group in groupby(problems, key=lambda p: p.where.split(" [")[0]):
        print(where)
        for p in group:
            lang = p.where[len(where):].strip()
            prefix = f"{lang} " if lang else ""
            print(f"  {p.level.upper():7} {prefix}{p.message}")
    errors = sum(p.level == "error" for p in problems)
    warnings = len(problems) - errors
    files = len(list((directory / ARTICLES_DIR).glob("*.toml")))
    print(f"kb check: {files} article file(s) in {directory}; "
          f"{errors} error(s), {warnings} warning(s)")
    sys.stdout.flush()
    return 1 if errors else 0
