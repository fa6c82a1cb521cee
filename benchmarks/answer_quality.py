"""Answer-quality benchmark for the question search.

    taskset -c 0 python benchmarks/answer_quality.py [--file PATH] [--failures] [--by-style]

PATH is a JSON-lines file or a folder of them (``benchmarks/unseen``: the frozen set
written by people who saw neither the knowledge base nor the dev set; never tune on it).

Reads JSON lines with ``q``, ``lang``, ``expect`` (article ids; [] = out of
scope). Prints per language and overall: top-1 and top-3 accuracy on in-scope
questions, how often the right answer was also confident, how often an
out-of-scope question was answered confidently, language detection accuracy,
and search latency (search() only, after one warm-up pass).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import paths
from bot.kb.loader import read_knowledge_base
from bot.search.engine import SearchEngine, SearchResult

LANGS = ("tg", "ru", "en")


@dataclass
class Case:
    q: str
    lang: str
    expect: list[str]
    style: str
    urgent: bool | None = None  # labelled "happening now" (None: not labelled)


def load_cases(path: Path) -> list[Case]:
    if path.is_dir():
        return [case for part in sorted(path.glob("*.jsonl")) for case in load_cases(part)]
    cases = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                cases.append(Case(row["q"], row["lang"], list(row.get("expect", [])),
                                  row.get("style", ""), row.get("urgent")))
            except (ValueError, KeyError) as exc:
                raise SystemExit(f"{path}:{n}: bad line: {exc}") from None
    return cases


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    -"


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=paths.shared_dir() / "eval" / "dev.jsonl")
    parser.add_argument("--failures", action="store_true", help="list the misses")
    parser.add_argument("--by-style", action="store_true",
                        help="also break the results down by writing style")
    parser.add_argument("--repeat", type=int, default=3,
                        help="timed passes over the questions (default 3)")
    args = parser.parse_args(argv)

    if not args.file.exists():
        print(f"question file not found: {args.file}", file=sys.stderr)
        return 2
    cases = load_cases(args.file)

    kb, issues = read_knowledge_base()
    for issue in issues:
        if issue.level == "error":
            print(f"warning: skipped {issue.where}: {issue.message}", file=sys.stderr)
    started = time.perf_counter()
    engine = SearchEngine.build(kb)
    build_ms = (time.perf_counter() - started) * 1000

    # Warm-up pass (timed apart: its word caches are cold, as for new questions).
    results: list[SearchResult] = []
    cold: list[float] = []
    for c in cases:
        t0 = time.perf_counter()
        results.append(engine.search(c.q))
        cold.append((time.perf_counter() - t0) * 1000)
    latencies: list[float] = []
    for _ in range(max(1, args.repeat)):
        for c in cases:
            t0 = time.perf_counter()
            engine.search(c.q)
            latencies.append((time.perf_counter() - t0) * 1000)

    print(f"{args.file}: {len(cases)} questions; knowledge base: {len(kb.articles)} articles; "
          f"index build {build_ms:.0f} ms")
    header = (f"{'lang':5} {'n':>4} {'in':>4} {'top-1':>7} {'top-3':>7} {'conf+right':>10} "
              f"{'conf wrong':>10} {'oos':>4} {'oos conf':>8} {'lang ok':>7}")
    print(header)
    print("-" * len(header))
    groups = [(lang, [i for i, c in enumerate(cases) if c.lang == lang]) for lang in LANGS]
    groups.append(("all", list(range(len(cases)))))
    if args.by_style:
        for style in sorted({c.style for c in cases}):
            groups.append((style[:5], [i for i, c in enumerate(cases) if c.style == style]))
    for name, idx in groups:
        inscope = [i for i in idx if cases[i].expect]
        oos = [i for i in idx if not cases[i].expect]
        top1 = [i for i in inscope if results[i].hits
                and results[i].hits[0].article_id in cases[i].expect]
        top3 = [i for i in inscope
                if any(h.article_id in cases[i].expect for h in results[i].hits[:3])]
        conf_right = [i for i in top1 if results[i].confident]
        conf_wrong = [i for i in inscope if results[i].confident and i not in set(top1)]
        oos_conf = [i for i in oos if results[i].confident]
        lang_ok = [i for i in idx if results[i].lang == cases[i].lang]
        print(f"{name:5} {len(idx):4} {len(inscope):4} {pct(len(top1), len(inscope)):>7} "
              f"{pct(len(top3), len(inscope)):>7} {pct(len(conf_right), len(inscope)):>10} "
              f"{pct(len(conf_wrong), len(inscope)):>10} {len(oos):4} "
              f"{pct(len(oos_conf), len(oos)):>8} {pct(len(lang_ok), len(idx)):>7}")
    print(f"latency per question (search only, {len(latencies)} timed calls): "
          f"p50 {percentile(latencies, 0.50):.2f} ms, p99 {percentile(latencies, 0.99):.2f} ms, "
          f"max {max(latencies):.2f} ms, mean {statistics.fmean(latencies):.2f} ms")
    print(f"first (warm-up) pass, cold word caches: p50 {percentile(cold, 0.50):.2f} ms, "
          f"p99 {percentile(cold, 0.99):.2f} ms, max {max(cold):.2f} ms")
    labelled = [(c, r) for c, r in zip(cases, results, strict=True) if c.urgent is not None]
    if labelled:
        urgent = [r.urgent for c, r in labelled if c.urgent]
        ordinary = [r.urgent for c, r in labelled if not c.urgent]
        print(f"happening now: found {sum(urgent)}/{len(urgent)} "
              f"({pct(sum(urgent), len(urgent)).strip()}), false alarms "
              f"{sum(ordinary)}/{len(ordinary)} ({pct(sum(ordinary), len(ordinary)).strip()})")
    print("conf+right: right first answer given confidently (% of in-scope); "
          "conf wrong: wrong first answer given confidently; "
          "oos conf: out-of-scope answered confidently")

    if args.failures:
        print("\nmisses (top-1 wrong, or out of scope answered confidently):")
        for c, r in zip(cases, results, strict=True):
            got = [f"{h.article_id}:{h.score:.2f}" for h in r.hits[:3]]
            top_ok = bool(r.hits) and r.hits[0].article_id in c.expect
            if (c.expect and not top_ok) or (not c.expect and r.confident):
                mark = "conf" if r.confident else "    "
                print(f"  [{c.lang}/{c.style}] {mark} {c.q}\n      expected {c.expect or '[]'}"
                      f" got {got}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
