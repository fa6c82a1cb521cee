"""Does any article answer this message at all?

Naive Bayes's out-of-scope class (``bot.search.classifier``) only draws probability away
from the articles; measured on groups of out-of-scope messages by writers held out in
turn, it told them from real questions far worse than a support vector machine on the
TF-IDF n-grams of the "happening now" detector: with 1 % of the validation questions
flagged, the machine flagged 74 % of the held-out writers' out-of-scope messages, naive
Bayes 37 % (numbers in BENCHMARKS.md). Its margin is one more signal of the fused
confidence (``bot.search.fusion``), so ``benchmarks/calibrate.py`` weighs it against the
others on questions neither part was trained on.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.search import tfidf
from bot.search.svm import LinearSVM
from bot.search.tfidf import TfidfVectorizer


class ScopeModel:
    def __init__(self, trained: tuple[TfidfVectorizer, LinearSVM] | None) -> None:
        self._trained = trained

    @classmethod
    def train(cls, in_scope: Sequence[str], out_of_scope: Sequence[str]) -> ScopeModel:
        """``in_scope``: the articles' examples and titles; ``out_of_scope``: messages no
        article answers. Untrained (margin 0) when either is missing."""
        return cls.train_on_counts(tfidf.counts_many([*in_scope, *out_of_scope]),
                                   [False] * len(in_scope) + [True] * len(out_of_scope))

    @classmethod
    def train_on_counts(cls, found: Sequence[tfidf.Counts], outside: Sequence[bool]
                        ) -> ScopeModel:
        """As ``train``, from ``tfidf.counts`` computed elsewhere; ``outside``: whether
        each message is out of scope."""
        if all(outside) or not any(outside):
            return cls(None)
        vectorizer = TfidfVectorizer.fit(found)
        return cls((vectorizer, LinearSVM.train(vectorizer.vectors(found), outside)))

    def margin(self, text: str) -> float:
        """Above 0: more like the out-of-scope messages than like the articles' examples."""
        if self._trained is None:
            return 0.0
        vectorizer, machine = self._trained
        return machine.margin(vectorizer.transform(text))
