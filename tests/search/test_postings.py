"""The packed postings: several terms summed at once give exactly what adding them one by one
gives (the BM25 scores depend on it, to the last bit)."""

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
