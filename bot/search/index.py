"""Per-language retrieval indexes, built once from the knowledge base.

Each (article, language) pair is one document. A query is analysed separately
for each language's index (its stemmer, its transliteration of Latin words), so
"zapret na vezd" meets the Russian articles as "запрет на везд" and
"chi hel patent giriftan" meets the Tajik ones as "чи хел патент гирифтан".

Three signals, each on a 0..1 scale, are fused:
- BM25 over the curated fields (title, keywords): the words people use;
- BM25 over the article text (short, details): the facts, in full sentences;
- TF-IDF cosine over character 3-5-grams of all fields: typos, word forms and
  transliteration noise that stems miss.
Word stems are matched together with pairs of nearby content words
("work|patent", "въезд|запрет"), which separate neighbouring topics.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.search.normalize import fold, has_cyrillic, normalize
from bot.search.stemming import stem_en, stem_ru, stem_tg
from bot.search.translit import to_cyrillic, to_latin

CURATED_FIELDS: Mapping[str, float] = {"title": 1.0, "keywords": 1.0}
TEXT_FIELDS: Mapping[str, float] = {"short": 1.0, "details": 0.4}
NGRAM_FIELDS: Mapping[str, float] = {"title": 1.0, "keywords": 1.5, "short": 0.5,
                                     "details": 0.15}
W_CURATED = 0.35
W_TEXT = 0.35
W_NGRAM = 0.3

NGRAM_SIZES = (3, 4, 5)
BM25_K1 = 1.2
BM25_B = 0.6
PAIR_WINDOW = 2
# Query words missing from an index are looked up among its words with at most
# this share of edits ("explanaton" → "explanation", "патерял" → "потерял").
TYPO_SIMILARITY = 0.8
TYPO_MIN_LENGTH = 5
TYPO_MAX_WORDS = 8  # per query and index: bounds the time spent on garbage input
WORD_CACHE_SIZE = 4096  # words per n-gram index

# Function words: left out of word pairs ("work patent" or "запрет въезд" says
# much more than either word; "for the" says nothing).
_STOPWORDS_TEXT = """
a an the to of in on at for from with by and or but if is are was were be been am do does
did i me my we our you your he his she her it its they them their this that these those
can could will would should shall may might must have has had not no yes what how when
where who whom which why there here so as than then too very just about also please any
в во на и а но что как я мы вы ты он она они оно мне меня мой моя мои нас нам вам
вас тебе тебя его ее их с со по за к ко у о об от до из для не ни ли же бы это этот эта
эти то так или если когда где куда какой какая какие каком сколько чтобы чем уже еще
все там тут вот да нет быть был была было были есть
дар ба аз ва ки чи чӣ ин он бо барои то ё ман шумо мо ту вай онҳо ӯ агар ҳам низ не на ҳа
чанд кадом хел куҷо кай чаро аст буд ҳаст ҳастам ҳастед мешавад шуд мумкин лозим даркор
"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORDS_TEXT.split())
_FOLDED_STOPWORDS = frozenset(fold(w) for w in STOPWORDS)

# Everyday "what do I do / help" phrases: nearly every question could end with
# one, so they say little about its topic, but their words ("кор", "делать",
# "help") match the keywords of the emergency checklist and pull questions
# there. In a query they weigh GENERIC_WEIGHT and form no word pairs, unless
# the message has nothing else to go by.
_GENERIC_PHRASES_TEXT = """
чӣ кор кунам | чӣ кор кунем | чӣ кор кунад | чӣ кор кунанд | чӣ кор кунӣ | чӣ кор кунед
чӣ кор бояд кард | чӣ кор бояд кунам | чӣ кор кардан лозим | чӣ кор карданам лозим
чӣ кунам | чӣ кунем | чӣ бояд кард | чӣ бояд кунам | акнун чӣ | ҳоло чӣ
что делать | что мне делать | что же делать | что теперь делать | что нам делать
что мне теперь делать | что можно сделать | что сделать | как быть | как мне быть
what should i do | what do i do | what can i do | what to do | what shall i do
what should we do | what do we do | what now
"""
# Calls for help say a little more: "помогите, задержали" is more urgent than a
# question about the same topic, so they keep a larger share of their weight.
_HELP_PHRASES_TEXT = """
ёрдам кунед | ёрдам диҳед | кӯмак кунед | кӯмак диҳед | ба ман ёрдам | ба ман кӯмак
помогите | помогите пожалуйста | помоги | подскажите | подскажите пожалуйста
help me | please help | help me please | can you help | can you help me | i need help
need help
"""
GENERIC_WEIGHT = 0.2
HELP_WEIGHT = 0.5


def _phrases(text: str) -> frozenset[tuple[str, ...]]:
    phrases = set()
    for phrase in text.replace("\n", "|").split("|"):
        words = normalize(phrase)
        if not words:
            continue
        phrases.add(tuple(fold(words).split()))
        if has_cyrillic(words):  # as typed in Latin letters, seen by the en index
            phrases.add(tuple(fold(normalize(to_latin(words))).split()))
            phrases.add(tuple(fold(normalize(to_latin(words, loose=True))).split()))
    return frozenset(phrases)


_GENERIC_BY_FIRST: dict[str, list[tuple[tuple[str, ...], float]]] = defaultdict(list)
for _text, _weight in ((_GENERIC_PHRASES_TEXT, GENERIC_WEIGHT), (_HELP_PHRASES_TEXT, HELP_WEIGHT)):
    for _p in _phrases(_text):
        _GENERIC_BY_FIRST[_p[0]].append((_p, _weight))
for _list in _GENERIC_BY_FIRST.values():
    _list.sort(key=lambda pw: len(pw[0]), reverse=True)  # longest phrase first


def generic_weights(words: Sequence[str]) -> list[float]:
    """Per (folded) word: its weight in a query, below 1 for the words of an
    everyday "what do I do" or "help me" phrase."""
    weights = [1.0] * len(words)
    for i, word in enumerate(words):
        for phrase, weight in _GENERIC_BY_FIRST.get(word, ()):
            if tuple(words[i:i + len(phrase)]) == phrase:
                for j in range(i, i + len(phrase)):
                    weights[j] = min(weights[j], weight)
                break
    return weights


@lru_cache(maxsize=16384)
def _analyze_word(word: str, lang: str) -> str:
    if lang == "en":
        return stem_ru(word) if has_cyrillic(word) else stem_en(word)
    if lang == "tg":
        return stem_tg(word)
    return stem_ru(word)


@lru_cache(maxsize=256)
def surface(text: str, lang: str) -> str:
    """Normalised text in the script of ``lang``'s index (Latin words transliterated
    for ru/tg), not yet folded. Cached: each index and model reads the same question."""
    text = normalize(text)
    if lang != "en":
        text = to_cyrillic(text, lang)
    return text


def terms(text: str, lang: str) -> list[str]:
    """Stems of ``text`` as ``lang``'s index sees them."""
    return [_analyze_word(w, lang) for w in surface(text, lang).split()]


def pairs_of(stems_with_stop: Sequence[tuple[str, bool]]) -> list[str]:
    """Unordered pairs of nearby content stems ("патент|работ")."""
    stems = [s for s, stop in stems_with_stop if not stop]
    pairs = []
    for i, a in enumerate(stems):
        for b in stems[i + 1:i + 1 + PAIR_WINDOW]:
            if a != b:
                pairs.append(f"{a}|{b}" if a < b else f"{b}|{a}")
    return pairs


def analyze(text: str, lang: str) -> list[str]:
    """Stems and word pairs of ``text``, line by line (a pair never spans two
    keywords)."""
    out: list[str] = []
    for line in text.splitlines():
        words = surface(line, lang).split()
        stems = [(_analyze_word(w, lang), fold(w) in _FOLDED_STOPWORDS) for w in words]
        out.extend(s for s, _ in stems)
        out.extend(pairs_of(stems))
    return out


@lru_cache(maxsize=512)
def _word_ngrams(word: str) -> tuple[str, ...]:
    padded = f" {word} "
    return tuple(padded[i:i + n] for n in NGRAM_SIZES for i in range(len(padded) - n + 1))


def char_ngrams(text: str) -> Counter[str]:
    """Character n-grams of the folded words of ``text``, padded at word edges."""
    grams: Counter[str] = Counter()
    for word, k in Counter(fold(text).split()).items():
        for gram in _word_ngrams(word):
            grams[gram] += k
    return grams


@dataclass(frozen=True)
class Document:
    article_id: str
    fields: Mapping[str, str]  # field name -> plain text


class Postings:
    """Per term, its idf and the documents that have it with a value for each, packed
    into arrays (a dict of idf and a list of tuples per term took ~50 MB for the
    three languages)."""

    def __init__(self, postings: Mapping[str, Sequence[tuple[int, float]]],
                 idf: Mapping[str, float]) -> None:
        self._row = {term: i for i, term in enumerate(postings)}
        self._idf = array("d", (idf[term] for term in postings))
        lengths = [len(p) for p in postings.values()]
        self._starts = np.zeros(len(lengths) + 1, dtype=np.int64)
        self._starts[1:] = np.cumsum(lengths)
        self._docs = np.array([i for p in postings.values() for i, _ in p], dtype=np.int32)
        self._values = np.array([v for p in postings.values() for _, v in p], dtype=float)

    def __contains__(self, term: str) -> bool:
        return term in self._row

    def find(self, term: str) -> int | None:
        return self._row.get(term)

    def idf(self, row: int) -> float:
        return self._idf[row]

    def add_to(self, scores: np.ndarray, row: int, factor: float) -> None:
        """``scores[doc] += factor * value`` for every document that has the term."""
        start, end = self._starts[row], self._starts[row + 1]
        scores[self._docs[start:end]] += factor * self._values[start:end]

    def summed(self, rows: Sequence[int], factors: Sequence[float], size: int) -> np.ndarray:
        """``add_to`` for several terms at once, from zero: the same sums in the same order
        (each document's values added term by term), in a few array operations instead of
        three per term (a question has a dozen terms; there are few documents)."""
        if not rows:
            return np.zeros(size)
        chosen = np.array(rows, dtype=np.int64)
        starts, ends = self._starts[chosen], self._starts[chosen + 1]
        lengths = ends - starts
        entries = np.arange(int(lengths.sum())) + np.repeat(starts - np.cumsum(lengths)
                                                             + lengths, lengths)
        weights = np.repeat(np.array(factors, dtype=float), lengths) * self._values[entries]
        return np.bincount(self._docs[entries], weights=weights, minlength=size)


class BM25:
    """BM25 over field-weighted term counts, with scores scaled to 0..1."""

    def __init__(self, bags: Sequence[Mapping[str, float]], lengths: Sequence[float]) -> None:
        n_docs = len(bags)
        self.size = n_docs
        avg_len = (sum(lengths) / n_docs) if n_docs else 1.0
        df = Counter(term for bag in bags for term in bag)
        idf = {t: math.log(1 + (n_docs - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        # A query term no document has weighs like the rarest known one: it is
        # part of what the question asks, and no article covers it.
        self.unknown_idf = math.log(1 + (n_docs - 0.5) / 1.5)
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, bag in enumerate(bags):
            norm = BM25_K1 * (1 - BM25_B + BM25_B * (lengths[i] / avg_len if avg_len else 1))
            for term, f in bag.items():
                postings[term].append((i, f * (BM25_K1 + 1) / (f + norm)))
        self.postings = Postings(postings, idf)

    def scores(self, query_terms: Iterable[str],
               weights: Mapping[str, float] | None = None) -> list[float]:
        """``weights``: query terms that count less than 1 (default 1)."""
        bound = 0.0
        rows: list[int] = []
        factors: list[float] = []
        for term in set(query_terms):
            w = weights.get(term, 1.0) if weights else 1.0
            row = self.postings.find(term)
            if row is None:
                bound += w * self.unknown_idf
                continue
            idf = self.postings.idf(row) * w
            bound += idf
            rows.append(row)
            factors.append(idf)
        scores = self.postings.summed(rows, factors, self.size)
        # Each term adds at most idf * (k1 + 1).
        bound *= BM25_K1 + 1
        return np.minimum(1.0, scores / bound).tolist() if bound else scores.tolist()


def _bag(doc: Document, fields: Mapping[str, float], lang: str) -> tuple[dict[str, float], float]:
    bag: dict[str, float] = defaultdict(float)
    length = 0.0
    for name, weight in fields.items():
        items = analyze(doc.fields.get(name, ""), lang)
        length += weight * len(items)
        for item in items:
            bag[item] += weight
    return bag, length


class NgramIndex:
    """Cosine over character n-grams: documents weighted by sublinear tf-idf,
    queries by linear tf-idf (so a query's score is a sum over its words, which
    can be cached)."""

    def __init__(self, vectors: Sequence[Mapping[str, float]]) -> None:
        n_docs = len(vectors)
        self.size = n_docs
        gdf = Counter(g for v in vectors for g in v)
        idf = {g: 1 + math.log((1 + n_docs) / (1 + f)) for g, f in gdf.items()}
        self.unknown_idf = 1 + math.log(1 + n_docs)
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, vec in enumerate(vectors):
            weighted = {g: _sublinear(c) * idf[g] for g, c in vec.items()}
            norm = math.sqrt(sum(v * v for v in weighted.values())) or 1.0
            for g, v in weighted.items():
                postings[g].append((i, v / norm))
        self.postings = Postings(postings, idf)
        # Bounded: a long run meets many words; each entry is one small array.
        self._word_cache: dict[str, tuple[np.ndarray, list[tuple[str, float]]]] = {}

    def _word(self, word: str) -> tuple[np.ndarray, list[tuple[str, float]]]:
        """A word's contribution to every document's dot product, and its n-grams
        with their weights; cached, as questions reuse the same words."""
        cached = self._word_cache.get(word)
        if cached is not None:
            return cached
        dots = np.zeros(self.size)
        grams = []
        for g in _word_ngrams(word):
            row = self.postings.find(g)
            if row is None:
                grams.append((g, self.unknown_idf))
                continue
            idf = self.postings.idf(row)
            grams.append((g, idf))
            self.postings.add_to(dots, row, idf)
        if len(self._word_cache) < WORD_CACHE_SIZE:
            self._word_cache[word] = (dots, grams)
        return dots, grams

    def scores(self, text: str) -> list[float]:
        """Cosine of the query's n-gram vector (linear tf) with every document."""
        scores = np.zeros(self.size)
        weights: dict[str, float] = defaultdict(float)
        for word, k in Counter(fold(text).split()).items():
            dots, grams = self._word(word)
            scores += k * dots
            for g, idf in grams:
                weights[g] += k * idf
        # Unknown n-grams count in the query's length too: a question that is
        # mostly about something else must not look like a perfect match.
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return (scores / norm).tolist()


def _sublinear(count: float) -> float:
    return 1 + math.log(count) if count >= 1 else count


class LanguageIndex:
    """All signals over the documents of one language."""

    def __init__(self, lang: str, documents: Iterable[Document]) -> None:
        self.lang = lang
        docs = list(documents)
        self.ids = [d.article_id for d in docs]
        curated = [_bag(d, CURATED_FIELDS, lang) for d in docs]
        text = [_bag(d, TEXT_FIELDS, lang) for d in docs]
        self.curated = BM25([b for b, _ in curated], [n for _, n in curated])
        self.text = BM25([b for b, _ in text], [n for _, n in text])

        vectors = []
        for doc in docs:
            counts: dict[str, float] = defaultdict(float)
            for name, weight in NGRAM_FIELDS.items():
                for gram, c in char_ngrams(surface(doc.fields.get(name, ""), lang)).items():
                    counts[gram] += weight * c
            vectors.append(counts)
        self.ngrams = NgramIndex(vectors)

        # Words of the index (folded) and their stems, for typo correction.
        vocab: dict[str, str] = {}
        for doc in docs:
            for value in doc.fields.values():
                for word in surface(value, lang).split():
                    if len(word) >= TYPO_MIN_LENGTH - 1 and not word.isdigit():
                        vocab.setdefault(fold(word), _analyze_word(word, lang))
        self._vocab = vocab
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for word in vocab:
            self._by_length[len(word)].append(word)
        self._corrections: dict[str, str | None] = {}

    def _knows(self, stem: str) -> bool:
        return stem in self.curated.postings or stem in self.text.postings

    def _correct(self, word: str) -> str | None:
        """The stem of the index word closest to an unknown ``word``, if close."""
        folded = fold(word)
        if folded in self._corrections:
            return self._corrections[folded]
        # Only words of about the same length can be within the edit budget.
        slack = int(len(folded) * (1 - TYPO_SIMILARITY)) + 1
        candidates = [w for n in range(len(folded) - slack, len(folded) + slack + 1)
                      for w in self._by_length.get(n, ())]
        match = process.extractOne(folded, candidates,
                                   scorer=Levenshtein.normalized_similarity,
                                   score_cutoff=TYPO_SIMILARITY)
        stem = self._vocab[match[0]] if match else None
        if len(self._corrections) < 10_000:
            self._corrections[folded] = stem
        return stem

    def query_terms(self, query: str) -> list[str]:
        """Stems (typos corrected) and word pairs of ``query``."""
        return self._terms(surface(query, self.lang))[0]

    def _terms(self, text: str) -> tuple[list[str], dict[str, float]]:
        """Stems and pairs of ``text``, and the weights of the stems of its
        everyday phrases (see _GENERIC_PHRASES_TEXT)."""
        words = text.split()
        folded = [fold(w) for w in words]
        stop = [f in _FOLDED_STOPWORDS for f in folded]
        word_weights = generic_weights(folded)
        # A message that is only such a phrase ("what should I do") is searched as is.
        if all(g < 1 or s for g, s in zip(word_weights, stop, strict=True)):
            word_weights = [1.0] * len(words)
        stems: list[tuple[str, bool]] = []
        budget = TYPO_MAX_WORDS
        weights: dict[str, float] = {}
        full: set[str] = set()
        for w, is_stop, weight in zip(words, stop, word_weights, strict=True):
            stem = _analyze_word(w, self.lang)
            if (budget and not self._knows(stem) and len(w) >= TYPO_MIN_LENGTH
                    and not w.isdigit()):
                budget -= 1
                stem = self._correct(w) or stem
            stems.append((stem, is_stop or weight < 1))
            if weight < 1:
                weights[stem] = min(weight, weights.get(stem, 1.0))
            else:
                full.add(stem)
        for stem in full:
            weights.pop(stem, None)
        return [s for s, _ in stems] + pairs_of(stems), weights

    def scores(self, query: str) -> tuple[list[float], list[float]]:
        """Per document: the fused 0..1 relevance to ``query`` (for ranking) and
        the n-gram similarity alone (how much of the question the text covers,
        the best single signal for abstaining)."""
        text = surface(query, self.lang)
        qt, weights = self._terms(text)
        curated = self.curated.scores(qt, weights)
        body = self.text.scores(qt, weights)
        ngrams = self.ngrams.scores(text)
        fused = [W_CURATED * c + W_TEXT * t + W_NGRAM * g
                 for c, t, g in zip(curated, body, ngrams, strict=True)]
        return fused, ngrams
