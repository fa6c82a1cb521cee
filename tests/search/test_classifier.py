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


URGENCY_SAMPLES = [
    ("меня держат в аэропорту уже 6 часов", True), ("брата забрали в отдел только что", True),
    ("нас не выпускают с паспортного контроля", True), ("they are holding me at the border", True),
    ("ҳозир маро дар фурудгоҳ нигоҳ доштаанд", True), ("police took my passport right now", True),
    ("в прошлом году меня держали в аэропорту", False), ("если задержат, что делать", False),
    ("сколько стоит патент", False), ("last year they held me at the border", False),
    ("соли гузашта маро дар сарҳад нигоҳ доштанд", False), ("how to pay for the patent", False),
]


def test_urgency_model_learns_and_is_the_same_in_every_process() -> None:
    import subprocess
    import sys

    from bot.search.urgency import UrgencyModel

    model = UrgencyModel.train(URGENCY_SAMPLES)
    assert model.score("меня держат в аэропорту") > model.score("сколько стоит патент в месяц")
    # Features are hashed with a stable hash: another process (another string hash
    # seed) trains the very same model.
    script = ("from bot.search.urgency import UrgencyModel\n"
              f"m = UrgencyModel.train({URGENCY_SAMPLES!r})\n"
              "print(repr(m.parts('меня держат в аэропорту')))")
    outputs = {subprocess.run([sys.executable, "-c", script], check=True, text=True,
                              capture_output=True, env={"PYTHONHASHSEED": seed}).stdout
               for seed in ("1", "2")}
    assert outputs == {repr(model.parts("меня держат в аэропорту")) + "\n"}


def test_urgency_model_combines_the_machine_naive_bayes_and_the_rules() -> None:
    from bot.search.urgency import UrgencyModel

    model = UrgencyModel.train(URGENCY_SAMPLES, bayes_weight=2.0, threshold=0.2,
                               rule_assist=-0.06)
    text = "держат на границе уже 3 часа"
    margin, bayes = model.parts(text)
    assert model.score(text) == pytest.approx(margin + 2.0 * (bayes - 0.5))
    assert model.is_urgent(text)
    assert not model.is_urgent("в прошлом году держали на границе")
    # The rules lower the bar: a score between the two thresholds counts only with them.
    between = UrgencyModel.train(URGENCY_SAMPLES, threshold=model.score(text) + 1.0,
                                 rule_assist=model.score(text) - 0.01)
    assert is_urgent(text) and between.is_urgent(text)
    stricter = UrgencyModel.train(URGENCY_SAMPLES, threshold=model.score(text) + 1.0,
                                  rule_assist=model.score(text) + 0.01)
    assert not stricter.is_urgent(text)
    assert UrgencyModel(None).parts(text) == (0.0, 0.0)  # no examples: the rules alone
    assert UrgencyModel(None).is_urgent(text) == is_urgent(text)


def test_feature_ids_are_the_hashes_of_the_features() -> None:
    from bot.search.classifier import feature_hash, feature_ids

    for text in ("zaderzhali v aeroportu", "Ҳозир маро дар сарҳад нигоҳ доштанд", "", "а"):
        expected = sorted({feature_hash(name) for name in features(text)})
        assert feature_ids(text).tolist() == expected


def test_packed_training_matches_naive_bayes_counted_by_hand() -> None:
    """The array-based training gives the scores of the textbook computation."""
    import math

    from bot.search.classifier import ALPHA, feature_ids

    model = AnswerModel.train(SAMPLES)
    labels = sorted({label for _, label in SAMPLES})
    docs = [(set(feature_ids(text).tolist()), label) for text, label in SAMPLES]
    frequency: dict[int, int] = {}
    for ids, _ in docs:
        for f in ids:
            frequency[f] = frequency.get(f, 0) + 1
    idf = {f: math.log(len(docs) / n) for f, n in frequency.items()}
    counts = {label: dict.fromkeys(frequency, 0.0) for label in labels}
    for ids, label in docs:
        for f in ids:
            counts[label][f] += idf[f]
    totals = {label: sum(row.values()) for label, row in counts.items()}

    def expected(text: str) -> list[float]:
        known = [f for f in feature_ids(text).tolist() if f in frequency]
        return [sum(math.log((counts[label][f] + ALPHA) / (totals[label] + ALPHA * len(frequency)))
                    for f in known) / len(known) for label in labels]

    for text in ("держат в аэропорту", "patent skolko", "бақайдгирӣ", "registration"):
        # The model keeps its values as 32-bit floats: seven significant digits.
        assert model.raw_scores(text) == pytest.approx(expected(text), rel=1e-6, abs=1e-6)
