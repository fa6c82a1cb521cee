"""Which article does this message ask for, and does any article answer it at all?

One linear support vector machine per article and one for "no article" (the out-of-scope
messages), each against all the others (``bot.search.svm.MulticlassSVM``), on the TF-IDF
n-grams of the "happening now" detector (``bot.search.tfidf``), trained on the articles'
examples and titles at start-up and on ``/reload``.

Why it is here beside naive Bayes (``bot.search.classifier``) and retrieval: on the
validation questions (writers who saw neither the articles nor any test set) it alone put
the right article first for 94 % of them, and its lead over the next article or "no
article" tells a right answer from a wrong one far better than naive Bayes's
probabilities: with its signals in the fused confidence, 87–88 % of the questions were
answered directly and rightly at 2 % directly and wrongly, against 80 % without
(BENCHMARKS.md). Its "no article" machine is the former scope machine: the same problem
(out-of-scope messages against the articles' examples), now trained with the others.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.search import tfidf
from bot.search.classifier import OUT_OF_SCOPE
from bot.search.svm import MulticlassSVM
from bot.search.tfidf import TfidfVectorizer


class ArticleMachine:
    def __init__(self, trained: tuple[TfidfVectorizer, MulticlassSVM] | None) -> None:
        self._trained = trained

    @classmethod
    def train(cls, texts: Sequence[str], labels: Sequence[str]) -> ArticleMachine:
        """``labels``: an article id for each text, or ``OUT_OF_SCOPE``."""
        return cls.train_on_counts(tfidf.topic_counts_many(texts), labels)

    @classmethod
    def train_on_counts(cls, found: Sequence[tfidf.Counts], labels: Sequence[str]
                        ) -> ArticleMachine:
        """As ``train``, from ``tfidf.topic_counts`` computed elsewhere. Untrained (no margins)
        with fewer than two articles or without out-of-scope messages."""
        articles = set(labels) - {OUT_OF_SCOPE}
        if len(articles) < 2 or OUT_OF_SCOPE not in labels:
            return cls(None)
        vectorizer = TfidfVectorizer.fit(found)
        return cls((vectorizer, MulticlassSVM.train(vectorizer.vectors(found), labels)))

    @property
    def trained(self) -> bool:
        return self._trained is not None

    def margins(self, text: str) -> tuple[dict[str, float], float]:
        """Each article's margin and the margin of "no article" (above 0: leans to it).
        Untrained: nothing, 0."""
        if self._trained is None:
            return {}, 0.0
        vectorizer, machine = self._trained
        values = machine.margins(vectorizer.vector(tfidf.topic_counts(text))).tolist()
        margins = dict(zip(machine.labels, values, strict=True))
        return margins, margins.pop(OUT_OF_SCOPE)
