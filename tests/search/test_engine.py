from __future__ import annotations

import dataclasses

import pytest

from bot.kb import KnowledgeBase
from bot.search.engine import MAX_HITS, SearchEngine, SearchResult
from bot.search.fusion import SIGNAL_NAMES


def top(result: SearchResult) -> str | None:
    return result.hits[0].article_id if result.hits else None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("как проверить запрет на въезд", "entry.ban_check"),
        ("zapret na vezd", "entry.ban_check"),  # Russian in Latin letters
        ("запрет дорам ё не", "entry.ban_check"),
        ("how to chek entry bann", "entry.ban_check"),  # typos
        ("регистрашку кто делает", "stay.registration"),
        ("registratsiya", "stay.registration"),
        ("регистратсияро кӣ мекунад", "stay.registration"),
        ("патент гирифтан", "work.patent"),
        ("documents for work patent", "work.patent"),
        ("patentro chi hel giram", "work.patent"),
        ("менты забрали в отдел", "rights.detention"),
        ("maro zaderzhali", "rights.detention"),
        ("паспортамро дуздиданд", "stay.lost_documents"),
        ("шиноснома гум шуд", "stay.lost_documents"),  # without special letters
        ("ukrali pasport", "stay.lost_documents"),
        ("my pasport was stolen", "stay.lost_documents"),
        ("патерял паспорт", "stay.lost_documents"),
    ],
)
def test_finds_the_article(fixture_engine: SearchEngine, query: str, expected: str) -> None:
    result = fixture_engine.search(query)
    assert top(result) == expected, result.hits


def test_result_shape(fixture_engine: SearchEngine) -> None:
    result = fixture_engine.search("запрет на въезд")
    assert result.query == "запрет на въезд"
    assert result.lang in ("tg", "ru", "en")
    assert result.confident
    assert result.smalltalk is None
    assert 1 <= len(result.hits) <= MAX_HITS
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.confident = False  # type: ignore[misc]


def test_forced_language(fixture_engine: SearchEngine) -> None:
    result = fixture_engine.search("patent", lang="tg")
    assert result.lang == "tg" and result.lang_is_clear
    assert top(result) == "work.patent"


@pytest.mark.parametrize(
    "query",
    [
        "погода в Душанбе",
        "patent for my invention",
        "passport for my dog",
        "рецепт плова",
        "кто выиграл футбол вчера",
        "xyzzy qwerty",
        "как похудеть за месяц",
    ],
)
def test_off_topic_not_confident(fixture_engine: SearchEngine, query: str) -> None:
    assert not fixture_engine.search(query).confident


@pytest.mark.parametrize(
    ("query", "kind"),
    [("Салом!", "greeting"), ("спасибо брат", "thanks"), ("you are useless", "insult")],
)
def test_smalltalk_never_confident(fixture_engine: SearchEngine, query: str, kind: str) -> None:
    result = fixture_engine.search(query)
    assert result.smalltalk == kind
    assert not result.confident


@pytest.mark.parametrize("query", ["", "   ", "?!", "🙂🙂"])
def test_empty_queries(fixture_engine: SearchEngine, query: str) -> None:
    result = fixture_engine.search(query)
    assert result.hits == () and not result.confident


def test_missing_language_in_kb(fixture_kb: KnowledgeBase) -> None:
    # An article without an English text is still found from its other texts.
    article = fixture_kb.article("work.patent")
    assert article is not None
    texts = {k: v for k, v in article.texts.items() if k != "en"}
    articles = dict(fixture_kb.articles)
    articles["work.patent"] = dataclasses.replace(article, texts=texts)
    engine = SearchEngine.build(dataclasses.replace(fixture_kb, articles=articles))
    assert top(engine.search("patent")) == "work.patent"


def test_real_kb_sample(real_engine: SearchEngine) -> None:
    # A few questions per language against the repository's own articles.
    for query, expected in [
        ("как проверить запрет на въезд", "entry.ban_check"),
        ("регистратсияро кӣ мекунад", "stay.registration"),
        ("lost passport", "stay.lost_documents"),
    ]:
        result = real_engine.search(query)
        assert top(result) == expected, (query, result.hits)
        assert result.confident


def test_out_of_scope_class_takes_confidence_but_is_never_an_answer(
        real_engine: SearchEngine) -> None:
    from bot.search.classifier import OUT_OF_SCOPE

    ids = {hit.article_id for query in ("курс доллара к сомони сегодня",
                                        "patent for my invention how to register",
                                        "билет Москва Душанбе сколько стоит")
           for hit in real_engine.search(query).hits}
    assert OUT_OF_SCOPE not in ids
    # The same words, once about the bot's topics and once not: only the first is sure.
    assert real_engine.search("сколько стоит патент на работу в месяц").confident
    assert not real_engine.search("сколько стоит патент на изобретение").confident

    def signal(query: str, name: str) -> float:
        analysed = real_engine.analyse(query)
        assert analysed is not None
        assert len(analysed[1]) == len(SIGNAL_NAMES)
        return analysed[1][SIGNAL_NAMES.index(name)]

    # Naive Bayes's probability that no article is meant, and the machine's margin for it.
    for outside in ("курс доллара к сомони сегодня какой", "kurs rubla na segodnya"):
        assert signal(outside, "model_out") > 0.5
        assert signal(outside, "machine_out") > 0
    for inside in ("сколько стоит патент на работу в месяц", "маро дар сарҳад нигоҳ доштанд"):
        assert signal(inside, "model_out") < 0.1
        assert signal(inside, "machine_out") < 0
