"""Everyday "what do I do / help me" phrases count little in ranking."""

from __future__ import annotations

import pytest

from bot.search.engine import SearchEngine
from bot.search.index import GENERIC_WEIGHT, HELP_WEIGHT, generic_weights
from bot.search.normalize import fold, normalize


def _weights(text: str) -> list[float]:
    return generic_weights(fold(normalize(text)).split())


def test_phrase_words_are_marked() -> None:
    assert _weights("патент гум шуд чӣ кор кунам") == [1, 1, 1, GENERIC_WEIGHT,
                                                     GENERIC_WEIGHT, GENERIC_WEIGHT]
    # without the Tajik letters, and in Russian and English
    assert _weights("чи кор кунам")[1] == GENERIC_WEIGHT
    assert _weights("штраф пришел что делать")[-2:] == [GENERIC_WEIGHT, GENERIC_WEIGHT]
    assert _weights("landlord keeps my passport what should I do")[:4] == [1, 1, 1, 1]
    assert _weights("landlord keeps my passport what should I do")[-1] == GENERIC_WEIGHT
    assert _weights("помогите пожалуйста")[0] == HELP_WEIGHT


def test_same_words_outside_the_phrase_keep_their_weight() -> None:
    # "кор" (work) and "делать" are topic words when they are not part of the phrase.
    assert _weights("кор ёфтан душвор") == [1, 1, 1]
    assert _weights("где делать медкомиссию") == [1, 1, 1]


def test_phrase_does_not_pull_to_emergency(fixture_engine: SearchEngine) -> None:
    # The fixture's detention article shares "кор"/"кунам"-free words only with the
    # question's topic; the phrase must not change the first hit.
    for plain, with_phrase in [
        ("паспортамро дуздиданд", "паспортамро дуздиданд чӣ кор кунам"),
        ("украли паспорт", "украли паспорт что мне делать"),
        ("my passport was stolen", "my passport was stolen what should I do"),
    ]:
        assert (fixture_engine.search(with_phrase).hits[0].article_id
                == fixture_engine.search(plain).hits[0].article_id == "stay.lost_documents")


@pytest.mark.parametrize(("query", "expected"), [
    ("im on rkl what should i do", "stay.controlled_registry"),
    ("маро депорт карданд чӣ кор кунам", "rights.deportation"),
    ("попал в реестр контролируемых лиц, что теперь делать", "stay.controlled_registry"),
])
def test_topic_beats_the_phrase(real_engine: SearchEngine, query: str, expected: str) -> None:
    assert real_engine.search(query).hits[0].article_id == expected


def test_help_call_still_counts(real_engine: SearchEngine) -> None:
    # A call for help next to an emergency word keeps the emergency checklist first.
    assert real_engine.search("помогите меня задерживают").hits[0].article_id in {
        "help.emergency", "rights.detention"}


@pytest.mark.parametrize("query", ["чӣ кор кунам", "что делать", "what should I do"])
def test_phrase_alone_is_searched_as_is(real_engine: SearchEngine, query: str) -> None:
    # Nothing else to go by: the phrase keeps its full weight and still finds hits.
    assert real_engine.search(query).hits
    assert all(w == 1 for w in real_engine._indexes["en"]._terms("what should i do")[1].values())
