from __future__ import annotations

import os

import pytest

from bot.crypto import DecryptionError, ReportKeys
from bot.sealing import (
    open_human_request,
    open_pending_question,
    seal_human_request,
    seal_pending_question,
)

KEYS = ReportKeys.from_master(os.urandom(32))


def test_pending_question_round_trip_and_binding() -> None:
    sealed = seal_pending_question(KEYS, 7, "Где мой паспорт?")
    assert "паспорт" not in sealed
    assert open_pending_question(KEYS, 7, sealed) == "Где мой паспорт?"
    assert open_pending_question(KEYS, 8, sealed) is None  # bound to its user
    assert open_pending_question(ReportKeys.from_master(os.urandom(32)), 7, sealed) is None
    assert open_pending_question(KEYS, 7, None) is None
    assert open_pending_question(KEYS, 7, "not base64 at all!") is None


def test_human_request_round_trip_and_tamper() -> None:
    blob = seal_human_request(KEYS, 42, "help")
    assert open_human_request(KEYS, blob) == (42, "help")
    with pytest.raises(DecryptionError):
        open_human_request(KEYS, blob[:-1] + bytes([blob[-1] ^ 1]))
