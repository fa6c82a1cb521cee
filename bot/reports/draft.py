"""The report draft, its steps and the rules that move between them.

Pure functions only: the Telegram handlers ask this module what a button or a
typed text means at the current step and what comes next, so the whole flow is
testable without Telegram.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from bot.crypto import new_draft_id
from bot.i18n import N_
from bot.reports.dates import (
    DateProblem,
    current_month,
    incident_day,
    moscow_today,
    parse_incident_date,
)
from bot.reports.places import Places

# --- choices (codes are stored; labels are translated where shown) -------------------

INCIDENTS: dict[str, str] = {
    "refused": N_("Refused entry"),
    "held_border": N_("Held at a border crossing for a long time"),
    "detained": N_("Detained or mistreated during a document check"),
    "deported": N_("Deported or expelled"),
    "documents": N_("Documents taken or damaged"),
    "extortion": N_("Money demanded, extortion"),
    "insults": N_("Insults or discrimination"),
    "other": N_("Something else (I will type it)"),
}
# Insults alone involve no holding, so "how long were people held" is not asked.
INCIDENTS_WITHOUT_HOLDING = frozenset({"insults"})
# One incident is often several things at once (held, passport taken, money demanded).
MAX_INCIDENTS = len(INCIDENTS)

AFFECTED: dict[str, str] = {
    "me": N_("Me"),
    "family": N_("A member of my family"),
    "others": N_("Someone else"),
}

PEOPLE: dict[str, str] = {
    "1": "1",
    "2": "2",
    "3-5": "3–5",
    "6-10": "6–10",
    "11+": N_("More than 10"),
}
MAX_TYPED_PEOPLE = 10_000

GROUPS: dict[str, str] = {
    "child": N_("A child"),
    "elderly": N_("An elderly person"),
    "woman": N_("A woman"),
    "disability": N_("A person with a disability"),
    "student": N_("A student"),
    "delegation": N_("A member of an official delegation"),
}

HELD: dict[str, str] = {
    "no": N_("Not held"),
    "lt3h": N_("Less than 3 hours"),
    "3-12h": N_("3–12 hours"),
    "12-24h": N_("12–24 hours"),
    "1-2d": N_("1–2 days"),
    "gt2d": N_("More than 2 days"),
    "still": N_("Still being held now"),
}
URGENT_HELD = "still"

EVIDENCE_KINDS = ("photo", "video", "document", "voice", "audio", "video_note")
# Spoken instead of written: accepted as the description itself.
SPOKEN_KINDS = frozenset({"voice", "audio", "video_note"})
MAX_EVIDENCE = 10
DESCRIPTION_MIN_CHARS = 20
DESCRIPTION_MIN_WORDS = 3
# A story told over several messages (Telegram splits a long paste at 4,096 characters).
DESCRIPTION_MAX_CHARS = 12_000
TYPED_MAX_CHARS = 100  # a typed place or incident type: a few words, not a story

# --- steps ---------------------------------------------------------------------------

CONSENT = "consent"
INCIDENT = "incident"
INCIDENT_TEXT = "incident_text"
PLACE = "place"
PLACE_TEXT = "place_text"
DATE = "date"
DATE_MONTH = "date_month"  # "I don't remember the exact day": the month and year
AFFECTED_STEP = "affected"
PEOPLE_STEP = "people"
GROUPS_STEP = "groups"
HELD_STEP = "held"
DESCRIPTION = "description"
EVIDENCE = "evidence"
REVIEW = "review"
EDIT = "edit"

ORDER: tuple[str, ...] = (
    CONSENT, INCIDENT, INCIDENT_TEXT, PLACE, PLACE_TEXT, DATE, AFFECTED_STEP, PEOPLE_STEP,
    GROUPS_STEP, HELD_STEP, DESCRIPTION, EVIDENCE,
)
STEPS: tuple[str, ...] = (*ORDER, DATE_MONTH, REVIEW, EDIT)
# Typed sub-steps belong to the button step before them.
PARENT = {INCIDENT_TEXT: INCIDENT, PLACE_TEXT: PLACE, DATE_MONTH: DATE}
# How a description being edited takes the next text.
ADD, REPLACE = "add", "replace"
# Steps the review screen lets the user jump back to, in order.
EDITABLE: tuple[str, ...] = (
    CONSENT, INCIDENT, PLACE, DATE, AFFECTED_STEP, PEOPLE_STEP, GROUPS_STEP, HELD_STEP,
    DESCRIPTION, EVIDENCE,
)


@dataclass
class Evidence:
    kind: str
    file_id: str
    size: int | None = None
    duration: int | None = None  # seconds, for voice and video


@dataclass
class Draft:
    """Everything typed so far. Serialised to JSON and encrypted as a whole."""

    id: str
    user_id: int
    locale: str
    created_at: str
    step: str = CONSENT
    contact: bool | None = None
    incident: str | None = None  # the main type: the first one chosen
    incidents: list[str] = field(default_factory=list)  # all types, the main one first
    incidents_done: bool = False
    incident_text: str | None = None
    place: str | None = None
    place_text: str | None = None
    place_typed: bool = False
    date: str | None = None
    affected: str | None = None
    people: str | None = None
    groups: list[str] = field(default_factory=list)
    groups_done: bool = False
    held: str | None = None
    description: str | None = None
    # The description was spoken: a voice message kept as evidence stands for it.
    description_voice: bool = False
    description_mode: str | None = None  # ADD or REPLACE while the description is edited
    evidence: list[Evidence] = field(default_factory=list)
    evidence_done: bool = False
    editing: bool = False  # jumped here from the review: go back there when done
    paused: bool = False  # the user went to the menu; free text is no longer for us
    # The message that opened the report conversation in the private chat: the receipt
    # offers to delete everything from here on from the user's phone.
    first_message_id: int | None = None
    emergency_sent: bool = False

    @classmethod
    def new(cls, user_id: int, locale: str, now: datetime | None = None) -> Draft:
        created = (now or datetime.now(UTC)).isoformat(timespec="seconds")
        return cls(id=new_draft_id(), user_id=user_id, locale=locale, created_at=created)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Draft:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        known["evidence"] = [Evidence(**item) for item in data.get("evidence", [])]
        draft = cls(**known)
        if draft.incident and not draft.incidents:  # a draft saved before several types
            draft.incidents, draft.incidents_done = [draft.incident], True
        if draft.step not in STEPS:
            draft.step = first_missing(draft) or REVIEW
        return draft

    @property
    def urgent(self) -> bool:
        return self.held == URGENT_HELD

    @property
    def incident_date(self) -> date | None:
        """The day, or the first day of the month when only the month is known."""
        return incident_day(self.date) if self.date else None

    @property
    def has_description(self) -> bool:
        return bool(self.description) or self.description_voice


def asks_held(draft: Draft) -> bool:
    return not draft.incidents or any(code not in INCIDENTS_WITHOUT_HOLDING
                                      for code in draft.incidents)


def applies(draft: Draft, step: str) -> bool:
    """Whether ``step`` is part of this draft's path."""
    if step == INCIDENT_TEXT:
        return "other" in draft.incidents
    if step == PLACE_TEXT:
        return draft.place_typed
    if step == HELD_STEP:
        return asks_held(draft)
    return True


def _done(draft: Draft, step: str) -> bool:
    return {
        CONSENT: draft.contact is not None,
        INCIDENT: bool(draft.incidents) and draft.incidents_done,
        INCIDENT_TEXT: bool(draft.incident_text),
        PLACE: draft.place is not None,
        PLACE_TEXT: bool(draft.place_text),
        DATE: draft.date is not None,
        AFFECTED_STEP: draft.affected is not None,
        PEOPLE_STEP: draft.people is not None,
        GROUPS_STEP: draft.groups_done,
        HELD_STEP: draft.held is not None,
        DESCRIPTION: draft.has_description,
        EVIDENCE: draft.evidence_done,
    }[step]


def is_answered(draft: Draft, step: str) -> bool:
    return _done(draft, step)


def first_missing(draft: Draft) -> str | None:
    return next((s for s in ORDER if applies(draft, s) and not _done(draft, s)), None)


def is_complete(draft: Draft, places: Places | None = None) -> bool:
    if first_missing(draft) is not None:
        return False
    return places is None or places.get(draft.place) is not None


def next_step(draft: Draft, current: str) -> str:
    """Where to go after ``current`` was answered."""
    if draft.editing:
        return first_missing(draft) or REVIEW
    current = current if current in ORDER else PARENT.get(current, current)
    index = ORDER.index(current) if current in ORDER else -1
    for step in ORDER[index + 1 :]:
        if applies(draft, step):
            return step
    return first_missing(draft) or REVIEW


def previous_step(draft: Draft, current: str) -> str | None:
    """Where Back leads; ``None`` means leaving the flow (Back on the very first step)."""
    if current in PARENT:
        return PARENT[current]
    if current == EDIT or (draft.editing and current in ORDER):
        return REVIEW
    if current == REVIEW:
        return EVIDENCE
    index = ORDER.index(current)
    for step in reversed(ORDER[:index]):
        if applies(draft, step):
            return step
    return None


# --- what an answer means --------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """A message id (English source text, translated where shown) and its arguments."""

    message: str
    args: tuple[tuple[str, Any], ...] = ()

    def kwargs(self) -> dict[str, Any]:
        return dict(self.args)


DATE_PROBLEMS: dict[DateProblem, str] = {
    DateProblem.UNREADABLE: N_("I could not read this date. Please write it like 05.02.2025 "
                               "or “5 February”, or press a button."),
    DateProblem.NO_SUCH_DAY: N_("This day does not exist in the calendar. Please check the "
                                "day and the month."),
    DateProblem.FUTURE: N_("This date is in the future. Please write the date when it "
                           "happened."),
    DateProblem.TOO_OLD: N_("I take reports about events from 2020 onwards. Please check the "
                            "year."),
}
TYPED_TOO_SHORT = N_("This is too short. Please write a few words.")
TYPED_TOO_LONG = N_("Please keep this short (up to {limit} characters). You can tell the "
                    "whole story a little later, in the description.")
PEOPLE_INVALID = N_("Please press a button or type a number from 1 to {limit}.")
DESCRIPTION_TOO_SHORT = N_("Please describe what happened in at least one full sentence "
                           "(a few words): what happened, who did it, what was said.")


def set_date_text(draft: Draft, text: str, now: datetime | None = None) -> Problem | None:
    """A typed day, or a month and year ("декабрь 2025") when that is all one remembers."""
    result = parse_incident_date(text, now=now)
    if result.value is None:
        assert result.problem is not None
        return Problem(DATE_PROBLEMS[result.problem])
    draft.date = result.value
    return None


def set_date_relative(draft: Draft, days_ago: int, now: datetime | None = None) -> None:
    draft.date = date.fromordinal(moscow_today(now).toordinal() - days_ago).isoformat()


MONTH_CHOICES = 3  # this month and the two before it, as buttons


def month_choices(now: datetime | None = None) -> list[str]:
    """``YYYY-MM`` of this month and the ones before it, newest first."""
    this = current_month(now)
    return [this.minus(back).iso() for back in range(MONTH_CHOICES)]


def set_month(draft: Draft, value: str, now: datetime | None = None) -> bool:
    if value not in month_choices(now):
        return False
    draft.date = value
    return True


def clean_typed(text: str) -> tuple[str | None, Problem | None]:
    """A short typed answer (place, other incident type)."""
    value = " ".join(text.split())
    if len(re.findall(r"[^\W\d_]", value)) < 2:
        return None, Problem(TYPED_TOO_SHORT)
    if len(value) > TYPED_MAX_CHARS:
        return None, Problem(TYPED_TOO_LONG, (("limit", TYPED_MAX_CHARS),))
    return value, None


# Number words up to 100 in the three languages (and Latin-typed Russian and Tajik), for
# "нас было двадцать", "бисту панҷ нафар", "about twenty".
_UNITS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
    "один": 1, "одна": 1, "два": 2, "двое": 2, "две": 2, "три": 3, "трое": 3, "четыре": 4,
    "четверо": 4, "пять": 5, "пятеро": 5, "шесть": 6, "шестеро": 6, "семь": 7, "семеро": 7,
    "восемь": 8, "девять": 9, "десять": 10, "десятеро": 10, "пятнадцать": 15,
    "як": 1, "ду": 2, "се": 3, "чор": 4, "панҷ": 5, "панч": 5, "шаш": 6, "ҳафт": 7, "хафт": 7,
    "ҳашт": 8, "хашт": 8, "нӯҳ": 9, "нух": 9, "даҳ": 10, "дах": 10,
    "yak": 1, "du": 2, "se": 3, "chor": 4, "panj": 5, "shash": 6, "haft": 7, "hasht": 8,
    "nuh": 9, "dah": 10, "dva": 2, "tri": 3, "pyat": 5, "desyat": 10,
}
_TENS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "hundred": 100,
    "двадцать": 20, "тридцать": 30, "сорок": 40, "пятьдесят": 50, "шестьдесят": 60,
    "семьдесят": 70, "восемьдесят": 80, "девяносто": 90, "сто": 100,
    "бист": 20, "си": 30, "сӣ": 30, "чил": 40, "панҷоҳ": 50, "панчох": 50, "шаст": 60,
    "ҳафтод": 70, "хафтод": 70, "ҳаштод": 80, "хаштод": 80, "навад": 90, "сад": 100,
    "bist": 20, "chil": 40, "panjoh": 50, "dvadtsat": 20, "tridtsat": 30,
}


def parse_people(text: str) -> str | None:
    """A typed number of people, stored as digits; ``None`` when it is not one.

    Accepts a number inside a phrase ("мо 20 нафар будем", "about 20") or in words
    ("нас было двадцать", "бисту панҷ"). Two different numbers are not guessed between.
    """
    numbers = {int(found) for found in re.findall(r"(?<![\d.,])-?\d+(?![.,]\d)", text)}
    if any(number <= 0 for number in numbers) or re.search(r"\d[.,]\d", text):
        return None  # "-3", "0", "2.5": not a count of people
    if not numbers:
        words = re.findall(r"[^\W\d_]+", text.lower().replace("ё", "е"))
        numbers = _number_from_words(words)
    if len(numbers) != 1:
        return None
    count = numbers.pop()
    return str(count) if 1 <= count <= MAX_TYPED_PEOPLE else None


def _number_from_words(words: list[str]) -> set[int]:
    """"двадцать пять" → {25}; "бисту панҷ" (Tajik "-у" joins them) → {25}."""
    total, seen = 0, False
    for word in words:
        stem = word[:-1] if word.endswith("у") and word[:-1] in _TENS else word
        if stem in _TENS:
            if total % 100:
                return set()  # "five twenty", "twenty thirty": not a number
            total += _TENS[stem]
            seen = True
        elif word in _UNITS:
            if total % 10:
                return set()  # "two three"
            total += _UNITS[word]
            seen = True
    return {total} if seen else set()


def people_label(value: str | None) -> str:
    """Bucket codes have fixed labels; typed counts are shown as they are."""
    return PEOPLE.get(value or "", value or "")


def is_sentence(text: str) -> bool:
    """At least a few words: a story, not "ok" or "?"."""
    value = text.strip()
    words = re.findall(r"[^\W\d_]{2,}", value)
    return len(value) >= DESCRIPTION_MIN_CHARS and len(words) >= DESCRIPTION_MIN_WORDS


@dataclass(frozen=True)
class Kept:
    """What happened to a typed part of the description: how many characters of it were
    kept (all unless the limit was reached) and the description's length now."""

    kept: int
    dropped: int
    total: int


def set_description(draft: Draft, text: str) -> Kept:
    value = text.strip()
    draft.description = value[:DESCRIPTION_MAX_CHARS]
    return Kept(len(draft.description), len(value) - len(draft.description),
                len(draft.description))


def append_description(draft: Draft, text: str) -> Kept:
    """Add a follow-up message to the description, up to the limit (nothing is cut
    silently: the caller says how much was kept)."""
    value = text.strip()
    current = draft.description or ""
    separator = "\n" if current else ""
    room = max(DESCRIPTION_MAX_CHARS - len(current) - len(separator), 0)
    kept = value[:room]
    if kept:
        draft.description = current + separator + kept
    return Kept(len(kept), len(value) - len(kept), len(draft.description or ""))


def cut_text(text: str, limit: int) -> str:
    """Cut at the last space before ``limit`` so no word is broken in half."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 0.8 else cut).rstrip() + "…"


def add_evidence(draft: Draft, item: Evidence) -> bool:
    """False when the limit is already reached; the same file twice counts once."""
    if any(existing.file_id == item.file_id for existing in draft.evidence):
        return True
    if len(draft.evidence) >= MAX_EVIDENCE:
        return False
    draft.evidence.append(item)
    return True


def toggle_incident(draft: Draft, code: str) -> bool:
    """Tap a type on or off; the first one still chosen is the main one."""
    if code not in INCIDENTS:
        return False
    if code in draft.incidents:
        draft.incidents.remove(code)
        if code == "other":
            draft.incident_text = None
    else:
        draft.incidents.append(code)
    draft.incident = draft.incidents[0] if draft.incidents else None
    if draft.incidents and not asks_held(draft):
        draft.held = None
    return True


def choose_place(draft: Draft, places: Places, place_id: str) -> bool:
    place = places.get(place_id)
    if place is None:
        return False
    if not place.typed or place.id != draft.place:
        draft.place_text = None
    draft.place = place.id
    draft.place_typed = place.typed
    return True


def mark_urgent(draft: Draft) -> None:
    """Started from the emergency answer: people are still being held, and the emergency
    checklist was just shown, so it is not sent again."""
    draft.held = URGENT_HELD
    draft.emergency_sent = True


def toggle_group(draft: Draft, code: str) -> bool:
    if code not in GROUPS:
        return False
    if code in draft.groups:
        draft.groups.remove(code)
    else:
        draft.groups.append(code)
        draft.groups.sort(key=list(GROUPS).index)
    return True
