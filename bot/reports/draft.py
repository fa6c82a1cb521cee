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
from bot.reports.dates import DateProblem, moscow_today, parse_date
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
MAX_EVIDENCE = 10
DESCRIPTION_MIN_CHARS = 20
DESCRIPTION_MIN_WORDS = 3
DESCRIPTION_MAX_CHARS = 3000
TYPED_MAX_CHARS = 100  # a typed place or incident type: a few words, not a story

# --- steps ---------------------------------------------------------------------------

CONSENT = "consent"
INCIDENT = "incident"
INCIDENT_TEXT = "incident_text"
PLACE = "place"
PLACE_TEXT = "place_text"
DATE = "date"
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
STEPS: tuple[str, ...] = (*ORDER, REVIEW, EDIT)
# Typed sub-steps belong to the button step before them.
PARENT = {INCIDENT_TEXT: INCIDENT, PLACE_TEXT: PLACE}
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


@dataclass
class Draft:
    """Everything typed so far. Serialised to JSON and encrypted as a whole."""

    id: str
    user_id: int
    locale: str
    created_at: str
    step: str = CONSENT
    contact: bool | None = None
    incident: str | None = None
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
    evidence: list[Evidence] = field(default_factory=list)
    evidence_done: bool = False
    editing: bool = False  # jumped here from the review: go back there when done
    paused: bool = False  # the user went to the menu; free text is no longer for us
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
        if draft.step not in STEPS:
            draft.step = first_missing(draft) or REVIEW
        return draft

    @property
    def urgent(self) -> bool:
        return self.held == URGENT_HELD

    @property
    def incident_date(self) -> date | None:
        return date.fromisoformat(self.date) if self.date else None


def asks_held(draft: Draft) -> bool:
    return draft.incident not in INCIDENTS_WITHOUT_HOLDING


def applies(draft: Draft, step: str) -> bool:
    """Whether ``step`` is part of this draft's path."""
    if step == INCIDENT_TEXT:
        return draft.incident == "other"
    if step == PLACE_TEXT:
        return draft.place_typed
    if step == HELD_STEP:
        return asks_held(draft)
    return True


def _done(draft: Draft, step: str) -> bool:
    return {
        CONSENT: draft.contact is not None,
        INCIDENT: draft.incident is not None,
        INCIDENT_TEXT: bool(draft.incident_text),
        PLACE: draft.place is not None,
        PLACE_TEXT: bool(draft.place_text),
        DATE: draft.date is not None,
        AFFECTED_STEP: draft.affected is not None,
        PEOPLE_STEP: draft.people is not None,
        GROUPS_STEP: draft.groups_done,
        HELD_STEP: draft.held is not None,
        DESCRIPTION: bool(draft.description),
        EVIDENCE: draft.evidence_done,
    }[step]


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
    result = parse_date(text, now=now)
    if result.value is None:
        assert result.problem is not None
        return Problem(DATE_PROBLEMS[result.problem])
    draft.date = result.value.isoformat()
    return None


def set_date_relative(draft: Draft, days_ago: int, now: datetime | None = None) -> None:
    draft.date = date.fromordinal(moscow_today(now).toordinal() - days_ago).isoformat()


def clean_typed(text: str) -> tuple[str | None, Problem | None]:
    """A short typed answer (place, other incident type)."""
    value = " ".join(text.split())
    if len(re.findall(r"[^\W\d_]", value)) < 2:
        return None, Problem(TYPED_TOO_SHORT)
    if len(value) > TYPED_MAX_CHARS:
        return None, Problem(TYPED_TOO_LONG, (("limit", TYPED_MAX_CHARS),))
    return value, None


def parse_people(text: str) -> str | None:
    """A typed number of people, stored as digits; ``None`` when it is not one."""
    digits = text.strip().rstrip(".")
    if not digits.isdigit():
        return None
    count = int(digits)
    return str(count) if 1 <= count <= MAX_TYPED_PEOPLE else None


def people_label(value: str | None) -> str:
    """Bucket codes have fixed labels; typed counts are shown as they are."""
    return PEOPLE.get(value or "", value or "")


def clean_description(text: str) -> tuple[str | None, bool, Problem | None]:
    """Return (description, was_cut, problem)."""
    value = text.strip()
    words = re.findall(r"[^\W\d_]{2,}", value)
    if len(value) < DESCRIPTION_MIN_CHARS or len(words) < DESCRIPTION_MIN_WORDS:
        return None, False, Problem(DESCRIPTION_TOO_SHORT)
    if len(value) <= DESCRIPTION_MAX_CHARS:
        return value, False, None
    return cut_text(value, DESCRIPTION_MAX_CHARS), True, None


def cut_text(text: str, limit: int) -> str:
    """Cut at the last space before ``limit`` so no word is broken in half."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 0.8 else cut).rstrip() + "…"


def append_description(draft: Draft, text: str) -> bool:
    """Add a follow-up message to the description; True when it had to be cut."""
    combined = f"{draft.description}\n{text.strip()}" if draft.description else text.strip()
    draft.description = cut_text(combined, DESCRIPTION_MAX_CHARS)
    return len(combined) > DESCRIPTION_MAX_CHARS


def add_evidence(draft: Draft, item: Evidence) -> bool:
    """False when the limit is already reached; the same file twice counts once."""
    if any(existing.file_id == item.file_id for existing in draft.evidence):
        return True
    if len(draft.evidence) >= MAX_EVIDENCE:
        return False
    draft.evidence.append(item)
    return True


def choose_incident(draft: Draft, code: str) -> bool:
    if code not in INCIDENTS:
        return False
    if code != "other":
        draft.incident_text = None
    draft.incident = code
    if not asks_held(draft):
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


def toggle_group(draft: Draft, code: str) -> bool:
    if code not in GROUPS:
        return False
    if code in draft.groups:
        draft.groups.remove(code)
    else:
        draft.groups.append(code)
        draft.groups.sort(key=list(GROUPS).index)
    return True
