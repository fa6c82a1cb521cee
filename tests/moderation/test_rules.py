"""Who may do what to a report, and what it becomes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.moderation import rules
from bot.staff import Role
from bot.storage.reports import ReportRow

ME, OTHER = 1, 2
ROW = ReportRow(ref="R-ABCDEF", draft_id="D", reporter="h", created_at="2026-12-01T10:00:00+00:00",
                updated_at="2026-12-01T10:00:00+00:00", status="new", locale="ru",
                incident="refused", place="dme", incident_date="2026-11-30", affected="me",
                people="1", groups=(), held="no", urgent=False, content=b"")


@pytest.mark.parametrize(("action", "current", "expected"), [
    (rules.TAKE, "new", "in_review"),
    (rules.TAKE, "needs_info", None),
    (rules.VERIFY, "in_review", "verified"),
    (rules.REJECT, "needs_info", "rejected"),
    (rules.ASK, "new", "needs_info"),
    (rules.CLOSE, "verified", "closed"),
    (rules.REOPEN, "closed", "in_review"),
    (rules.NOTE, "closed", None),
])
def test_new_status(action: str, current: str, expected: str | None) -> None:
    assert rules.new_status(action, current) == expected


@pytest.mark.parametrize(("action", "status", "role", "assignee", "allowed"), [
    (rules.VERIFY, "new", Role.MODERATOR, None, True),
    (rules.VERIFY, "in_review", Role.MODERATOR, OTHER, False),  # someone else's
    (rules.VERIFY, "in_review", Role.OWNER, OTHER, True),  # owners may act on any
    (rules.VERIFY, "closed", Role.OWNER, None, False),
    (rules.CLOSE, "new", Role.MODERATOR, None, False),  # decide first
    (rules.CLOSE, "rejected", Role.MODERATOR, ME, True),
    (rules.REOPEN, "closed", Role.MODERATOR, ME, False),  # owners only
    (rules.REOPEN, "closed", Role.OWNER, OTHER, True),
    (rules.REOPEN, "in_review", Role.OWNER, None, False),
    (rules.NOTE, "closed", Role.MODERATOR, OTHER, True),
    (rules.ASK, "verified", Role.OWNER, None, False),
    ("delete", "new", Role.OWNER, None, False),
])
def test_check(action: str, status: str, role: Role, assignee: int | None,
               allowed: bool) -> None:
    row = replace(ROW, status=status, assignee=assignee)
    assert rules.check(action, row, role, ME).allowed is allowed


def test_card_actions_hide_take_once_taken() -> None:
    assert rules.TAKE in rules.card_actions(ROW, Role.MODERATOR, ME)
    mine = replace(ROW, status="in_review", assignee=ME)
    assert rules.TAKE not in rules.card_actions(mine, Role.MODERATOR, ME)
    theirs = replace(ROW, status="in_review", assignee=OTHER)
    assert rules.card_actions(theirs, Role.MODERATOR, ME) == [rules.NOTE]
    assert rules.REOPEN in rules.card_actions(replace(ROW, status="verified"), Role.OWNER, ME)


def test_only_linked_reporters_with_contact_can_be_asked() -> None:
    assert rules.can_ask(True, True)
    assert not rules.can_ask(True, False)
    assert not rules.can_ask(False, True)  # /forget removed the link
    assert not rules.can_ask(True, None)
