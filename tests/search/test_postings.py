"""Array shortcuts of the search give exactly what the plain way gives: several terms of the
packed postings summed at once (the BM25 scores, to the last bit), and the unique n-gram slots
with their counts (the TF-IDF vectors)."""

from __future__ import annotations

import random

import numpy as np

from bot.search.index import Postings


def _postings(seed: int, docs: int, terms: int) -> Postings:
    rng = random.Random(seed)
    table = {f"t{t}": [(d, rng.random()) for d in sorted(rng.sample(range(docs),
                                                                     rng.randint(0, docs)))]
             for t in range(terms)}
    return Postings(table, {term: rng.random() * 3 for term in table})


def test_summed_equals_adding_term_by_term_bit_for_bit() -> None:
    for seed in range(30):
        postings = _postings(seed, docs=36, terms=40)
        rng = random.Random(seed)
        rows = rng.sample(range(40), rng.randint(1, 15))
        factors = [rng.random() * 4 for _ in rows]
        expected = np.zeros(36)
        for row, factor in zip(rows, factors, strict=True):
            postings.add_to(expected, row, factor)
        got = postings.summed(rows, factors, 36)
        assert got.tobytes() == expected.tobytes()


def test_summed_of_nothing_is_zero() -> None:
    postings = _postings(1, docs=5, terms=3)
    assert postings.summed([], [], 5).tolist() == [0.0] * 5


def test_unique_counts_is_numpys_unique() -> None:
    from bot.search.hashing import unique_counts

    rng = np.random.default_rng(7)
    # The build's sizes and key types too: it replaces np.unique there (BENCHMARKS.md).
    for size in (0, 1, 2, 5, 300, 200_000):
        for high, dtype in ((3, np.int64), (1 << 20, np.int64), (1 << 32, np.uint32),
                            (1 << 62, np.uint64)):
            values = rng.integers(0, high, size).astype(dtype)
            got, counts = unique_counts(values)
            expected, expected_counts = np.unique(values, return_counts=True)
            assert got.tolist() == expected.tolist() and got.dtype == expected.dtype
            assert counts.tolist() == expected_counts.tolist()


def test_unique_inverse_is_numpys_unique() -> None:
    from bot.search.hashing import unique_inverse

    rng = np.random.default_rng(11)
    for size in (0, 1, 5, 300, 200_000):
        values = rng.integers(0, 1 << 40, size) % (size // 3 + 1)
        got, where = unique_inverse(values)
        expected, expected_where = np.unique(values, return_inverse=True)
        assert got.tolist() == expected.tolist()
        assert where.tolist() == expected_where.ravel().tolist()
