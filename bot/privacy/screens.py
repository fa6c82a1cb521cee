"""What /forget shows: the confirmation question, its buttons and the result."""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardMarkup

from bot.i18n import N_
from bot.keyboards import button
from bot.privacy.service import Forgotten

Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]

FORGET_NAMESPACE = "fgt"
DELETE_ME, WITHDRAW, KEEP = "me", "all", "no"

WITHDRAW_ALL = N_("🗑 Delete my data and withdraw my reports")
DELETE_DATA = N_("🗑 Delete my data")
KEEP_DATA = N_("✖️ Do not delete anything")


def forget_keyboard(has_reports: bool, _: Gettext) -> InlineKeyboardMarkup:
    rows = [[button(_(DELETE_DATA), FORGET_NAMESPACE, DELETE_ME)]]
    if has_reports:
        rows.append([button(_(WITHDRAW_ALL), FORGET_NAMESPACE, WITHDRAW)])
    rows.append([button(_(KEEP_DATA), FORGET_NAMESPACE, KEEP)])
    return InlineKeyboardMarkup(rows)


def confirmation_text(reports: int, _: Gettext, ngettext: Ngettext) -> str:
    lines = [
        "<b>" + _("Delete your data?") + "</b>",
        _("This deletes:"),
        _("• your unfinished report, if there is one;"),
        _("• the link between you and your reports, and your permission to be contacted;"),
        _("• your language choice, your conversations with volunteers, and what the bot "
          "remembers about your conversations."),
    ]
    if reports:
        lines += [
            "",
            ngettext("You have sent {count} report.", "You have sent {count} reports.",
                     reports).format(count=reports),
            _("Confirmed reports are kept for anonymous statistics, with no link to you. If "
              "you want them deleted too, choose “Delete my data and withdraw my reports”."),
            _("After this you will not see your reports in /myreports and will not get "
              "status updates."),
        ]
    return "\n".join(lines)


def result_text(done: Forgotten, _: Gettext, ngettext: Ngettext) -> str:
    lines = ["<b>" + _("Your data has been deleted.") + "</b>"]
    if done.unlinked:
        lines.append(ngettext(
            "{count} report stays for anonymous statistics, with no link to you.",
            "{count} reports stay for anonymous statistics, with no link to you.",
            done.unlinked).format(count=done.unlinked))
    if done.withdrawn:
        lines.append(ngettext(
            "{count} report was withdrawn and deleted.",
            "{count} reports were withdrawn and deleted.",
            done.withdrawn).format(count=done.withdrawn))
    lines.append(_("If you write to the bot again, it will start from the beginning."))
    return "\n".join(lines)
