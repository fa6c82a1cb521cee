from __future__ import annotations

import os

from bot.crypto import ReportKeys
from bot.sealing import (
    open_pending_question,
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


