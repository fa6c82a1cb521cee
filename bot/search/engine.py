"""The question search: language detection, small talk, off-topic rules and
ranking over the knowledge base, with an abstention threshold."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kb.model import LANGS, KnowledgeBase
from bot.search import offtopic, smalltalk
from bot.search.index import Document, LanguageIndex, pair_terms, surface, terms
from bot.search.langid import LanguageDetector
from bot.search.normalize import has_cyrillic, has_latin, normalize, strip_html

MAX_HITS = 5
COMBINE = "max"

# Ranking: BM25F over stems (precise) and character n-grams (typos, word
# forms, transliteration noise), each on a 0..1 scale.
W_BM25 = 0.6
W_NGRAM = 0.4
# Documents in a language other than the query's detected one still count
# (mixed tg/ru messages are common), at a discount.
OTHER_LANG_FACTOR = 0.85
# Abstention: answer confidently only above this top score and margin.
CONFIDENT_SCORE = 0.30
CONFIDENT_MARGIN = 0.0


@dataclass(frozen=True)
class SearchHit:
    article_id: str
    score: float  # 0..1


@dataclass(frozen=True)
class SearchResult:
    query: str
    lang: str  # detected (or forced) tg | ru | en
    lang_is_clear: bool
    confident: bool
    hits: tuple[SearchHit, ...]  # at most MAX_HITS, best first
    smalltalk: str | None  # "greeting" | "thanks" | "insult" | None


class SearchEngine:
    def __init__(self, indexes: dict[str, LanguageIndex], detector: LanguageDetector) -> None:
        self._indexes = indexes
        self._detector = detector

    @classmethod
    def build(cls, kb: KnowledgeBase) -> SearchEngine:
        """Build every index once; searching afterwards does no set-up work."""
        docs: dict[str, list[Document]] = {lang: [] for lang in LANGS}
        samples: list[tuple[str, str]] = []
        for article in kb.articles.values():
            for lang, text in article.texts.items():
                fields = {
                    "title": text.title,
                    "keywords": "\n".join(text.keywords),
                    "short": strip_html(text.short),
                    "details": strip_html(text.details),
                }
                docs[lang].append(Document(article.id, fields))
                for name in ("title", "short", "details"):
                    samples.extend((lang, line) for line in fields[name].splitlines()
                                   if line.strip())
        samples.extend(smalltalk.lexicon_samples())
        indexes = {lang: LanguageIndex(lang, d) for lang, d in docs.items() if d}
        return cls(indexes, LanguageDetector.train(samples))

    def detect_language(self, text: str) -> tuple[str, bool]:
        talk = smalltalk.classify(text)
        if talk is not None:
            return talk.lang, True
        return self._detector.detect(text)

    def search(self, query: str, lang: str | None = None) -> SearchResult:
        talk = smalltalk.classify(query)
        if lang in LANGS:
            detected, clear = lang, True
        elif talk is not None:
            detected, clear = talk.lang, True
        else:
            detected, clear = self._detector.detect(query)
        if not normalize(query):
            return SearchResult(query, detected, False, False, (), None)

        scores = self._scores(query, detected)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_HITS]
        hits = tuple(SearchHit(aid, round(min(1.0, s), 6)) for aid, s in ranked if s > 0)
        confident = bool(hits) and talk is None and hits[0].score >= CONFIDENT_SCORE
        if confident and len(hits) > 1 and hits[0].score - hits[1].score < CONFIDENT_MARGIN:
            confident = False
        if confident and offtopic.off_topic(query) is not None:
            confident = False
        return SearchResult(query, detected, clear, confident, hits,
                            talk.kind if talk else None)

    def _scores(self, query: str, lang: str) -> dict[str, float]:
        latin, cyrillic = has_latin(query.lower()), has_cyrillic(query)
        best: dict[str, float] = {}
        for index_lang, index in self._indexes.items():
            # Cyrillic-only questions cannot match English texts, and vice versa
            # English-only ones are still tried on ru/tg through transliteration.
            if index_lang == "en" and not latin:
                continue
            factor = 1.0 if index_lang == lang else OTHER_LANG_FACTOR
            if index_lang != "en" and not cyrillic and lang == "en":
                factor *= OTHER_LANG_FACTOR
            for aid, s in self._language_scores(index, query).items():
                s *= factor
                if COMBINE == "max":
                    if s > best.get(aid, 0.0):
                        best[aid] = s
                else:
                    best[aid] = best.get(aid, 0.0) + s
        return best

    @staticmethod
    def _language_scores(index: LanguageIndex, query: str) -> dict[str, float]:
        qt = terms(query, index.lang) + pair_terms(query, index.lang)
        bm = index.bm25(qt)
        top = index.max_bm25(qt)
        cos = index.ngram_cosine(surface(query, index.lang))
        out = {}
        for i, aid in enumerate(index.ids):
            b = min(1.0, bm[i] / top) if top else 0.0
            out[aid] = W_BM25 * b + W_NGRAM * cos[i]
        return out
