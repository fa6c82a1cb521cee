"""Command line: ``python -m bot [run|playground|db|backup|ask|kb|reports|export]``.

Sub-commands import their modules lazily so ``--help`` and small tools start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description=(
            "Hamroh Telegram bot. With no sub-command it runs the bot, "
            "or the local playground when BOT_TOKEN is not set."
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("run", help="run the bot (the playground when BOT_TOKEN is not set)")
    sub.add_parser("playground", help="chat with the bot in this terminal, no Telegram needed")

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)
    db_sub.add_parser("migrate", help="apply pending schema migrations")

    backup = sub.add_parser("backup", help="a consistent copy of the database, safe while "
                                           "the bot runs")
    backup.add_argument("path", nargs="?", help="file to write (default: "
                                                "DATA_DIR/backups/hamroh-DATE-TIME.sqlite3)")

    ask = sub.add_parser("ask", help="answer questions from the knowledge base")
    ask.add_argument("--lang", choices=["auto", "tg", "ru", "en"], default="auto")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.add_argument("question", nargs="*", help="the question; read from stdin when absent")

    kb = sub.add_parser("kb", help="knowledge base tools")
    kb_sub = kb.add_subparsers(dest="kb_command", metavar="KB_COMMAND", required=True)
    check = kb_sub.add_parser("check", help="validate the knowledge base; non-zero exit on "
                                            "errors")
    check.add_argument("--strict", action="store_true",
                       help="an article whose check_by date has passed is an error")
    export_po = kb_sub.add_parser("export-po", help="write the articles of one language as a "
                                                    "gettext catalogue for reviewers")
    export_po.add_argument("--lang", required=True, choices=("tg", "ru", "en"))
    export_po.add_argument("--output", "-o", help="file to write (default: hamroh-kb-LANG.po)")
    import_po = kb_sub.add_parser("import-po", help="write reviewed translations from a "
                                                    "catalogue back into the articles")
    import_po.add_argument("file", help="the .po file a reviewer saved")
    import_po.add_argument("--lang", choices=("tg", "ru", "en"),
                           help="the catalogue's language (default: from its header)")

    reports = sub.add_parser("reports", help="incident report tools (developers only)")
    rep_sub = reports.add_subparsers(dest="reports_command", metavar="REPORTS_COMMAND",
                                     required=True)
    rep_sub.add_parser("list", help="list stored reports, decrypted, on this machine")

    export = sub.add_parser("export", help="export reports for partners (CSV, JSON, summary)")
    export.add_argument("--format", choices=["csv", "json", "summary"], default="csv",
                        help="csv and json have HXL hashtags; summary is plain text in "
                             "Russian and English (default: csv)")
    export.add_argument("--status", default="verified",
                        help="report status, several separated by commas, or 'all' "
                             "(default: verified)")
    export.add_argument("--since", metavar="YYYY-MM-DD", help="first incident date included")
    export.add_argument("--until", metavar="YYYY-MM-DD", help="last incident date included")
    export.add_argument("--with-descriptions", action="store_true",
                        help="add the reporters' own texts (they may identify people)")
    export.add_argument("--output", metavar="PATH", help="write here instead of stdout")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "run"
    if command == "run":
        from bot.runner import run

        return run()
    if command == "playground":
        from bot.playground import run_playground

        return run_playground()
    if command == "db":
        from bot.runner import migrate

        return migrate()
    if command == "backup":
        from bot.runner import backup

        return backup(args.path)
    if command == "ask":
        from bot.search.cli import run_ask

        return run_ask(args)
    if command == "kb":
        from bot.kb.cli import run_kb_check, run_po

        return run_kb_check(args) if args.kb_command == "check" else run_po(args)
    if command == "reports":
        from bot.reports.cli import run_reports_list

        return run_reports_list(args)
    if command == "export":
        from bot.moderation.export_cli import run_export

        return run_export(args)
    raise AssertionError(command)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
