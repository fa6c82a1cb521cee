"""The articles as a gettext catalogue, for native speakers reviewing translations in Poedit
or Weblate instead of editing TOML (``python -m bot kb export-po`` / ``import-po``).

One entry per title, short answer and details (``msgctxt`` = ``<article id>.<field>``). The
source text (``msgid``) is the Russian for Tajik and English, the English for Russian: the
language a reviewer of that translation reads best. A translation still marked ``draft`` is
exported *fuzzy*; a reviewer fixes it and clears the flag. On import every non-fuzzy
translation is written back, and an article's language becomes ``reviewed`` once all three
of its fields were reviewed. The TOML files keep their layout and comments (tomlkit).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit
from babel.messages.catalog import Catalog

from bot.kb.loader import ARTICLES_DIR, load_knowledge_base
from bot.kb.model import LANGS

FIELDS = ("title", "short", "details")
MULTILINE = frozenset({"short", "details"})


def source_language(lang: str) -> str:
    return "en" if lang == "ru" else "ru"


def export_catalog(directory: Path, lang: str) -> Catalog:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; one of {', '.join(LANGS)}")
    kb = load_knowledge_base(directory)
    source = source_language(lang)
    catalog = Catalog(locale=lang, project="Hamroh knowledge base",
                      copyright_holder="Hamroh contributors", version="articles",
                      creation_date=datetime.datetime.now(datetime.UTC))
    for article_id in sorted(kb.articles):
        article = kb.articles[article_id]
        original, current = article.texts.get(source), article.texts.get(lang)
        if original is None:
            continue
        for name in FIELDS:
            text = getattr(original, name)
            if not text:
                continue
            translated = getattr(current, name) if current is not None else ""
            flags = () if current is not None and current.status == "reviewed" else ("fuzzy",)
            catalog.add(text, translated, context=f"{article_id}.{name}", flags=flags,
                        auto_comments=[f"{article_id} ({name}); source: {source}"])
    return catalog


@dataclass
class ImportResult:
    written: int = 0  # fields written back
    reviewed: list[str] = field(default_factory=list)  # articles now "reviewed" in the language
    skipped: list[str] = field(default_factory=list)  # why entries were left out


def import_catalog(directory: Path, catalog: Catalog, lang: str | None = None) -> ImportResult:
    lang = lang or (str(catalog.locale) if catalog.locale else "")
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; one of {', '.join(LANGS)}")
    kb = load_knowledge_base(directory)
    source = source_language(lang)
    done: dict[str, dict[str, str]] = {}
    result = ImportResult()
    for message in catalog:
        if not message.id or not message.context:
            continue
        article_id, _, name = str(message.context).rpartition(".")
        article = kb.article(article_id)
        if article is None or name not in FIELDS:
            result.skipped.append(f"{message.context}: no such article or field")
            continue
        original = article.texts.get(source)
        if original is None or getattr(original, name) != message.id:
            result.skipped.append(f"{message.context}: the source text changed since the "
                                  "export; export again")
            continue
        if message.fuzzy or not message.string:
            continue
        done.setdefault(article_id, {})[name] = str(message.string)
    for article_id, values in sorted(done.items()):
        path = directory / ARTICLES_DIR / f"{article_id}.toml"
        document = tomlkit.parse(path.read_text(encoding="utf-8"))
        table = document.get(lang)
        if table is None:
            table = tomlkit.table()
            document[lang] = table
        for name, value in values.items():
            table[name] = (tomlkit.string("\n" + value.strip() + "\n", multiline=True)
                           if name in MULTILINE else value.strip())
            result.written += 1
        complete = all(name in values or not getattr(kb.articles[article_id].texts[source], name)
                       for name in FIELDS)
        if complete:
            table["status"] = "reviewed"
            result.reviewed.append(article_id)
        path.write_text(tomlkit.dumps(document), encoding="utf-8")
    return result
