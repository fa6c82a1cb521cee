"""Read the knowledge base from ``categories.toml`` and ``articles/*.toml``.

The loader checks the *shape* of every file (keys, types, ids, categories) and
reports every problem with the file it is in. Content rules (empty texts,
lengths, HTML, dates, required ids) are left to :mod:`bot.kb.check`, so a
half-written article still loads while people work on it.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bot import paths
from bot.kb.model import LANGS, STATUSES, Article, Category, KnowledgeBase, LocalizedText

ID_RE = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*$")
CATEGORY_ID_RE = re.compile(r"^[a-z][a-z_]*$")
CATEGORIES_FILE = "categories.toml"
ARTICLES_DIR = "articles"

_ARTICLE_KEYS = {"id", "category", "order", "reviewed", "rules_as_of", "check_by", "related",
                 "sources", "report", *LANGS}
REPORT_KINDS = ("", "yes", "urgent")
_TEXT_KEYS = ("status", "title", "short", "details", "keywords", "check_how", "examples")


class KnowledgeBaseError(Exception):
    """The knowledge base cannot be loaded; the message names the file(s) and the problem(s)."""


@dataclass(frozen=True)
class LoadIssue:
    level: str  # "error" (the file cannot be used) | "warning"
    where: str  # path relative to the knowledge directory, e.g. "articles/entry.documents.toml"
    message: str


class _FileProblems(Exception):
    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def load_knowledge_base(directory: Path | None = None) -> KnowledgeBase:
    """Load and return the knowledge base; raise :class:`KnowledgeBaseError` on any error."""
    directory = Path(directory) if directory is not None else paths.knowledge_dir()
    kb, issues = read_knowledge_base(directory)
    errors = [i for i in issues if i.level == "error"]
    if errors:
        lines = [f"{directory / i.where}: {i.message}" for i in errors]
        head = f"knowledge base in {directory} has {len(errors)} error(s):"
        raise KnowledgeBaseError("\n".join([head, *lines]))
    return kb


def read_knowledge_base(
    directory: Path | None = None,
) -> tuple[KnowledgeBase, list[LoadIssue]]:
    """Load what can be loaded; broken articles are left out and reported as issues."""
    directory = Path(directory) if directory is not None else paths.knowledge_dir()
    issues: list[LoadIssue] = []

    categories: tuple[Category, ...] = ()
    try:
        categories = _read_categories(directory / CATEGORIES_FILE)
    except _FileProblems as exc:
        issues.extend(LoadIssue("error", CATEGORIES_FILE, m) for m in exc.messages)
    category_ids = {c.id for c in categories}

    articles: dict[str, Article] = {}
    articles_dir = directory / ARTICLES_DIR
    if not articles_dir.is_dir():
        issues.append(LoadIssue("error", ARTICLES_DIR, "directory is missing"))
        files: list[Path] = []
    else:
        # Hidden files are editor back-ups and lock files, not articles.
        files = sorted(p for p in articles_dir.glob("*.toml") if not p.name.startswith("."))
    for path in files:
        where = f"{ARTICLES_DIR}/{path.name}"
        try:
            article, warnings = _read_article(path, category_ids if categories else None)
        except _FileProblems as exc:
            issues.extend(LoadIssue("error", where, m) for m in exc.messages)
            continue
        issues.extend(LoadIssue("warning", where, m) for m in warnings)
        articles[article.id] = article

    kb = KnowledgeBase(categories=categories, articles=MappingProxyType(articles))
    return kb, issues


def _parse_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise _FileProblems(["file is missing"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise _FileProblems([f"not valid TOML: {exc}"]) from None
    except UnicodeDecodeError as exc:
        raise _FileProblems([f"not UTF-8 text: {exc}"]) from None
    except OSError as exc:
        raise _FileProblems([f"cannot be read: {exc.strerror or exc}"]) from None


def _read_categories(path: Path) -> tuple[Category, ...]:
    data = _parse_toml(path)
    raw = data.get("category")
    if not isinstance(raw, list) or not raw:
        raise _FileProblems(["no [[category]] entries"])
    problems: list[str] = []
    result: list[Category] = []
    seen: set[str] = set()
    for n, entry in enumerate(raw, 1):
        label = f"category #{n}"
        if not isinstance(entry, dict):
            problems.append(f"{label}: not a table")
            continue
        cid = entry.get("id")
        if not isinstance(cid, str) or not CATEGORY_ID_RE.match(cid):
            problems.append(f"{label}: 'id' must be a lowercase word, got {cid!r}")
            continue
        label = f"category {cid!r}"
        if cid in seen:
            problems.append(f"{label}: duplicate id")
        seen.add(cid)
        icon = entry.get("icon", "")
        if not isinstance(icon, str):
            problems.append(f"{label}: 'icon' must be a string")
            icon = ""
        titles = entry.get("title")
        if not isinstance(titles, dict):
            problems.append(f"{label}: 'title' must be a table {{ tg = …, ru = …, en = … }}")
            continue
        missing = [lang for lang in LANGS if not (isinstance(titles.get(lang), str)
                                                  and titles[lang].strip())]
        if missing:
            problems.append(f"{label}: title missing in {', '.join(missing)}")
        clean = {k: v.strip() for k, v in titles.items() if k in LANGS and isinstance(v, str)}
        result.append(Category(id=cid, icon=icon, titles=MappingProxyType(clean)))
    if problems:
        raise _FileProblems(problems)
    return tuple(result)


def _string_list(value: Any, key: str, problems: list[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"'{key}' must be a list of strings")
        return ()
    return tuple(v.strip() for v in value)


def _read_article(
    path: Path, category_ids: set[str] | None
) -> tuple[Article, list[str]]:
    data = _parse_toml(path)
    problems: list[str] = []
    warnings: list[str] = []

    expected_id = path.stem
    aid = data.get("id")
    if not isinstance(aid, str):
        problems.append("'id' is missing or not a string")
    elif aid != expected_id:
        problems.append(f"id {aid!r} does not match the file name (expected {expected_id!r})")
    elif not ID_RE.match(aid):
        problems.append(f"id {aid!r} must look like <category>.<topic> in [a-z_]")

    category = data.get("category")
    if not isinstance(category, str):
        problems.append("'category' is missing or not a string")
        category = ""
    elif category_ids is not None and category not in category_ids:
        problems.append(f"unknown category {category!r} (see {CATEGORIES_FILE})")

    order = data.get("order")
    if not isinstance(order, int) or isinstance(order, bool):
        problems.append("'order' is missing or not an integer")
        order = 0

    reviewed = data.get("reviewed")
    # tomllib gives datetime for "2026-01-01T10:00"; only a bare date is meant here.
    if not isinstance(reviewed, datetime.date) or isinstance(reviewed, datetime.datetime):
        problems.append("'reviewed' is missing or not a TOML date (write it as 2026-11-22)")
        reviewed = datetime.date.min

    rules_as_of = _optional_date(data, "rules_as_of", problems)
    report = data.get("report", "")
    if report not in REPORT_KINDS:
        problems.append(f"'report' must be \"yes\" or \"urgent\", got {report!r}")
        report = ""
    check_by = _optional_date(data, "check_by", problems)

    if "sources" not in data:
        problems.append("'sources' is missing")
        sources: tuple[str, ...] = ()
    else:
        sources = _string_list(data["sources"], "sources", problems)
    related = _string_list(data.get("related", []), "related", problems)

    texts: dict[str, LocalizedText] = {}
    for lang in LANGS:
        if lang not in data:
            continue
        table = data[lang]
        if not isinstance(table, dict):
            problems.append(f"[{lang}] must be a table")
            continue
        text = _read_text(lang, table, problems, warnings)
        if text is not None:
            texts[lang] = text
    if not any(lang in data for lang in LANGS):
        problems.append("no language section ([tg], [ru] or [en])")

    unknown = sorted(set(data) - _ARTICLE_KEYS)
    if unknown:
        warnings.append(f"unknown key(s) ignored: {', '.join(unknown)}")

    if problems:
        raise _FileProblems(problems)
    article = Article(
        id=expected_id,
        category=category,
        order=order,
        reviewed=reviewed,
        sources=sources,
        related=related,
        texts=MappingProxyType(texts),
        rules_as_of=rules_as_of,
        check_by=check_by,
        report=report,
    )
    return article, warnings


def _optional_date(data: dict[str, Any], key: str, problems: list[str]) -> datetime.date | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        problems.append(f"'{key}' must be a TOML date (write it as 2026-03-11)")
        return None
    return value


def _read_text(
    lang: str, table: dict[str, Any], problems: list[str], warnings: list[str]
) -> LocalizedText | None:
    before = len(problems)
    values: dict[str, str] = {}
    for key in ("status", "title", "short", "details"):
        value = table.get(key)
        if not isinstance(value, str):
            problems.append(f"[{lang}] '{key}' is missing or not a string")
            value = ""
        values[key] = value.strip()
    check_how = table.get("check_how", "")
    if not isinstance(check_how, str):
        problems.append(f"[{lang}] 'check_how' must be a string")
        check_how = ""
    examples = tuple(e for e in _string_list(table.get("examples", []), f"[{lang}] examples",
                                             problems) if e)
    if "keywords" not in table:
        problems.append(f"[{lang}] 'keywords' is missing")
        keywords: tuple[str, ...] = ()
    else:
        keywords = tuple(k for k in _string_list(table["keywords"], f"[{lang}] keywords",
                                                 problems) if k)
    if values["status"] and values["status"] not in STATUSES:
        problems.append(
            f"[{lang}] status {values['status']!r} must be one of {', '.join(STATUSES)}"
        )
    unknown = sorted(set(table) - set(_TEXT_KEYS))
    if unknown:
        warnings.append(f"[{lang}] unknown key(s) ignored: {', '.join(unknown)}")
    if len(problems) > before:
        return None
    return LocalizedText(
        status=values["status"],
        title=values["title"],
        short=values["short"],
        details=values["details"],
        keywords=keywords,
        check_how=check_how.strip(),
        examples=examples,
    )
