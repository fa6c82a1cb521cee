from __future__ import annotations

import pytest

from bot.search.normalize import fold, has_cyrillic, has_latin, normalize, strip_html, tokens
from bot.search.translit import to_cyrillic, to_latin


def test_normalize_case_yo_punctuation_emoji() -> None:
    assert normalize("  Ёлки-Палки!!! 🙏🇹🇯 Что ДЕЛАТЬ?? ") == "елки палки что делать"
    assert normalize("Hello,world…") == "hello world"
    assert normalize("90 дней/год") == "90 дней год"
    assert normalize("🙂🙂") == ""


def test_normalize_keeps_tajik_letters_and_fixes_lookalikes() -> None:
    assert normalize("ҲУҶҶАТҲО") == "ҳуҷҷатҳо"
    # Kazakh/Bashkir letters that keyboards offer instead of Tajik ones.
    assert normalize("һуқуқ") == "ҳуқуқ"
    # Latin letters inside a Cyrillic word (mixed keyboard layouts).
    assert normalize("пaтент") == "патент"


def test_fold() -> None:
    assert fold("ҳуҷҷатҳои шахсӣ") == "хуччатхои шахси"
    assert fold("қоидаҳои ғайриқонунӣ") == "коидахои гайриконуни"
    assert fold("подъезд объявление ёлка эта") == "подезд обявление елка ета"
    assert fold("мӯҳлат") == "мухлат"


def test_strip_html_and_tokens() -> None:
    assert strip_html("<b>Шумо</b> &amp; <a href=\"x\">мо</a> &lt;3").split() == [
        "Шумо", "&", "мо", "<3"]
    assert tokens("Запрет, на въезд!") == ["запрет", "на", "въезд"]


def test_script_checks() -> None:
    assert has_latin("ok") and not has_latin("ок")
    assert has_cyrillic("ок") and not has_cyrillic("ok")


@pytest.mark.parametrize(
    ("latin", "lang", "expected"),
    [
        ("zapret na vezd", "ru", "запрет на везд"),
        ("registratsiya", "ru", "регистрация"),
        ("registraciya", "ru", "регистрация"),
        ("zhaloba", "ru", "жалоба"),
        ("shtraf", "ru", "штраф"),
        ("skolko dney", "ru", "сколко дней"),
        ("kuda zhalovatsya", "ru", "куда жаловаться"),
        ("moi dannye", "ru", "мои данные"),
        ("chi hel patent giriftan", "tg", "чи хел патент гирифтан"),
        ("hujjat talab kard", "tg", "хуччат талаб кард"),
        ("huquq", "tg", "хукук"),
        ("ijozat", "tg", "ичозат"),
        ("yo ne", "tg", "е не"),
    ],
)
def test_to_cyrillic(latin: str, lang: str, expected: str) -> None:
    assert fold(to_cyrillic(latin, lang)) == fold(expected)


def test_to_cyrillic_leaves_cyrillic_and_digits() -> None:
    assert to_cyrillic("патент 2025 ok", "ru") == "патент 2025 ок"


def test_to_cyrillic_reads_a_word_per_language_in_any_order() -> None:
    # Words are cached: the same Latin word must still read differently as Russian and as
    # Tajik, whichever language asked first ("j" is й in Russian, ҷ in Tajik).
    assert to_cyrillic("jon ty", "ru") == "йон ты"
    assert to_cyrillic("jon ty", "tg") == "чон ти"
    assert to_cyrillic("jon ty", "ru") == "йон ты"


def test_to_latin() -> None:
    assert to_latin("ҳуҷҷат") == "hujjat"
    assert to_latin("запрет на въезд") == "zapret na vezd"
    assert to_latin("жалоба", loose=True) == "jaloba"
