"""What a button press, a typed text or a file means at the current step.

``press``, ``type_text`` and ``receive_media`` change the draft and return an
``Outcome`` that says what to show next. No Telegram and no I/O here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from bot.i18n import N_
from bot.reports import draft as d
from bot.reports.draft import Draft, Evidence, Problem
from bot.reports.places import Places

# What a step expects, for re-prompts after wrong input.
TEXT_STEPS = frozenset({d.INCIDENT_TEXT, d.PLACE_TEXT, d.DATE, d.DATE_MONTH, d.PEOPLE_STEP,
                        d.DESCRIPTION})
# Steps answered by typing: going back to one that has an answer offers "Keep".
KEEPABLE = frozenset({d.INCIDENT_TEXT, d.PLACE_TEXT, d.DATE, d.PEOPLE_STEP, d.DESCRIPTION})

USE_BUTTONS = N_("Please choose one of the buttons below. Your report is kept as a draft: "
                 "/menu pauses it (for example to ask a question), /cancel deletes it.")
TEXT_EXPECTED = N_("Please answer with text: type a few words.")
DESCRIPTION_FIRST = N_("Please first describe what happened, in words or in a voice message. "
                       "You can add photos and files at the next step.")
CHOOSE_ONE = N_("Please choose at least one answer, then press “Continue”.")
ADD_NEEDS_SENTENCE = N_("To add to the description, please write at least a full sentence. "
                        "When you have finished, press “Done”.")
EVIDENCE_KIND = N_("I can keep photos, videos, documents and voice messages. Please send one "
                   "of these, or press “Done”.")
EVIDENCE_FULL = N_("You have already added {limit} files, the maximum. Press “Done” to "
                   "continue.")
EVIDENCE_TEXT = N_("At this step I expect photos or files. To add text to your description, "
                   "write at least a full sentence.")
STALE_BUTTON = N_("This button is no longer available.")
EARLIER_STEP = N_("This button belongs to an earlier question. Please answer the question "
                  "below.")
# Notices shown above the next screen. Every one says exactly what was kept.
DESCRIPTION_SAVED = N_("I saved your description ({total} characters). If you have more to "
                       "tell, send it as another message: it will be added.")
ADDED_TO_DESCRIPTION = N_("I added this text to your description. It now has {total} "
                          "characters.")
DESCRIPTION_LIMIT = N_("Your description has reached the limit of {limit} characters. Of this "
                       "message I kept {kept} characters; the last {dropped} were not kept.")
DESCRIPTION_FULL = N_("Your description is already {limit} characters long, the limit, so "
                      "this message was not added. You can shorten it with “Replace it”.")
VOICE_DESCRIPTION = N_("🎤 I kept your voice message as the description. Moderators will "
                       "listen to it. You can also write, or add photos and files.")
FILE_RECEIVED = N_("📎 Received ({count} of {limit}). Send more, or press “Done”.")


@dataclass(frozen=True)
class Outcome:
    step: str | None = None  # the screen to show; None: stay (re-ask, or a short notice)
    problem: Problem | None = None  # the input was not accepted: say why, ask again
    notice: Problem | None = None  # accepted, with something to tell the user
    submit: bool = False
    cancel_ask: bool = False  # "Cancel" pressed: ask before deleting the draft
    leave: bool = False  # Back on the very first step: end the flow, nothing to keep
    emergency: bool = False  # "still being held" was just chosen
    redraw: bool = False  # same screen, new buttons (a toggle)


def _go(draft: Draft, step: str, **extra: object) -> Outcome:
    draft.step = step
    if step == d.REVIEW:
        draft.editing = False
    return Outcome(step=step, **extra)  # type: ignore[arg-type]


def _stay(message: str, **args: object) -> Outcome:
    return Outcome(problem=Problem(message, tuple(args.items())))


def press(draft: Draft, step: str, command: str, arg: str, places: Places,
          now: datetime | None = None) -> Outcome:
    """A button of ``step`` was pressed (the caller checked it is the current step)."""
    if command == "back":
        draft.description_mode = None
        target = d.previous_step(draft, step)
        if target is None:
            return Outcome(leave=True)
        return _go(draft, target)
    if command == "cancel":
        return Outcome(cancel_ask=True)

    if step == d.CONSENT and command == "set" and arg in {"contact", "anon"}:
        draft.contact = arg == "contact"
        return _go(draft, d.next_step(draft, step))
    if command == "keep" and step in KEEPABLE and d.is_answered(draft, step):
        draft.description_mode = None
        return _go(draft, d.next_step(draft, step))
    if step == d.INCIDENT and command == "toggle" and d.toggle_incident(draft, arg):
        return Outcome(redraw=True)
    if step == d.INCIDENT and command == "done":
        if not draft.incidents:
            return _stay(CHOOSE_ONE)
        draft.incidents_done = True
        return _go(draft, d.next_step(draft, step))
    if step == d.PLACE and command == "set" and d.choose_place(draft, places, arg):
        return _go(draft, d.PLACE_TEXT if draft.place_typed else d.next_step(draft, step))
    if step == d.DATE and command == "set" and arg in {"0", "1"}:
        d.set_date_relative(draft, int(arg), now)
        return _go(draft, d.next_step(draft, step))
    if step == d.DATE and command == "month":
        return _go(draft, d.DATE_MONTH)
    if step == d.DATE_MONTH and command == "set" and d.set_month(draft, arg, now):
        return _go(draft, d.next_step(draft, step))
    if step == d.DESCRIPTION and command in {d.ADD, d.REPLACE} and draft.has_description:
        draft.description_mode = command
        return Outcome(redraw=True)
    if step == d.DESCRIPTION and command == "done" and draft.has_description:
        draft.description_mode = None
        return _go(draft, d.next_step(draft, step))
    if step == d.AFFECTED_STEP and command == "set" and arg in d.AFFECTED:
        draft.affected = arg
        return _go(draft, d.next_step(draft, step))
    if step == d.PEOPLE_STEP and command == "set" and arg in d.PEOPLE:
        draft.people = arg
        return _go(draft, d.next_step(draft, step))
    if step == d.GROUPS_STEP and command == "toggle" and d.toggle_group(draft, arg):
        return Outcome(redraw=True)
    if step == d.GROUPS_STEP and command == "done":
        draft.groups_done = True
        return _go(draft, d.next_step(draft, step))
    if step == d.HELD_STEP and command == "set" and arg in d.HELD:
        draft.held = arg
        emergency = draft.urgent and not draft.emergency_sent
        draft.emergency_sent = draft.emergency_sent or emergency
        return _go(draft, d.next_step(draft, step), emergency=emergency)
    if step == d.EVIDENCE and command in {"done", "skip"}:
        draft.evidence_done = True
        return _go(draft, d.next_step(draft, step))
    if step == d.REVIEW and command == "confirm":
        missing = d.first_missing(draft)
        if missing is not None:  # cannot happen through the buttons; be safe anyway
            draft.editing = True
            return _go(draft, missing)
        return Outcome(submit=True)
    if step == d.REVIEW and command == "edit":
        return _go(draft, d.EDIT)
    if step == d.EDIT and command == "go" and arg in d.EDITABLE and d.applies(draft, arg):
        draft.editing = True
        return _go(draft, arg)
    return _stay(STALE_BUTTON)


def type_text(draft: Draft, step: str, text: str, now: datetime | None = None) -> Outcome:
    """Text typed at ``step``."""
    if step in (d.INCIDENT_TEXT, d.PLACE_TEXT):
        value, problem = d.clean_typed(text)
        if problem is not None:
            return Outcome(problem=problem)
        if step == d.INCIDENT_TEXT:
            draft.incident_text = value
        else:
            draft.place_text = value
        return _go(draft, d.next_step(draft, step))
    if step in (d.DATE, d.DATE_MONTH):
        problem = d.set_date_text(draft, text, now)
        return Outcome(problem=problem) if problem else _go(draft, d.next_step(draft, step))
    if step == d.PEOPLE_STEP:
        people = d.parse_people(text)
        if people is None:
            return _stay(d.PEOPLE_INVALID, limit=d.MAX_TYPED_PEOPLE)
        draft.people = people
        return _go(draft, d.next_step(draft, step))
    if step == d.DESCRIPTION:
        return _describe(draft, text)
    if step == d.EVIDENCE:
        # People often send the story in several messages: keep the next ones too.
        if len(re.findall(r"[^\W\d_]{2,}", text)) < d.DESCRIPTION_MIN_WORDS:
            return _stay(EVIDENCE_TEXT)
        return Outcome(notice=_kept_notice(d.append_description(draft, text)))
    return _stay(USE_BUTTONS)


def _describe(draft: Draft, text: str) -> Outcome:
    """Text at the description step. The first description moves on to the files; once
    there is one, text is added to it (or replaces it, when the user chose “Replace it”)
    and the step stays open for more until “Done”."""
    if not draft.has_description:
        if not d.is_sentence(text):
            return Outcome(problem=Problem(d.DESCRIPTION_TOO_SHORT))
        kept = d.set_description(draft, text)
        notice = _kept_notice(kept) if kept.dropped else Problem(
            DESCRIPTION_SAVED, (("total", kept.total),))
        return _go(draft, d.next_step(draft, d.DESCRIPTION), notice=notice)
    if draft.description_mode == d.REPLACE:
        if not d.is_sentence(text):
            return Outcome(problem=Problem(d.DESCRIPTION_TOO_SHORT))
        draft.description_voice = False
        kept = d.set_description(draft, text)
        draft.description_mode = d.ADD  # the next messages continue the new text
        return Outcome(notice=_kept_notice(kept, replaced=True))
    if len(re.findall(r"[^\W\d_]{2,}", text)) < d.DESCRIPTION_MIN_WORDS:
        return _stay(ADD_NEEDS_SENTENCE)
    draft.description_mode = d.ADD
    return Outcome(notice=_kept_notice(d.append_description(draft, text)))


def _kept_notice(kept: d.Kept, *, replaced: bool = False) -> Problem:
    limit = ("limit", d.DESCRIPTION_MAX_CHARS)
    if kept.kept == 0:
        return Problem(DESCRIPTION_FULL, (limit,))
    if kept.dropped:
        return Problem(DESCRIPTION_LIMIT, (limit, ("kept", kept.kept),
                                           ("dropped", kept.dropped)))
    return Problem(DESCRIPTION_REPLACED if replaced else ADDED_TO_DESCRIPTION,
                   (("total", kept.total),))


DESCRIPTION_REPLACED = N_("I replaced your description. It now has {total} characters. Send "
                          "more text to add to it, or press “Done”.")


def receive_media(draft: Draft, step: str, item: Evidence | None) -> Outcome:
    """A non-text message at ``step``; ``item`` is None for stickers, locations and
    anything else that cannot be evidence."""
    if step == d.EVIDENCE:
        if item is None:
            return _stay(EVIDENCE_KIND)
        if not d.add_evidence(draft, item):
            return _stay(EVIDENCE_FULL, limit=d.MAX_EVIDENCE)
        return Outcome(notice=Problem(FILE_RECEIVED, (("count", len(draft.evidence)),
                                                      ("limit", d.MAX_EVIDENCE))))
    if step == d.DESCRIPTION:
        if item is None or item.kind not in d.SPOKEN_KINDS:
            return _stay(DESCRIPTION_FIRST)
        if not d.add_evidence(draft, item):
            return _stay(EVIDENCE_FULL, limit=d.MAX_EVIDENCE)
        draft.description_voice = True
        draft.description_mode = None
        return _go(draft, d.next_step(draft, d.DESCRIPTION), notice=Problem(VOICE_DESCRIPTION))
    if step in TEXT_STEPS:
        return _stay(TEXT_EXPECTED)
    return _stay(USE_BUTTONS)
