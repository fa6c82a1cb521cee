"""Editors' view: what the bot could not answer, and the answers people found unhelpful.

``/unanswered [days]`` (the last 30 days by default) shows moderators the questions the
bot was unsure about or had no answer to, near-duplicates grouped and the most frequent
first, then the articles with the most 👎. The questions are anonymous (their table has no
user column), so nothing here links to a person.

Grouping and rendering are plain functions; the handler only loads, groups and sends.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from telegram import Update

from bot.context import HamrohContext
from bot.crypto import ReportKeys
from bot.i18n import N_
from bot.kb.model import KnowledgeBase
from bot.sealing import open_comment, open_question
from bot.search.index import surface
from bot.search.normalize import fold
from bot.staff import Role
from bot.storage.questions import (
    UNANSWERED_TEXT_CHARS,
    FeedbackSummary,
    StoredQuestion,
    UnansweredQuestion,
)

log = logging.getLogger(__name__)

Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]

DEFAULT_DAYS = 30
MAX_DAYS = 3660
TOP = 10  # groups and articles shown
SCAN_LIMIT = 1000  # the latest questions grouped at most: under a second even if all differ
QUESTION_CHARS = 200
TITLE_CHARS = 80
ARTICLES_SHOWN = 3  # of the articles an "unsure" group hesitated between
MESSAGE_LIMIT = 4096

# --- near-duplicates ------------------------------------------------------------------
#
# Measured on pairs of real-looking questions in tg/ru/en (tests/moderation/
# test_unanswered.py): the same question with typos, another word order, Tajik typed
# without its letters or in Latin scores 90–100 with token_set_ratio on the folded text;
# different questions on the same subject score 40–89. token_set_ratio alone, though,
# scores 100 whenever one question's words are a part of the other's ("patent" and "how
# much is a patent in Moscow") and close to 90 when one word is swapped for a similar
# looking one ("I lost my passport" / "I lost my patent"). So two word-level checks
# follow: no word of one question may be replaced by a different word in the other (a
# typo of it is fine), and the shorter question must hold most words of the longer one.

SET_RATIO = 85.0  # rapidfuzz token_set_ratio of the folded texts, 0..100
WORD_COVERAGE = 0.6  # share of the longer question's words the shorter one must have
SHORT_WORD = 3  # words this short ("do", "can", "в", "ли") may differ between the two

_SPACES = re.compile(r"\s+")

# --- texts (English msgids, translated where shown) -----------------------------------

REASONS: dict[str, str] = {
    "unsure": N_("not sure"),
    "not_found": N_("not found"),
}
MORE = N_("… and {count} more")
USAGE = N_("Send /unanswered with a number of days, for example: <code>/unanswered 7</code>. "
           "Without a number it shows the last {days} days.")


# --- the period -----------------------------------------------------------------------

def parse_days(args: Sequence[str]) -> int | None:
    """``/unanswered``, ``/unanswered 7`` or ``/unanswered 7d``: the number of days, or
    None when it is not one (from 1 to ``MAX_DAYS``)."""
    text = " ".join(args).strip().lower()
    if not text:
        return DEFAULT_DAYS
    match = re.fullmatch(r"(\d{1,5})\s*d?", text)
    if match is None:
        return None
    days = int(match.group(1))
    return days if 1 <= days <= MAX_DAYS else None


def since_iso(days: int, now: datetime) -> str:
    """The start of the last ``days`` days, in the storage's format (ISO UTC, seconds)."""
    return (now - timedelta(days=days)).isoformat(timespec="seconds")


# --- grouping -------------------------------------------------------------------------

def question_key(question: str, lang: str) -> str:
    """The question's words as the search compares them: lower case, no punctuation,
    Latin-typed Russian and Tajik in Cyrillic, Tajik letters and ё/ъ/ь folded."""
    key = fold(surface(question, lang))
    return key or " ".join(question.casefold().split())  # only emoji or punctuation


def _same_word(a: str, b: str) -> bool:
    """Equal, or a typo of each other (transpositions count as one edit)."""
    if a == b:
        return True
    shorter, longer = sorted((len(a), len(b)))
    if shorter <= SHORT_WORD:
        return False
    edits = 1 if longer <= 5 else 2
    return longer - shorter <= edits and OSA.distance(a, b, score_cutoff=edits) <= edits


def _unmatched(words: Sequence[str], others: Sequence[str]) -> list[str]:
    exact = set(others)
    return [word for word in words
            if word not in exact and not any(_same_word(word, other) for other in others)]


def near_duplicates(a: str, b: str) -> bool:
    """Whether two question keys (see :func:`question_key`) ask the same thing."""
    if fuzz.token_set_ratio(a, b) < SET_RATIO:
        return False
    return _same_words(a.split(), b.split())


def _same_words(words_a: Sequence[str], words_b: Sequence[str]) -> bool:
    extra_a = _unmatched(words_a, words_b)
    extra_b = _unmatched(words_b, words_a)
    if any(len(w) > SHORT_WORD for w in extra_a) and any(len(w) > SHORT_WORD for w in extra_b):
        return False  # a word swapped for another: "lost my passport" / "lost my patent"
    longer, extra = (words_a, extra_a) if len(words_a) >= len(words_b) else (words_b, extra_b)
    return len(longer) - len(extra) >= WORD_COVERAGE * len(longer)


@dataclass
class QuestionGroup:
    key: str  # the wording that leads the group (its most asked one)
    questions: list[UnansweredQuestion] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.questions)

    @property
    def latest(self) -> str:
        return max(q.created_at for q in self.questions)

    def languages(self) -> list[str]:
        counts = Counter(q.lang for q in self.questions)
        return sorted(counts, key=lambda lang: (-counts[lang], lang))

    def representative(self) -> str:
        """The most asked text of the group's leading wording; of equals, the newest."""
        texts = [(q.created_at, " ".join(q.question.split())) for q in self.questions
                 if question_key(q.question, q.lang) == self.key] or \
                [(q.created_at, " ".join(q.question.split())) for q in self.questions]
        counts = Counter(text for _at, text in texts)
        newest = {text: at for at, text in sorted(texts)}
        return max(counts, key=lambda text: (counts[text], newest[text]))

    def reasons(self) -> list[tuple[str, int]]:
        counts = Counter(q.reason for q in self.questions)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def articles(self) -> list[str]:
        """Articles offered to the "unsure" questions: the most often offered first, then
        the better ranked."""
        counts: Counter[str] = Counter()
        rank: dict[str, int] = {}
        for q in self.questions:
            if q.reason != "unsure":
                continue
            for position, article_id in enumerate(q.best_ids):
                counts[article_id] += 1
                rank[article_id] = min(rank.get(article_id, position), position)
        return sorted(counts, key=lambda a: (-counts[a], rank[a], a))


def group_questions(questions: Sequence[UnansweredQuestion]) -> list[QuestionGroup]:
    """Greedy grouping: wordings in order of how often they were asked (then the newest)
    each join the first group whose leading wording is a near-duplicate, or lead a new
    group. Groups come out the largest first, then the most recently asked."""
    by_key: dict[str, list[UnansweredQuestion]] = {}
    for question in questions:
        by_key.setdefault(question_key(question.question, question.lang), []).append(question)
    keys = sorted(by_key, key=lambda k: max(q.created_at for q in by_key[k]), reverse=True)
    keys.sort(key=lambda k: len(by_key[k]), reverse=True)  # stable: newest first among equals

    groups: list[QuestionGroup] = []
    leaders: list[str] = []
    for key in keys:
        group = _group_for(key, leaders, groups)
        if group is None:
            group = QuestionGroup(key)
            groups.append(group)
            leaders.append(key)
        group.questions.extend(by_key[key])
    groups.sort(key=lambda g: g.latest, reverse=True)
    groups.sort(key=lambda g: g.count, reverse=True)
    return groups


def _group_for(key: str, leaders: list[str], groups: list[QuestionGroup]
               ) -> QuestionGroup | None:
    # The C scorer picks the few candidates; the word checks run on those only.
    candidates = process.extract(key, leaders, scorer=fuzz.token_set_ratio,
                                 score_cutoff=SET_RATIO, limit=None)
    for _leader, _score, index in sorted(candidates, key=lambda c: (-c[1], c[2])):
        if _same_words(key.split(), leaders[index].split()):
            return groups[index]
    return None


# --- rendering ------------------------------------------------------------------------

def shorten(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters, cut with "…"; not yet escaped."""
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def article_titles(kb: KnowledgeBase | None, locale: str) -> Callable[[str], str]:
    """Article id → its title in ``locale`` (or the id of an article no longer there)."""

    def title_of(article_id: str) -> str:
        article = kb.article(article_id) if kb is not None else None
        return article.text(locale).title if article is not None else article_id

    return title_of


def render_questions(groups: Sequence[QuestionGroup], *, days: int, total: int,
                     grouped: int, _: Gettext, ngettext: Ngettext,
                     title_of: Callable[[str], str]) -> list[str]:
    """Blocks of HTML: a heading, then one block per group (at most ``TOP``).
    ``total`` questions were logged in the period, the latest ``grouped`` of them grouped."""
    heading = "<b>" + html.escape(ngettext(
        "Questions the bot could not answer in the last {days} day",
        "Questions the bot could not answer in the last {days} days", days).format(
        days=days), quote=False) + "</b>"
    if not groups:
        return [heading + "\n" + ngettext(
            "No unanswered questions in the last {days} day.",
            "No unanswered questions in the last {days} days.", days).format(days=days)]
    lines = [heading, ngettext(
        "{count} question in all. Similar ones are grouped, the most frequent first.",
        "{count} questions in all. Similar ones are grouped, the most frequent first.",
        total).format(count=total)]
    if grouped < total:
        lines.append(_("Only the latest {limit} of them were grouped.").format(limit=grouped))
    blocks = ["\n".join(lines)]
    for number, group in enumerate(groups[:TOP], start=1):
        blocks.append(_render_group(number, group, _, title_of))
    if len(groups) > TOP:
        blocks.append(_(MORE).format(count=len(groups) - TOP))
    return blocks


def _render_group(number: int, group: QuestionGroup, _: Gettext,
                  title_of: Callable[[str], str]) -> str:
    reasons = [(_(REASONS.get(reason, reason)), count) for reason, count in group.reasons()]
    if len(reasons) == 1:
        why = reasons[0][0]
    else:
        why = ", ".join(f"{label} ({count})" for label, count in reasons)
    facts = " · ".join([f"×{group.count}", ", ".join(group.languages()), why])
    lines = [f"<b>{number}.</b> {html.escape(facts, quote=False)}",
             "<i>" + html.escape(shorten(group.representative(), QUESTION_CHARS),
                                 quote=False) + "</i>"]
    articles = group.articles()[:ARTICLES_SHOWN]
    if articles:
        titles = "; ".join(shorten(title_of(a), TITLE_CHARS) for a in articles)
        lines.append(html.escape(_("Hesitated between: {titles}").format(titles=titles),
                                 quote=False))
    return "\n".join(lines)


def render_feedback(rows: Sequence[FeedbackSummary], *, days: int, _: Gettext,
                    ngettext: Ngettext, title_of: Callable[[str], str],
                    comments: Mapping[str, Sequence[str]] | None = None) -> list[str]:
    """Blocks of HTML: a heading, then one line per article (at most ``TOP``)."""
    heading = "<b>" + html.escape(ngettext(
        "Articles with the most 👎 in the last {days} day",
        "Articles with the most 👎 in the last {days} days", days).format(days=days),
        quote=False) + "</b>"
    if not rows:
        return [heading + "\n" + ngettext(
            "No answer was marked 👎 in the last {days} day.",
            "No answer was marked 👎 in the last {days} days.", days).format(days=days)]
    lines = [heading]
    for number, row in enumerate(rows[:TOP], start=1):
        title = html.escape(shorten(title_of(row.article_id), TITLE_CHARS), quote=False)
        line = f"{number}. {title} — 👎 {row.not_helpful} · 👍 {row.helpful}"
        for comment in (comments or {}).get(row.article_id, ()):
            line += "\n   💬 " + html.escape(shorten(comment, QUESTION_CHARS), quote=False)
        lines.append(line)
    return lines


def pack(sections: Sequence[tuple[Sequence[str], str]], limit: int = MESSAGE_LIMIT
         ) -> list[str]:
    """Messages of at most ``limit`` characters (of HTML, so the visible text is shorter
    still). ``sections`` are (blocks, separator); a message breaks only between blocks
    and sections are a blank line apart. Every block is far below the limit (questions
    and titles are cut), so no block is ever split."""
    messages: list[str] = []
    current = ""
    for blocks, separator in sections:
        for index, block in enumerate(blocks):
            glue = (separator if index else "\n\n") if current else ""
            if current and len(current) + len(glue) + len(block) > limit:
                messages.append(current)
                current, glue = "", ""
            current += glue + block
    if current:
        messages.append(current)
    return messages


def render_view(groups: Sequence[QuestionGroup], feedback: Sequence[FeedbackSummary], *,
                days: int, total: int, grouped: int, _: Gettext, ngettext: Ngettext,
                title_of: Callable[[str], str],
                comments: Mapping[str, Sequence[str]] | None = None) -> list[str]:
    """The whole answer to /unanswered, as Telegram HTML messages of at most 4096
    characters."""
    questions = render_questions(groups, days=days, total=total, grouped=grouped, _=_,
                                 ngettext=ngettext, title_of=title_of)
    articles = render_feedback(feedback, days=days, _=_, ngettext=ngettext,
                               title_of=title_of, comments=comments)
    return pack([(questions, "\n\n"), (articles, "\n")])


# --- the command ----------------------------------------------------------------------

def opened_questions(rows: Sequence[StoredQuestion], keys: ReportKeys
                     ) -> list[UnansweredQuestion]:
    """Decrypted for the editors' view (a row that cannot be opened is left out)."""
    out = []
    for row in rows:
        text = (open_question(keys, row.id, row.sealed) if row.sealed is not None
                else row.legacy_text)
        if text is not None:
            out.append(UnansweredQuestion(text[:UNANSWERED_TEXT_CHARS], row.lang,
                                          row.best_ids, row.reason, row.created_at))
    return out


async def show_unanswered(update: Update, context: HamrohContext, role: Role) -> None:
    """/unanswered for moderators (the role is checked by the caller)."""
    chat = update.effective_chat
    assert chat is not None
    _ = context.gettext
    days = parse_days(context.args or [])
    if days is None:
        await context.bot.send_message(chat.id, _(USAGE).format(days=DEFAULT_DAYS))
        return
    since = since_iso(days, datetime.now(UTC))
    storage = context.services.db.questions
    keys = context.services.crypto_keys()
    questions = opened_questions(await storage.unanswered_since(since, SCAN_LIMIT), keys)
    total = (await storage.count_unanswered_since(since) if len(questions) >= SCAN_LIMIT
             else len(questions))
    feedback = await storage.most_unhelpful_since(since, TOP)
    # Up to SCAN_LIMIT questions: tens of milliseconds, but not on the event loop.
    groups = await asyncio.to_thread(group_questions, questions)
    sealed = await storage.comments_since([row.article_id for row in feedback], since)
    comments = {article_id: [text for blob in blobs
                             if (text := open_comment(keys, article_id, blob)) is not None]
                for article_id, blobs in sealed.items()}
    messages = render_view(groups, feedback, days=days, total=total, grouped=len(questions),
                           _=_, ngettext=context.ngettext,
                           title_of=article_titles(context.services.knowledge,
                                                   context.locale), comments=comments)
    for text in messages:
        await context.bot.send_message(chat.id, text)
    log.info("a moderator viewed the unanswered questions (%d days)", days)
