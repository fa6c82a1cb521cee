"""How retrieval and the learnt model are combined, and when an answer is given directly.

The numbers below are not set by hand: ``benchmarks/calibrate.py`` chooses them on the
validation sets (held-out examples, the validation questions of other writers and the
team's tuning sets; never the frozen unseen set) and prints them with what they achieve.
Re-run it after the examples change.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Articles that are parts of one situation: when the best two are both here, the bot
# answers with the best one (its related buttons lead to the others) instead of asking
# the user to choose between near-identical titles.
SITUATIONS: tuple[frozenset[str], ...] = (
    frozenset({"help.emergency", "entry.border_holding", "rights.detention", "entry.denied",
               "rights.abuse", "rights.police_check"}),
    frozenset({"work.patent", "work.patent_payment", "work.language_exam"}),
    frozenset({"stay.registration", "stay.amina"}),
)


def signals(probabilities: Sequence[float], raw: Sequence[float], retrieval: float,
            relevance: Sequence[float], agree: bool, out_of_scope: float = 0.0,
            scope_margin: float = 0.0) -> tuple[float, ...]:
    """What the confidence is computed from: the model's best article probability and its
    lead, its raw score lead, the retrieval's own confidence and lead, whether the model's
    favourite is also first in the fused ranking, the model's probability that no
    article is meant and the scope machine's margin for that (``bot.search.scope``).
    Sequences are sorted, best first."""
    def lead(values: Sequence[float]) -> float:
        return values[0] - values[1] if len(values) > 1 else values[0] if values else 0.0

    top_relevance = relevance[0] if relevance and relevance[0] > 0 else 1.0
    return (probabilities[0], lead(probabilities), lead(raw), retrieval,
            lead(relevance) / top_relevance, 1.0 if agree else 0.0, out_of_scope, scope_margin)


@dataclass(frozen=True)
class Fusion:
    w_model: float  # share of the model's probability in the ranking score
    temperature: float  # softmax temperature of the model's raw scores
    # Logistic confidence: bias + weights for the signals of ``Signals``.
    bias: float
    weights: tuple[float, ...]
    threshold: float  # answer directly from here
    situation_threshold: float  # lower bar when the best two are one situation

    def confidence(self, signals: Sequence[float]) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, signals, strict=True))
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))

    def one_situation(self, ids: Sequence[str]) -> bool:
        return len(ids) >= 2 and any(all(i in group for i in ids) for group in SITUATIONS)


# From ``benchmarks/calibrate.py`` (see BENCHMARKS.md for the run).
FUSION = Fusion(w_model=0.5, temperature=0.2, bias=-2.416,
                weights=(0.082, 0.521, 1.406, 0.97, 2.66, 0.857, -3.667, -1.098),
                threshold=0.78, situation_threshold=0.65)
