"""Stable hashes of the pieces of many messages' words, in a few array operations.

The learnt models read character n-grams, words, word prefixes and pairs of words, by a
hash (no strings kept). Hashing each piece as a string took most of the time of training
(about 400,000 pieces for the knowledge base's 6,000 examples). Here all words of a batch
of messages are joined into " w1 w2 … " and every piece is hashed from prefix sums of the
code points: the polynomial hash of the span [a, b) is B**(b-1) · (S[b] − S[a]) with
S[k] = Σ_{m<k} code[m] · B**−m, all modulo 2**64 (B is odd, so it has an inverse).
Python's own ``hash`` of a string changes from one process to the next; these do not, so
a model trained in the build's child process reads the bot's messages the same way.
One message at a time (a question) the same hashes are computed in plain Python, with the
words' pieces cached: array operations cost more than they save on a dozen words.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

BASE = 1_000_003
_INVERSE = pow(BASE, -1, 1 << 64)
MIX = 0x9E3779B97F4A7C15  # Fibonacci hashing: the top bits of the product are well mixed
SPACE = 32
_MASK = (1 << 64) - 1
# Messages hashed together in array operations: large enough to be fast, small enough that
# a build's peak memory stays low (all 6,000 training messages at once: +150 MB).
BATCH = 256
LONG = 40  # words (in all readings): from here one message is hashed with arrays too

Readings = Sequence[Sequence[str]]  # ``bot.search.classifier.readings`` of one message


@lru_cache(maxsize=16384)
def raw(piece: str) -> int:
    """The polynomial hash of ``piece``, unmixed (as ``Spans.raw`` of its span)."""
    value = 0
    for char in piece:
        value = (value * BASE + ord(char)) & _MASK
    return value


def mix(value: int, tag: int, bits: int) -> int:
    """As ``Spans.mixed``, for one hash."""
    return (((value + tag) & _MASK) * MIX & _MASK) >> (64 - bits)


def joined(first: str, second: str, separator: str) -> int:
    """The raw hash of first + separator + second, from the cached hashes of the two."""
    shift = pow(BASE, len(second), 1 << 64)
    return ((raw(first) * BASE + ord(separator)) * shift + raw(second)) & _MASK


def reference(piece: str, tag: int, bits: int) -> int:
    """The hash of ``piece`` computed on the string, as ``Spans`` computes it with arrays
    (for tests, for reading, and for one message at a time)."""
    return mix(raw(piece), tag, bits)


@lru_cache(maxsize=8192)
def padded_grams(word: str, sizes: tuple[int, ...], bits: int) -> tuple[int, ...]:
    """The hashes of the ``sizes``-character windows of " word ", each tagged with its
    size: a message at a time, words repeat, so they are cached per word."""
    codes = [ord(char) for char in f" {word} "]
    longest = max(sizes)
    found: list[int] = []
    for start in range(len(codes)):
        value = 0
        for size, code in enumerate(codes[start:start + longest], 1):
            value = (value * BASE + code) & _MASK
            if size in sizes:
                found.append(mix(value, size, bits))
    return tuple(found)


class Spans:
    """The words of a batch of messages, joined, ready to hash any of their pieces."""

    def __init__(self, read: Sequence[Readings]) -> None:
        words: list[str] = []
        owner: list[int] = []
        reading_of: list[int] = []
        readings_seen = 0
        for number, message in enumerate(read):
            for reading in message:
                words.extend(reading)
                owner.extend([number] * len(reading))
                reading_of.extend([readings_seen] * len(reading))
                readings_seen += 1
        self.words = words
        joined = " " + " ".join(words) + " "
        code = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        size = len(code)
        with np.errstate(over="ignore"):  # the arithmetic wraps modulo 2**64 on purpose
            power = np.cumprod(np.full(size, BASE, dtype=np.uint64))
            self._power = np.concatenate(([np.uint64(1)], power))  # B**k
            inverse = np.cumprod(np.full(size, _INVERSE, dtype=np.uint64))
            inverse = np.concatenate(([np.uint64(1)], inverse[:-1]))  # B**-k
            self._prefix = np.concatenate(([np.uint64(0)], np.cumsum(code * inverse)))
        self.lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
        self.starts = 1 + np.concatenate(([0], np.cumsum(self.lengths + 1)[:-1])) \
            .astype(np.int64)
        self.ends = self.starts + self.lengths
        self.word_owner = np.array(owner, dtype=np.int64)
        # Which reading each word is in: pairs never join two readings or two messages.
        self.reading = np.array(reading_of, dtype=np.int64)
        # Which message each code point belongs to (a word's and the space after it).
        at = np.zeros(size, dtype=np.int64)
        if words:
            at[self.starts] = np.diff(np.concatenate(([0], self.word_owner)))
        self._at = np.cumsum(at)
        self._spaces = np.concatenate(([0], np.cumsum(code == SPACE)))
        self._size = size

    def raw(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The polynomial hashes of the spans [a, b), unmixed."""
        with np.errstate(over="ignore"):
            return self._power[b - 1] * (self._prefix[b] - self._prefix[a])

    def joined(self, first: np.ndarray, second: np.ndarray, second_length: np.ndarray,
               separator: str) -> np.ndarray:
        """The raw hash of first + separator + second, from the raw hashes of the two."""
        with np.errstate(over="ignore"):
            return ((first * np.uint64(BASE) + np.uint64(ord(separator)))
                    * self._power[second_length] + second)

    @staticmethod
    def mixed(raw: np.ndarray, tag: int, bits: int) -> np.ndarray:
        """``raw`` hashes, tagged (so a word and an n-gram of the same letters differ)
        and mixed down to ``bits`` bits."""
        with np.errstate(over="ignore"):
            return ((raw + np.uint64(tag)) * np.uint64(MIX)) >> np.uint64(64 - bits)

    def grams(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        """(raw hashes, message) of every ``size``-character window of a word padded with
        a space on each side: the windows with no space inside."""
        if not self.words:
            return np.zeros(0, np.uint64), np.zeros(0, np.int64)
        first = np.arange(self._size - size + 1)
        kept = first[self._spaces[first + size - 1] - self._spaces[first + 1] == 0]
        return self.raw(kept, kept + size), self._at[kept + 1]


def unique_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_counts=True)``, the same arrays, in a few plain array
    operations: on one message's few hundred slots numpy's general version (and ``np.diff``)
    cost three times as much, and on the build's million keys numpy 2.4's (which hashes
    before it sorts) thirty times: 1.2 s of the start-up (BENCHMARKS.md)."""
    ordered = values.copy()
    ordered.sort()
    size = ordered.size
    if not size:
        return ordered, np.zeros(0, dtype=np.intp)
    first = np.empty(size, dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    starts = first.nonzero()[0]
    counts = np.empty(starts.size, dtype=np.intp)
    np.subtract(starts[1:], starts[:-1], out=counts[:-1])
    counts[-1] = size - starts[-1]
    return ordered[starts], counts


def unique_inverse(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)``, the same arrays, by the same sort as
    ``unique_counts``: the sorted distinct values and where each value sits among them."""
    distinct = unique_counts(values)[0]
    return distinct, np.searchsorted(distinct, values)
