"""Word stems for matching: Snowball (PyStemmer) for Russian and English, and a
small suffix stripper for Tajik, which has no stemmer that copes with chat text.

All stems are folded (see :func:`bot.search.normalize.fold`), so a Tajik word
typed with or without its special letters gets the same stem.
"""

from __future__ import annotations

from functools import lru_cache

import Stemmer

from bot.search.normalize import fold

_RU = Stemmer.Stemmer("russian")
_EN = Stemmer.Stemmer("english")

# Tajik endings (folded spelling), stripped right to left: enclitics and the
# object marker, izofat, possessive / personal endings, plural, adjective -ӣ.
# Endings that are also common word ends (-ат in ҳуҷҷат, сафорат) are left out:
# a consistent stem matters more than a complete one.
_TG_CLITICS = ("ку", "ю", "ро")
_TG_IZOFAT = ("и", "йи")
_TG_PERSONAL = ("ашон", "амон", "атон", "мон", "тон", "анд", "ам", "аш", "ад", "ем", "ед",
                "ям", "яш")
_TG_PLURAL_SHORT = ("хо",)  # ҳо after folding; кор-ҳо, рӯз-ҳо
_TG_PLURAL_LONG = ("гон", "он", "ен", "ян")
_TG_VERB_PREFIXES = ("наме", "ме", "на", "би")
_TG_VERB_ENDINGS = ("анд", "ам", "ад", "ем", "ед", "и", "ан")
_MIN_STEM = 3


def _strip(word: str, endings: tuple[str, ...], min_stem: int = _MIN_STEM) -> str:
    for ending in endings:  # callers list longer endings first
        if word.endswith(ending) and len(word) - len(ending) >= min_stem:
            return word[: -len(ending)]
    return word


@lru_cache(maxsize=65536)
def stem_tg(word: str) -> str:
    """Stem a Tajik word (any spelling); returns the folded stem."""
    w = fold(word)
    # Russian loanwords in Tajik spelling: регистратсия → регистрация.
    w = w.replace("тс", "ц")
    # Verbs: ме-/наме-/на-/би- + stem + personal ending (мешавад → шав).
    for prefix in _TG_VERB_PREFIXES:
        if w.startswith(prefix) and len(w) - len(prefix) >= _MIN_STEM + 1:
            rest = w[len(prefix):]
            stripped = _strip(rest, _TG_VERB_ENDINGS)
            if stripped != rest:
                return stripped
    w = _strip(w, _TG_CLITICS)
    w = _strip(w, _TG_IZOFAT)
    w = _strip(w, _TG_PERSONAL)
    if w.endswith("аа"):
        w = w[:-1]  # шиносномаам → шиносномаа → шиноснома
    w = _strip(w, _TG_IZOFAT)
    w = _strip(w, _TG_PLURAL_SHORT)
    w = _strip(w, _TG_PLURAL_LONG, min_stem=4)
    return w


@lru_cache(maxsize=65536)
def stem_ru(word: str) -> str:
    # Stem before folding: Snowball needs ь and й to see endings such as -ться.
    return fold(_RU.stemWord(word))


@lru_cache(maxsize=65536)
def stem_en(word: str) -> str:
    return _EN.stemWord(word)


STEMMERS = {"tg": stem_tg, "ru": stem_ru, "en": stem_en}


def stem(word: str, lang: str) -> str:
    return STEMMERS[lang](word)
