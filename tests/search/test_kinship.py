"""Words for relatives are one word for the article models, and only for them."""

from __future__ import annotations

import pytest

from bot.search import tfidf
from bot.search.classifier import feature_ids, readings, topic_readings
from bot.search.engine import SearchEngine
from bot.search.kinship import KIN, is_kin, neutral


@pytest.mark.parametrize("word", [
    "падарам", "модарам", "бародарам", "додарам", "хохарам", "шавхарам", "занам", "акаам",
    "брату", "брата", "жена", "жену", "мужа", "отцу", "мама", "сестре", "дядя", "племянник",
    "father", "wife", "husband", "brother", "cousin", "friend",
    "padaram", "barodaram", "zanam", "brat", "zhena", "muzh",
])
def test_relatives_are_kin(word: str) -> None:
    assert is_kin(word)


@pytest.mark.parametrize("word", [
    # a child is what two articles are about
    "писарам", "духтарам", "кудак", "фарзанд", "сын", "дочь", "ребенок", "son", "daughter",
    "child", "kids",
    # words that only look like relatives
    "холат", "занг", "задан", "другой", "вдруг", "материал", "мужчина", "патент", "drug",
])
def test_other_words_are_not(word: str) -> None:
    assert not is_kin(word)


def test_who_is_asked_about_does_not_change_what_the_article_models_read() -> None:
    for one, other in (("padaram 55 sola, ba u patent medihand?",
                        "barodaram 55 sola, ba u patent medihand?"),
                       ("моему мужу нужен патент", "моему брату нужен патент"),
                       ("my wife needs a patent", "my uncle needs a patent")):
        assert topic_readings(one) == topic_readings(other)
        assert feature_ids(one).tolist() == feature_ids(other).tolist()
        assert sorted(tfidf.topic_counts(one)[1].tolist()) == sorted(
            tfidf.topic_counts(other)[1].tolist())
        # "happening now" is learnt from whole messages: it still reads every word
        assert readings(one) != readings(other)
        assert sorted(tfidf.counts(one)[1].tolist()) != sorted(
            tfidf.counts(other)[1].tolist())


def test_a_latin_word_is_judged_as_typed() -> None:
    # "drug" read as Russian is "друг" (a friend); as typed it is not a relative
    assert KIN not in topic_readings("drug test for patent")[1]
    assert topic_readings("my brother")[1] == ("мы", KIN)


def test_the_rest_of_the_message_is_kept_in_order() -> None:
    assert neutral(["моему", "брату", "нужен", "патент"]) == ("моему", KIN, "нужен", "патент")
    assert topic_readings("patent dlya brata") == (
        ("patent", "dlya", KIN), ("патент", "для", KIN), ("патент", "для", KIN))


@pytest.mark.parametrize(("query", "topic"), [
    ("модарам ҳам мехоҳад патент гирад, чӣ ҳуҷҷат лозим", "work.patent"),
    ("жена приехала ко мне, ей нужна регистрация?", "stay.registration"),
    ("brat priehal, emu nujna registraciya?", "stay.registration"),
    ("my father is 57, does he need the language exam for a patent", "work.language_exam"),
    ("my wife has an entry ban, how can she check", "entry.ban_check"),
])
def test_a_question_for_a_relative_gets_its_topic(real_engine: SearchEngine, query: str,
                                                   topic: str) -> None:
    result = real_engine.search(query)
    assert result.confident and result.hits[0].article_id == topic


def test_a_fathers_registration_is_not_answered_with_children_travelling(
        real_engine: SearchEngine) -> None:
    # Before relatives were one word, "падарам" (my father) and "60 сола" (60 years old)
    # made this a confident answer about children travelling.
    result = real_engine.search("падарам 60 сола, ба ӯ регистрация лозим аст?")
    assert not (result.confident and result.hits[0].article_id == "entry.children")
    assert "stay.registration" in [hit.article_id for hit in result.hits[:3]]
