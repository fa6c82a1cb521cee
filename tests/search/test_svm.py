"""The TF-IDF vectors of the learnt models and their support vector machines."""

from __future__ import annotations

import itertools
import math
from collections import Counter

import numpy as np

from bot.search import tfidf
from bot.search.classifier import OUT_OF_SCOPE, readings
from bot.search.hashing import reference
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
    vectorizer = TfidfVectorizer.fit(tfidf.counts_many([text for text, _ in TRAINING]))
    grams, words = tfidf.counts("меня держат")
    slots, values = vectorizer.transform("меня держат")
    weight = dict(zip(slots.tolist(), values.tolist(), strict=True))
    assert list(slots) == sorted(set(slots.tolist()))
    for part in (grams, words):
        assert math.isclose(math.sqrt(sum(weight.get(s, 0.0) ** 2 for s in set(part.tolist()))),
                            1.0)
    # "щщщщ" was in no training message: it changes nothing.
    with_unknown = vectorizer.transform("меня держат щщщщ")
    assert np.allclose(_dense(with_unknown), _dense((slots, values)))
    assert vectorizer.transform("щщщщ ъъъ")[0].size == 0


def _reference_slot(piece: str, tag: int) -> int:
    """The hash ``counts_many`` computes with arrays, computed on the string."""
    return reference(piece, tag, tfidf._BITS)


def _reference_counts(text: str) -> tuple[Counter[int], Counter[int]]:
    grams: Counter[int] = Counter()
    words: Counter[int] = Counter()
    for reading in readings(text):
        for word in reading:
            padded = f" {word} "
            for n in tfidf.NGRAM_SIZES:
                grams.update(_reference_slot(padded[i:i + n], n)
                             for i in range(len(padded) - n + 1))
            words[_reference_slot(word, tfidf.WORD)] += 1
        words.update(_reference_slot(f"{a} {b}", tfidf.PAIR)
                     for a, b in itertools.pairwise(reading))
    return grams, words


def test_counts_hash_every_ngram_word_and_pair_of_each_message_on_its_own() -> None:
    texts = ["меня держат в аэропорту уже 6 часов", "", "a", "Zaderzhali v aeroportu!!",
             "ҳозир маро дар фурудгоҳ нигоҳ доштаанд", "ok ok ok", "🙂 ?", "x y"]
    together = tfidf.counts_many(texts)
    for text, (grams, words) in zip(texts, together, strict=True):
        expected_grams, expected_words = _reference_counts(text)
        assert Counter(grams.tolist()) == expected_grams, text
        assert Counter(words.tolist()) == expected_words, text


def test_counts_are_sublinear_and_latin_is_also_read_as_cyrillic() -> None:
    vectorizer = TfidfVectorizer.fit(tfidf.counts_many(["держат", "отпустили"]))
    held, released = (_reference_slot(word, tfidf.WORD) for word in ("держат", "отпустили"))
    none = np.zeros(0, np.int64)
    once = vectorizer.vector((none, np.array([held])))
    assert once[1].tolist() == [1.0]  # one word alone: unit length
    both = vectorizer.vector((none, np.array([held, held, held, released])))
    weights = dict(zip(both[0].tolist(), both[1].tolist(), strict=True))
    assert math.isclose(weights[held] / weights[released], 1.0 + math.log(3))
    assert held in tfidf.counts("derzhat")[1].tolist()  # Latin read as Cyrillic


def test_vectors_of_many_messages_equal_each_alone() -> None:
    found = tfidf.counts_many([text for text, _ in TRAINING])
    vectorizer = TfidfVectorizer.fit(found)
    for alone, together in zip((vectorizer.vector(f) for f in found),
                               vectorizer.vectors(found), strict=True):
        assert alone[0].tolist() == together[0].tolist()
        assert np.allclose(alone[1], together[1])


def test_the_machine_separates_its_training_messages() -> None:
    vectorizer = TfidfVectorizer.fit(tfidf.counts_many([text for text, _ in TRAINING]))
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
    vectorizer = TfidfVectorizer.fit(tfidf.counts_many([text for text, _ in TRAINING]))
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


def test_inverse_document_frequency_counts_each_message_once() -> None:
    texts = ["держат держат держат", "держат", "отпустили", "патент"]
    found = tfidf.counts_many(texts)
    vectorizer = TfidfVectorizer.fit(found)
    held = _reference_slot("держат", tfidf.WORD)
    # In 2 of 4 messages (three times in the first): smooth idf = ln(5 / 3) + 1 (kept as a
    # 32-bit float: seven significant digits).
    assert math.isclose(vectorizer._idf[held], math.log(5 / 3) + 1.0, rel_tol=1e-6)
    assert vectorizer._idf[_reference_slot("нет", tfidf.WORD)] == 0.0  # never seen


EQUIVALENCE_TEXTS = ["меня держат в аэропорту уже 6 часов", "", "a", "Zaderzhali v aeroportu!!",
                     "ҳозир маро дар фурудгоҳ нигоҳ доштаанд", "ok ok ok", "🙂 ?", "x y",
                     "патент патент", "brat v otdele politsii, ne otpuskayut",
                     # long enough to take the array path alone too
                     " ".join(["menya derzhat v aeroportu uzhe shest chasov"] * 8)]


def test_one_message_is_hashed_as_in_a_batch() -> None:
    """Questions are hashed one at a time in plain Python, training messages in arrays:
    both must give the very same n-grams, or the models would read questions wrongly."""
    from bot.search.classifier import feature_ids, feature_ids_many, topic_readings

    for one, many in ((tfidf.counts, tfidf.counts_many),
                      (tfidf.topic_counts, tfidf.topic_counts_many)):
        for text, (grams, words) in zip(EQUIVALENCE_TEXTS, many(EQUIVALENCE_TEXTS),
                                        strict=True):
            alone = one(text)
            assert sorted(alone[0].tolist()) == sorted(grams.tolist()), text
            assert sorted(alone[1].tolist()) == sorted(words.tolist()), text
    ids = feature_ids_many([topic_readings(text) for text in EQUIVALENCE_TEXTS])
    for text, batch_ids in zip(EQUIVALENCE_TEXTS, ids, strict=True):
        assert feature_ids(text).tolist() == batch_ids.tolist(), text


THREE_CLASSES = [
    ("сколько стоит патент", "work.patent"), ("как оплатить патент", "work.patent"),
    ("patent price", "work.patent"), ("меня задержали в аэропорту", "rights.detention"),
    ("what to do if detained", "rights.detention"), ("задержали полиция отдел", "rights.detention"),
    ("курс доллара сегодня", OUT_OF_SCOPE), ("погода в Москве", OUT_OF_SCOPE),
    ("dollar rate today", OUT_OF_SCOPE), ("рецепт плова", OUT_OF_SCOPE),
]


def _three_classes() -> tuple[TfidfVectorizer, list[tfidf.Vector], list[str]]:
    vectorizer = TfidfVectorizer.fit(tfidf.counts_many([text for text, _ in THREE_CLASSES]))
    return (vectorizer, [vectorizer.transform(text) for text, _ in THREE_CLASSES],
            [label for _, label in THREE_CLASSES])


def test_each_class_of_the_multiclass_machine_is_the_two_class_machine_at_the_optimum(
        ) -> None:
    """Trained together or one at a time, each class against the rest is the same convex
    problem: run to the optimum, both give the same margins."""
    from bot.search.svm import MulticlassSVM

    vectorizer, vectors, labels = _three_classes()
    together = MulticlassSVM.train(vectors, labels, c=1.0, passes=2000)
    probe = vectorizer.transform("патент и задержание в аэропорту")
    margins = dict(zip(together.labels, together.margins(probe).tolist(), strict=True))
    for label in set(labels):
        alone = LinearSVM.train(vectors, [lab == label for lab in labels], c=1.0,
                                max_passes=2000, tolerance=1e-9)
        # Kept as 16-bit floats: three significant digits.
        assert math.isclose(margins[label], alone.margin(probe), abs_tol=2e-3), label
        for vector, (_, own) in zip(vectors, THREE_CLASSES, strict=True):
            column = together.labels.index(label)
            assert (together.margins(vector)[column] > 0) == (own == label)


def test_the_multiclass_machine_is_the_same_every_time_and_ignores_unseen_ngrams() -> None:
    from bot.search.svm import MulticlassSVM

    vectorizer, vectors, labels = _three_classes()
    first, second = (MulticlassSVM.train(vectors, labels) for _ in range(2))
    probe = vectorizer.transform("патент цена")
    assert first.margins(probe).tolist() == second.margins(probe).tolist()
    # A slot no training message had (the last one of the space) and an empty vector.
    slots, values = probe
    extended = (np.append(slots, DIMENSIONS - 1), np.append(values, 0.5))
    assert np.allclose(first.margins(extended), first.margins(probe))
    empty = (np.zeros(0, np.int64), np.zeros(0))
    assert np.allclose(first.margins(empty), first._bias)


def test_the_article_machine_names_the_article_and_leans_out_for_what_none_answers() -> None:
    from bot.search.machine import ArticleMachine

    texts = [text for text, _ in THREE_CLASSES]
    labels = [label for _, label in THREE_CLASSES]
    machine = ArticleMachine.train(texts, labels)
    margins, outside = machine.margins("курс доллара на завтра")
    assert outside > 0 > max(margins.values())
    margins, outside = machine.margins("патент сколько стоит")
    assert max(margins, key=margins.__getitem__) == "work.patent" and outside < 0
    assert set(margins) == {"work.patent", "rights.detention"}
    # Without out-of-scope messages there is no "no article" machine: untrained.
    untrained = ArticleMachine.train(texts[:6], labels[:6])
    assert not untrained.trained and untrained.margins("курс доллара") == ({}, 0.0)
