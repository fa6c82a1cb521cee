"""TF-IDF vectors of a message's character and word n-grams, hashed into a fixed space.

The "happening now" detector separates messages that share their topic words ("меня
держат" against "меня держали", "they are holding me" against "what if they hold me"),
so it needs the short pieces of words and the word pairs, weighted so that a piece every
message has counts for little and a long story does not outweigh a short cry for help:
character 2–5-grams inside each word (padded with spaces, so the ends of words count),
the whole words and pairs of neighbouring words, each counted as 1 + log(count), scaled by
its inverse document frequency and normalised to unit length. This is the weighting
scikit-learn's ``TfidfVectorizer`` uses (``sublinear_tf``, smooth idf); importing
scikit-learn and scipy took 96 MB of memory, these arrays take 2 MB.

Latin text is also read in its Cyrillic transliterations, so that "derjat" meets
"держат".
"""

from __future__ import annotations

import itertools
import math
import zlib
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from bot.search.classifier import readings

DIMENSIONS = 1 << 18  # ~260,000 slots: the few collisions among ~100,000 n-grams are harmless
NGRAM_SIZES = (2, 3, 4, 5)

Vector = tuple[np.ndarray, np.ndarray]  # (slots, values), slots sorted and unique


@lru_cache(maxsize=65536)
def _slot(name: str) -> int:
    # A stable hash: Python's own ``hash`` of a string changes from one process to the next.
    return zlib.crc32(name.encode("utf-8")) & (DIMENSIONS - 1)


@lru_cache(maxsize=8192)
def _gram_slots(word: str) -> tuple[int, ...]:
    padded = f" {word} "
    return tuple(_slot(padded[i:i + n]) for n in NGRAM_SIZES
                 for i in range(len(padded) - n + 1))


Counts = tuple[Counter[int], Counter[int]]  # (character n-grams, words and word pairs)


def counts(text: str) -> Counts:
    """How often each hashed n-gram occurs in the message (all its readings together)."""
    grams: Counter[int] = Counter()
    words_found: Counter[int] = Counter()
    for words in readings(text):
        for word in words:
            grams.update(_gram_slots(word))
        words_found.update([_slot("w:" + word) for word in words])
        words_found.update([_slot(f"b:{a} {b}") for a, b in itertools.pairwise(words)])
    return grams, words_found


class TfidfVectorizer:
    """Learns the inverse document frequencies from training messages, then turns any
    message into a unit-length sparse vector."""

    def __init__(self, idf: np.ndarray) -> None:
        self._idf = idf

    @classmethod
    def fit(cls, samples: Sequence[Counts]) -> TfidfVectorizer:
        frequency = np.zeros(DIMENSIONS)
        for found in samples:
            for part in found:
                frequency[np.fromiter(part, dtype=np.int64, count=len(part))] += 1
        # An n-gram no training message had gets no weight: it would only shrink the
        # rest when the vector is normalised (scikit-learn drops it from the vocabulary).
        idf = np.log((1 + len(samples)) / (1 + frequency)) + 1.0
        idf[frequency == 0] = 0.0
        return cls(idf)

    def vector(self, found: Counts) -> Vector:
        """Each part is normalised on its own, so the few words weigh as much as the
        many character n-grams (as scikit-learn's ``FeatureUnion`` of two vectorisers)."""
        slots_parts, value_parts = [], []
        for part in found:
            slots = np.fromiter(part, dtype=np.int64, count=len(part))
            tf = np.fromiter(part.values(), dtype=float, count=len(part))
            values = (1.0 + np.log(tf)) * self._idf[slots]
            norm = math.sqrt(float(values @ values)) or 1.0
            slots_parts.append(slots)
            value_parts.append(values / norm)
        slots, where = np.unique(np.concatenate(slots_parts), return_inverse=True)
        values = np.bincount(where, weights=np.concatenate(value_parts), minlength=len(slots))
        known = values != 0.0
        return slots[known], values[known]

    def transform(self, text: str) -> Vector:
        return self.vector(counts(text))
