from __future__ import annotations

import pytest

from bot.callbacks import CallbackDataTooLong, pack, unpack


def test_round_trip() -> None:
    callback = unpack(pack("kb", "a", "entry.documents"))
    assert callback is not None
    assert callback.namespace == "kb" and callback.args == ("a", "entry.documents")
    assert callback.arg(5, "none") == "none"


def test_refuses_more_than_64_bytes() -> None:
    with pytest.raises(CallbackDataTooLong):
        pack("kb", "ж" * 40)


@pytest.mark.parametrize("data", [None, "", ":x", "я" * 40])
def test_garbage_decodes_to_none(data: str | None) -> None:
    assert unpack(data) is None
