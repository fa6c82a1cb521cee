"""The question search: language detection, small talk, off-topic rules and
ranking over the knowledge base, with an abstention threshold."""

from __future__ import annotations

import ctypes
import functools
import gc
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot import paths
from bot.kb.model import LANGS, KnowledgeBase
from bot.search import offtopic, smalltalk, tfidf
from bot.search.builder import WHOLE, ChildBuildFailed, ParallelBuild
from bot.search.cache import BuildCache
from bot.search.classifier import (
    OUT_OF_SCOPE,
    OUT_OF_SCOPE_FILE,
    AnswerModel,
    read_out_of_scope,
    topic_readings,
    training_samples,
)
from bot.search.fusion import FUSION, Fusion
from bot.search.fusion import signals as fusion_signals
from bot.search.index import Document, LanguageIndex
from bot.search.langid import LanguageDetector, chat_samples
from bot.search.machine import ArticleMachine
from bot.search.normalize import has_cyrillic, has_latin, normalize, strip_html
from bot.search.urgency import EXAMPLES_FILE, UrgencyModel

log = logging.getLogger(__name__)

MAX_HITS = 5
# The engine is built in two parts of about the same cost, side by side where it can be:
# the article machine alone (the longest single piece), and everything else (the
# retrieval indexes, the language detector, "happening now" and naive Bayes). Both read
# the examples; naive Bayes used to share the machine's child and made it the one the
# build waited for (BENCHMARKS.md, session 24).
RETRIEVAL, MACHINE = "retrieval", "machine"
PARTS = (RETRIEVAL, MACHINE)
# Long messages are searched by their first and last words only: the question
# is usually at one end of a story, and search time grows with length.
MAX_QUERY_WORDS = 80

# Ranking is done per language index (see bot.search.index). Documents in a
# language other than the question's detected one still count (mixed tg/ru
# messages are common), at a discount.
OTHER_LANG_FACTOR = 0.85
# Abstention. Off-topic questions share few character n-grams with the best
# article's text and leave it little lead over the second one:
# confidence = (n-gram similarity + MARGIN_WEIGHT * lead) / CONFIDENCE_SCALE,
# capped at 1; confident from CONFIDENT_SCORE up.
MARGIN_WEIGHT = 0.5
CONFIDENCE_SCALE = 0.32
CONFIDENT_SCORE = 0.55
TIE_RATIO = 0.92


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
    smalltalk: str | None  # "greeting" | "thanks" | "request" | "insult" | None
    off_topic: bool = False  # an out-of-scope rule fired (weather, sport, other countries…)
    urgent: bool = False  # it is happening now: answer with the emergency help at once


class SearchEngine:
    def __init__(self, indexes: dict[str, LanguageIndex], detector: LanguageDetector,
                 model: AnswerModel | None = None, fusion: Fusion = FUSION,
                 urgency: UrgencyModel | None = None,
                 machine: ArticleMachine | None = None
                 ) -> None:
        self._indexes = indexes
        self._detector = detector
        self._model = model
        self._fusion = fusion
        self._urgency = urgency or UrgencyModel(None)
        self._machine = machine or ArticleMachine(None)
        self._ready = threading.Event()
        self._ready.set()
        self._error: BaseException | None = None
        self._child: ParallelBuild | None = None
        self._stopping = False

    @classmethod
    def build_in_background(cls, kb: KnowledgeBase, cache: BuildCache | None = None
                            ) -> SearchEngine:
        """An engine that builds itself (about 4.5 s, 7–7.5 s on one core; read from ``cache``
        in about 0.15 s) while the bot starts at once; only the first question
        waits for it. Many runs never search at all. The build runs in child processes
        (``bot.search.builder``: the bot's memory stays small and its event loop free),
        or here when no child can be started."""
        engine = cls.__new__(cls)
        ready = threading.Event()
        engine._ready, engine._error = ready, None
        engine._child, engine._stopping = None, False

        def started(child: ParallelBuild) -> None:
            engine._child = child
            if engine._stopping:  # the bot began to stop while the child started
                child.cancel()

        def work() -> None:
            try:
                built = cls.build_isolated(kb, started=started,
                                           fall_back=lambda: not engine._stopping,
                                           cache=cache)
                engine.__dict__.update(built.__dict__)
                engine._ready, engine._child = ready, None
                del built
                return_free_memory()
            except BaseException as error:  # re-raised where the engine is used
                engine._error = error
            finally:
                ready.set()

        threading.Thread(target=work, name="search-build", daemon=True).start()
        return engine

    @classmethod
    def build_isolated(cls, kb: KnowledgeBase, *,
                       started: Callable[[ParallelBuild], None] | None = None,
                       fall_back: Callable[[], bool] = lambda: True,
                       cache: BuildCache | None = None) -> SearchEngine:
        """``build`` in child processes: one per part side by side where there are two
        cores and the memory, else one (``bot.search.builder.ParallelBuild``); in this
        process when no child can be started or one died, unless ``fall_back()`` says no
        (stopping). With a ``cache``, parts saved for this very knowledge base and code
        are read instead, and the parts the children build are saved for the next start
        (by the children themselves)."""
        key = cache.key(kb) if cache is not None else ""
        if cache is not None and (saved := cache.load(key, PARTS)) is not None:
            log.info("search index read from the cache")
            return cls._assemble(*saved)
        try:
            child = ParallelBuild(kb, PARTS, cache=(cache, key) if cache else None)
            if started is not None:
                started(child)
            return cls._assemble(*child.result())
        except ChildBuildFailed as failure:
            if not fall_back():
                raise
            log.warning("search index built in the bot's own process: %s", failure)
            return cls.build(kb)

    def parts(self) -> tuple[Any, ...]:
        """What ``__init__`` takes, to send a built engine from a child process."""
        return (self._indexes, self._detector, self._model, self._fusion, self._urgency,
                self._machine)

    def stop_building(self, timeout: float) -> bool:
        """The bot is stopping: end a build still under way (a child is stopped; a build
        in this process is waited for, since the interpreter must not end under a thread
        inside numpy). False if it did not end within ``timeout``."""
        self._stopping = True
        child = self._child
        if child is not None:
            child.cancel()
        return self._ready.wait(timeout)

    def _wait(self) -> None:
        self._ready.wait()
        if self._error is not None:
            raise RuntimeError("the search index could not be built") from self._error

    @property
    def has_model(self) -> bool:
        self._wait()
        return self._model is not None

    @classmethod
    def build(cls, kb: KnowledgeBase, *, use_model: bool = True,
              fusion: Fusion = FUSION) -> SearchEngine:
        """Build every index and model once; searching afterwards does no set-up work."""
        model = machine = None
        if use_model:
            samples, read = cls._training_readings(kb)
            model = AnswerModel.from_readings(samples, read, temperature=fusion.temperature)
            machine = cls._machine(samples, read)
            del samples, read
            _trim()
        indexes, detector, urgency = cls._retrieval(kb)
        return cls(indexes, detector, model, fusion, urgency, machine)

    @classmethod
    def build_parts(cls, kb: KnowledgeBase, parts: tuple[str, ...]
                    ) -> tuple[tuple[Any, ...], ...]:
        """Each of ``parts``, one after the other: a part of ``PARTS`` (what ``_assemble``
        takes) or ``WHOLE`` (``parts()``). The examples' readings, which both of ``PARTS``
        need, are computed once (a child building both on a one-core machine)."""
        readings_once = functools.cache(lambda: cls._training_readings(kb))
        built = []
        for part in parts:
            if part == RETRIEVAL:
                retrieval = cls._retrieval(kb)
                samples, read = readings_once()
                built.append((*retrieval, AnswerModel.from_readings(
                    samples, read, temperature=FUSION.temperature)))
            elif part == MACHINE:
                built.append((cls._machine(*readings_once()),))
            elif part == WHOLE:
                built.append(cls.build(kb).parts())
            else:
                raise ValueError(f"no such part of the search engine: {part}")
        return tuple(built)

    @classmethod
    def _assemble(cls, retrieval: tuple[Any, ...], machine: tuple[Any, ...],
                  fusion: Fusion = FUSION) -> SearchEngine:
        indexes, detector, urgency, model = retrieval
        (article_machine,) = machine
        return cls(indexes, detector, model, fusion, urgency, article_machine)

    @staticmethod
    def _retrieval(kb: KnowledgeBase) -> tuple[dict[str, LanguageIndex], LanguageDetector,
                                                UrgencyModel]:
        """The language indexes, the language detector and the "happening now" model."""
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
        samples.extend(chat_samples())
        # Each stage's scratch memory is handed back before the next one starts, so the
        # peak is the largest stage's, not their sum.
        indexes = {}
        for lang, documents in docs.items():
            if documents:
                indexes[lang] = LanguageIndex(lang, documents)
                _trim()
        detector = LanguageDetector.train(samples)
        _trim()
        urgency = UrgencyModel.from_file(paths.knowledge_dir() / EXAMPLES_FILE)
        _trim()
        return indexes, detector, urgency

    @staticmethod
    def _training_readings(kb: KnowledgeBase
                           ) -> tuple[list[tuple[str, str, str]], list[Any]]:
        """The learnt models' training messages (``training_samples``) and their readings:
        naive Bayes and the machine learn from the same ones."""
        out_of_scope = read_out_of_scope(paths.knowledge_dir() / OUT_OF_SCOPE_FILE)
        samples = list(training_samples(kb, out_of_scope))
        return samples, [topic_readings(text) for _, text, _ in samples]

    @staticmethod
    def _machine(samples: list[tuple[str, str, str]], read: list[Any]
                 ) -> ArticleMachine | None:
        """The article machine; None without examples, exactly when naive Bayes is None
        too (``AnswerModel.from_readings``): the retrieval then works alone."""
        if not any(kind == "example" for kind, _, _ in samples):
            return None
        return ArticleMachine.train_on_counts(
            tfidf.counts_of(read), [label for _, _, label in samples])

    def detect_language(self, text: str) -> tuple[str, bool]:
        """(tg|ru|en, whether that is clear). Small-talk words decide short
        greetings such as "hi", which the n-gram model cannot."""
        self._wait()
        return self._detect(_clip(text), smalltalk.classify(text))

    def _detect(self, text: str, talk: smalltalk.SmallTalk | None) -> tuple[str, bool]:
        if talk is not None:
            return talk.lang, True
        return self._detector.detect(text)

    def search(self, query: str, lang: str | None = None) -> SearchResult:
        """Rank the articles for ``query``; ``lang`` forces the question's language."""
        self._wait()
        text = _clip(query)
        talk = smalltalk.classify(text)
        detected, clear = (lang, True) if lang in LANGS else self._detect(text, talk)
        if not normalize(text):
            return SearchResult(query, detected, False, False, (), None)

        relevance, coverage = self._scores(text, detected)
        ranked = sorted(relevance.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_HITS]
        ranked = [(aid, s) for aid, s in ranked if s > 0]
        off_topic = offtopic.off_topic(text) is not None
        urgent = talk is None and not off_topic and self._urgency.is_urgent(text)
        if not ranked:
            return SearchResult(query, detected, clear, False, (), talk.kind if talk else None,
                                off_topic, urgent)
        top_id, top = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        # The best hit's score is the abstention measure on a 0..1 scale where
        # CONFIDENT_SCORE is the threshold; the others keep their ratio to it.
        confidence = min(1.0, (coverage[top_id] + MARGIN_WEIGHT * (top - second))
                         / CONFIDENCE_SCALE)
        if self._model is not None:
            return self._fused(query, text, detected, clear, talk, relevance, confidence,
                               off_topic, urgent)
        hits = tuple(SearchHit(aid, round(confidence * s / top, 6)) for aid, s in ranked)
        # A near-tie between two articles ("патент", "документы") is a question the user
        # should settle by choosing, not one the bot should guess.
        tied = second >= TIE_RATIO * top
        confident = (talk is None and confidence >= CONFIDENT_SCORE and not off_topic
                     and not tied)
        return SearchResult(query, detected, clear, confident, hits,
                            talk.kind if talk else None, off_topic, urgent)

    def _fused(self, query: str, text: str, lang: str, clear: bool,
               talk: smalltalk.SmallTalk | None, relevance: dict[str, float],
               retrieval_confidence: float, off_topic: bool, urgent: bool) -> SearchResult:
        """Retrieval and the learnt model together: scores add up, and the decision to
        answer directly comes from a calibrated combination of both."""
        ranked, signals = self.signals(text, relevance, retrieval_confidence)
        fusion = self._fusion
        score = fusion.confidence(signals)
        same_situation = fusion.one_situation([aid for aid, _ in ranked[:2]])
        confident = (talk is None and not off_topic
                     and (score >= fusion.threshold
                          or (same_situation and score >= fusion.situation_threshold)))
        best = ranked[0][1] or 1.0
        hits = tuple(SearchHit(aid, round(score * s / best, 6)) for aid, s in ranked if s > 0)
        return SearchResult(query, lang, clear, confident, hits, talk.kind if talk else None,
                            off_topic, urgent)

    def with_fusion(self, fusion: Fusion) -> SearchEngine:
        """The same indexes and model with other fusion numbers (for calibration)."""
        self._wait()
        if self._model is not None:
            self._model.temperature = fusion.temperature
        return SearchEngine(self._indexes, self._detector, self._model, fusion, self._urgency,
                            self._machine)

    def retrieval(self, query: str) -> tuple[dict[str, float], float]:
        """Retrieval alone: relevance per article and its confidence (for calibration)."""
        self._wait()
        text = _clip(query)
        if not normalize(text):
            return {}, 0.0
        relevance, coverage = self._scores(text, self._detect(text, None)[0])
        ranked = sorted(relevance.items(), key=lambda kv: (-kv[1], kv[0]))
        if not ranked or ranked[0][1] <= 0:
            return {}, 0.0
        top_id, top = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        return relevance, min(1.0, (coverage[top_id] + MARGIN_WEIGHT * (top - second))
                              / CONFIDENCE_SCALE)

    def analyse(self, query: str) -> tuple[list[tuple[str, float]], tuple[float, ...]] | None:
        """The fused ranking and the confidence signals (model top probability, its
        margin, retrieval confidence, agreement) — what calibration fits on."""
        self._wait()
        text = _clip(query)
        if not normalize(text) or self._model is None:
            return None
        relevance, coverage = self._scores(text, self._detect(text, None)[0])
        ranked = sorted(relevance.items(), key=lambda kv: (-kv[1], kv[0]))
        if not ranked or ranked[0][1] <= 0:
            return None
        top_id, top = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        confidence = min(1.0, (coverage[top_id] + MARGIN_WEIGHT * (top - second))
                         / CONFIDENCE_SCALE)
        return self.signals(text, relevance, confidence)

    def signals(self, text: str, relevance: dict[str, float], retrieval_confidence: float
                ) -> tuple[list[tuple[str, float]], tuple[float, ...]]:
        assert self._model is not None
        fusion = self._fusion
        raw = self._model.raw_scores(text)
        everything = self._model.from_raw(raw)
        # The out-of-scope class only takes probability away; it is never an answer.
        predictions = [p for p in everything if p.article_id != OUT_OF_SCOPE]
        out_of_scope = sum(p.probability for p in everything if p.article_id == OUT_OF_SCOPE)
        raw = [r for r, label in zip(raw, self._model.labels, strict=True)
               if label != OUT_OF_SCOPE]
        probability = {p.article_id: p.probability for p in predictions}
        margins, machine_out = self._machine.margins(text)
        combined = fusion.combine(probability, margins, relevance)
        ranked = sorted(combined.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_HITS]
        top_id = ranked[0][0]
        return ranked, fusion_signals(
            [p.probability for p in predictions], sorted(raw, reverse=True),
            retrieval_confidence, sorted(relevance.values(), reverse=True),
            predictions[0].article_id == top_id, out_of_scope,
            margins, machine_out, top_id)

    def _scores(self, query: str, lang: str) -> tuple[dict[str, float], dict[str, float]]:
        """Per article: the best relevance over the language indexes, and the
        n-gram coverage in the index that gave it."""
        latin, cyrillic = has_latin(query.lower()), has_cyrillic(query)
        best: dict[str, float] = {}
        coverage: dict[str, float] = {}
        for index_lang, index in self._indexes.items():
            # Cyrillic-only questions cannot match English texts; Latin ones are
            # tried on ru/tg too, transliterated, but English ones at a discount.
            if index_lang == "en" and not latin:
                continue
            factor = 1.0 if index_lang == lang else OTHER_LANG_FACTOR
            if index_lang != "en" and not cyrillic and lang == "en":
                factor *= OTHER_LANG_FACTOR
            fused, ngrams = index.scores(query)
            for aid, s, g in zip(index.ids, fused, ngrams, strict=True):
                s *= factor
                if s > best.get(aid, 0.0):
                    best[aid] = s
                    coverage[aid] = g * factor
        return best, coverage


def return_free_memory() -> None:
    """Give the memory the build used and freed back to the system. Building allocates
    hundreds of thousands of short-lived objects; the C allocator keeps their pages
    (~25 MB of the bot's resident memory) unless asked to trim them."""
    gc.collect()
    _trim()


def _trim() -> None:
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library the process already has
    except Exception:  # not glibc (musl, macOS, Windows): nothing to trim
        return
    trim(0)


def _clip(query: str) -> str:
    words = query.split()
    if len(words) <= MAX_QUERY_WORDS:
        return query
    half = MAX_QUERY_WORDS // 2
    return " ".join(words[:half] + words[-half:])
