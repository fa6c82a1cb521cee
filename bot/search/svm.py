"""A linear support vector machine for two classes, on sparse TF-IDF vectors.

Trained by dual coordinate descent on the squared hinge loss (Hsieh et al., 2008, the
method of LIBLINEAR and of scikit-learn's ``LinearSVC``): each step fixes one message's
dual variable exactly, so it converges in a few dozen passes and, with a fixed order of
visits, gives the same model every time. The intercept is one more feature of value 1,
regularised like the others, as LIBLINEAR does. Measured against scikit-learn's
``LinearSVC`` on the same features in ``benchmarks/calibrate_urgency.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bot.search.hashing import unique_inverse
from bot.search.tfidf import DIMENSIONS, Vector

C = 1.0
MAX_PASSES = 60
TOLERANCE = 1e-1  # stop when the projected gradients all lie within this of each other


class LinearSVM:
    def __init__(self, weights: np.ndarray, bias: float) -> None:
        self._weights = weights
        self._bias = bias

    @classmethod
    def train(cls, vectors: Sequence[Vector], labels: Sequence[bool], *, c: float = C,
              max_passes: int = MAX_PASSES, tolerance: float = TOLERANCE) -> LinearSVM:
        weights = np.zeros(DIMENSIONS)
        bias = 0.0
        signs = [1.0 if label else -1.0 for label in labels]
        diagonal = 1.0 / (2.0 * c)
        squared = [float(values @ values) + 1.0 + diagonal for _, values in vectors]
        alpha = [0.0] * len(vectors)
        everyone = list(range(len(vectors)))
        active = everyone
        # Shrinking (as LIBLINEAR): a message whose dual variable is 0 and whose gradient
        # says it stays 0 is left out of the next passes; a last full pass checks them.
        bound_high = np.inf
        shuffle = np.random.default_rng(0)  # seeded: the same model every time
        for _ in range(max_passes):
            highest, lowest = -np.inf, np.inf
            kept = []
            for i in shuffle.permutation(active).tolist():
                slots, values = vectors[i]
                sign = signs[i]
                gradient = sign * (float(weights[slots] @ values) + bias) - 1.0 \
                    + diagonal * alpha[i]
                if alpha[i] == 0.0:
                    if gradient > bound_high:
                        continue
                    projected = min(gradient, 0.0)
                else:
                    projected = gradient
                kept.append(i)
                highest, lowest = max(highest, projected), min(lowest, projected)
                if projected == 0.0:
                    continue
                old = alpha[i]
                alpha[i] = max(old - gradient / squared[i], 0.0)
                step = (alpha[i] - old) * sign
                weights[slots] += step * values
                bias += step
            active = kept
            if highest - lowest <= tolerance:
                if len(active) == len(everyone):
                    break
                active, bound_high = everyone, np.inf
                continue
            bound_high = highest if highest > 0 else np.inf
        return cls(weights.astype(np.float32), bias)  # kept: half the memory

    def margin(self, vector: Vector) -> float:
        """Signed distance-like score: above 0 leans to the first class (``True``)."""
        slots, values = vector
        return float(self._weights[slots] @ values) + self._bias


class MulticlassSVM:
    """One linear machine per class against all the others, trained together by the same
    dual coordinate descent: one visit to a message updates its dual variable for every
    class at once (a few array operations on the rows of its n-grams), which is what makes
    36 articles and "no article" affordable at start-up.

    Stopped after ``PASSES`` passes instead of at the optimum: on the validation questions
    two to eight passes gave the same top-1 within 0.5 points and the same confidence
    (BENCHMARKS.md), and each pass costs about 0.7 s for today's 10,461 training messages.
    Weights are kept only for n-grams some training message had, as 16-bit floats (9 MB
    instead of 35:
    on the validation questions no ranking changed and no margin moved by more than
    0.0005).
    """

    PASSES = 3

    def __init__(self, labels: Sequence[str], rows: np.ndarray, weights: np.ndarray,
                 bias: np.ndarray) -> None:
        self.labels = tuple(labels)
        # For each n-gram slot, its row of ``weights`` (-1: no training message had it);
        # a table of 1 MB, where a search of the sorted slots took 40 µs a question.
        self._rows = rows
        self._weights = weights  # rows: n-grams, columns: labels
        self._bias = bias

    @classmethod
    def train(cls, vectors: Sequence[Vector], labels: Sequence[str], *, c: float = 0.5,
              passes: int = PASSES) -> MulticlassSVM:
        names = sorted(set(labels))
        column = {name: k for k, name in enumerate(names)}
        found = np.concatenate([s for s, _ in vectors]) if vectors else np.zeros(0, np.int64)
        # Each message's n-grams as rows of ``weights``, found for all messages at once.
        slots, row_of = unique_inverse(found)
        where = np.split(row_of, np.cumsum([len(s) for s, _ in vectors])[:-1])
        # Trained in 32-bit floats (kept in 16): half the memory each step reads and
        # writes, 12 % less build time; no stored weight moved by more than one 16-bit step.
        rows = list(zip(where, (v.astype(np.float32)[:, None] for _, v in vectors),
                        strict=True))
        weights = np.zeros((len(slots), len(names)), dtype=np.float32)
        # The same matrix seen as one opaque item per row: ``take`` and ``put`` move a
        # message's rows as whole items, a third of the build time that fancy indexing
        # of a 2-D array took (the same bytes, so the same model).
        as_rows = weights.view(np.dtype((np.void, weights.strides[0]))).ravel()
        width = len(names)
        bias = np.zeros(len(names))
        signs = -np.ones((len(vectors), len(names)))
        signs[np.arange(len(vectors)), [column[label] for label in labels]] = 1.0
        alpha = np.zeros_like(signs)
        diagonal = 1.0 / (2.0 * c)
        squared = [float(v @ v) + 1.0 + diagonal for _, v in vectors]
        order = np.random.default_rng(0)  # seeded: the same model every time
        for _ in range(passes):
            for i in order.permutation(len(vectors)).tolist():
                where, values = rows[i]
                sign, old = signs[i], alpha[i]
                block = as_rows.take(where).view(np.float32).reshape(-1, width)  # a copy
                gradient = sign * (values[:, 0] @ block + bias) - 1.0 + diagonal * old
                new = np.maximum(old - gradient / squared[i], 0.0)
                step = (new - old) * sign
                alpha[i] = new
                block += values * step.astype(np.float32)
                as_rows.put(where, block.view(as_rows.dtype).ravel())
                bias += step
        table = np.full(DIMENSIONS, -1, dtype=np.int32)
        table[slots] = np.arange(len(slots), dtype=np.int32)
        return cls(names, table, weights.astype(np.float16), bias.astype(np.float32))

    def margins(self, vector: Vector) -> np.ndarray:
        """Each label's margin (above 0: leans to that label), in ``labels`` order."""
        slots, values = vector
        rows = self._rows[slots]
        known = rows >= 0
        # Widened before multiplying: numpy has no fast product of 16-bit floats.
        block = self._weights[rows[known]].astype(np.float32)
        return values[known].astype(np.float32) @ block + self._bias
