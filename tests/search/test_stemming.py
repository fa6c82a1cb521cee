from __future__ import annotations

import pytest

from bot.search.stemming import stem, stem_en, stem_ru, stem_tg

TAJIK_FAMILIES = [
    ["ҳуҷҷат", "ҳуҷҷатҳо", "ҳуҷҷатҳоро", "хуччатхо", "ҳуҷҷатҳоям", "ҳуҷҷатҳои", "ҳуҷҷатам"],
    ["патент", "патентам", "патентро", "патентҳо", "патентамро", "патенти"],
    ["бародар", "бародарам", "бародарамро", "бародарон", "бародари"],
    ["шиноснома", "шиносномаам", "шиносномаамро", "шиносномаҳо", "шиносномаи", "шиносномаям"],
    ["мешавад", "мешаванд", "шавад", "намешавад"],
    ["регистратсия", "регистрация", "регистратсияро", "регистратсияам"],
    ["шикоят", "шикояти", "шикоятро", "шикоятҳо"],
    ["ҷарима", "ҷаримаи", "ҷаримаро", "ҷаримаҳо", "чарима"],
    ["меравам", "равам", "меравад"],
    ["мактаб", "мактабҳо", "мактабро", "мактаби"],
    ["рӯз", "рӯзҳо", "рӯзи", "руз"],
    ["муҳоҷир", "муҳоҷирон", "муҳоҷирони", "мухочирон"],
    ["сафорат", "сафорати", "сафоратро"],
]


@pytest.mark.parametrize("family", TAJIK_FAMILIES, ids=lambda f: f[0])
def test_tajik_word_families_share_a_stem(family: list[str]) -> None:
    assert len({stem_tg(w) for w in family}) == 1, {w: stem_tg(w) for w in family}


@pytest.mark.parametrize(("a", "b"), [("забон", "забт"), ("кор", "корт"), ("патент", "падар")])
def test_tajik_different_words_stay_apart(a: str, b: str) -> None:
    assert stem_tg(a) != stem_tg(b)


def test_tajik_short_words_kept() -> None:
    for word in ("ман", "кор", "пул", "ҳам", "одам"):
        assert len(stem_tg(word)) >= 3


def test_russian_and_english() -> None:
    assert stem_ru("регистрацию") == stem_ru("регистрация")
    assert stem_ru("жаловаться") == stem_ru("жаловался")
    assert stem_ru("въезда") == stem_ru("вьезд")  # folded: no ъ/ь
    assert stem_en("documents") == stem_en("document")
    assert stem_en("deported") == stem_en("deportation") or stem_en("deported") == "deport"
    assert stem("patents", "en") == "patent"
