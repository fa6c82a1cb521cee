"""Content rules for the knowledge base (``python -m bot kb check``)."""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from bot import paths
from bot.kb.loader import ARTICLES_DIR, read_knowledge_base
from bot.kb.model import LANGS, STATUSES, Article

REQUIRED_IDS: tuple[str, ...] = (
    "entry.documents",
    "entry.migration_card",
    "entry.stay_limit",
    "entry.ban_check",
    "entry.denied",
    "entry.border_holding",
    "entry.children",
    "entry.pre_arrival",
    "stay.registration",
    "stay.fingerprinting_medical",
    "stay.controlled_registry",
    "stay.overstay",
    "stay.lost_documents",
    "work.patent",
    "work.patent_payment",
    "work.language_exam",
    "work.contract",
    "work.unpaid_wages",
    "rights.police_check",
    "rights.detention",
    "rights.deportation",
    "rights.abuse",
    "rights.consular",
    "rights.medical",
    "rights.children_school",
    "rights.scams",
    "help.contacts",
    "help.emergency",
    "help.reporting",
    "help.about",
    "help.changes",
    "help.travel_advisory",
    "stay.leaving_russia",
    "stay.amina",
    "stay.students",
    "rights.military_recruitment",
)

# parse_html, HtmlParseError, utf16_len from bot.telegram_html
_Html = tuple[Callable[[str], tuple[str, Any]], type[Exception], Callable[[str], int]]

MAX_TITLE = 60
MAX_SHORT = 600  # the first screen on a phone; visible UTF-16 units, as Telegram counts them
MAX_CHECK_HOW = 120
# The answer model learns from examples: fewer than this per language and it guesses.
MIN_EXAMPLES = 20
MAX_DETAILS = 2500
STALE_AFTER_DAYS = 180


@dataclass(frozen=True)
class Problem:
    level: Literal["error", "warning"]
    where: str
    message: str


def check_knowledge_base(
    directory: Path | None = None, today: datetime.date | None = None, *, strict: bool = False
) -> list[Problem]:
    """Every problem found, errors and warnings, in a stable order. ``strict`` makes an
    article whose ``check_by`` has passed an error instead of a warning."""
    directory = Path(directory) if directory is not None else paths.knowledge_dir()
    today = today or datetime.date.today()
    kb, issues = read_knowledge_base(directory)
    problems = [Problem(i.level, i.where, i.message) for i in issues]
    broken = {i.where for i in issues if i.level == "error"}

    html = _html_tools()
    if html is None:
        problems.append(Problem("warning", "bot.telegram_html",
                                "module not available: HTML and lengths not checked"))

    for article in kb.articles.values():
        problems.extend(_check_article(article, set(kb.articles), today, html))
        problems.extend(_check_freshness(article, today, strict))

    for rid in REQUIRED_IDS:
        where = f"{ARTICLES_DIR}/{rid}.toml"
        if rid not in kb.articles and where not in broken:
            problems.append(Problem("error", where, "required article is missing"))

    problems.extend(_shared_keywords(kb.articles.values()))
    problems.extend(_shared_examples(kb.articles.values()))
    problems.extend(_check_urgent_examples(directory / URGENT_EXAMPLES))
    problems.extend(_check_out_of_scope_examples(directory / OUT_OF_SCOPE_EXAMPLES))
    order = {"error": 0, "warning": 1}
    problems.sort(key=lambda p: (p.where.split(" [")[0], order[p.level], p.where))
    return problems


def _where(article: Article, lang: str | None = None) -> str:
    base = f"{ARTICLES_DIR}/{article.id}.toml"
    return f"{base} [{lang}]" if lang else base


def _html_tools() -> _Html | None:
    try:
        from bot.telegram_html import HtmlParseError, parse_html, utf16_len
    except ImportError:
        return None
    return parse_html, HtmlParseError, utf16_len


def _check_article(
    article: Article, ids: set[str], today: datetime.date, html: _Html | None
) -> list[Problem]:
    out: list[Problem] = []
    where = _where(article)

    def error(msg: str, lang: str | None = None) -> None:
        out.append(Problem("error", _where(article, lang) if lang else where, msg))

    def warn(msg: str, lang: str | None = None) -> None:
        out.append(Problem("warning", _where(article, lang) if lang else where, msg))

    if not article.id.startswith(article.category + "."):
        error(f"id should start with its category {article.category!r}")
    if not article.sources or not all(article.sources):
        error("'sources' must list at least one source, without empty entries")
    if article.reviewed > today:
        error(f"'reviewed' {article.reviewed.isoformat()} is in the future")
    elif (today - article.reviewed).days > STALE_AFTER_DAYS:
        warn(f"reviewed {article.reviewed.isoformat()}, more than {STALE_AFTER_DAYS} days ago:"
             " check the facts again")
    for rid in article.related:
        if rid == article.id:
            warn("'related' lists the article itself")
        elif rid not in ids:
            error(f"related id {rid!r} does not exist")

    drafts: list[str] = []
    for lang in LANGS:
        text = article.texts.get(lang)
        if text is None:
            error(f"language [{lang}] is missing")
            continue
        for key in ("status", "title", "short", "details"):
            if not getattr(text, key):
                error(f"'{key}' is empty", lang)
        if not text.keywords:
            error("'keywords' is empty", lang)
        if text.status == "draft":
            drafts.append(lang)
        elif text.status and text.status not in STATUSES:  # the loader rejects these already
            error(f"status {text.status!r} is not one of {STATUSES}", lang)
        if len(text.title) > MAX_TITLE:
            error(f"title is {len(text.title)} characters (max {MAX_TITLE})", lang)
        if html is not None:
            for key, limit in (("short", MAX_SHORT), ("details", MAX_DETAILS)):
                value = getattr(text, key)
                if value:
                    out.extend(_check_html(value, key, limit, _where(article, lang), html))
    if drafts:  # one line per article: every article starts as a draft
        warn(f"translation not yet checked by a native speaker: {', '.join(drafts)}")
    return out


def stale_articles(articles: Iterable[Article], today: datetime.date) -> list[Article]:
    """Articles whose ``check_by`` has passed: a point in them may have changed."""
    return sorted((a for a in articles if a.check_by is not None and a.check_by <= today),
                  key=lambda a: (a.check_by, a.id))


def _check_freshness(article: Article, today: datetime.date, strict: bool) -> list[Problem]:
    out: list[Problem] = []
    where = _where(article)
    if article.rules_as_of is None:
        out.append(Problem("warning", where, "'rules_as_of' is missing: users are shown the "
                                             "review date as the date of the rules"))
    elif article.rules_as_of > today:
        out.append(Problem("error", where, f"'rules_as_of' {article.rules_as_of} is in the "
                                           "future"))
    if article.check_by is None:
        return out
    if article.check_by <= today:
        out.append(Problem("error" if strict else "warning", where,
                           f"stale: check_by {article.check_by} has passed; check the facts, "
                           "then update the text, rules_as_of and check_by"))
    for lang, text in article.texts.items():
        if not text.check_how:
            out.append(Problem("error", _where(article, lang),
                               "'check_how' is empty: the warning shown after check_by must "
                               "say where to check"))
        elif len(text.check_how) > MAX_CHECK_HOW:
            out.append(Problem("error", _where(article, lang),
                               f"'check_how' is {len(text.check_how)} characters "
                               f"(max {MAX_CHECK_HOW})"))
    return out


def _check_html(value: str, key: str, limit: int, where: str, html: _Html) -> list[Problem]:
    parse_html, html_error, utf16_len = html
    try:
        plain, _entities = parse_html(value)
    except html_error as exc:
        return [Problem("error", where, f"'{key}' is not valid Telegram HTML: {exc}")]
    length = utf16_len(plain)
    if length > limit:
        return [Problem("error", where,
                        f"'{key}' is {length} visible characters (max {limit})")]
    return []


URGENT_EXAMPLES = "urgent_examples.jsonl"


def _check_urgent_examples(path: Path) -> list[Problem]:
    """The messages the "happening now" detector learns from: one JSON object per line
    with a text ``q`` and ``urgent`` true or false, both kinds present."""
    if not path.is_file():
        return [Problem("warning", URGENT_EXAMPLES, "missing: only the hand rules will "
                                                    "detect messages about right now")]
    out: list[Problem] = []
    kinds: set[bool] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row.get("q"), str) or not isinstance(row.get("urgent"), bool):
                raise ValueError("needs \"q\" (text) and \"urgent\" (true or false)")
            kinds.add(row["urgent"])
        except (ValueError, AttributeError) as error:
            out.append(Problem("error", f"{URGENT_EXAMPLES}:{number}", str(error)))
    if len(kinds) < 2 and not out:
        out.append(Problem("error", URGENT_EXAMPLES, "needs urgent and ordinary examples"))
    return out


OUT_OF_SCOPE_EXAMPLES = "out_of_scope_examples.jsonl"


def _check_out_of_scope_examples(path: Path) -> list[Problem]:
    """What no article answers (the answer model's out-of-scope class): one JSON object
    per line with a text ``q``."""
    if not path.is_file():
        return [Problem("warning", OUT_OF_SCOPE_EXAMPLES, "missing: questions nobody wrote an "
                                                          "article for are answered too often")]
    out: list[Problem] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row.get("q"), str) or not row["q"].strip():
                raise ValueError("needs \"q\" (text)")
        except (ValueError, AttributeError) as error:
            out.append(Problem("error", f"{OUT_OF_SCOPE_EXAMPLES}:{number}", str(error)))
    return out


def _example_key(text: str) -> str:
    return " ".join("".join(ch for ch in text.casefold().replace("ё", "е")
                            if ch.isalnum() or ch.isspace()).split())


def _shared_examples(articles: Iterable[Article]) -> list[Problem]:
    """The same example under two articles teaches the model two answers to one question;
    too few examples in a language leave the model guessing there."""
    out: list[Problem] = []
    owners: dict[str, list[str]] = defaultdict(list)
    for article in sorted(articles, key=lambda a: a.id):
        for lang, text in sorted(article.texts.items()):
            if len(text.examples) < MIN_EXAMPLES:
                out.append(Problem("warning", _where(article, lang),
                                   f"{len(text.examples)} examples (at least {MIN_EXAMPLES} "
                                   "teach the answer model this article)"))
            for example in {_example_key(e) for e in text.examples}:
                if article.id not in owners[example]:
                    owners[example].append(article.id)
    for example, ids in sorted(owners.items()):
        if len(ids) > 1:
            out.append(Problem("warning", f"{ARTICLES_DIR}/{ids[0]}.toml",
                               f"example {example!r} is also in {', '.join(ids[1:])}"))
    return out


def _shared_keywords(articles: Iterable[Article]) -> list[Problem]:
    """A keyword in two articles of one language makes the search unsure between them."""
    owners: dict[tuple[str, str], list[str]] = defaultdict(list)
    for article in sorted(articles, key=lambda a: a.id):
        for lang, text in article.texts.items():
            for kw in {" ".join(k.casefold().replace("ё", "е").split()) for k in text.keywords}:
                owners[(lang, kw)].append(article.id)
    out = []
    for (lang, kw), ids in sorted(owners.items()):
        if len(ids) > 1:
            out.append(Problem(
                "warning", f"{ARTICLES_DIR}/{ids[0]}.toml [{lang}]",
                f"keyword {kw!r} is also in {', '.join(ids[1:])}",
            ))
    return out
