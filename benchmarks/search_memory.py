"""Memory and time of building the search index and models, alone (no bot around them).

    .venv/bin/python benchmarks/search_memory.py [--isolated]

``--isolated``: as the bot builds, in child processes side by side
(``SearchEngine.build_isolated``); prints the time until the engine is ready, the bot's
memory and the largest child's peak. Otherwise the build runs in this process and this
prints the process's resident memory (VmRSS) and its peak (VmHWM, from /proc; Linux only)
after the imports, after loading the knowledge base, after ``SearchEngine.build`` and after
``return_free_memory`` (what the bot calls once its background build is done), and the build
time. Each figure is "above the imports" too, which is what the search adds to the bot.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def status_mib(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    import numpy  # noqa: F401  (the bot imports these anyway: count them as the base)
    import telegram  # noqa: F401

    from bot.kb.loader import load_knowledge_base
    from bot.search.engine import SearchEngine, return_free_memory

    base = status_mib("VmRSS")
    print(f"after the imports            RSS {base:6.1f} MiB")
    knowledge = load_knowledge_base()
    if "--isolated" in sys.argv:
        return isolated(knowledge, base)
    print(f"knowledge base loaded        RSS {status_mib('VmRSS'):6.1f} MiB")
    start = time.perf_counter()
    engine = SearchEngine.build(knowledge)
    elapsed = time.perf_counter() - start
    peak = status_mib("VmHWM")
    print(f"engine built in {elapsed:4.1f} s      RSS {status_mib('VmRSS'):6.1f} MiB, "
          f"peak {peak:6.1f} MiB (+{peak - base:.1f} above the imports)")
    return_free_memory()
    steady = status_mib("VmRSS")
    print(f"after return_free_memory()   RSS {steady:6.1f} MiB (+{steady - base:.1f} above "
          "the imports)")
    engine.search("сколько дней можно находиться в России без патента")
    return 0


def isolated(knowledge: object, base: float) -> int:
    import resource

    from bot.search.engine import SearchEngine, return_free_memory

    start = time.perf_counter()
    engine = SearchEngine.build_isolated(knowledge)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    return_free_memory()
    steady = status_mib("VmRSS")
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"engine ready in {elapsed:4.2f} s (children side by side); RSS {steady:6.1f} MiB "
          f"(+{steady - base:.1f} above the imports), peak {status_mib('VmHWM'):6.1f} MiB; "
          f"largest child's peak {child_peak:6.1f} MiB")
    engine.search("сколько дней можно находиться в России без патента")
    return 0


if __name__ == "__main__":
    sys.exit(main())
