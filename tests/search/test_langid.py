from __future__ import annotations

import pytest

from bot.search.engine import SearchEngine
from bot.search.langid import LanguageDetector

CASES = [
    ("tg", "чӣ тавр патент гирам"),
    ("tg", "ҳуҷҷатҳоямро дуздиданд"),
    ("tg", "chi hel patent giriftan mumkin"),  # Tajik in Latin letters
    ("tg", "хуччатхо барои патент чи лозим"),  # without special letters
    ("tg", "ман запрет дорам ё не"),
    ("tg", "маро задержат карданд, чи кор кунам"),  # mixed, Tajik grammar
    ("ru", "как проверить запрет на въезд"),
    ("ru", "zapret na vezd kak proverit"),  # Russian in Latin letters
    ("ru", "регистрашку кто делает"),
    ("ru", "украли паспорт"),
    ("ru", "gde sdat ekzamen po russkomu"),
    ("en", "how to check entry ban"),
    ("en", "lost passport"),
    ("en", "my boss does not pay me"),
    ("en", "police took my phone"),
]


@pytest.mark.parametrize(("lang", "text"), CASES, ids=[t for _, t in CASES])
def test_detects_short_strings(real_engine: SearchEngine, lang: str, text: str) -> None:
    assert real_engine.detect_language(text)[0] == lang


def test_clear_and_unclear(real_engine: SearchEngine) -> None:
    assert real_engine.detect_language("как проверить запрет на въезд в россию") == ("ru", True)
    assert real_engine.detect_language("ҳуҷҷатҳои ман куҷоянд") == ("tg", True)
    _lang, clear = real_engine.detect_language("123 456")
    assert not clear
    assert real_engine.detect_language("")[1] is False


def test_smalltalk_words_decide_language(real_engine: SearchEngine) -> None:
    assert real_engine.detect_language("hi") == ("en", True)
    assert real_engine.detect_language("салом") == ("tg", True)
    assert real_engine.detect_language("спасибо") == ("ru", True)


def test_detector_trained_on_tiny_corpus() -> None:
    detector = LanguageDetector.train([
        ("tg", "Ҳуҷҷатҳои Шумо дар куҷо ҳастанд? Мо ба Шумо ёрӣ медиҳем."),
        ("ru", "Где ваши документы? Мы вам поможем."),
        ("en", "Where are your documents? We will help you."),
    ])
    assert detector.detect("ёрӣ медиҳем")[0] == "tg"
    assert detector.detect("мы поможем")[0] == "ru"
    assert detector.detect("we will help")[0] == "en"
    assert detector.detect("my pomozhem")[0] == "ru"  # generated Latin variant


# Tajik typed in Latin letters: short everyday words ("hel", "chand") and Tajik
# endings on borrowed words ("-ro", "-ho") must not make it English.
LATIN_TAJIK = [
    "chand pul doram",
    "telefonro chand",
    "kartaro chi hel pur kunam",
    "kontraktro chi hel navisam",
    "polisro chi hel giram",
    "man chand ruz intizor shavam",
    "hujjathoro kay doram",
]


@pytest.mark.parametrize("text", LATIN_TAJIK)
def test_latin_tajik_is_clearly_tajik(real_engine: SearchEngine, text: str) -> None:
    assert real_engine.detect_language(text) == ("tg", True)


@pytest.mark.parametrize("text", ["gde mne sdelat medknizhku", "skolko stoit perevod pasporta"])
def test_latin_russian_stays_russian(real_engine: SearchEngine, text: str) -> None:
    assert real_engine.detect_language(text)[0] == "ru"


@pytest.mark.parametrize("text", ["where can I renew my card", "help with the exam please"])
def test_english_stays_english(real_engine: SearchEngine, text: str) -> None:
    assert real_engine.detect_language(text)[0] == "en"


def test_tajik_ending_on_borrowed_word() -> None:
    detector = LanguageDetector.train([
        ("tg", "Ҳуҷҷатҳои Шумо дар куҷо ҳастанд?"),
        ("ru", "Где ваши документы?"),
        ("en", "Where is your document?"),
    ])
    # "document" is an English word of the training text; with -ro it is Tajik.
    assert detector.detect("documentro")[0] == "tg"
    assert detector.detect("document")[0] == "en"
