from __future__ import annotations

from bot.answers.rules import Reply, choose_answer_language, decide
from bot.search.engine import SearchHit, SearchResult


def _result(lang: str = "ru", clear: bool = True, confident: bool = False,
            ids: tuple[str, ...] = (), smalltalk: str | None = None, score: float = 0.5,
            off_topic: bool = False) -> SearchResult:
    return SearchResult(query="q", lang=lang, lang_is_clear=clear, confident=confident,
                        hits=tuple(SearchHit(i, score) for i in ids), smalltalk=smalltalk,
                        off_topic=off_topic)


def test_answer_language_follows_user_unless_clearly_other() -> None:
    assert choose_answer_language("tg", "ru", True) == "ru"
    assert choose_answer_language("tg", "ru", False) == "tg"
    assert choose_answer_language("en", "en", True) == "en"


def test_confident_answers_best_article() -> None:
    decision = decide(_result(confident=True, ids=("a", "b")), "ru")
    assert decision.reply is Reply.ANSWER and decision.article_ids == ("a",)
    assert not decision.offer_switch


def test_unsure_offers_at_most_three_choices() -> None:
    decision = decide(_result(ids=("a", "b", "c", "d")), "tg")
    assert decision.reply is Reply.CHOICES and decision.article_ids == ("a", "b", "c")
    assert decision.answer_lang == "ru" and decision.offer_switch


def test_nothing_found_and_smalltalk() -> None:
    assert decide(_result(), "ru").reply is Reply.NOT_FOUND
    smalltalk = decide(_result(confident=True, ids=("a",), smalltalk="greeting"), "ru")
    assert smalltalk.reply is Reply.SMALLTALK and smalltalk.smalltalk == "greeting"


def test_off_topic_or_weak_hits_are_not_offered_as_choices() -> None:
    assert decide(_result(ids=("a",), off_topic=True), "ru").reply is Reply.NOT_FOUND
    assert decide(_result(ids=("a",), score=0.05), "ru").reply is Reply.NOT_FOUND


def test_urgent_answers_the_emergency_article_with_the_topic_under_it() -> None:
    def urgent(ids: tuple[str, ...], score: float = 0.7) -> tuple[str, ...]:
        result = _result(confident=True, ids=ids, score=score)
        decision = decide(SearchResult(**{**result.__dict__, "urgent": True}), "ru")
        assert decision.reply is Reply.ANSWER and decision.urgent
        return decision.article_ids

    assert urgent(("entry.denied", "entry.ban_check")) == ("help.emergency", "entry.denied")
    assert urgent(("help.emergency", "entry.denied")) == ("help.emergency",)
    assert urgent(("entry.denied",), score=0.1) == ("help.emergency",)  # noise: not offered
    assert urgent(()) == ("help.emergency",)
