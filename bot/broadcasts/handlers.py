"""Telegram glue for broadcasts (owners only)."""

from __future__ import annotations

from telegram.ext import Application


def register_broadcast_handlers(app: Application, group: int) -> None:  # type: ignore[type-arg]
    """Owners' /broadcast commands and buttons, in the staff ``group`` (before features)."""


def setup_broadcasts(app: Application) -> None:  # type: ignore[type-arg]
    """From ``post_init``: resume a broadcast that a restart interrupted."""
