"""TF-IDF vectors of a message's character and word n-grams, hashed into a fixed space.

The "happening now" detector separates messages that share their topic words ("меня
держат" against "меня держали", "they are holding me" against "what if they hold me"),
so it needs the short pieces of words and the word pairs, weighted so that a piece every
message has counts for little and a long story does not outweigh a short cry for help:
character 2–5-grams inside each word (padded with spaces, so the ends of words count),
the whole words and pairs of neighbouring words, each counted as 1 + log(count), scaled by
its inverse document frequency; the n-grams and the words are each normalised to unit
length. This is scikit-learn's ``TfidfVectorizer`` (``char_wb`` and ``word`` analysers in
a ``FeatureUnion``, ``sublinear_tf``, smooth idf): importing scikit-learn and scipy took
96 MB of memory, these arrays take 2 MB, and on the same messages the two gave the same
results (``benchmarks/calibrate_urgency.py``, BENCHMARKS.md). The pieces are hashed with
``bot.search.hashing``. The article machine (``bot.search.machine``) uses the same
vectors, read as ``topic_readings`` (relatives one word, adults' ages left out:
``topic_counts``).

Latin text is also read in its Cyrillic transliterations (``readings``), so that
"derzhat" meets "держат".
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from bot.search.classifier import readings, topic_readings
from bot.search.hashing import (
    BATCH,
    LONG,
    Readings,
    Spans,
    joined,
    mix,
    padded_grams,
    raw,
    unique_counts,
    unique_inverse,
)

DIMENSIONS = 1 << 18  # ~260,000 slots: the few collisions among ~100,000 n-grams are harmless
NGRAM_SIZES = (2, 3, 4, 5)

Vector = tuple[np.ndarray, np.ndarray]  # (slots, values), slots sorted and unique

_BITS = DIMENSIONS.bit_length() - 1
WORD, PAIR = 100, 200  # tags: a word, a pair and an n-gram of the same letters differ

# Hashed character n-grams, and hashed words and word pairs; each with its repeats.
Counts = tuple[np.ndarray, np.ndarray]


@lru_cache(maxsize=256)
def counts(text: str) -> Counts:
    """Every hashed n-gram of the message, as often as it occurs (all its readings), as
    the "happening now" model reads it. Cached: the article machine reads the same arrays
    when the message names no relative (``topic_counts``)."""
    return _counts_read(readings(text))


@lru_cache(maxsize=256)
def topic_counts(text: str) -> Counts:
    """``counts`` as the article machine reads the message (``topic_readings``): the
    same arrays when it names no relative, as most do."""
    read = topic_readings(text)
    return counts(text) if read == readings(text) else _counts_read(read)


def _counts_read(read: Readings) -> Counts:
    found = counts_of([read])[0] if sum(map(len, read)) > LONG else _counts_one(read)
    for part in found:
        part.flags.writeable = False  # shared through the cache
    return found


def _counts_one(read: Readings) -> Counts:
    """``counts`` of one short message in plain Python (the pieces of a word are cached)."""
    grams: list[int] = []
    words: list[int] = []
    for reading in read:
        for word in reading:
            grams.extend(padded_grams(word, NGRAM_SIZES, _BITS))
            words.append(mix(raw(word), WORD, _BITS))
        words.extend(mix(joined(a, b, " "), PAIR, _BITS) for a, b in itertools.pairwise(reading))
    return np.array(grams, dtype=np.int64), np.array(words, dtype=np.int64)


def counts_many(texts: Sequence[str]) -> list[Counts]:
    """``counts`` for many messages."""
    return counts_of([readings(text) for text in texts])


def topic_counts_many(texts: Sequence[str]) -> list[Counts]:
    """``topic_counts`` for many messages."""
    return counts_of([topic_readings(text) for text in texts])


def counts_of(read: Sequence[Readings]) -> list[Counts]:
    """``counts`` from the messages' readings (computed once for several models), a
    batch at a time."""
    return [found for start in range(0, len(read), BATCH)
            for found in _counts_batch(read[start:start + BATCH])]


def _counts_batch(read: Sequence[Readings]) -> list[Counts]:
    """Character n-grams are the windows of each word padded with a space on each side;
    a word is its span; a pair is the span of two neighbouring words of one reading."""
    spans = Spans(read)
    grams = [spans.grams(n) for n in NGRAM_SIZES]
    gram_slots = np.concatenate([Spans.mixed(raw, n, _BITS) for n, (raw, _) in
                                 zip(NGRAM_SIZES, grams, strict=True)]).astype(np.int64)
    gram_owner = np.concatenate([owner for _, owner in grams])
    pairs = np.flatnonzero(spans.reading[:-1] == spans.reading[1:])
    word_slots = np.concatenate((
        Spans.mixed(spans.raw(spans.starts, spans.ends), WORD, _BITS),
        Spans.mixed(spans.raw(spans.starts[pairs], spans.ends[pairs + 1]), PAIR, _BITS),
    )).astype(np.int64)
    word_owner = np.concatenate((spans.word_owner, spans.word_owner[pairs]))
    return list(zip(_split(gram_slots, gram_owner, len(read)),
                    _split(word_slots, word_owner, len(read)), strict=True))


def _keyed(many: Sequence[Counts], part: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Each message's distinct n-grams (of one part, or of both) as message × DIMENSIONS
    + slot, sorted, with how often each occurs."""
    parts = (0, 1) if part is None else (part,)
    pieces = [found[p] for found in many for p in parts]
    owner = np.repeat(np.arange(len(many)).repeat(len(parts)), [len(p) for p in pieces])
    slots = np.concatenate(pieces) if pieces else np.zeros(0, np.int64)
    return unique_counts(owner * DIMENSIONS + slots)


def _split(values: np.ndarray, owners: np.ndarray, count: int) -> list[np.ndarray]:
    order = np.argsort(owners, kind="stable")
    return np.split(values[order], np.cumsum(np.bincount(owners, minlength=count))[:-1])


class TfidfVectorizer:
    """Learns the inverse document frequencies from training messages, then turns any
    message into a unit-length sparse vector."""

    def __init__(self, idf: np.ndarray) -> None:
        self._idf = idf

    @classmethod
    def fit(cls, samples: Sequence[Counts]) -> TfidfVectorizer:
        frequency = np.zeros(DIMENSIONS)
        for start in range(0, len(samples), BATCH):
            keys, _ = _keyed(samples[start:start + BATCH], None)  # once per message
            frequency += np.bincount(keys % DIMENSIONS, minlength=DIMENSIONS)
        # An n-gram no training message had gets no weight: it would only shrink the
        # rest when the vector is normalised (scikit-learn drops it from the vocabulary).
        idf = np.log((1 + len(samples)) / (1 + frequency)) + 1.0
        idf[frequency == 0] = 0.0
        return cls(idf.astype(np.float32))  # half the memory; the vectors stay float64

    def vector(self, found: Counts) -> Vector:
        """As ``vectors``, for one message."""
        slots_parts, value_parts = [], []
        for part in found:
            slots, tf = unique_counts(part)
            values = (1.0 + np.log(tf)) * self._idf[slots]
            norm = float(np.sqrt(values @ values))
            slots_parts.append(slots)
            value_parts.append(values / norm if norm else values)
        slots, where = unique_inverse(np.concatenate(slots_parts))
        values = np.bincount(where, weights=np.concatenate(value_parts), minlength=len(slots))
        known = values != 0.0
        return slots[known], values[known]

    def vectors(self, many: Sequence[Counts]) -> list[Vector]:
        return [vector for start in range(0, len(many), BATCH)
                for vector in self._vectors_batch(many[start:start + BATCH])]

    def _vectors_batch(self, many: Sequence[Counts]) -> list[Vector]:
        """Each part is normalised on its own, so the few words weigh as much as the
        many character n-grams (as scikit-learn's ``FeatureUnion`` of two vectorisers).
        Computed for all messages at once: a message's n-grams are keyed by
        message × DIMENSIONS + slot."""
        keys_parts, value_parts = [], []
        for part in range(2):
            keys, tf = _keyed(many, part)
            owner, slots = keys // DIMENSIONS, keys % DIMENSIONS
            values = (1.0 + np.log(tf)) * self._idf[slots]
            norms = np.sqrt(np.bincount(owner, weights=values * values, minlength=len(many)))
            keys_parts.append(keys)
            value_parts.append(values / np.where(norms > 0, norms, 1.0)[owner])
        keys, where = unique_inverse(np.concatenate(keys_parts))
        values = np.bincount(where, weights=np.concatenate(value_parts), minlength=len(keys))
        known = values != 0.0
        keys, values = keys[known], values[known]
        owner = keys // DIMENSIONS
        bounds = np.cumsum(np.bincount(owner, minlength=len(many)))[:-1]
        return list(zip(np.split(keys % DIMENSIONS, bounds), np.split(values, bounds),
                        strict=True))

    def transform(self, text: str) -> Vector:
        return self.vector(counts(text))
