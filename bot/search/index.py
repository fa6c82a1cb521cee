"""Per-language retrieval indexes: BM25F over word stems and TF-IDF over
character n-grams, both built once from the knowledge base.

Each (article, language) pair is one document. A query is analysed separately
for each language's index (its stemmer, its transliteration of Latin words), so
"zapret na vezd" meets the Russian articles as "запрет на везд" and
"chi hel patent giriftan" meets the Tajik ones as "чи хел патент гирифтан".
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from bot.search.normalize import fold, has_cyrillic, normalize
from bot.search.stemming import stem_en, stem_ru, stem_tg
from bot.search.translit import to_cyrillic

# Field weights: keywords and titles are short, curated descriptions of the
# topic; the long details mention many neighbouring topics in passing.
FIELD_WEIGHTS: Mapping[str, float] = {"title": 3.0, "keywords": 3.0, "short": 1.0,
                                      "details": 0.4}
NGRAM_FIELD_WEIGHTS: Mapping[str, float] = {"title": 1.0, "keywords": 1.0, "short": 0.0,
                                            "details": 0.0}
NGRAM_SIZES = (3, 4, 5)
GRAM_IDF_ADD = 1.0
PAIR_WEIGHT = 1.0
BM25_K1 = 1.2
BM25_B = 0.6


# Function words: left out of word pairs (a pair like "work patent" or
# "запрет въезд" says much more than either word; "for the" says nothing).
STOPWORDS: frozenset[str] = frozenset("""
a an the to of in on at for from with by and or but if is are was were be been am do does
did i me my we our you your he his she her it its they them their this that these those
can could will would should shall may might must have has had not no yes what how when
where who whom which why there here so as than then too very just about also please any
в во на и а но что что-то как я мы вы ты он она они оно мне меня мой моя мои нас нам вам
вас тебе тебя его ее их с со по за к ко у о об от до из для не ни ли же бы это этот эта
эти то так или если когда где куда какой какая какие каком сколько чтобы чем уже еще ещё
все всё там тут вот да нет быть был была было были есть
дар ба аз ва ки чи чӣ ин он бо барои то ё ман шумо мо ту вай онҳо ӯ агар ҳам низ не на ҳа
чанд кадом хел куҷо кай чаро аст буд ҳаст ҳастам ҳастед мешавад шуд мумкин лозим даркор
""".split())
_FOLDED_STOPWORDS = frozenset(fold(w) for w in STOPWORDS)
PAIR_FIELDS = ("title", "keywords", "short")
PAIR_WINDOW = 2


@lru_cache(maxsize=32768)
def _analyze_word(word: str, lang: str) -> str:
    if lang == "en":
        return stem_ru(word) if has_cyrillic(word) else stem_en(word)
    if lang == "tg":
        return stem_tg(word)
    return stem_ru(word)


def surface(text: str, lang: str) -> str:
    """Normalised text in the script of ``lang``'s index (Latin words transliterated
    for ru/tg), not yet folded."""
    text = normalize(text)
    if lang != "en":
        text = to_cyrillic(text, lang)
    return text


def terms(text: str, lang: str) -> list[str]:
    """Stems of ``text`` as ``lang``'s index sees them."""
    return [_analyze_word(w, lang) for w in surface(text, lang).split()]


@lru_cache(maxsize=32768)
def _word_ngrams(word: str) -> tuple[str, ...]:
    padded = f" {word} "
    return tuple(padded[i:i + n] for n in NGRAM_SIZES for i in range(len(padded) - n + 1))


def pair_terms(text: str, lang: str) -> list[str]:
    """Unordered pairs of nearby content words ("патент|работ"), line by line."""
    pairs: list[str] = []
    for line in text.splitlines():
        words = [w for w in surface(line, lang).split() if fold(w) not in _FOLDED_STOPWORDS]
        stems = [_analyze_word(w, lang) for w in words]
        for i, a in enumerate(stems):
            for b in stems[i + 1:i + 1 + PAIR_WINDOW]:
                if a != b:
                    pairs.append(f"{a}|{b}" if a < b else f"{b}|{a}")
    return pairs


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


class LanguageIndex:
    """BM25F and character n-gram TF-IDF over the documents of one language."""

    def __init__(self, lang: str, documents: Iterable[Document]) -> None:
        self.lang = lang
        docs = list(documents)
        self.ids = [d.article_id for d in docs]
        n_docs = len(docs)

        # BM25F: field-weighted term frequencies and lengths.
        weighted_tf: list[dict[str, float]] = []
        lengths: list[float] = []
        for doc in docs:
            tf: dict[str, float] = defaultdict(float)
            length = 0.0
            for name, text in doc.fields.items():
                weight = FIELD_WEIGHTS[name]
                field_terms = terms(text, lang)
                length += weight * len(field_terms)
                for term in field_terms:
                    tf[term] += weight
                if name in PAIR_FIELDS and PAIR_WEIGHT:
                    pairs = pair_terms(text, lang)
                    length += weight * PAIR_WEIGHT * len(pairs)
                    for pair in pairs:
                        tf[pair] += weight * PAIR_WEIGHT
            weighted_tf.append(tf)
            lengths.append(length)
        avg_len = (sum(lengths) / n_docs) if n_docs else 1.0
        df = Counter(term for tf in weighted_tf for term in tf)
        self.idf = {t: math.log(1 + (n_docs - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        # A query word no document has weighs like the rarest known word: it is
        # part of what the question asks, and no article covers it.
        self.unknown_idf = math.log(1 + (n_docs - 0.5) / 1.5)
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, tf in enumerate(weighted_tf):
            norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths[i] / avg_len)
            for term, f in tf.items():
                self.postings[term].append((i, f * (BM25_K1 + 1) / (f + norm)))

        # Character n-grams: field-weighted, sublinear tf, idf, unit length.
        vectors: list[dict[str, float]] = []
        for doc in docs:
            counts: dict[str, float] = defaultdict(float)
            for name, text in doc.fields.items():
                weight = NGRAM_FIELD_WEIGHTS[name]
                for gram, c in char_ngrams(surface(text, lang)).items():
                    counts[gram] += weight * c
            vectors.append(counts)
        gdf = Counter(g for v in vectors for g in v)
        self.gram_idf = {g: GRAM_IDF_ADD + math.log((1 + n_docs) / (1 + f)) for g, f in gdf.items()}
        self.gram_postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, vec in enumerate(vectors):
            weighted = {g: (1 + math.log(c)) * self.gram_idf[g] if c >= 1 else c * self.gram_idf[g]
                        for g, c in vec.items()}
            norm = math.sqrt(sum(v * v for v in weighted.values())) or 1.0
            for g, v in weighted.items():
                self.gram_postings[g].append((i, v / norm))

    def bm25(self, query_terms: list[str]) -> list[float]:
        scores = [0.0] * len(self.ids)
        for term in set(query_terms):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for i, value in self.postings[term]:
                scores[i] += idf * value
        return scores

    def max_bm25(self, query_terms: list[str]) -> float:
        """An upper bound of the BM25 of a document that matches every query
        term: used to put BM25 on a 0..1 scale comparable across languages."""
        unknown = self.unknown_idf
        return sum(self.idf.get(t, unknown) for t in set(query_terms)) * (BM25_K1 + 1)

    def ngram_cosine(self, text: str) -> list[float]:
        scores = [0.0] * len(self.ids)
        grams = char_ngrams(text)
        weighted = {}
        for g, c in grams.items():
            idf = self.gram_idf.get(g)
            if idf is not None:
                weighted[g] = (1 + math.log(c)) * idf
        # Unknown n-grams still count in the query's length: a question that is
        # mostly about something else must not look like a perfect match.
        unknown = sum(1 for g in grams if g not in self.gram_idf)
        norm = math.sqrt(sum(v * v for v in weighted.values())
                         + unknown * (math.log(len(self.ids) + 1) + 1) ** 2) or 1.0
        for g, v in weighted.items():
            for i, dv in self.gram_postings[g]:
                scores[i] += v * dv
        return [s / norm for s in scores]
