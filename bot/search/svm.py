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
        return cls(weights, bias)

    def margin(self, vector: Vector) -> float:
        """Signed distance-like score: above 0 leans to the first class (``True``)."""
        slots, values = vector
        return float(self._weights[slots] @ values) + self._bias
