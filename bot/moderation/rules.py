"""What a moderator may do to a report, and what it becomes: plain functions, no I/O.

Statuses: new → in review → needs info → verified / rejected → closed. Owners may
reopen a finished report and act on a report someone else has taken."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_
from bot.staff import Role
from bot.storage.reports import OPEN_STATUSES, ReportRow

TAKE = "take"
VERIFY = "verify"
REJECT = "reject"
ASK = "ask"
NOTE = "note"
CLOSE = "close"
REOPEN = "reopen"
ACTIONS = (TAKE, VERIFY, REJECT, ASK, NOTE, CLOSE, REOPEN)

# How moderators name the statuses (reporters read bot.reports.summary.STATUS_LABELS).
STATUS_NAMES: dict[str, str] = {
    "new": N_("New"),
    "in_review": N_("In review"),
    "needs_info": N_("Needs info"),
    "verified": N_("Verified"),
    "rejected": N_("Rejected"),
    "closed": N_("Closed"),
}

# Status changes that notify the reporter ask for a second tap (a phone is easy to
# mis-tap); rejecting asks for a reason instead.
CONFIRMED_ACTIONS = frozenset({VERIFY, CLOSE, REOPEN})

_TARGET: dict[str, tuple[tuple[str, ...], str | None]] = {
    # action: (statuses it applies to, new status; None = unchanged)
    TAKE: (OPEN_STATUSES, None),
    VERIFY: (OPEN_STATUSES, "verified"),
    REJECT: (OPEN_STATUSES, "rejected"),
    ASK: (OPEN_STATUSES, "needs_info"),
    CLOSE: (("verified", "rejected"), "closed"),
    REOPEN: (("verified", "rejected", "closed"), "in_review"),
}


@dataclass(frozen=True)
class Check:
    allowed: bool
    why: str | None = None  # a code the handler turns into a sentence


def new_status(action: str, current: str) -> str | None:
    """The status after ``action``, or None when the action does not change it."""
    if action == TAKE:
        return "in_review" if current == "new" else None
    target = _TARGET.get(action)
    return target[1] if target else None


def check(action: str, row: ReportRow, role: Role, me: int) -> Check:
    """May ``me`` (with ``role``) do ``action`` to the report as it is now?"""
    if action == NOTE:
        return Check(True)
    if action not in _TARGET:
        return Check(False, "unknown")
    if action == REOPEN and role is not Role.OWNER:
        return Check(False, "owners_only")
    statuses, _ = _TARGET[action]
    if row.status not in statuses:
        return Check(False, "wrong_status")
    taken_by_other = row.assignee is not None and row.assignee != me
    if taken_by_other and role is not Role.OWNER and action != REOPEN:
        return Check(False, "taken")
    return Check(True)


def can_ask(reporter_linked: bool, contact: bool | None) -> bool:
    """Only reporters who chose "with contact" (and did not /forget) can be asked."""
    return reporter_linked and bool(contact)


def card_actions(row: ReportRow, role: Role, me: int) -> list[str]:
    """The action buttons a card shows to this moderator, in order."""
    return [action for action in ACTIONS
            if (action != TAKE or row.assignee is None) and check(action, row, role, me).allowed]
