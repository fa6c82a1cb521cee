"""How long the search index and models take to be ready: the first build (child
processes, as the bot does it at its first start and on ``/reload``) and a restart that
reads them from the cache; beside a bare python-telegram-bot Application being built,
as the baseline of what any bot costs at start.

    python benchmarks/startup.py [--runs 5]
    taskset -c 1 python benchmarks/startup.py   # one core: the children build one after the other

Issue 9's target: index and models ready within 5 s. Each measurement runs in the same
process one after the other; the machine's other load shows in the spread, so report
the range and the median.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot.kb.loader import load_knowledge_base
from bot.search.builder import room_for_side_by_side
from bot.search.cache import BuildCache
from bot.search.engine import SearchEngine

BARE_PTB = """
import time
started = time.perf_counter()
from telegram.ext import ApplicationBuilder
ApplicationBuilder().token("123:abc").build()
print(time.perf_counter() - started)
"""


def seconds(values: list[float]) -> str:
    return (f"{min(values):.2f}–{max(values):.2f} s (median {statistics.median(values):.2f})"
            if values else "-")


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    kb = load_knowledge_base()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    side_by_side = room_for_side_by_side()
    print(f"{len(kb.articles)} articles; {cores} core(s) for this process; "
          f"{'two children side by side' if side_by_side else 'one child'}")

    bare = [float(subprocess.run([sys.executable, "-c", BARE_PTB], check=True,
                                 capture_output=True, text=True).stdout)
            for _ in range(args.runs)]
    first = [timed(lambda: SearchEngine.build_isolated(kb)) for _ in range(args.runs)]
    with tempfile.TemporaryDirectory() as directory:
        cache = BuildCache(Path(directory), b"benchmark")
        SearchEngine.build_isolated(kb, cache=cache)  # the first start saves the parts
        restart = [timed(lambda: SearchEngine.build_isolated(kb, cache=cache))
                   for _ in range(args.runs)]

    print(f"bare python-telegram-bot Application (import and build): {seconds(bare)}")
    print(f"first build of the index and models:                    {seconds(first)}")
    print(f"restart, read from the cache:                           {seconds(restart)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
