"""What moderators type: references and list names, in any of the three languages."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot.i18n import Catalogs
from bot.moderation.handlers import normalise_reference, queue_filter


@pytest.mark.parametrize(("typed", "expected"), [
    ("R-ABC234", "R-ABC234"),
    (" r-abc234 ", "R-ABC234"),
    ("RABC234", "R-ABC234"),
    ("R-ABC23", None),  # too short
    ("R-ABC2340", None),
    ("R-ABCI23", None),  # I is not in the alphabet (read aloud it is 1)
    ("see R-ABC234", None),
])
def test_normalise_reference(typed: str, expected: str | None) -> None:
    assert normalise_reference(typed) == expected


@pytest.mark.parametrize(("typed", "expected"), [
    ("", "open"), ("urgent", "urgent"), ("needs_info", "needs_info"), ("needs-info", "needs_info"),
    ("in review", "in_review"), ("Mine", "mine"), ("срочные", "urgent"),
    ("нужны уточнения", "needs_info"), ("нав", "new"), ("nonsense", "open"),
])
def test_queue_filter_in_every_language(typed: str, expected: str) -> None:
    context = SimpleNamespace(services=SimpleNamespace(catalogs=Catalogs.load()))
    assert queue_filter(typed, context) == expected  # type: ignore[arg-type]
