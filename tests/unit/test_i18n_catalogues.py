"""Every interface string exists in tg, ru and en, with the same placeholders,
valid Telegram HTML, and real Tajik."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import SUPPORTED_LOCALES, Catalogs, locale_for_language_code
from bot.paths import PROJECT_ROOT, locales_dir
from bot.telegram_html import HtmlParseError, parse_html

TAJIK_LETTERS = set("ӣӯҳқғҷӢӮҲҚҒҶ")
RUSSIAN_ONLY_LETTERS = set("цщыь")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def _code_messages() -> set[str]:
    found: set[str] = set()
    method_map = [("bot/**.py", "python")]
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PROJECT_ROOT), method_map, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _catalog(locale: str):  # type: ignore[no-untyped-def]
    with (locales_dir() / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def _strings(message) -> list[str]:  # type: ignore[no-untyped-def]
    return [message.string] if isinstance(message.string, str) else list(message.string)


def _ids(message) -> list[str]:  # type: ignore[no-untyped-def]
    return [message.id] if isinstance(message.id, str) else list(message.id)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


CODE_MESSAGES = _code_messages()


def test_code_has_messages() -> None:
    assert len(CODE_MESSAGES) > 20


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_code_message_is_translated(locale: str) -> None:
    catalog = _catalog(locale)
    translated = {
        _ids(m)[0] for m in catalog if m.id and all(_strings(m)) and "fuzzy" not in m.flags
    }
    missing = sorted(CODE_MESSAGES - translated)
    assert not missing, f"{locale}: untranslated or fuzzy: {missing[:10]}"


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_placeholders_and_html_match(locale: str) -> None:
    for message in _catalog(locale):
        if not message.id:
            continue
        expected = _placeholders(_ids(message)[0])
        for text in filter(None, _strings(message)):  # empty = untranslated, tested above
            assert _placeholders(text) == expected, (locale, message.id, text)
            sample = text.format(**{name: "x" for name in expected}) if expected else text
            try:
                parse_html(sample)
            except HtmlParseError as error:
                pytest.fail(f"{locale}: invalid Telegram HTML in {message.id!r}: {error}")


def test_russian_has_three_plural_forms_and_tajik_one_rule() -> None:
    assert _catalog("ru").num_plurals == 3
    # CLDR gives Tajik one plural category; pybabel writes two forms, which must be equal.
    for message in _catalog("tg"):
        if message.id and not isinstance(message.id, str):
            assert len(set(_strings(message))) == 1, message.id


def test_tajik_is_tajik_not_russian() -> None:
    russian = {m.id: m.string for m in _catalog("ru") if m.id and isinstance(m.id, str)}
    sentences = with_letters = 0
    for message in _catalog("tg"):
        if not message.id or not isinstance(message.id, str) or not message.string:
            continue
        text = message.string
        words = re.findall(r"[^\W\d_]+", re.sub(r"/\w+|\{\w+\}", "", text))
        if len(words) >= 2:
            assert text != russian.get(message.id), f"Tajik equals Russian: {message.id!r}"
        # The Tajik alphabet has no ц щ ы ь: text that uses them is Russian.
        assert not RUSSIAN_ONLY_LETTERS & set(" ".join(words).lower()), text
        if len(words) >= 4:
            sentences += 1
            with_letters += bool(TAJIK_LETTERS & set(text))
    assert with_letters >= 0.8 * sentences, (with_letters, sentences)


def test_catalogs_load_and_translate() -> None:
    catalogs = Catalogs.load()
    assert catalogs.get("ru").gettext("🌐 Language") == "🌐 Язык"
    assert catalogs.get("tg").gettext("🌐 Language") == "🌐 Забон"
    assert catalogs.get("xx").gettext("🌐 Language") == "🌐 Language"


@pytest.mark.parametrize(
    ("code", "expected"),
    [("tg", "tg"), ("ru", "ru"), ("ru-RU", "ru"), ("uk", "ru"), ("kk", "ru"), ("uz", "ru"),
     ("ky", "ru"), ("be", "ru"), ("en", "en"), ("de", "en"), (None, "en"), ("", "en"),
     ("tg-TJ", "tg"), ("fa", "en")],
)
def test_locale_for_language_code(code: str | None, expected: str) -> None:
    assert locale_for_language_code(code) == expected


def test_tajik_date_format() -> None:
    from datetime import date

    catalogs = Catalogs.load()
    assert catalogs.get("ru").format_date(date(2025, 2, 5)).replace("\u202f", " ") == \
        "5 февраля 2025 г."
    assert "2025" in catalogs.get("tg").format_date(date(2025, 2, 5))


def test_locales_dir_is_in_repo() -> None:
    assert Path(locales_dir()).is_dir()


def test_no_gettext_inside_f_strings() -> None:
    """Babel cannot extract a call written inside an f-string: it would stay untranslated."""
    pattern = re.compile(r"""f(["']).*\{(_|\w*\.?gettext|ngettext)\(""")
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}"
        for path in (PROJECT_ROOT / "bot").rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offenders, offenders


@pytest.mark.parametrize(("count", "expected"), [
    (1, "статья"), (3, "статьи"), (5, "статей"), (11, "статей"), (21, "статья"), (24, "статьи"),
])
def test_russian_plural_forms(count: int, expected: str) -> None:
    text = Catalogs.load().get("ru").ngettext(
        "Knowledge base reloaded: {count} article.",
        "Knowledge base reloaded: {count} articles.", count)
    assert text.endswith(f"{expected}.")
