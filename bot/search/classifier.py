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
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.kb.model import KnowledgeBase
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

Features = dict[str, float]


@lru_cache(maxsize=65536)
def _word_features(word: str) -> tuple[str, ...]:
    padded = f" {word} "
    grams = [padded[i:i + n] for n in NGRAM_SIZES for i in range(len(padded) - n + 1)]
    return (*grams, "w:" + word[:PREFIX])


def _variants(text: str) -> list[list[str]]:
    base = normalize(text)
    words = base.split()
    if len(words) > MAX_WORDS:
        half = MAX_WORDS // 2
        base = " ".join(words[:half] + words[-half:])
    variants = [fold(base).split()]
    if has_latin(base):
        for lang in ("ru", "tg"):
            variants.append([_cyrillic(word, lang) for word in base.split()])
    return variants


@lru_cache(maxsize=65536)
def _cyrillic(word: str, lang: str) -> str:
    return fold(to_cyrillic(word, lang)) if has_latin(word) else fold(word)


def features(text: str) -> Features:
    """Binary features, scaled so every message has the same total weight. Cached: the
    answer model and the "happening now" model read the same message."""
    return dict.fromkeys(*_features(text))


@lru_cache(maxsize=1024)
def _features(text: str) -> tuple[tuple[str, ...], float]:
    found: set[str] = set()
    for words in _variants(text):
        for word in words:
            found.update(_word_features(word))
        prefixes = [w[:PREFIX] for w in words if len(w) > 2]
        found.update(f"p:{a}|{b}" for a, b in itertools.pairwise(prefixes))
    if not found:
        return (), 0.0
    return tuple(sorted(found)), 1.0 / math.sqrt(len(found))


def feature_hash(name: str) -> int:
    """A stable 32-bit hash (Python's own ``hash`` of a string changes per process)."""
    return zlib.crc32(name.encode("utf-8"))


@dataclass(frozen=True)
class Prediction:
    article_id: str
    probability: float


class AnswerModel:
    """Multinomial naive Bayes over the features above, each weighted by its inverse
    document frequency (a feature every article has says nothing). Training is one pass
    of counting, so the model is rebuilt in about a second at start and on /reload;
    prediction touches only the classes that share a feature with the message."""

    def __init__(self, labels: Sequence[str], base: Sequence[float],
                 delta: dict[str, dict[int, float]], temperature: float = 1.0) -> None:
        self.labels = list(labels)
        self._base = np.array(base, dtype=float)  # log P(unseen feature | class)
        # log P(feature | class) - base, for the classes that have the feature, packed:
        # a feature is found by its stable hash (no strings kept: about 100,000 features
        # in dicts took 47 MB, in these arrays 4 MB); its classes and values sit in
        # ``_classes``/``_values`` from ``_starts[i]`` to ``_starts[i + 1]``.
        rows: dict[int, dict[int, float]] = {}
        for name, row in delta.items():
            merged = rows.setdefault(feature_hash(name), {})
            for y, value in row.items():  # two names with one hash: rare, and harmless
                merged[y] = merged.get(y, 0.0) + value
        keys = sorted(rows)
        self._keys = np.array(keys, dtype=np.uint32)
        lengths = [len(rows[key]) for key in keys]
        self._starts = np.zeros(len(keys) + 1, dtype=np.int64)
        self._starts[1:] = np.cumsum(lengths)
        self._classes = np.array([y for key in keys for y in sorted(rows[key])],
                                 dtype=np.int32)
        self._values = np.array([rows[key][y] for key in keys for y in sorted(rows[key])],
                                dtype=float)
        self.temperature = temperature

    @classmethod
    def train(cls, samples: Sequence[tuple[str, str]], *, alpha: float = ALPHA,
              temperature: float = 1.0) -> AnswerModel:
        """``samples``: (text, article id). Deterministic for the same samples."""
        return cls.train_on_features([(features(text), label) for text, label in samples],
                                     alpha=alpha, temperature=temperature)

    @classmethod
    def train_on_features(cls, samples: Sequence[tuple[Features, str]], *,
                          alpha: float = ALPHA, temperature: float = 1.0) -> AnswerModel:
        """As ``train``, from features already computed (shared with another model)."""
        labels = sorted({label for _, label in samples})
        index = {label: i for i, label in enumerate(labels)}
        data = [(f, index[label]) for f, label in samples if f]
        frequency = Counter(name for feats, _ in data for name in feats)
        idf = {name: math.log(len(data) / count) for name, count in frequency.items()}
        counts: dict[str, dict[int, float]] = defaultdict(dict)
        totals = [0.0] * len(labels)
        for feats, y in data:
            for name in feats:
                weight = idf[name]
                row = counts[name]
                row[y] = row.get(y, 0.0) + weight
                totals[y] += weight
        vocabulary = len(counts) or 1
        base = [math.log(alpha / (total + alpha * vocabulary)) for total in totals]
        delta = {name: {y: math.log((value + alpha) / alpha) for y, value in row.items()}
                 for name, row in counts.items()}
        return cls(labels, base, delta, temperature)

    @classmethod
    def from_knowledge_base(cls, kb: KnowledgeBase, *, temperature: float = 1.0,
                            out_of_scope: Sequence[str] = ()) -> AnswerModel | None:
        """Trained on every article's examples and titles, and on ``out_of_scope``
        messages as one more class; None when no article has examples (the retrieval
        then works alone)."""
        samples = list(training_samples(kb, out_of_scope))
        if not any(kind == "example" for kind, _, _ in samples):
            return None
        return cls.train([(text, label) for _, text, label in samples],
                         temperature=temperature)

    def raw_scores(self, text: str) -> list[float]:
        """Per class, the mean log-likelihood of the message's known features (a mean,
        so long stories and one-word questions are on one scale)."""
        names = features(text)
        hashes = np.fromiter((feature_hash(name) for name in names), dtype=np.uint32,
                             count=len(names))
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
