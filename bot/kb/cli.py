"""``python -m bot kb check``: print the knowledge base's problems, exit 1 on errors;
``kb export-po`` / ``kb import-po``: the translators' round trip."""

from __future__ import annotations

import argparse
import sys
from itertools import groupby
from pathlib import Path

from bot import paths
from bot.kb.check import check_knowledge_base
from bot.kb.loader import ARTICLES_DIR


def run_kb_check(args: argparse.Namespace | None = None) -> int:
    directory = paths.knowledge_dir()
    problems = check_knowledge_base(directory, strict=bool(getattr(args, "strict", False)))
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


def run_po(args: argparse.Namespace) -> int:
    from babel.messages.pofile import read_po, write_po

    from bot.kb.translation import export_catalog, import_catalog

    directory = paths.knowledge_dir()
    if args.kb_command == "export-po":
        catalog = export_catalog(directory, args.lang)
        output = Path(args.output or f"hamroh-kb-{args.lang}.po")
        with output.open("wb") as fh:
            write_po(fh, catalog, width=0)
        print(f"wrote {len(catalog)} entries to {output}; open it in Poedit or Weblate, "
              "fix each translation and clear its “fuzzy” (needs review) mark")
        return 0
    with open(args.file, "rb") as fh:
        catalog = read_po(fh)
    result = import_catalog(directory, catalog, args.lang)
    for line in result.skipped:
        print(f"  skipped {line}")
    print(f"import-po: {result.written} field(s) written; reviewed now: "
          f"{', '.join(result.reviewed) or 'none'}")
    print("run `python -m bot kb check` before committing")
    return 0
