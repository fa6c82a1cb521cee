"""A supervised answer model learnt from the articles' example questions.

Hand-written keywords generalise badly to questions nobody wrote them for (a story told
in five sentences, slang, Tajik typed in Latin letters). The editors therefore give every
article dozens of example questions per language, in all those styles, and this module
learns from them at start (and on ``/reload``).

Features are sparse and language-blind, so one model serves all three languages and the
mixtures people write: character 3–5-grams of the folded words (typos, word forms), word
prefixes and pairs of neighbouring prefixes (the words that separate topics), computed on
the text as typed *and* on its Cyrillic transliteration when it has Latin letters, so that
"zaderzhali v aeroportu" meets "задержали в аэропорту". The model is naive Bayes (see
``AnswerModel``): a multiclass averaged perceptron on the same features was measured too
and scored 76–84 % top-1 on the validation sets against 94–97 % for this, and took 21 s
to train; scikit-learn would add scipy (about 100 MB) for a model this small. Scores become
probabilities with a softmax whose temperature ``benchmarks/calibrate.py`` sets.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.kb.model import KnowledgeBase
from bot.search import kinship
from bot.search.hashing import (
    BATCH,
    LONG,
    Readings,
    Spans,
    joined,
    mix,
    padded_grams,
    reference,
    unique_counts,
)
from bot.search.normalize import fold, has_latin, normalize
from bot.search.translit import to_cyrillic

# What people ask that no article answers (exchange rates, tickets, "патент на
# изобретение", small talk): one more class, so such a message draws probability away from
# the articles instead of lending its best guess a confidence it does not deserve. Never
# an answer: the engine drops it from the ranking.
OUT_OF_SCOPE = "~out-of-scope"
OUT_OF_SCOPE_FILE = "out_of_scope_examples.jsonl"  # in the knowledge directory

NGRAM_SIZES = (3, 4, 5)
PREFIX = 5
ALPHA = 0.3  # additive smoothing
MAX_WORDS = 120  # a long story: its first and last words carry the question
_PREFIX_TAG, _PAIR_TAG = 300, 400  # tags: a prefix, a pair and an n-gram never meet

Features = dict[str, float]


def _word_features(word: str) -> tuple[str, ...]:
    padded = f" {word} "
    grams = [padded[i:i + n] for n in NGRAM_SIZES for i in range(len(padded) - n + 1)]
    return (*grams, "w:" + word[:PREFIX])


@lru_cache(maxsize=256)
def readings(text: str) -> tuple[tuple[str, ...], ...]:
    """The message's folded words, and for Latin text also their Cyrillic readings as
    Russian and as Tajik; a very long message keeps its first and last words. Cached:
    each learnt model reads the question."""
    base = normalize(text)
    words = base.split()
    if len(words) > MAX_WORDS:
        half = MAX_WORDS // 2
        base = " ".join(words[:half] + words[-half:])
    variants = [tuple(fold(base).split())]
    if has_latin(base):
        for lang in ("ru", "tg"):
            variants.append(tuple(_cyrillic(word, lang) for word in base.split()))
    return tuple(variants)


@lru_cache(maxsize=256)
def topic_readings(text: str) -> tuple[tuple[str, ...], ...]:
    """``readings`` as the article models read them: every word for a relative or friend
    is one word and an adult's age is left out (``kinship``), so that who is asked about
    does not pick the article."""
    return kinship.neutral_readings(readings(text))


@lru_cache(maxsize=8192)
def _cyrillic(word: str, lang: str) -> str:
    return fold(to_cyrillic(word, lang)) if has_latin(word) else fold(word)


def _pair_names(words: Sequence[str]) -> list[str]:
    prefixes = [w[:PREFIX] for w in words if len(w) > 2]
    return [f"p:{a}|{b}" for a, b in itertools.pairwise(prefixes)]


def features(text: str) -> Features:
    """The message's features by name (for reading and tests; the models use
    ``feature_ids``), scaled so every message has the same total weight."""
    found: set[str] = set()
    for words in topic_readings(text):
        for word in words:
            found.update(_word_features(word))
        found.update(_pair_names(words))
    return dict.fromkeys(sorted(found), 1.0 / math.sqrt(len(found))) if found else {}


@lru_cache(maxsize=256)
def feature_ids(text: str) -> np.ndarray:
    """The stable hashes of the message's features, sorted and unique. Cached: the
    engine reads a message more than once."""
    return feature_ids_of(topic_readings(text))


def feature_ids_of(read: Readings) -> np.ndarray:
    """``feature_ids`` from the message's ``topic_readings``, computed once elsewhere."""
    if sum(map(len, read)) > LONG:  # a long story: arrays are faster
        return feature_ids_many([read])[0]
    found: list[int] = []
    for words in read:
        for word in words:
            found.extend(padded_grams(word, NGRAM_SIZES, 32))
            found.append(reference(word[:PREFIX], _PREFIX_TAG, 32))
        prefixes = [word[:PREFIX] for word in words if len(word) > 2]
        found.extend(mix(joined(a, b, "|"), _PAIR_TAG, 32)
                     for a, b in itertools.pairwise(prefixes))
    ids = unique_counts(np.array(found, dtype=np.uint32))[0]
    ids.flags.writeable = False  # shared through the cache
    return ids


def feature_ids_many(read: Sequence[Readings]) -> list[np.ndarray]:
    """``feature_ids_of`` for many messages, a batch at a time, each batch hashed in a
    few array operations (``bot.search.hashing``)."""
    return [ids for start in range(0, len(read), BATCH)
            for ids in _feature_ids_batch(read[start:start + BATCH])]


def _feature_ids_batch(read: Sequence[Readings]) -> list[np.ndarray]:
    spans = Spans(read)
    hashes, owners = [], []
    for n in NGRAM_SIZES:
        raw, owner = spans.grams(n)
        hashes.append(Spans.mixed(raw, n, 32))
        owners.append(owner)
    prefix_length = np.minimum(spans.lengths, PREFIX)
    prefixes = spans.raw(spans.starts, spans.starts + prefix_length)
    hashes.append(Spans.mixed(prefixes, _PREFIX_TAG, 32))
    owners.append(spans.word_owner)
    # Pairs of neighbouring words longer than two letters, within one reading.
    long_words = np.flatnonzero(spans.lengths > 2)
    left, right = long_words[:-1], long_words[1:]
    same = spans.reading[left] == spans.reading[right]
    left, right = left[same], right[same]
    pairs = spans.joined(prefixes[left], prefixes[right], prefix_length[right], "|")
    hashes.append(Spans.mixed(pairs, _PAIR_TAG, 32))
    owners.append(spans.word_owner[left])
    found = np.concatenate(hashes).astype(np.uint32)
    owner = np.concatenate(owners)
    keys = unique_counts(owner.astype(np.uint64) << np.uint64(32) | found.astype(np.uint64))[0]
    bounds = np.searchsorted(keys >> np.uint64(32), np.arange(1, len(read)),
                             side="left")
    result = []
    for ids in np.split((keys & np.uint64(0xFFFFFFFF)).astype(np.uint32), bounds):
        ids.flags.writeable = False  # shared through the cache
        result.append(ids)
    return result


def feature_hash(name: str) -> int:
    """The stable 32-bit hash of a feature named as ``features`` names it (the models
    compute the same hashes with arrays, ``feature_ids``)."""
    if name.startswith("w:"):
        return reference(name[2:], _PREFIX_TAG, 32)
    if name.startswith("p:"):
        return reference(name[2:], _PAIR_TAG, 32)
    return reference(name, len(name), 32)


@dataclass(frozen=True)
class Prediction:
    article_id: str
    probability: float


class AnswerModel:
    """Multinomial naive Bayes over the features above, each weighted by its inverse
    document frequency (a feature every article has says nothing). Training is one pass
    of counting, so the model is rebuilt in about a second at start and on /reload;
    prediction touches only the classes that share a feature with the message."""

    def __init__(self, labels: Sequence[str], base: np.ndarray, keys: np.ndarray,
                 starts: np.ndarray, classes: np.ndarray, values: np.ndarray,
                 temperature: float = 1.0) -> None:
        self.labels = list(labels)
        self._base = base  # log P(unseen feature | class)
        # log P(feature | class) - base, for the classes that have the feature, packed:
        # a feature is found by its stable hash in ``_keys`` (no strings kept: about
        # 100,000 features in dicts took 47 MB, in these arrays 4 MB); its classes and
        # values sit in ``_classes``/``_values`` from ``_starts[i]`` to ``_starts[i + 1]``.
        self._keys = keys
        self._starts = starts
        self._classes = classes
        self._values = values
        self.temperature = temperature

    @classmethod
    def train(cls, samples: Sequence[tuple[str, str]], *, alpha: float = ALPHA,
              temperature: float = 1.0) -> AnswerModel:
        """``samples``: (text, article id). Deterministic for the same samples."""
        found = feature_ids_many([topic_readings(text) for text, _ in samples])
        return cls.train_on_features(list(zip(found, (label for _, label in samples),
                                              strict=True)),
                                     alpha=alpha, temperature=temperature)

    @classmethod
    def train_on_features(cls, samples: Sequence[tuple[np.ndarray, str]], *,
                          alpha: float = ALPHA, temperature: float = 1.0) -> AnswerModel:
        """As ``train``, from ``feature_ids`` already computed (shared with another
        model). Counting is done on whole arrays, one class at a time: a dict per message
        took ~250 MB at peak for the knowledge base's 8,000 examples."""
        labels = sorted({label for _, label in samples})
        n_classes = len(labels)
        by_class: list[list[np.ndarray]] = [[] for _ in labels]
        index = {label: i for i, label in enumerate(labels)}
        for ids, label in samples:
            if len(ids):
                by_class[index[label]].append(ids)
        n_messages = sum(len(parts) for parts in by_class)
        everything = [ids for parts in by_class for ids in parts]
        keys, frequency = (unique_counts(np.concatenate(everything))
                           if everything else (np.zeros(0, np.uint32), np.zeros(0, np.int64)))
        del everything
        # Inverse document frequency: a feature every message has says nothing. A message
        # has each feature once, so a class's weight for a feature is its count × idf.
        idf = np.log(n_messages / frequency) if n_messages else np.zeros(0)
        rows, classes, weights = [], [], []
        totals = np.zeros(n_classes)
        for y, parts in enumerate(by_class):
            if not parts:
                continue
            found, count = unique_counts(np.concatenate(parts))
            row = np.searchsorted(keys, found)
            weight = count * idf[row]
            totals[y] = weight.sum()
            rows.append(row)
            classes.append(np.full(len(row), y, dtype=np.int32))
            weights.append(weight)
        vocabulary = len(keys)
        base = np.log(alpha / (totals + alpha * (vocabulary or 1)))
        row = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        cls_of = np.concatenate(classes) if classes else np.zeros(0, np.int32)
        weight = np.concatenate(weights) if weights else np.zeros(0)
        order = np.lexsort((cls_of, row))  # by feature, then class
        row, cls_of, weight = row[order], cls_of[order], weight[order]
        starts = np.searchsorted(row, np.arange(vocabulary + 1)).astype(np.int32)
        # Kept as 32-bit numbers, the classes in the smallest type that holds them (one
        # byte: 2 MB less): the bot holds this model for its whole life.
        return cls(labels, base, keys.astype(np.uint32), starts,
                   cls_of.astype(np.min_scalar_type(max(n_classes - 1, 0))),
                   np.log((weight + alpha) / alpha).astype(np.float32), temperature)

    @classmethod
    def from_readings(cls, samples: Sequence[tuple[str, str, str]],
                      read: Sequence[Sequence[Sequence[str]]], *, temperature: float = 1.0
                      ) -> AnswerModel | None:
        """Trained on ``training_samples`` (every article's examples and titles, and the
        out-of-scope messages as one more class), given their ``readings`` (the engine
        computes those once for this model and the article machine); None when no article
        has examples (the retrieval then works alone)."""
        if not any(kind == "example" for kind, _, _ in samples):
            return None
        return cls.train_on_features(
            list(zip(feature_ids_many(read), (label for _, _, label in samples), strict=True)),
            temperature=temperature)

    def raw_scores(self, text: str) -> list[float]:
        """Per class, the mean log-likelihood of the message's known features (a mean,
        so long stories and one-word questions are on one scale)."""
        return self.raw_scores_of(feature_ids(text))

    def raw_scores_of(self, hashes: np.ndarray) -> list[float]:
        """As ``raw_scores``, for features computed elsewhere (sorted unique uint32)."""
        found = self._matches(hashes)
        known = len(found)
        if not known:
            return [0.0] * len(self.labels)
        starts, ends = self._starts[found], self._starts[found + 1]
        lengths = ends - starts
        # Every (class, value) entry of the found features, gathered in one go.
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        entries = np.arange(int(lengths.sum())) + offsets
        scores = np.bincount(self._classes[entries], weights=self._values[entries],
                             minlength=len(self.labels))
        return ((scores + known * self._base) / known).tolist()

    def _matches(self, hashes: np.ndarray) -> np.ndarray:
        """The rows of the features the model knows."""
        found = np.searchsorted(self._keys, hashes)
        inside = found < len(self._keys)
        found, hashes = found[inside], hashes[inside]
        return found[self._keys[found] == hashes]

    def predict(self, text: str) -> list[Prediction]:
        """Every article with its probability, best first."""
        return self.from_raw(self.raw_scores(text))

    def from_raw(self, scores: list[float]) -> list[Prediction]:
        top = max(scores) if scores else 0.0
        exps = [math.exp((s - top) / self.temperature) for s in scores]
        total = sum(exps) or 1.0
        ranked = sorted(range(len(scores)), key=lambda i: (-scores[i], self.labels[i]))
        return [Prediction(self.labels[i], exps[i] / total) for i in ranked]


def training_samples(kb: KnowledgeBase, out_of_scope: Sequence[str] = ()
                     ) -> Iterable[tuple[str, str, str]]:
    """(kind, text, label): the examples, each title as one more example, and the
    out-of-scope messages under ``OUT_OF_SCOPE``."""
    for article in kb.articles.values():
        for text in article.texts.values():
            yield "title", text.title, article.id
            for example in text.examples:
                yield "example", example, article.id
    for message in out_of_scope:
        yield "out_of_scope", message, OUT_OF_SCOPE


def read_out_of_scope(path: Path) -> list[str]:
    """``knowledge/out_of_scope_examples.jsonl``: one ``{"q": …, "lang": …}`` per line."""
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        return [str(json.loads(line)["q"]) for line in fh if line.strip()]
