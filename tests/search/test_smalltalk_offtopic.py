from __future__ import annotations

import pytest

from bot.search.offtopic import off_topic
from bot.search.smalltalk import classify


@pytest.mark.parametrize(
    ("text", "kind", "lang"),
    [
        ("Салом!", "greeting", "tg"),
        ("ассалому алайкум ака", "greeting", "tg"),
        ("Здравствуйте", "greeting", "ru"),
        ("привет бот 👋", "greeting", "ru"),
        ("Hello there", "greeting", "en"),
        ("good morning", "greeting", "en"),
        ("Раҳмат, бародар", "thanks", "tg"),
        ("ташаккури зиёд", "thanks", "tg"),
        ("спасибо большое!", "thanks", "ru"),
        ("spasibo brat", "thanks", "ru"),
        ("thank you so much", "thanks", "en"),
        ("аблаҳ", "insult", "tg"),
        ("ты идиот", "insult", "ru"),
        ("useless bot", "insult", "en"),
    ],
)
def test_smalltalk(text: str, kind: str, lang: str) -> None:
    found = classify(text)
    assert found is not None and (found.kind, found.lang) == (kind, lang)


@pytest.mark.parametrize(
    "text",
    [
        "салом, патентро чӣ хел гирам?",
        "привет, как проверить запрет на въезд",
        "hi, my passport was stolen",
        "спасибо, а сколько стоит патент",
        "",
        "🙂",
    ],
)
def test_questions_are_not_smalltalk(text: str) -> None:
    assert classify(text) is None


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("погода в Душанбе завтра", "weather"),
        ("what's the weather like in Moscow", "weather"),
        ("how do I get a patent for my invention", "invention"),
        ("патент на изобретение", "invention"),
        ("патент на полезную модель", "invention"),
        ("passport for my dog", "pets"),
        ("паспорт для собаки", "pets"),
        ("рецепт плова", "cooking"),
        ("who won the football yesterday", "sport"),
        ("курс доллара на сегодня", "currency"),
        ("сомони ба рубл чанд аст", "currency"),
        ("как отправить деньги домой", "money_transfer"),
        ("ба Туркия виза лозим?", "other_country"),
        ("work permit in Kazakhstan", "other_country"),
        ("are you a robot", "bot_identity"),
    ],
)
def test_off_topic_rules(text: str, rule: str) -> None:
    assert off_topic(text) == rule


@pytest.mark.parametrize(
    "text",
    [
        "как получить патент на работу",
        "через Казахстан еду в Россию, нужна миграционная карта?",
        "сколько рублей стоит патент в месяц",
        "мне нужен переводчик в отделе полиции",
        "зарплату не платят, денег нет",
        "у ребенка температура, скорая приедет?",
        "who runs this bot",
    ],
)
def test_in_scope_questions_pass_the_rules(text: str) -> None:
    assert off_topic(text) is None


def test_a_bare_request_invites_the_question() -> None:
    from bot.search import smalltalk

    for text in ("I have a question", "у меня вопрос", "салом, савол дорам"):
        found = smalltalk.classify(text)
        assert found is not None and found.kind == "request", text
    assert smalltalk.classify("вопрос по патенту") is None


def test_a_bare_what_should_i_do_invites_the_question() -> None:
    from bot.search import smalltalk

    for text in ("что делать?", "what should I do", "чӣ кор кунам"):
        found = smalltalk.classify(text)
        assert found is not None and found.kind == "request", text
    assert smalltalk.classify("мени в РКЛ внесли что делать") is None
