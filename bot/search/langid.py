"""Language identification (tg / ru / en) for short chat messages.

A character n-gram naive Bayes model trained on the knowledge base's own texts,
plus generated variants of them: Tajik without its special letters, and
Russian and Tajik typed in Latin letters. Packaged detectors do not know Tajik
and fail on transliterated text (see shared/research/nlp-notes.md).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

import numpy as np

from bot.search.normalize import fold, normalize
from bot.search.translit import to_latin

LANGS = ("tg", "ru", "en")
_MAX_N = 4
_ALPHA = 0.1
# Each word votes with its log-likelihoods, but no word can count more than
# _WORD_CAP nats against a language: in mixed messages ("реестр-ро чӣ хел
# проверка кунам") the many small grammar words then outvote a few long
# borrowed ones.
_WORD_CAP = 8.0
# Margin (nats) between the best and second-best language above which the
# answer is called clear: about one decisive word.
CLEAR_MARGIN = 6.0
CACHE_SIZE = 20_000  # words
# Russian words are borrowed into Tajik all the time ("запрет", "регистрация",
# "менты"), Tajik words into Russian hardly ever. A word that looks Russian
# therefore counts only this share of its evidence against Tajik, so a few
# Tajik grammar words ("шуд", "дорам", "нест") decide a mixed message.
LOANWORD_DISCOUNT = 0.5
# Short Latin words carry too few n-grams for the model: "hel", "chand" or
# "patentro" look English ("help", "hand", "patent"). Two word-level votes fix
# that for Latin-typed Tajik and Russian:
# - a Latin spelling of one of the everyday chat words below (chi, chand, kujo,
#   giram, kunam; kak, chto, nuzhno) counts as a clear word of its language,
#   unless the same spelling is an English word of the training text or a
#   word of another language's chat list;
# - a Latin word made of a known word and a Tajik ending ("patent-ro",
#   "hujjat-ho-ro") counts as Tajik: English and Russian do not build words so.
_TG_LATIN_SUFFIXES = ("ro", "hoi", "ho", "hoyam", "hoyat", "hoyash")
_MIN_SUFFIX_STEM = 4
# Spellings that are also English words ("man" = "I" in Tajik, "net" = "no" in
# Russian), and very short words that are easily something else: they keep
# their n-gram scores.
_ENGLISH_HOMOGRAPHS = frozenset((
    "a", "i", "u", "to", "do", "no", "so", "me", "he", "we", "be", "in", "on", "at", "is",
    "it", "as", "an", "or", "man", "bad", "hub", "sol", "net", "drug",
    "mo", "tu", "da", "ne", "na", "ot", "tut", "est",
))

# Everyday chat words the knowledge base's formal texts rarely use (question
# words, light verbs, pronouns): extra training text, so that colloquial and
# Latin-typed messages ("chi hel giram") are recognised. Latin variants are
# generated from these like from the articles.
_CHAT_WORDS: dict[str, str] = {
    "tg": """чӣ хел чи хел чӣ тавр чи тавр чаро кай куҷо кучо кӣ ки чанд кадом
        ман шумо мо ту вай онҳо маро шуморо ба ман ба шумо бо ман аз ман
        кунам кунем кунед кардам карданд мекунам мекунанд намекунанд кунад
        гирам гирем гирифтам гирифтанд мегиранд намегиранд гирифтан
        шуд шудам шудааст намешавад мешавад нашуд ҳаст нест ҳастам нестам
        дорам дорад доранд надорам надорад додам доданд намедиҳанд намедиҳад
        метавонам наметавонам мумкин лозим даркор хуб бад ҳоло ҳозир акнун баъд
        рафтам рафтан меравам омадам омадан гуфтанд гуфт мегӯянд пурсиданд
        бародар бародарам додарам хоҳарам модарам падарам занам шавҳарам
        соат рӯз моҳ сол пул кор хона ватан ёрдам кӯмак лутфан илтимос
        чиро барои чаро куҷост кучост чихел читавр хелаш чӣ бояд кард медонам намедонам
        кунам кунӣ кунад кардан гирифтан шудан додан рафтан метавонед мешавам""",
    "ru": """как что где когда почему зачем сколько какой какие кто куда откуда
        можно нужно надо нельзя делать сделать получить узнать проверить
        мне меня мой моя мои у меня есть нет был была были будет будут
        сейчас теперь уже ещё потом если или тоже только очень пожалуйста
        брат братан друг жена муж сын дочь деньги работа работаю работать
        сказали говорят пишут дали дают забрали взяли пришли пришёл""",
    "en": """how what where when why who which can could should would will
        i my me we our you your he his she her they them is are was were
        do does did get got have has need want please tell help now today""",
}


def chat_samples() -> list[tuple[str, str]]:
    """(language, text) pairs of everyday chat words, for :meth:`LanguageDetector.train`."""
    return [(lang, " ".join(words.split())) for lang, words in _CHAT_WORDS.items()]


def _word_ngrams(word: str, max_n: int = _MAX_N) -> list[str]:
    padded = f" {word} "
    size = len(padded)
    return [padded[i:i + n] for n in range(1, max_n + 1) for i in range(size - n + 1)
            if n > 1 or padded[i] != " "]


def training_variants(text: str, lang: str) -> list[str]:
    """``text`` as people would type it: with and without special letters, in Latin."""
    base = normalize(text)
    if lang == "en":
        return [base]
    variants = [base, fold(base), to_latin(base), to_latin(base, loose=True)]
    return variants


def _latin_chat_words(english: frozenset[str]) -> dict[str, str]:
    """Latin spellings of the tg/ru chat words that no other language shares."""
    spellings: dict[str, set[str]] = {}
    for lang in ("tg", "ru"):
        for variant in training_variants(_CHAT_WORDS[lang], lang):
            for word in variant.split():
                if word.isascii() and word.isalpha():
                    spellings.setdefault(word, set()).add(lang)
    return {word: next(iter(langs)) for word, langs in spellings.items()
            if len(langs) == 1 and word not in english and word not in _ENGLISH_HOMOGRAPHS}


class LanguageDetector:
    def __init__(self, log_probs: dict[str, tuple[float, ...]],
                 latin_words: dict[str, str] | None = None,
                 vocabulary: frozenset[str] = frozenset(),
                 english: frozenset[str] = frozenset()) -> None:
        # Packed: one row of per-language log-probabilities per n-gram (a tuple per
        # n-gram took three times the memory).
        self._rows = {gram: i for i, gram in enumerate(log_probs)}
        self._table = np.array(list(log_probs.values()), dtype=float).reshape(-1, len(LANGS))
        self._latin_words = latin_words or {}
        self._vocabulary = vocabulary  # known Latin words, for the Tajik-ending rule
        self._english = english  # words of the English training text
        self._cache: dict[str, tuple[float, ...] | None] = {}

    @classmethod
    def train(cls, samples: Iterable[tuple[str, str]]) -> LanguageDetector:
        """``samples``: (language, text) pairs; variants are generated here."""
        words: dict[str, Counter[str]] = {lang: Counter() for lang in LANGS}
        for lang, text in samples:
            for variant in training_variants(text, lang):
                words[lang].update(variant.split())
        # Count n-grams once per distinct word: texts repeat words a lot.
        counts: dict[str, Counter[str]] = {lang: Counter() for lang in LANGS}
        for lang, word_counts in words.items():
            for word, k in word_counts.items():
                for gram in _word_ngrams(word):
                    counts[lang][gram] += k
        vocab = set().union(*counts.values())
        denominators = {lang: sum(c.values()) + _ALPHA * len(vocab) for lang, c in counts.items()}
        log_probs = {
            gram: tuple(math.log((counts[lang][gram] + _ALPHA) / denominators[lang])
                        for lang in LANGS)
            for gram in vocab
        }
        english = frozenset(words["en"])
        vocabulary = frozenset(w for c in words.values() for w in c
                               if w.isascii() and len(w) >= _MIN_SUFFIX_STEM)
        return cls(log_probs, _latin_chat_words(english), vocabulary, english)

    def _vote(self, word: str) -> str | None:
        """The language a Latin word decides on its own (see _TG_LATIN_SUFFIXES)."""
        lang = self._latin_words.get(word)
        if lang is not None or not word.isascii() or word in self._english:
            return lang
        for suffix in _TG_LATIN_SUFFIXES:
            stem = word[: -len(suffix)]
            if (word.endswith(suffix) and len(stem) >= _MIN_SUFFIX_STEM
                    and (stem in self._vocabulary or self._vote(stem) == "tg")):
                return "tg"
        return None

    def _word_scores(self, word: str) -> tuple[float, ...] | None:
        cached = self._cache.get(word)
        if cached is not None or word in self._cache:
            return cached
        vote = self._vote(word)
        if vote is not None:
            result = tuple(0.0 if lang == vote else -_WORD_CAP for lang in LANGS)
            if len(self._cache) < CACHE_SIZE:
                self._cache[word] = result
            return result
        rows = [row for gram in _word_ngrams(word)
                if (row := self._rows.get(gram)) is not None]
        result = None
        if rows:
            # Summed row after row, in the n-grams' order (as the loop it replaced).
            totals = self._table[rows].sum(axis=0).tolist()
            top = max(totals)
            capped = [max(t - top, -_WORD_CAP) for t in totals]
            tg, ru = LANGS.index("tg"), LANGS.index("ru")
            if capped[ru] > capped[tg]:
                capped[tg] *= LOANWORD_DISCOUNT
            result = tuple(capped)
        if len(self._cache) < CACHE_SIZE:
            self._cache[word] = result
        return result

    def scores(self, text: str) -> dict[str, float]:
        """Per language: the sum over words of capped log-likelihoods (0 = best)."""
        totals = [0.0] * len(LANGS)
        for word in normalize(text).split():
            word_scores = self._word_scores(word)
            if word_scores is not None:
                for i, value in enumerate(word_scores):
                    totals[i] += value
        return dict(zip(LANGS, totals, strict=True))

    def detect(self, text: str, default: str = "ru") -> tuple[str, bool]:
        """(language, is_clear). Text without known letters gives (default, False)."""
        scores = self.scores(text)
        ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
        (best, top), (_, second) = ranked[0], ranked[1]
        if top == second:
            return default, False
        return best, top - second >= CLEAR_MARGIN
