"""A binary logistic regression over the answer model's text features.

Naive Bayes (``bot.search.classifier``) counts words; a discriminative model weighs them
against each other, which matters when both kinds of message share the topic words and
differ only in a few ("меня держат" against "меня держали"). Measured on messages by
writers the model never saw (``benchmarks/calibrate_urgency.py``), the two together
find more urgent messages at the same false-alarm rate than either alone.

Features are hashed into a fixed vector with a stable hash (Python's ``hash`` of a
string changes from one process to the next); numpy is already installed with
matplotlib. Training is full-batch AdaGrad: deterministic and well under a second for a
few thousand messages.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from bot.search.classifier import feature_ids

DIMENSIONS = 1 << 16  # ~100,000 distinct features: a few collide, harmlessly
L2 = 1e-4
ITERATIONS = 100
LEARNING_RATE = 0.5


def _vector(ids: np.ndarray) -> tuple[np.ndarray, float]:
    slots = (ids & (DIMENSIONS - 1)).astype(np.int64)
    return slots, 1.0 / math.sqrt(len(ids)) if len(ids) else 0.0


class LogisticModel:
    def __init__(self, weights: np.ndarray, bias: float) -> None:
        self._weights = weights
        self._bias = bias

    @classmethod
    def train(cls, texts: Sequence[str], labels: Sequence[bool], *, l2: float = L2,
              iterations: int = ITERATIONS) -> LogisticModel:
        return cls.train_on_features([feature_ids(text) for text in texts], labels, l2=l2,
                                     iterations=iterations)

    @classmethod
    def train_on_features(cls, samples: Sequence[np.ndarray], labels: Sequence[bool], *,
                          l2: float = L2, iterations: int = ITERATIONS) -> LogisticModel:
        """As ``train``, from ``feature_ids`` already computed (shared with another model)."""
        vectors = [_vector(ids) for ids in samples]
        slots = np.concatenate([s for s, _ in vectors]) if vectors else np.zeros(0, np.int64)
        values = np.concatenate([np.full(len(s), v) for s, v in vectors]) if vectors \
            else np.zeros(0)
        lengths = np.array([len(s) for s, _ in vectors], dtype=np.int64)
        rows = np.repeat(np.arange(len(vectors)), lengths)
        target = np.array(labels, dtype=float)
        weights = np.zeros(DIMENSIONS)
        bias = 0.0
        squared = np.full(DIMENSIONS, 1e-8)
        squared_bias = 1e-8
        count = max(len(vectors), 1)
        for _ in range(iterations):
            scores = np.bincount(rows, weights=weights[slots] * values,
                                 minlength=len(vectors)) + bias
            residual = (1.0 / (1.0 + np.exp(-scores)) - target) / count
            gradient = np.bincount(slots, weights=residual[rows] * values,
                                   minlength=DIMENSIONS) + l2 * weights
            gradient_bias = float(residual.sum())
            squared += gradient * gradient
            squared_bias += gradient_bias * gradient_bias
            weights -= LEARNING_RATE * gradient / np.sqrt(squared)
            bias -= LEARNING_RATE * gradient_bias / math.sqrt(squared_bias)
        return cls(weights, bias)

    def probability(self, text: str) -> float:
        slots, value = _vector(feature_ids(text))
        score = float(self._weights[slots].sum()) * value + self._bias
        return 1.0 / (1.0 + math.exp(-max(min(score, 50.0), -50.0)))
