"""A report as moderators see it (the card) and its buttons. Every value a person
typed is HTML-escaped here; nothing is cut: a card longer than one message is split."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import pack
from bot.i18n import LANGUAGE_NAMES, N_
from bot.moderation import rules
from bot.reports.draft import AFFECTED, HELD, people_label
from bot.reports.places import Places
from bot.reports.service import Note, ReportContent
from bot.reports.summary import (
    REJECT_REASONS,
    evidence_label,
    groups_label,
    incidents_label,
    numeric_date_label,
    place_label,
)
from bot.staff import MODERATION_NAMESPACE, Role
from bot.storage.reports import ReportRow

Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]

ACTION_LABELS: dict[str, str] = {
    rules.TAKE: N_("✋ Take"),
    rules.VERIFY: N_("✅ Verify"),
    rules.REJECT: N_("❌ Reject"),
    rules.ASK: N_("❓ Ask the reporter"),
    rules.NOTE: N_("📝 Add note"),
    rules.CLOSE: N_("📦 Close"),
    rules.REOPEN: N_("↩️ Reopen"),
}
REASON_BUTTONS: dict[str, str] = {
    "duplicate": N_("Duplicate"),
    "not_incident": N_("Not an incident"),
    "no_detail": N_("Not enough detail"),
    "spam": N_("Spam"),
}
NOTE_TITLES: dict[str, str] = {
    "note": N_("📝 Note by {who}"),
    "question": N_("❓ Question from {who}"),
    "answer": N_("💬 Reporter's answer"),
    "reason": N_("❌ Reason typed by {who}"),
}


def mod(*args: str) -> str:
    return pack(MODERATION_NAMESPACE, *args)


def button(text: str, *args: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=mod(*args))


@dataclass(frozen=True)
class CardData:
    row: ReportRow
    content: ReportContent
    notes: list[Note]
    other_reports: int
    reporter_name: str | None  # only when the reporter chose "with contact"
    assignee_name: str | None
    staff_names: dict[int, str]


def staff_label(user_id: int | None, names: dict[int, str]) -> str:
    if user_id is None:
        return "—"
    return names.get(user_id) or f"id {user_id}"


def render_card(card: CardData, _: Gettext, ngettext: Ngettext, locale: str,
                places: Places) -> str:
    row, content = card.row, card.content
    urgent = " 🚨 <b>" + _("URGENT") + "</b>" if row.urgent else ""
    status = _(rules.STATUS_NAMES.get(row.status, row.status))
    if row.assignee is not None:
        status += " · " + _("taken by {name}").format(
            name=html.escape(staff_label(row.assignee, card.staff_names)))
    if row.status == "rejected" and row.status_detail in REJECT_REASONS:
        status += " · " + _(REASON_BUTTONS[row.status_detail])
    if row.reporter is None:
        reporter = _("unlinked (the reporter deleted their data)")
    elif content.contact:
        name = html.escape(card.reporter_name or _("name not available"))
        reporter = html.escape(pseudonym_of(row)) + " · " + _("{name}, with contact").format(
            name=name)
    else:
        reporter = _("{pseudonym}, anonymous").format(
            pseudonym=html.escape(pseudonym_of(row)))
    fields = [
        (_("Status"), status),
        (_("Received"), html.escape(row.created_at[:16].replace("T", " ")) + " UTC"),
        (_("Reporter"), reporter),
        (_("Reporter's language"), LANGUAGE_NAMES.get(row.locale, row.locale)),
        (_("Other reports from this reporter"), str(card.other_reports)),
        (_("What happened"), incidents_label(row.incidents, content.incident_text, _)),
        (_("Where"), place_label(places, row.place, content.place_text, locale)),
        (_("When"), numeric_date_label(row.incident_date, _)),
        (_("Who was affected"), _(AFFECTED[row.affected]) if row.affected in AFFECTED
         else html.escape(row.affected)),
        (_("How many people"), html.escape(_(people_label(row.people)))),
        (_("Among those affected"), groups_label(row.groups, _)),
    ]
    if row.held:  # asked only when a type involved holding
        fields.append((_("How long held"), _(HELD[row.held]) if row.held in HELD
                       else html.escape(row.held)))
    evidence = len(content.evidence) + sum(len(note.evidence) for note in card.notes)
    fields.append((_("Evidence"), evidence_label(evidence, ngettext, _)))
    title = _("Report {ref}").format(ref=f"<code>{row.ref}</code>")
    lines = [f"📂 <b>{title}</b>{urgent}", ""]
    lines += [f"<b>{label}:</b> {value}" for label, value in fields]
    description = _("Description")
    lines += ["", f"<b>{description}:</b>"]
    if content.spoken:
        lines.append("🎤 " + _("The reporter told it in a voice message: press “Show "
                              "evidence” to listen."))
    lines += [html.escape(line) for line in content.description.splitlines()
              or ([] if content.spoken else ["—"])]
    for note in card.notes:
        who = html.escape(staff_label(note.author, card.staff_names))
        title = _(NOTE_TITLES.get(note.kind, note.kind)).format(who=who)
        when = html.escape(note.created_at[:16].replace("T", " "))
        lines += ["", f"<b>{title}</b> <i>{when}</i>"]
        if note.text:
            lines += [html.escape(line) for line in note.text.splitlines()]
        if note.evidence:
            kinds = ", ".join(sorted({item.kind for item in note.evidence}))
            lines.append("📎 " + html.escape(kinds))
    return "\n".join(lines)


def pseudonym_of(row: ReportRow) -> str:
    from bot.crypto import pseudonym_label

    return pseudonym_label(row.reporter) if row.reporter else "—"


def card_keyboard(card: CardData, role: Role, me: int, _: Gettext, *,
                  queue: str | None = None, offset: int = 0) -> InlineKeyboardMarkup:
    row = card.row
    actions = rules.card_actions(row, role, me)
    buttons: list[list[InlineKeyboardButton]] = []
    if rules.TAKE in actions:
        buttons.append([button(_(ACTION_LABELS[rules.TAKE]), rules.TAKE, row.ref)])
    decide = [button(_(ACTION_LABELS[a]), a, row.ref) for a in (rules.VERIFY, rules.REJECT)
              if a in actions]
    if decide:
        buttons.append(decide)
    if rules.ASK in actions:
        if rules.can_ask(row.reporter is not None, card.content.contact):
            buttons.append([button(_(ACTION_LABELS[rules.ASK]), rules.ASK, row.ref)])
        else:
            buttons.append([button("🚫 " + _("Cannot ask: anonymous"), "anon", row.ref)])
    evidence = len(card.content.evidence) + sum(len(n.evidence) for n in card.notes)
    extra = [button(_(ACTION_LABELS[rules.NOTE]), rules.NOTE, row.ref)]
    if evidence:
        extra.append(button("📎 " + _("Show evidence ({count})").format(count=evidence),
                            "ev", row.ref))
    buttons.append(extra)
    finish = [button(_(ACTION_LABELS[a]), a, row.ref) for a in (rules.CLOSE, rules.REOPEN)
              if a in actions]
    if finish:
        buttons.append(finish)
    if queue is not None:
        buttons.append([button("⏭ " + _("Next in the queue"), "q", queue, str(offset + 1))])
    return InlineKeyboardMarkup(buttons)


def confirm_keyboard(ref: str, action: str, _: Gettext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [button(_("Yes: {action}").format(action=_(ACTION_LABELS[action])), "ok", ref, action)],
        [button("↩️ " + _("Back"), "card", ref)],
    ])


def reject_keyboard(ref: str, _: Gettext) -> InlineKeyboardMarkup:
    rows = [[button(_(label), "rr", ref, code)] for code, label in REASON_BUTTONS.items()]
    rows.append([button("✍️ " + _("Type a reason"), "rt", ref)])
    rows.append([button("↩️ " + _("Back"), "card", ref)])
    return InlineKeyboardMarkup(rows)
