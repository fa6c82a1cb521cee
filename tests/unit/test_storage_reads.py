"""Reads on the shared connection run in one call to the database thread.

A read left open between awaits (``async with conn.execute(...) as cursor`` then
``await cursor.fetchone()``) keeps the shared connection on the snapshot it started with
while other updates' statements run on it; they then miss what ``Database.transaction()``
committed meanwhile. Under load a report's receipt failed that way. The repositories use
``Repository._all``/``_one`` (``execute_fetchall``); this test keeps it so.
"""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"
# A synchronous connection to a backup copy, used by nothing else meanwhile.
EXEMPT = {BOT / "storage" / "backup.py"}


def split_reads(path: Path) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        # Awaited: a fetch of its own after the execute. (A plain ``fetchone()`` runs
        # inside a function given to ``Database.run``: in the database thread, at once.)
        if isinstance(node, ast.Await) and isinstance(node.value, ast.Call) \
                and isinstance(node.value.func, ast.Attribute) \
                and node.value.func.attr in ("fetchone", "fetchall", "fetchmany"):
            found.append(f"{path.name}:{node.lineno} .{node.value.func.attr}")
        if isinstance(node, ast.AsyncWith):
            for item in node.items:
                call = item.context_expr
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) \
                        and call.func.attr == "execute":
                    found.append(f"{path.name}:{node.lineno} async with ….execute(…)")
    return found


def test_no_read_is_split_across_awaits() -> None:
    sources = [p for p in BOT.rglob("*.py") if p not in EXEMPT]
    assert len(sources) > 50
    offenders = [hit for path in sources for hit in split_reads(path)]
    assert offenders == []


def test_the_check_finds_a_split_read(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("async def f(conn):\n"
                      "    async with conn.execute('SELECT 1') as cursor:\n"
                      "        return await cursor.fetchone()\n", encoding="utf-8")
    assert len(split_reads(sample)) == 2


def test_a_read_inside_the_database_thread_is_whole(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("async def f(db):\n"
                      "    return await db.run(lambda c: c.execute('SELECT 1').fetchone())\n",
                      encoding="utf-8")
    assert split_reads(sample) == []
