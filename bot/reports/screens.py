"""The text and buttons of every step of the report flow.

Callback data: ``rp:<draft id>:<step code>:<command>[:<arg>]``. The draft id lets a
button from an older report be recognised; the step code, a button from an earlier
question. Everything is at most 64 bytes (``pack`` asserts it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from babel.numbers import format_decimal
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import N_
from bot.keyboards import BACK_TO_MENU, MENU_EMERGENCY, MENU_REPORT, button
from bot.reports import draft as d
from bot.reports.dates import incident_day, is_month_only
from bot.reports.draft import Draft
from bot.reports.places import Places
from bot.reports.summary import render_summary

Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]
DateFormatter = Callable[[date, str], str]

NAMESPACE = "rp"

STEP_CODES: dict[str, str] = {
    d.CONSENT: "c", d.INCIDENT: "i", d.INCIDENT_TEXT: "it", d.PLACE: "p",
    d.PLACE_TEXT: "pt", d.DATE: "d", d.DATE_MONTH: "dm", d.AFFECTED_STEP: "a", d.PEOPLE_STEP: "n",
    d.GROUPS_STEP: "g", d.HELD_STEP: "h", d.DESCRIPTION: "ds", d.EVIDENCE: "e",
    d.REVIEW: "r", d.EDIT: "ed",
}
STEP_BY_CODE = {code: step for step, code in STEP_CODES.items()}

BACK = N_("⬅️ Back")
CANCEL = N_("✖️ Cancel")
DONE = N_("✅ Done")
SKIP = N_("⏭ Skip")
CONFIRM = N_("✅ Confirm")
EDIT = N_("✏️ Edit")
TODAY = N_("Today")
YESTERDAY = N_("Yesterday")
WITH_CONTACT = N_("💬 With contact")
ANONYMOUS = N_("🕶 Anonymous")
CANCEL_YES = N_("Yes, delete this report")
CANCEL_NO = N_("No, continue")
BACK_TO_SUMMARY = N_("⬅️ Back to the summary")
CONTINUE = N_("➡️ Continue")
NO_EXACT_DAY = N_("🤷 I don't remember the exact day")
KEEP_VALUE = N_("✅ Keep: {value}")
KEEP_DESCRIPTION = N_("✅ Keep it as it is")
ADD_TO_DESCRIPTION = N_("➕ Add to the description")
REPLACE_DESCRIPTION = N_("✏️ Replace it")
KEEP_LABEL_CHARS = 32  # a typed answer shown on a button stays readable on a phone

EDIT_LABELS: dict[str, str] = {
    d.CONSENT: N_("Contact or anonymous"),
    d.INCIDENT: N_("What happened"),
    d.PLACE: N_("Where"),
    d.DATE: N_("When"),
    d.AFFECTED_STEP: N_("Who was affected"),
    d.PEOPLE_STEP: N_("How many people"),
    d.GROUPS_STEP: N_("Among those affected"),
    d.HELD_STEP: N_("How long held"),
    d.DESCRIPTION: N_("Description"),
    d.EVIDENCE: N_("Photos and files"),
}


@dataclass(frozen=True)
class Screen:
    text: str
    markup: InlineKeyboardMarkup | None


def _button(text: str, draft: Draft, step: str, command: str,
            arg: str = "") -> InlineKeyboardButton:
    return button(text, NAMESPACE, draft.id, STEP_CODES[step], command, *([arg] if arg else []))


def _tick(label: str, selected: bool) -> str:
    return f"✓ {label}" if selected else label


def _keep_row(draft: Draft, step: str, value: str, _: Gettext) -> list[InlineKeyboardButton]:
    shown = value if len(value) <= KEEP_LABEL_CHARS else value[:KEEP_LABEL_CHARS - 1] + "…"
    return [_button(_(KEEP_VALUE).format(value=shown), draft, step, "keep")]


def _incident_buttons(draft: Draft, _: Gettext) -> list[list[InlineKeyboardButton]]:
    """Several types may be chosen; with more than one, the order shows the main one."""
    numbered = len(draft.incidents) > 1
    rows = []
    for code, label in d.INCIDENTS.items():
        text = _(label)
        if code in draft.incidents:
            text = (f"✓ {draft.incidents.index(code) + 1}. {text}" if numbered
                    else f"✓ {text}")
        rows.append([_button(text, draft, d.INCIDENT, "toggle", code)])
    rows.append([_button(_(CONTINUE), draft, d.INCIDENT, "done")])
    return rows


def _keyboard(rows: Sequence[Sequence[InlineKeyboardButton]], draft: Draft, step: str,
              _: Gettext) -> InlineKeyboardMarkup:
    """Every step ends with Back and Cancel."""
    nav = [_button(_(BACK), draft, step, "back"), _button(_(CANCEL), draft, step, "cancel")]
    return InlineKeyboardMarkup([*map(list, rows), nav])


def _choices(options: dict[str, str], current: str | None, draft: Draft, step: str,
             _: Gettext) -> list[list[InlineKeyboardButton]]:
    return [[_button(_tick(_(label), code == current), draft, step, "set", code)]
            for code, label in options.items()]


def notice_text(_: Gettext) -> str:
    return "\n".join([
        "<b>" + _("Report an incident") + "</b>",
        _("Before we start, here is how your report is handled:"),
        _("• <b>What is stored:</b> your answers, your description and any photos or files "
          "you add."),
        _("• <b>Who reads it:</b> moderators from human rights organisations that work with "
          "Hamroh. Officials (for example the ombudsman or the embassy) receive only "
          "anonymous summaries."),
        _("• <b>Protection:</b> the description, the files and your Telegram id are stored "
          "encrypted."),
        _("• <b>Deleting:</b> send /forget at any time to delete your data."),
    ])


def consent_question(_: Gettext, reviewers: bool = True) -> str:
    contact = (
        _("• <b>With contact:</b> moderators may write to you here, through the bot, if they "
          "have questions.") if reviewers else
        _("• <b>With contact:</b> no moderator is connected to this bot right now; once one "
          "is, they may write to you here, through the bot, if they have questions."))
    return "\n".join([
        "<b>" + _("How would you like to report?") + "</b>",
        contact,
        _("• <b>Anonymous:</b> moderators see only a pseudonym, never your name or Telegram id."),
    ])


def step_screen(draft: Draft, step: str, _: Gettext, ngettext: Ngettext,
                format_date: DateFormatter, places: Places, *,
                reviewers: bool = True) -> Screen:
    """The question of ``step`` with its buttons, showing earlier answers with ✓."""
    if step == d.CONSENT:
        current = None if draft.contact is None else ("contact" if draft.contact else "anon")
        rows = [[_button(_tick(_(WITH_CONTACT), current == "contact"), draft, step, "set",
                         "contact")],
                [_button(_tick(_(ANONYMOUS), current == "anon"), draft, step, "set", "anon")]]
        return Screen(f"{notice_text(_)}\n\n{consent_question(_, reviewers)}",
                      _keyboard(rows, draft, step, _))
    if step == d.INCIDENT:
        return Screen("<b>" + _("What happened?") + "</b>\n"
                      + _("Tap everything that happened, then press “Continue”. The first "
                          "one you tap is the main one."),
                      _keyboard(_incident_buttons(draft, _), draft, step, _))
    if step == d.INCIDENT_TEXT:
        keep = [_keep_row(draft, step, draft.incident_text, _)] if draft.incident_text else []
        return Screen(_("Please write in a few words what kind of incident it was, for "
                        "example “my phone was taken”. You will tell the whole story later."),
                      _keyboard(keep, draft, step, _))
    if step == d.PLACE:
        rows = [[_button(_tick(place.name(draft.locale), place.id == draft.place), draft, step,
                         "set", place.id)] for place in places.items]
        return Screen("<b>" + _("Where did it happen?") + "</b>\n"
                      + _("If your place is not in the list, choose one of the last two "
                          "buttons."),
                      _keyboard(rows, draft, step, _))
    if step == d.PLACE_TEXT:
        text = (_("Please type the region or the city in Russia.") if draft.place == "ru_other"
                else _("Please type the place: the country and the city, or the border "
                       "crossing."))
        keep = [_keep_row(draft, step, draft.place_text, _)] if draft.place_text else []
        return Screen(text, _keyboard(keep, draft, step, _))
    if step == d.DATE:
        rows = [[_button(_(TODAY), draft, step, "set", "0"),
                 _button(_(YESTERDAY), draft, step, "set", "1")],
                [_button(_(NO_EXACT_DAY), draft, step, "month")]]
        if draft.date:
            rows.insert(0, _keep_row(draft, step, incident_date_label(draft.date, format_date),
                                     _))
        lines = ["<b>" + _("When did it happen?") + "</b>",
                 _("Press a button or type the date, for example 05.02.2025, “5 February” "
                   "or “3 days ago”.")]
        return Screen("\n".join(lines), _keyboard(rows, draft, step, _))
    if step == d.DATE_MONTH:
        rows = [[_button(incident_date_label(month, format_date), draft, step, "set", month)]
                for month in d.month_choices()]
        lines = ["<b>" + _("In which month did it happen?") + "</b>",
                 _("Press a month or type the month and year, for example “December 2025” "
                   "or 12.2025.")]
        return Screen("\n".join(lines), _keyboard(rows, draft, step, _))
    if step == d.AFFECTED_STEP:
        return Screen("<b>" + _("Who was affected?") + "</b>",
                      _keyboard(_choices(d.AFFECTED, draft.affected, draft, step, _),
                                draft, step, _))
    if step == d.PEOPLE_STEP:
        buttons = [_button(_tick(_(label), code == draft.people), draft, step, "set", code)
                   for code, label in d.PEOPLE.items()]
        lines = ["<b>" + _("How many people were affected in total?") + "</b>",
                 _("Press a button or type the number.")]
        rows = [buttons[:4], buttons[4:]]
        if draft.people and draft.people not in d.PEOPLE:
            rows.insert(0, _keep_row(draft, step, draft.people, _))
        return Screen("\n".join(lines), _keyboard(rows, draft, step, _))
    if step == d.GROUPS_STEP:
        rows = [[_button(_tick(_(label), code in draft.groups), draft, step, "toggle", code)]
                for code, label in d.GROUPS.items()]
        rows.append([_button(_(DONE), draft, step, "done")])
        return Screen("<b>" + _("Were any of these people among those affected?") + "</b>\n"
                      + _("Tap all that apply, then press “Done”. If none apply, just press "
                          "“Done”."),
                      _keyboard(rows, draft, step, _))
    if step == d.HELD_STEP:
        return Screen("<b>" + _("How long were people held?") + "</b>",
                      _keyboard(_choices(d.HELD, draft.held, draft, step, _), draft, step, _))
    if step == d.DESCRIPTION:
        return description_screen(draft, _)
    if step == d.EVIDENCE:
        return evidence_screen(draft, _, ngettext)
    if step == d.REVIEW:
        rows = [[_button(_(CONFIRM), draft, step, "confirm")],
                [_button(_(EDIT), draft, step, "edit")]]
        return Screen(render_summary(draft, _, ngettext, format_date, places),
                      _keyboard(rows, draft, step, _))
    if step == d.EDIT:
        rows = [[_button(_(EDIT_LABELS[target]), draft, step, "go", target)]
                for target in d.EDITABLE if d.applies(draft, target)]
        rows.append([_button(_(BACK_TO_SUMMARY), draft, step, "back"),
                     _button(_(CANCEL), draft, step, "cancel")])
        return Screen("<b>" + _("What would you like to change?") + "</b>",
                      InlineKeyboardMarkup(rows))
    raise ValueError(f"unknown report step {step!r}")


def description_screen(draft: Draft, _: Gettext) -> Screen:
    step = d.DESCRIPTION
    if not draft.has_description:
        lines = ["<b>" + _("Please describe what happened, in your own words.") + "</b>",
                 _("What happened, who did it (for example border guards or police), what "
                   "they said or asked for, and what happened after. You can write several "
                   "messages, or send a voice message."),
                 _("Up to {limit} characters. Please do not write passwords or bank card "
                   "numbers.").format(limit=format_decimal(d.DESCRIPTION_MAX_CHARS,
                                                       locale=draft.locale))]
        return Screen("\n".join(lines), _keyboard([], draft, step, _))
    lines = ["<b>" + _("Your description") + "</b>"]
    if draft.description:
        lines.append(_("Now: {count} characters.").format(count=len(draft.description)))
    if draft.description_voice:
        lines.append("🎤 " + _("A voice message is kept as the description."))
    mode = draft.description_mode
    if mode == d.REPLACE:
        lines.append(_("Send the new description. It will replace the current one."))
    elif mode == d.ADD:
        lines.append(_("Send the text to add. When you have finished, press “Done”."))
    else:
        lines.append(_("Send more text to add it to the description, or choose below."))
    rows = [[_button(_tick(_(ADD_TO_DESCRIPTION), mode == d.ADD), draft, step, d.ADD)],
            [_button(_tick(_(REPLACE_DESCRIPTION), mode == d.REPLACE), draft, step,
                     d.REPLACE)],
            [_button(_(DONE), draft, step, "done") if mode else
             _button(_(KEEP_DESCRIPTION), draft, step, "keep")]]
    return Screen("\n".join(lines), _keyboard(rows, draft, step, _))


def incident_date_label(value: str, format_date: DateFormatter) -> str:
    """A day in full, or "December 2025" when only the month is known."""
    if is_month_only(value):
        return format_date(incident_day(value), "LLLL y")
    return format_date(incident_day(value), "long")


def evidence_screen(draft: Draft, _: Gettext, ngettext: Ngettext) -> Screen:
    count = len(draft.evidence)
    lines = [
        "<b>" + _("Do you have photos, videos, documents or voice messages?") + "</b>",
        _("This is optional. You can send up to {limit} files, one after another.").format(
            limit=d.MAX_EVIDENCE),
        "🔒 " + _("Photos may show faces and documents: only the moderators see them. "
                 "They are never published."),
    ]
    if count:
        lines.append(ngettext("Received so far: {count} file.", "Received so far: {count} "
                              "files.", count).format(count=count))
        lines.append(_("When you have finished, press “Done”."))
    else:
        lines.append(_("If you have nothing to add, press “Skip”."))
    return Screen("\n".join(lines), evidence_keyboard(draft, _))


def evidence_keyboard(draft: Draft, _: Gettext) -> InlineKeyboardMarkup:
    action = ([_button(_(DONE), draft, d.EVIDENCE, "done")] if draft.evidence
              else [_button(_(SKIP), draft, d.EVIDENCE, "skip")])
    return _keyboard([action], draft, d.EVIDENCE, _)


def cancel_screen(draft: Draft, step: str, _: Gettext) -> Screen:
    return Screen(
        "<b>" + _("Cancel this report?") + "</b>\n"
        + _("Everything you entered for this report will be deleted."),
        InlineKeyboardMarkup([
            [_button(_(CANCEL_YES), draft, step, "cancel_yes")],
            [_button(_(CANCEL_NO), draft, step, "cancel_no")],
        ]),
    )


CLEAN_NAMESPACE = "rc"
CLEAN_UP = N_("🧹 Remove this conversation from my phone")


def receipt_keyboard(urgent: bool, _: Gettext,
                     first_message_id: int | None = None) -> InlineKeyboardMarkup:
    rows = [[button(_(MENU_EMERGENCY), "menu", "emergency")]] if urgent else []
    if first_message_id is not None:
        rows.append([button(_(CLEAN_UP), CLEAN_NAMESPACE, str(first_message_id))])
    rows.append([button(_(BACK_TO_MENU), "menu", "main")])
    return InlineKeyboardMarkup(rows)


def restart_keyboard(_: Gettext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(_(MENU_REPORT), "menu", "report")],
                                 [button(_(BACK_TO_MENU), "menu", "main")]])


