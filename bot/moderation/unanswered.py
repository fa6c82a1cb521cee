"""Editors' view: what the bot could not answer, and the answers people found unhelpful."""

from __future__ import annotations

from telegram import Update

from bot.context import HamrohContext
from bot.staff import Role


async def show_unanswered(update: Update, context: HamrohContext, role: Role) -> None:
    """/unanswered for moderators (the role is checked by the caller)."""
    raise NotImplementedError
