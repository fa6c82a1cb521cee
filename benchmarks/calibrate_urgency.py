"""Choose how the "happening now" detector combines its parts, on writers it never saw.

``knowledge/urgent_examples.jsonl`` was written in groups, each by writers who saw no
other group (``group`` on every line). Each group is held out in turn: the models are
trained on the others and score it, so every number below is for messages by new
writers. The grid then picks the blend and thresholds that find the most urgent
messages with at most 2 % false alarms over all groups, and prints what to set in
``bot/search/urgency.py``. The frozen unseen set is not read here.

    .venv/bin/python benchmarks/calibrate_urgency.py
"""

from __future__ import annotations

import itertools
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.paths import knowledge_dir
from bot.search import urgency
from bot.search.urgency import EXAMPLES_FILE, UrgencyModel, read_examples

MAX_FALSE_ALARMS = 0.02


def main() -> None:
    rows = read_examples(knowledge_dir() / EXAMPLES_FILE)
    groups: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for row in rows:
        groups[str(row.get("group", "?"))].append((str(row["q"]), bool(row["urgent"])))
    # (group, urgent?, naive Bayes, logistic, rules) for every message, held out.
    scored: list[tuple[str, bool, float, float, bool]] = []
    for name, held_out in groups.items():
        rest = [sample for other, samples in groups.items() if other != name
                for sample in samples]
        bayes_only = UrgencyModel.train(rest, blend=0.0)
        linear_only = UrgencyModel.train(rest, blend=1.0)
        for text, label in held_out:
            scored.append((name, label, bayes_only.probability(text),
                           linear_only.probability(text), urgency.rules_say_urgent(text)))
    print(f"{len(rows)} messages in {len(groups)} groups: "
          + ", ".join(f"{g} {len(s)}" for g, s in groups.items()))

    def rates(blend: float, threshold: float, assist: float,
              only: str | None = None) -> tuple[float, float]:
        found = alarms = urgent = ordinary = 0
        for group, label, bayes, linear, rules in scored:
            if only is not None and group != only:
                continue
            score = blend * linear + (1 - blend) * bayes
            said = score >= threshold or (rules and score >= assist)
            if label:
                urgent += 1
                found += said
            else:
                ordinary += 1
                alarms += said
        return found / max(urgent, 1), alarms / max(ordinary, 1)

    rules_found, rules_alarms = (
        sum(r for _, y, _, _, r in scored if y) / sum(1 for s in scored if s[1]),
        sum(r for _, y, _, _, r in scored if not y) / sum(1 for s in scored if not s[1]))
    print(f"rules alone: found {rules_found:.1%}, false alarms {rules_alarms:.1%}")
    best: tuple[float, float, float, float, float] | None = None
    for blend, threshold, assist in itertools.product(
            (0.0, 0.3, 0.5, 0.7, 1.0), [t / 40 for t in range(16, 37)],
            (0.3, 0.4, 0.5, 1.0)):
        if assist > threshold and assist != 1.0:
            continue
        found, alarms = rates(blend, threshold, assist)
        if alarms <= MAX_FALSE_ALARMS and (best is None or found > best[0]):
            best = (found, alarms, blend, threshold, assist)
    for blend in (0.0, 1.0):
        options = [(rates(blend, t / 40, a), t / 40, a) for t in range(16, 37)
                   for a in (0.3, 0.4, 0.5, 1.0) if a <= t / 40 or a == 1.0]
        fine = [o for o in options if o[0][1] <= MAX_FALSE_ALARMS]
        if fine:
            (found, alarms), threshold, assist = max(fine)
            label = "naive Bayes" if blend == 0.0 else "logistic regression"
            print(f"{label} alone (with the rules): found {found:.1%}, false alarms "
                  f"{alarms:.1%} (threshold {threshold}, rule assist {assist})")
    assert best is not None
    found, alarms, blend, threshold, assist = best
    print(f"chosen: found {found:.1%}, false alarms {alarms:.1%}")
    for group in groups:
        g_found, g_alarms = rates(blend, threshold, assist, group)
        print(f"  held-out group {group}: found {g_found:.1%}, false alarms {g_alarms:.1%}")
    print(f"BLEND = {blend}\nMODEL_THRESHOLD = {threshold}\nRULE_ASSIST = {assist}")


if __name__ == "__main__":
    main()
