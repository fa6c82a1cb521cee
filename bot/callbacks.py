"""Compact ``callback_data`` strings: ``namespace:arg:arg``.

Telegram allows 1–64 bytes; ``pack`` refuses anything longer so a bad button
fails in tests, not in front of a user. Data survives restarts (no in-memory
callback cache), and anything unexpected decodes to ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_BYTES = 64
SEPARATOR = ":"


class CallbackDataTooLong(ValueError):
    pass


@dataclass(frozen=True)
class Callback:
    namespace: str
    args: tuple[str, ...]

    def arg(self, index: int, default: str = "") -> str:
        return self.args[index] if index < len(self.args) else default


def pack(namespace: str, *args: str) -> str:
    data = SEPARATOR.join((namespace, *args))
    size = len(data.encode("utf-8"))
    if not 1 <= size <= MAX_BYTES:
        raise CallbackDataTooLong(f"callback_data of {size} bytes: {data[:20]}…")
    return data


def unpack(data: str | None) -> Callback | None:
    if not data or len(data.encode("utf-8")) > MAX_BYTES:
        return None
    namespace, *args = data.split(SEPARATOR)
    if not namespace:
        return None
    return Callback(namespace, tuple(args))
