"""Decisions about a free-text question, kept apart from Telegram so they are easy to test."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bot.search.engine import SearchResult

MAX_CHOICES = 3
# A message saying it is happening now gets this answer first, whatever else it matched:
# the checklist for right now, with "Report it now (urgent)" under it.
EMERGENCY_ARTICLE = "help.emergency"
# Below this top score the hits are noise: offering them as choices would look like an
# answer to a question the bot does not cover (measured on the dev set: in-scope questions
# that were not answered confidently all scored 0.3 or more).
CHOICE_FLOOR = 0.2
# Questions longer than this are still searched, but only their beginning: a pasted
# essay must not slow the bot down for everyone.
MAX_QUESTION_CHARS = 500


class Reply(Enum):
    ANSWER = "answer"  # confident: show the best article
    CHOICES = "choices"  # unsure: offer the likely articles and a person
    NOT_FOUND = "not_found"  # nothing relevant: apologise, offer a person and the menu
    SMALLTALK = "smalltalk"  # greeting, thanks, insult: a kind word and the menu


@dataclass(frozen=True)
class Decision:
    reply: Reply
    answer_lang: str
    offer_switch: bool  # the question was clearly in another language than the user's
    article_ids: tuple[str, ...]
    smalltalk: str | None = None
    urgent: bool = False


def choose_answer_language(user_locale: str, detected: str, detected_is_clear: bool) -> str:
    """Answer in the user's chosen language unless the question is clearly in another."""
    return detected if detected_is_clear and detected != user_locale else user_locale


def decide(result: SearchResult, user_locale: str) -> Decision:
    answer_lang = choose_answer_language(user_locale, result.lang, result.lang_is_clear)
    switch = answer_lang != user_locale
    if result.smalltalk:
        return Decision(Reply.SMALLTALK, answer_lang, switch, (), result.smalltalk)
    ids = tuple(hit.article_id for hit in result.hits)
    if result.urgent:
        # The emergency checklist first; the situation the question is about (refused
        # entry, a ban, a police check) one tap away, as the first button under it.
        topic = tuple(hit.article_id for hit in result.hits[:1]
                      if hit.article_id != EMERGENCY_ARTICLE and hit.score >= CHOICE_FLOOR)
        return Decision(Reply.ANSWER, answer_lang, switch, (EMERGENCY_ARTICLE, *topic),
                        urgent=True)
    if result.confident and ids:
        return Decision(Reply.ANSWER, answer_lang, switch, ids[:1])
    if ids and not result.off_topic and result.hits[0].score >= CHOICE_FLOOR:
        return Decision(Reply.CHOICES, answer_lang, switch, ids[:MAX_CHOICES])
    return Decision(Reply.NOT_FOUND, answer_lang, switch, ())
