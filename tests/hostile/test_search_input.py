"""Property tests of the search on arbitrary text: normalisation, transliteration, the
language detector, small talk, off-topic and urgency rules, and SearchEngine.search on
the real knowledge base (built once for the module: a few seconds)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.answers.rules import decide
from bot.i18n import SUPPORTED_LOCALES
from bot.kb import KnowledgeBase, load_knowledge_base
from bot.kb.model import LANGS
from bot.search import offtopic, smalltalk
from bot.search.engine import MAX_HITS, SearchEngine
from bot.search.normalize import fold, has_cyrillic, has_latin, normalize, strip_html, tokens
from bot.search.translit import to_cyrillic, to_latin
from bot.search.urgency import rules_say_urgent
from tests.hostile.conftest import FUZZ, FUZZ_SLOW
from tests.hostile.corpus import PIECES, any_chars

# What people type: chat Latin and Cyrillic words, Tajik letters, markup and odd characters.
WORDS = (
    "patent", "патент", "zapret", "запрет на въезд", "registratsiya", "регистрация",
    "ҳуҷҷат", "хуччат", "chi hel", "kak poluchit", "меня держат в аэропорту",
    "ҳозир маро дастгир карданд", "salom", "привет", "thanks", "рахмат", "погода",
    "футбол", "shch", "tsya", "yye", "Ёё", "ЪЬ", "ӢӮҲҚҒҶ", "ҺҡӌҙұүіЇ", "ǰ", "ß", "İ", "ﬁ",
    "Σσς", "ᾈ", "Å", "Ǆ", "ſ", "K", *PIECES,
)
typed = st.lists(st.one_of(st.sampled_from(WORDS), st.text(any_chars, max_size=15)),
                 max_size=30).map(" ".join)
anything = st.one_of(typed, st.text(any_chars, max_size=400))
_WORD = re.compile(r"[^\W_]+")


@FUZZ
@given(anything)
def test_normalize_gives_plain_words(text: str) -> None:
    normal = normalize(text)
    assert normal == normal.strip() and "  " not in normal
    assert all(_WORD.fullmatch(word) for word in normal.split()), normal
    assert tokens(text) == normal.split()
    folded = fold(normal)
    assert not set(folded) & set("ӣӯҳқғҷёэъь")
    has_latin(text)
    has_cyrillic(text)


@FUZZ
@given(anything, st.sampled_from(("ru", "tg", "en", "xx", "")))
def test_transliteration_never_raises(text: str, lang: str) -> None:
    normal = normalize(text)
    cyrillic = to_cyrillic(normal, lang)
    assert not re.search(r"[a-z]", cyrillic), cyrillic  # every Latin letter is replaced
    for loose in (False, True):
        latin = to_latin(text, loose=loose)
        assert not set(latin) & set("абвгдежзийклмнопрстуфхцчшщъыьэюяӣӯҳқғҷ")


@FUZZ
@given(st.one_of(anything, st.lists(st.sampled_from(PIECES), max_size=20).map("".join)))
def test_strip_html_and_rules_never_raise(text: str) -> None:
    strip_html(text)
    smalltalk.classify(text)
    offtopic.off_topic(text)
    rules_say_urgent(text)


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(scope="module")
def engine(knowledge: KnowledgeBase) -> SearchEngine:
    return SearchEngine.build(knowledge)


def test_search_engine_on_arbitrary_text(engine: SearchEngine, knowledge: KnowledgeBase
                                         ) -> None:
    """One Hypothesis run against the module's engine (a fixture cannot feed @given)."""

    @FUZZ_SLOW
    @given(st.one_of(anything, st.text(any_chars, min_size=1000, max_size=4096),
                     typed.map(lambda text: (text + " ") * 40)),
           st.sampled_from((None, *LANGS, "xx")), st.sampled_from(SUPPORTED_LOCALES))
    def search(query: str, lang: str | None, locale: str) -> None:
        result = engine.search(query, lang)
        assert result.lang in LANGS
        assert len(result.hits) <= MAX_HITS
        assert [hit.article_id for hit in result.hits if hit.article_id not in
                knowledge.articles] == []
        assert all(0.0 <= hit.score <= 1.0 for hit in result.hits), result.hits
        assert len({hit.article_id for hit in result.hits}) == len(result.hits)
        assert not (result.confident and not result.hits)
        detected, _clear = engine.detect_language(query)
        assert detected in LANGS
        decision = decide(result, locale)
        assert decision.answer_lang in LANGS
        assert set(decision.article_ids) <= set(knowledge.articles)

    search()
