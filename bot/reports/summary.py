"""Rendering a draft or a stored report as Telegram HTML. Every value a user typed
is escaped here, at the last moment, and nowhere else."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import pack
from bot.i18n import N_
from bot.reports.dates import incident_day, is_month_only
from bot.reports.draft import (
    AFFECTED,
    GROUPS,
    HELD,
    INCIDENTS,
    Draft,
    asks_held,
    cut_text,
    people_label,
)
from bot.reports.places import Places
from bot.staff import open_report_data

if TYPE_CHECKING:
    from bot.storage.reports import ReportRow

Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]
DateFormatter = Callable[..., str]  # (date, format="long") -> str

STATUS_LABELS: dict[str, str] = {
    "new": N_("Received"),
    "in_review": N_("Being reviewed"),
    "needs_info": N_("Waiting for your answer"),
    "verified": N_("Confirmed"),
    "rejected": N_("Could not be confirmed"),
    "closed": N_("Closed"),
}
STATUS_NOTES: dict[str, str] = {
    "in_review": N_("A moderator is reading your report now."),
    "verified": N_("Thank you. Moderators checked your report. It will be counted, without "
                   "your name, in the evidence the project sends to officials such as the "
                   "ombudsman."),
    "rejected": N_("Moderators could not confirm what the report describes. If you have more "
                   "information, you can send a new report with /report."),
    "closed": N_("Work on this report is finished. Thank you for reporting."),
}

# Why a moderator could not confirm a report; the code is stored, the label is shown to
# the reporter in their language. Anything else a moderator types is sent as typed.
REJECT_REASONS: dict[str, str] = {
    "duplicate": N_("The same incident was already reported."),
    "not_incident": N_("This does not describe an incident the project can document."),
    "no_detail": N_("There is not enough detail to confirm it."),
    "spam": N_("The report was not a real incident report."),
}
ANSWER_NAMESPACE = "ra"  # the reporter's "Done" under a moderator's question

OTHER_INCIDENT = N_("Other incident")  # in lists, where "(I will type it)" makes no sense

# The review screen shows the start of a long description; the whole text is stored.
SUMMARY_DESCRIPTION_PREVIEW = 1200


def incident_label(code: str | None, typed: str | None, _: Gettext) -> str:
    if code == "other" and typed:
        return html.escape(typed)
    return _(INCIDENTS[code]) if code in INCIDENTS else html.escape(code or "")


def incidents_label(codes: Sequence[str], typed: str | None, _: Gettext) -> str:
    """The main type first; the others after it, marked as also happened."""
    labels = [incident_label(code, typed, _) for code in codes]
    if len(labels) <= 1:
        return labels[0] if labels else "—"
    return _("{main}; also: {others}").format(main=labels[0], others=", ".join(labels[1:]))


def date_label(value: str, format_date: DateFormatter, _: Gettext) -> str:
    """A stored incident date for the reporter: the day, or the month when the day was
    not remembered."""
    if is_month_only(value):
        month = format_date(incident_day(value), "LLLL y")
        return _("{month} (exact day not known)").format(month=month)
    return format_date(incident_day(value))


def numeric_date_label(value: str, _: Gettext) -> str:
    """For moderators: 05.02.2025, or 02.2025 with a note when only the month is known."""
    try:
        day = incident_day(value)
    except ValueError:
        return html.escape(value)
    if is_month_only(value):
        return _("{month} (exact day not known)").format(month=day.strftime("%m.%Y"))
    return day.strftime("%d.%m.%Y")


def place_label(places: Places, place_id: str | None, typed: str | None, locale: str) -> str:
    name = html.escape(places.name(place_id, locale))
    return f"{name}: {html.escape(typed)}" if typed else name


def groups_label(codes: list[str] | tuple[str, ...], _: Gettext) -> str:
    if not codes:
        return _("none of these")
    return ", ".join(_(GROUPS[code]) for code in codes if code in GROUPS)


def evidence_label(count: int, ngettext: Ngettext, _: Gettext) -> str:
    if count == 0:
        return _("none")
    return ngettext("{count} file", "{count} files", count).format(count=count)


def render_summary(draft: Draft, _: Gettext, ngettext: Ngettext, format_date: DateFormatter,
                   places: Places) -> str:
    """The review screen: every answer, labelled, user text escaped."""
    when = date_label(draft.date, format_date, _) if draft.date else "—"
    contact = _("With contact: moderators may write to you here") if draft.contact \
        else _("Anonymous")
    rows = [
        (_("Contact"), contact),
        (_("What happened"), incidents_label(draft.incidents, draft.incident_text, _)),
        (_("Where"), place_label(places, draft.place, draft.place_text, draft.locale)),
        (_("When"), when),
        (_("Who was affected"), _(AFFECTED[draft.affected]) if draft.affected else "—"),
        (_("How many people"), _(people_label(draft.people))),
        (_("Among those affected"), groups_label(draft.groups, _)),
    ]
    if asks_held(draft):
        rows.append((_("How long held"), _(HELD[draft.held]) if draft.held else "—"))
    rows.append((_("Evidence"), evidence_label(len(draft.evidence), ngettext, _)))
    description = draft.description or ""
    lines = ["<b>" + _("Please check your report") + "</b>", ""]
    lines += [f"<b>{label}:</b> {value}" for label, value in rows]
    lines += ["", "<b>" + _("Description") + ":</b>"]
    if draft.description_voice:
        lines.append("🎤 " + _("A voice message"))
    if description:
        preview = html.escape(cut_text(description, SUMMARY_DESCRIPTION_PREVIEW))
        lines.append(f"<blockquote>{preview}</blockquote>")
    if len(description) > SUMMARY_DESCRIPTION_PREVIEW:
        shortened = _("Only the beginning is shown here; the whole text ({count} characters) "
                      "is saved.").format(count=len(description))
        lines.append(f"<i>{shortened}</i>")
    lines += ["", _("If everything is correct, press “Confirm”. To change something, "
                    "press “Edit”.")]
    return "\n".join(lines)


def render_receipt(ref: str, urgent: bool, contact: bool | None, _: Gettext, *,
                   reviewers: bool, alerted: bool | None) -> str:
    """``reviewers``: someone exists who can review reports; ``alerted``: an announcement
    of this report actually reached a moderator (None: not known, e.g. a receipt shown
    again). Nothing is promised beyond them."""
    lines = [
        "✅ <b>" + _("Thank you. Your report has been saved.") + "</b>",
        _("Reference number: {ref}").format(ref=f"<code>{ref}</code>"),
        "",
        "<b>" + _("What happens next") + "</b>",
    ]
    if reviewers:
        lines.append(_("• A moderator from a human rights organisation will read your report."))
    else:
        lines.append(_("• Your report is kept safely for review. At the moment no moderator is "
                       "connected to this bot, so it may take time before anyone reads it."))
    lines.append(_("• Your name and Telegram id are not shared with anyone outside the "
                   "project."))
    if reviewers:
        lines.append(_("• You will get a message here when the status of the report changes. "
                       "All your reports: /myreports"))
        if contact:
            lines.append(_("• You chose “with contact”: a moderator may write to you here with "
                           "questions."))
    else:
        lines.append(_("• All your reports: /myreports"))
    lines.append(_("• To delete your data: /forget"))
    if urgent and alerted:
        alert = _("People are still being held. Moderators have been alerted. Open "
                  "“Emergency help” below for what to do now.")
        lines += ["", f"🆘 <b>{alert}</b>"]
    elif urgent and alerted is None:
        alert = _("People are still being held. Open “Emergency help” below for what to do "
                  "now.")
        lines += ["", f"🆘 <b>{alert}</b>"]
    elif urgent:
        alert = _("People are still being held. No moderator could be alerted right now, so "
                  "do not wait for an answer from us. If anyone is in danger, call 112: it is "
                  "free and works from any phone. Open “Emergency help” below for what to "
                  "do now.")
        lines += ["", f"🆘 <b>{alert}</b>"]
    return "\n".join(lines)


def render_announcement(row: ReportRow, incident_text: str | None, place_text: str | None,
                        places: Places, locale: str, _: Gettext) -> str:
    """For moderators: what, where, when, how many, how urgent. Never the description,
    never who sent it."""
    if row.urgent:
        title = "🚨 <b>" + _("URGENT incident report {ref}").format(ref=row.ref) + "</b>"
    else:
        title = "🆕 <b>" + _("New incident report {ref}").format(ref=row.ref) + "</b>"
    lines = [
        title,
        _("Type: {value}").format(value=incidents_label(row.incidents, incident_text, _)),
        _("Place: {value}").format(value=place_label(places, row.place, place_text, locale)),
        _("Date: {value}").format(value=numeric_date_label(row.incident_date, _)),
        _("People affected: {value}").format(value=html.escape(_(people_label(row.people)))),
    ]
    if row.urgent:
        lines.append(_("People are still being held. The reporter was sent the emergency "
                       "checklist."))
    return "\n".join(lines)


def announcement_keyboard(ref: str, _: Gettext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("📂 " + _("Open"),
                                                       callback_data=open_report_data(ref))]])


def answer_keyboard(ref: str, _: Gettext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        "✅ " + _("Done, that is all"), callback_data=pack(ANSWER_NAMESPACE, "done", ref))]])


def render_report_line(row: ReportRow, _: Gettext, format_date: DateFormatter) -> str:
    when = date_label(row.incident_date, format_date, _)
    status = _(STATUS_LABELS.get(row.status, row.status))
    incident = _(OTHER_INCIDENT) if row.incident == "other" else \
        _(INCIDENTS[row.incident]) if row.incident in INCIDENTS else row.incident
    urgent = " 🆘" if row.urgent else ""
    return f"<code>{row.ref}</code>{urgent} · {when}\n{html.escape(incident)} · <b>{status}</b>"
