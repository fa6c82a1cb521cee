"""How retrieval and the learnt model are combined, and when an answer is given directly.

The numbers below are not set by hand: ``benchmarks/calibrate.py`` chooses them on the
validation sets (held-out examples, the validation questions of other writers and the
team's tuning sets; never the frozen unseen set) and prints them with what they achieve.
Re-run it after the examples change.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
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


# The names of the signals ``signals`` returns, in order.
SIGNAL_NAMES = ("model_top", "model_lead", "model_raw_lead", "retrieval", "relevance_lead",
                "model_agrees", "model_out", "machine_lead", "machine_out",
                "machine_lead_out", "machine_agrees")


def signals(probabilities: Sequence[float], raw: Sequence[float], retrieval: float,
            relevance: Sequence[float], agree: bool, out_of_scope: float,
            margins: Mapping[str, float], machine_out: float, first: str
            ) -> tuple[float, ...]:
    """What the confidence is computed from: naive Bayes's best article probability and
    its lead, its raw score lead, the retrieval's own confidence and lead, whether naive
    Bayes's favourite is also first in the fused ranking, its probability that no article
    is meant; the article machine's (``bot.search.machine``) lead of its best article
    over the next, its margin for "no article", its best article's lead over both, and
    whether its favourite is ``first``, the fused ranking's first article. Sequences are
    sorted, best first."""
    def lead(values: Sequence[float]) -> float:
        return values[0] - values[1] if len(values) > 1 else values[0] if values else 0.0

    top_relevance = relevance[0] if relevance and relevance[0] > 0 else 1.0
    machine = sorted(margins.values(), reverse=True)
    best = machine[0] if machine else 0.0
    runner_up = machine[1] if len(machine) > 1 else 0.0
    favourite = max(margins, key=lambda aid: (margins[aid], aid)) if margins else None
    return (probabilities[0], lead(probabilities), lead(raw), retrieval,
            lead(relevance) / top_relevance, 1.0 if agree else 0.0, out_of_scope,
            best - runner_up, machine_out, best - max(runner_up, machine_out),
            1.0 if favourite == first else 0.0)


def softmax(scores: dict[str, float], temperature: float) -> dict[str, float]:
    if not scores:
        return {}
    top = max(scores.values())
    exps = {key: math.exp((value - top) / temperature) for key, value in scores.items()}
    total = sum(exps.values())
    return {key: value / total for key, value in exps.items()}


@dataclass(frozen=True)
class Fusion:
    w_model: float  # share of naive Bayes's probability in the ranking score
    temperature: float  # softmax temperature of its raw scores
    w_machine: float  # share of the article machine's softmax (the rest: retrieval)
    machine_temperature: float  # softmax temperature of the machine's margins
    # Logistic confidence: bias + weights for the signals of ``Signals``.
    bias: float
    weights: tuple[float, ...]
    threshold: float  # answer directly from here
    situation_threshold: float  # lower bar when the best two are one situation

    def confidence(self, signals: Sequence[float]) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, signals, strict=True))
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))

    def combine(self, probability: dict[str, float], margins: dict[str, float],
                relevance: dict[str, float]) -> dict[str, float]:
        """The ranking score of every article: naive Bayes's probability, the machine's
        margins as probabilities and the retrieval relevance (scaled to the best), mixed."""
        machine = softmax(margins, self.machine_temperature)
        top_relevance = max(relevance.values(), default=0.0) or 1.0
        w_retrieval = 1.0 - self.w_model - self.w_machine
        return {aid: self.w_model * probability.get(aid, 0.0)
                + self.w_machine * machine.get(aid, 0.0)
                + w_retrieval * relevance.get(aid, 0.0) / top_relevance
                for aid in set(relevance) | set(probability) | set(machine)}

    def one_situation(self, ids: Sequence[str]) -> bool:
        return len(ids) >= 2 and any(all(i in group for i in ids) for group in SITUATIONS)


# From ``benchmarks/calibrate.py`` (see BENCHMARKS.md for the run).
FUSION = Fusion(w_model=0.4, temperature=0.1, w_machine=0.4, machine_temperature=0.1,
                bias=-1.501,
                weights=(0.177, 0.449, 0.961, -0.142, 1.27, 0.693, -1.524, -0.518, 0.021,
                         3.264, 0.855),
                threshold=0.8, situation_threshold=0.345)
