"""Choose the fusion numbers of ``bot/search/fusion.py`` on a validation split.

    .venv/bin/python benchmarks/calibrate.py

The validation split is the articles' own examples, five folds: the model is trained on
four fifths and the questions of the fifth are searched. The retrieval index never saw
the examples (it is built from titles, keywords and texts), so neither part has been
tuned on what it is validated on. Out-of-scope questions come from the team's tuning sets
(dev, own, fresh). The frozen unseen set (``benchmarks/unseen``) is never read here.

1. the model's share in the ranking and its softmax temperature: the best top-1;
2. a logistic confidence over (model top probability, its margin, retrieval confidence,
   agreement), fitted to "the first answer is right";
3. the threshold: the lowest at which confidently-wrong answers stay within 2 % of the
   in-scope questions and out-of-scope questions answered within 5 %; a lower bar when
   the best two articles are parts of one situation, chosen the same way on those alone.
   The threshold is chosen on ``validation_questions.jsonl`` (390 questions by writers who
   saw neither the articles nor any test set, in the styles of the unseen set) and the
   tuning sets' out-of-scope questions: held-out examples are harder than real
   questions (they were written to cover each article's edges), so a bar set on them
   answered too few real questions directly.
Prints the ``Fusion(...)`` for ``bot/search/fusion.py`` and what it achieves.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from answer_quality import load_cases

from bot import paths
from bot.kb.loader import read_knowledge_base
from bot.search import offtopic, smalltalk
from bot.search.classifier import (
    OUT_OF_SCOPE,
    OUT_OF_SCOPE_FILE,
    AnswerModel,
    read_out_of_scope,
    training_samples,
)
from bot.search.engine import SearchEngine
from bot.search.fusion import FUSION, Fusion, signals
from bot.search.scope import ScopeModel

FOLDS = 5
MAX_CONF_WRONG = 0.02
MAX_OOS_CONF = 0.05  # the issue's target for out-of-scope questions
W_MODEL = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
TEMPERATURES = (0.02, 0.05, 0.1, 0.2, 0.5)


@dataclass
class Item:
    expect: str | None  # None: out of scope
    relevance: dict[str, float]
    retrieval: float
    scores: list[float]  # the model's raw scores, per label
    labels: list[str]
    source: str  # "example" (held out), "tuning" or "validation"
    scope: float  # the scope machine's margin (trained without the item)


def tuning_questions() -> list[tuple[str, str | None]]:
    """The team's tuning sets: (question, the first expected article or None)."""
    here = Path(__file__).resolve().parent
    files = [paths.shared_dir() / "eval" / "dev.jsonl", here / "own_questions.jsonl",
             here / "fresh_questions.jsonl"]
    return [(c.q, c.expect[0] if c.expect else None)
            for f in files if f.is_file() for c in load_cases(f)]


def validation_questions() -> list[tuple[str, str | None]]:
    """Questions by writers who saw neither the articles nor the test sets."""
    path = Path(__file__).resolve().parent / "validation_questions.jsonl"
    return [(c.q, c.expect[0] if c.expect else None) for c in load_cases(path)]


def collect() -> list[Item]:
    kb, _issues = read_knowledge_base()
    engine = SearchEngine.build(kb, use_model=False)
    samples = list(training_samples(kb, read_out_of_scope(
        paths.knowledge_dir() / OUT_OF_SCOPE_FILE)))
    items: list[Item] = []
    model_all = AnswerModel.train([(t, lab) for _k, t, lab in samples])
    scope_all = scope_model(samples)
    for fold in range(FOLDS):
        train = [(text, label) for n, (kind, text, label) in enumerate(samples)
                 if kind == "title" or n % FOLDS != fold]
        held = [(text, label) for n, (kind, text, label) in enumerate(samples)
                if kind == "example" and n % FOLDS == fold]
        held_set = set(held)
        model = AnswerModel.train(train)
        scope = scope_model([(kind, text, label) for n, (kind, text, label)
                             in enumerate(samples) if kind == "title" or n % FOLDS != fold])
        # The tuning sets are searched once, by a model that saw every example (they are
        # not examples), so they count once; held-out examples are harder than real
        # questions (they were written to cover each article's edges), the tuning sets
        # easier (the keywords were tuned on them): together they bracket real use.
        questions = [(t, lab, "example") for t, lab in held]
        # Held-out out-of-scope examples teach the confidence what "no article" looks like
        # (the threshold is chosen on other writers' questions only, see ``rates``).
        oos_held = [(text, None) for n, (kind, text, _) in enumerate(samples)
                    if kind == "out_of_scope" and n % FOLDS == fold]
        held_set |= set(oos_held)
        questions += [(text, None, "example") for text, _ in oos_held]
        if fold == 0:
            questions += [(t, lab, "tuning") for t, lab in tuning_questions()]
            questions += [(t, lab, "validation") for t, lab in validation_questions()]
        for text, label, source in questions:
            # As at run time: small talk and the off-topic rules are never answered.
            if smalltalk.classify(text) is not None or offtopic.off_topic(text) is not None:
                continue
            relevance, retrieval = engine.retrieval(text)
            if not relevance:
                continue
            held_out = source == "example" and (text, label) in held_set
            used = model if held_out else model_all
            items.append(Item(label, relevance, retrieval, used.raw_scores(text),
                              used.labels, source,
                              (scope if held_out else scope_all).margin(text)))
    return items



def scope_model(samples: list[tuple[str, str, str]]) -> ScopeModel:
    return ScopeModel.train([text for kind, text, _ in samples if kind != "out_of_scope"],
                            [text for kind, text, _ in samples if kind == "out_of_scope"])


def evaluate(item: Item, w_model: float, temperature: float
             ) -> tuple[str, tuple[float, ...], list[str]]:
    """As ``SearchEngine.signals`` does at run time."""
    top = max(item.scores)
    exps = [math.exp((s - top) / temperature) for s in item.scores]
    total = sum(exps)
    probability = {label: e / total for label, e in zip(item.labels, exps, strict=True)}
    out_of_scope = probability.pop(OUT_OF_SCOPE, 0.0)
    article_scores = [s for s, label in zip(item.scores, item.labels, strict=True)
                      if label != OUT_OF_SCOPE]
    best_model = max(probability, key=lambda k: (probability[k], k))
    ordered = sorted(probability.values(), reverse=True)
    top_relevance = max(item.relevance.values()) or 1.0
    combined = {aid: w_model * probability.get(aid, 0.0)
                + (1 - w_model) * item.relevance.get(aid, 0.0) / top_relevance
                for aid in set(item.relevance) | set(probability)}
    ranking = sorted(combined, key=lambda k: (-combined[k], k))
    return ranking[0], signals(ordered, sorted(article_scores, reverse=True), item.retrieval,
                               sorted(item.relevance.values(), reverse=True),
                               best_model == ranking[0], out_of_scope, item.scope), ranking[:2]


def fit_logistic(rows: list[tuple[tuple[float, ...], int]], steps: int = 2000,
                 rate: float = 1.0) -> tuple[float, tuple[float, ...]]:
    """Plain batch gradient descent; four features need nothing more."""
    n_features = len(rows[0][0])
    bias, weights = 0.0, [0.0] * n_features
    for _ in range(steps):
        g_bias, g_w = 0.0, [0.0] * n_features
        for x, y in rows:
            z = bias + sum(w * v for w, v in zip(weights, x, strict=True))
            p = 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
            g_bias += p - y
            for i, v in enumerate(x):
                g_w[i] += (p - y) * v
        bias -= rate * g_bias / len(rows)
        weights = [w - rate * g / len(rows) for w, g in zip(weights, g_w, strict=True)]
    return round(bias, 3), tuple(round(w, 3) for w in weights)


def main() -> int:
    items = collect()
    inscope = [i for i in items if i.expect]
    oos = [i for i in items if not i.expect]
    print(f"validation: {len(inscope)} in-scope (held-out examples, {FOLDS} folds, and the "
          f"tuning sets), {len(oos)} out-of-scope questions")
    best = max(((sum(evaluate(i, w, t)[0] == i.expect for i in inscope), w, t)
                for w in W_MODEL for t in TEMPERATURES), key=lambda r: (r[0], -abs(r[1] - .5)))
    hits, w_model, temperature = best
    print(f"ranking: w_model={w_model} temperature={temperature}: top-1 {hits}/{len(inscope)}"
          f" = {hits / len(inscope):.1%}")

    evaluated = [(i, *evaluate(i, w_model, temperature)) for i in items]
    rows = [(found, int(first == i.expect)) for i, first, found, _pair in evaluated]
    bias, weights = fit_logistic(rows)
    probe = Fusion(w_model, temperature, bias, weights, 0.5, 0.5)  # type: ignore[arg-type]
    scored = [(i, first == i.expect, probe.confidence(found),
               FUSION.one_situation(pair)) for i, first, found, pair in evaluated]

    def rates(threshold: float, situation_only: bool = False, *, chosen_on: bool = True
              ) -> tuple[float, float, float]:
        """On the questions the threshold is chosen on (the validation set's, and the
        tuning sets' out-of-scope ones: writers the model never learnt from), or else on
        everything."""
        right = wrong = answered_oos = n_in = n_oos = 0
        for item, ok, score, situation in scored:
            if chosen_on and item.source not in (
                    ("validation",) if item.expect else ("validation", "tuning")):
                continue
            n_in += bool(item.expect)
            n_oos += not item.expect
            if (situation_only and not situation) or score < threshold:
                continue
            if ok:
                right += 1
            elif item.expect:
                wrong += 1
            else:
                answered_oos += 1
        return right / max(n_in, 1), wrong / max(n_in, 1), answered_oos / max(n_oos, 1)

    steps = [t / 200 for t in range(1, 200)]
    print("threshold  conf+right  conf wrong  oos answered  (validation | all questions)")
    for t in (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97):
        r, w, o = rates(t)
        ra, wa, oa = rates(t, chosen_on=False)
        print(f"{t:9}  {r:10.1%}  {w:10.1%}  {o:12.1%}  | {ra:6.1%} {wa:6.1%} {oa:6.1%}")
    threshold = next(t for t in steps
                     if rates(t)[1] <= MAX_CONF_WRONG and rates(t)[2] <= MAX_OOS_CONF)
    situation_threshold = next((t for t in steps if t <= threshold
                                and rates(t, True)[1] <= MAX_CONF_WRONG / 4
                                and rates(t, True)[2] <= MAX_OOS_CONF / 4), threshold)
    right, wrong, answered = rates(threshold)
    print(f"confidence: bias={bias} weights={weights}; threshold {threshold}: confident and "
          f"right {right:.1%}, confident and wrong {wrong:.1%}, out of scope answered "
          f"{answered:.1%}; one situation from {situation_threshold}")
    fusion = Fusion(w_model, temperature, bias, weights, threshold,  # type: ignore[arg-type]
                    situation_threshold)
    print(f"\nFUSION = {fusion!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
