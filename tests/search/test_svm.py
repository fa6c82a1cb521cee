"""The "happening now" detector's vectors and its support vector machine."""

from __future__ import annotations

import math

import numpy as np

from bot.search import tfidf
from bot.search.svm import LinearSVM
from bot.search.tfidf import DIMENSIONS, TfidfVectorizer

TRAINING = [
    ("меня держат в аэропорту уже 6 часов", True), ("брата забрали в отдел только что", True),
    ("они держат меня на границе сейчас", True), ("they are holding me at the border", True),
    ("police took my passport right now", True), ("ҳозир маро дар фурудгоҳ нигоҳ доштаанд", True),
    ("в прошлом году меня держали в аэропорту", False), ("если задержат, что делать", False),
    ("сколько стоит патент", False), ("last year they held me at the border", False),
    ("how to pay for the patent", False), ("соли гузашта маро дар сарҳад нигоҳ доштанд", False),
]


def _dense(vector: tfidf.Vector) -> np.ndarray:
    slots, values = vector
    dense = np.zeros(DIMENSIONS)
    dense[slots] = values
    return dense


def test_each_part_of_a_vector_has_unit_length_and_unknown_ngrams_no_weight() -> None:
    vectorizer = TfidfVectorizer.fit([tfidf.counts(text) for text, _ in TRAINING])
    grams, words = tfidf.counts("меня держат")
    slots, values = vectorizer.transform("меня держат")
    weight = dict(zip(slots.tolist(), values.tolist(), strict=True))
    assert list(slots) == sorted(set(slots.tolist()))
    for part in (grams, words):
        assert math.isclose(math.sqrt(sum(weight.get(s, 0.0) ** 2 for s in part)), 1.0)
    # "щщщщ" was in no training message: it changes nothing.
    with_unknown = vectorizer.transform("меня держат щщщщ")
    assert np.allclose(_dense(with_unknown), _dense((slots, values)))
    assert vectorizer.transform("щщщщ ъъъ")[0].size == 0


def test_counts_are_sublinear_and_latin_is_also_read_as_cyrillic() -> None:
    vectorizer = TfidfVectorizer.fit([tfidf.counts("держат"), tfidf.counts("отпустили")])
    once = vectorizer.vector(({}, {tfidf._slot("w:держат"): 1}))
    thrice = vectorizer.vector(({tfidf._slot("w:отпустили"): 1},
                                {tfidf._slot("w:держат"): 3}))
    assert once[1].tolist() == [1.0]  # one word alone: unit length
    assert words_weight(thrice, "w:держат") == 1.0  # normalised within its part
    both = vectorizer.vector(({}, {tfidf._slot("w:держат"): 3, tfidf._slot("w:отпустили"): 1}))
    ratio = words_weight(both, "w:держат") / words_weight(both, "w:отпустили")
    assert math.isclose(ratio, 1.0 + math.log(3))  # 1 + log(count), same idf
    assert tfidf._slot("w:держат") in tfidf.counts("derzhat")[1]  # Latin read as Cyrillic


def words_weight(vector: tfidf.Vector, name: str) -> float:
    slots, values = vector
    return float(values[slots.tolist().index(tfidf._slot(name))])


def test_the_machine_separates_its_training_messages() -> None:
    vectorizer = TfidfVectorizer.fit([tfidf.counts(text) for text, _ in TRAINING])
    vectors = [vectorizer.transform(text) for text, _ in TRAINING]
    machine = LinearSVM.train(vectors, [label for _, label in TRAINING], c=10.0)
    for vector, (_, label) in zip(vectors, TRAINING, strict=True):
        assert (machine.margin(vector) > 0) == label
    again = LinearSVM.train(vectors, [label for _, label in TRAINING], c=10.0)
    assert [again.margin(v) for v in vectors] == [machine.margin(v) for v in vectors]


def test_the_machine_reaches_the_optimum_of_the_squared_hinge_loss() -> None:
    """At the optimum of ½‖w‖² + C Σ max(0, 1 − y f(x))² (bias as a feature of value 1)
    the gradient vanishes: w = 2C Σ max(0, 1 − y f(x)) y x."""
    c = 1.0
    vectorizer = TfidfVectorizer.fit([tfidf.counts(text) for text, _ in TRAINING])
    vectors = [vectorizer.transform(text) for text, _ in TRAINING]
    labels = [label for _, label in TRAINING]
    machine = LinearSVM.train(vectors, labels, c=c, max_passes=1000, tolerance=1e-9)
    weights = np.append(machine._weights, machine._bias)
    expected = np.zeros(DIMENSIONS + 1)
    for vector, label in zip(vectors, labels, strict=True):
        sign = 1.0 if label else -1.0
        loss = max(0.0, 1.0 - sign * machine.margin(vector))
        expected += 2 * c * loss * sign * np.append(_dense(vector), 1.0)
    assert np.linalg.norm(weights - expected) < 1e-6 * max(np.linalg.norm(weights), 1.0)
    assert np.linalg.norm(weights) > 0.1
