"""Text normalisation shared by indexing and querying.

Two levels: :func:`normalize` keeps Tajik letters (language detection needs
them); :func:`fold` maps everything people type interchangeably onto one form
(Tajik letters to their plain Russian look-alikes, ё→е, э→е, no ъ/ь), so that
Tajik typed without its special letters and careless Russian still match.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

_WORD_RE = re.compile(r"[^\W_]+")
_TAG_RE = re.compile(r"<[^>]*>")
_LATIN_RE = re.compile(r"[a-z]")
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")

# Letters of other Cyrillic alphabets that phone keyboards offer for the Tajik ones.
_LOOKALIKES = str.maketrans({"һ": "ҳ", "ҡ": "қ", "ӌ": "ҷ", "ҙ": "з", "ұ": "ӯ", "ү": "ӯ",
                             "і": "ӣ", "ї": "ӣ"})
# Latin letters that look like Cyrillic ones, for words typed in a mix of the two.
_HOMOGLYPHS = str.maketrans("aceopxyk", "асеорхук")

_FOLD = str.maketrans({"ӣ": "и", "ӯ": "у", "ҳ": "х", "қ": "к", "ғ": "г", "ҷ": "ч",
                       "ё": "е", "э": "е", "ъ": None, "ь": None})


def strip_html(text: str) -> str:
    """Visible text of a Telegram-HTML string (tags dropped, entities decoded)."""
    return html.unescape(_TAG_RE.sub(" ", text))


@lru_cache(maxsize=256)
def normalize(text: str) -> str:
    """Lower case, ё→е, punctuation and emoji removed, words separated by single spaces.
    Cached: the language detector, every index and every model normalise the same message."""
    text = unicodedata.normalize("NFC", text).casefold().translate(_LOOKALIKES)
    text = text.replace("ё", "е")
    words = []
    for word in _WORD_RE.findall(text):
        if _CYRILLIC_RE.search(word) and _LATIN_RE.search(word):
            word = word.translate(_HOMOGLYPHS)
        words.append(word)
    return " ".join(words)


def fold(text: str) -> str:
    """Map Tajik letters to plain Cyrillic and drop the signs people often omit."""
    return text.translate(_FOLD)


def tokens(text: str) -> list[str]:
    """Normalised words of ``text``."""
    return normalize(text).split()


def has_latin(text: str) -> bool:
    return _LATIN_RE.search(text) is not None


def has_cyrillic(text: str) -> bool:
    return _CYRILLIC_RE.search(text) is not None
