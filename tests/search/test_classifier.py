"""The learnt answer model and the "happening now" detector, on small inputs."""

from __future__ import annotations

import pytest

from bot.search.classifier import AnswerModel, features
from bot.search.urgency import is_urgent

SAMPLES = [
    ("меня держат в аэропорту", "held"), ("нас не выпускают с паспортного контроля", "held"),
    ("в аэропорту фсб забрали паспорт и держат", "held"), ("held at the airport", "held"),
    ("сколько стоит патент в месяц", "patent"), ("как оплатить патент", "patent"),
    ("патент нархаш чанд", "patent"), ("how much is the patent", "patent"),
    ("где сделать регистрацию", "reg"), ("прописка сколько дней", "reg"),
    ("registration deadline", "reg"), ("бақайдгирӣ чанд рӯз", "reg"),
]


def test_features_see_latin_as_cyrillic_too() -> None:
    latin = set(features("zaderzhali v aeroportu"))
    cyrillic = set(features("задержали в аэропорту"))
    assert len(latin & cyrillic) > len(cyrillic) / 2
    assert features("") == {}


def test_model_learns_and_generalises_to_new_wordings() -> None:
    model = AnswerModel.train(SAMPLES)
    assert model.predict("держат в аэропорту уже 5 часов")[0].article_id == "held"
    assert model.predict("patent skolko stoit")[0].article_id == "patent"
    assert model.predict("registratsiya srok")[0].article_id == "reg"
    probabilities = [p.probability for p in model.predict("патент")]
    assert abs(sum(probabilities) - 1) < 1e-9 and probabilities == sorted(probabilities,
                                                                          reverse=True)
    # Deterministic: the same samples give the same model.
    again = AnswerModel.train(SAMPLES)
    assert again.raw_scores("как оплатить патент") == model.raw_scores("как оплатить патент")


@pytest.mark.parametrize("text", [
    "меня держат в аэропорту уже 10 часов что делать",
    "ҳозир маро дар фурудгоҳ нигоҳ доштаанд, ёрдам диҳед",
    "hozir maro dar aeroport nigoh doshtand",
    "they are holding my brother at the border right now",
    "помогите задержали",
])
def test_happening_now(text: str) -> None:
    assert is_urgent(text)


@pytest.mark.parametrize("text", [
    "в прошлом году меня задержали в аэропорту, теперь есть запрет?",
    "сколько могут держать на границе?",
    "срочно нужен патент, сколько стоит",
    "what if the police detain me",
    "агар маро дастгир кунанд чӣ кор кунам",
    "ҳозир патент чанд пул аст",
])
def test_not_happening_now(text: str) -> None:
    assert not is_urgent(text)


def test_an_engine_built_in_the_background_answers_like_one_built_at_once() -> None:
    from bot.kb.loader import load_knowledge_base
    from bot.search.engine import SearchEngine

    kb = load_knowledge_base()
    background = SearchEngine.build_in_background(kb)
    direct = SearchEngine.build(kb)
    for question in ("патент чанд пул", "меня держат в аэропорту уже 10 часов"):
        assert background.search(question) == direct.search(question)
