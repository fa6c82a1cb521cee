"""Latin ↔ Cyrillic transliteration for chat text.

People type Russian and Tajik in Latin letters without any standard
("zapret na vezd", "chi hel patent giriftan"). A greedy longest-match table
covers the common spellings; the result is meant for matching after
:func:`bot.search.normalize.fold`, so it need not be perfect Cyrillic.
"""

from __future__ import annotations

import re
from functools import lru_cache

_VOWELS = set("aeiouy")

# Longest patterns first; each maps to folded-compatible Cyrillic.
_COMMON: dict[str, str] = {
    "shch": "щ", "sch": "щ", "zh": "ж", "kh": "х", "ch": "ч", "sh": "ш", "ts": "ц",
    "tz": "ц", "yu": "ю", "iu": "ю", "ya": "я", "ia": "я", "yo": "е", "ye": "е", "je": "е",
    "a": "а", "b": "б", "c": "ц", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "х",
    "i": "и", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "к",
    "r": "р", "s": "с", "t": "т", "u": "у", "v": "в", "w": "в", "x": "х", "z": "з",
}
# Russian: j is й/ж rarely; "ia" inside words (registratsia) is я.
_RU = {**_COMMON, "j": "й", "gh": "г", "tsya": "ться"}
# Tajik: j is ҷ (folded ч), gh is ғ (folded г); "ia" is usually и+а (e.g. "tibbia").
_TG = {**_COMMON, "j": "ч", "gh": "г", "ia": "иа", "ts": "тс"}
_TABLES = {"ru": _RU, "tg": _TG}
_MAX = 4

_LATIN_WORD = re.compile(r"[a-z]+")


@lru_cache(maxsize=8192)
def _word_to_cyrillic(word: str, lang: str) -> str:
    """Cached: a question is read for several indexes and models, and people reuse words."""
    table = _TABLES.get(lang, _RU)
    out: list[str] = []
    i = 0
    n = len(word)
    while i < n:
        ch = word[i]
        prev = word[i - 1] if i else ""
        if ch == "y":
            nxt = word[i + 1] if i + 1 < n else ""
            if nxt == "e" and i + 2 == n and prev and prev not in _VOWELS and lang == "ru":
                out.append("ые")  # dannye, novye: an adjective ending, not "е"
                i += 2
                continue
            if nxt in ("a", "u", "o", "e"):
                pass  # handled as ya/yu/yo/ye below
            elif prev in _VOWELS:
                out.append("й")  # dney, kakoy
                i += 1
                continue
            else:
                out.append("ы" if lang == "ru" else "и")  # ty, vy / tajik has no ы
                i += 1
                continue
        for size in range(min(_MAX, n - i), 0, -1):
            piece = word[i:i + size]
            if piece in table:
                out.append(table[piece])
                i += size
                break
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def to_cyrillic(text: str, lang: str = "ru") -> str:
    """Transliterate the Latin words of normalised ``text`` for ``lang`` ("ru" or "tg")."""
    return _LATIN_WORD.sub(lambda m: _word_to_cyrillic(m.group(0), lang), text)


# Cyrillic → Latin the way people type it in chats; used to make training
# variants for language detection and index variants for Latin queries.
_TO_LATIN: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "ӣ": "i", "ӯ": "u", "ҳ": "h", "қ": "q", "ғ": "gh", "ҷ": "j",
}
# A second, looser spelling that many people use.
_TO_LATIN_ALT: dict[str, str] = {
    **_TO_LATIN, "х": "h", "ж": "j", "ц": "c", "щ": "sh", "ы": "i", "й": "i",
    "қ": "k", "ғ": "g", "ҷ": "j", "ё": "e", "ю": "u", "я": "ya",
}


def to_latin(text: str, loose: bool = False) -> str:
    """Chat-style Latin spelling of Cyrillic ``text`` (lower case)."""
    table = _TO_LATIN_ALT if loose else _TO_LATIN
    return "".join(table.get(ch, ch) for ch in text.lower())
