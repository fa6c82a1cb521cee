"""Reading a chat from a test: a cursor over the bot's events in one chat."""

from __future__ import annotations

from collections.abc import Iterable

from bot.fakeapi.models import ChatEvent, StoredMessage
from bot.fakeapi.state import FakeState


def describe_chat(state: FakeState, chat_id: int) -> str:
    """The whole conversation plus the API errors the bot got, for failure messages."""
    lines = [f"  {event.describe()}" for event in state.logs.get(chat_id, [])]
    text = "\n".join(lines) if lines else "  (nothing)"
    if state.api_errors:
        errors = "\n".join(f"  {method}: {error.description}"
                           for method, error in state.api_errors[-10:])
        text += f"\nAPI errors returned to the bot (latest 10):\n{errors}"
    return text


class ChatReader:
    """Reads what the bot did in one chat, in order; ``fake.chat(chat_id)`` returns it.

    The cursor starts at the beginning of the chat; every ``next_*`` call moves it past
    the event it returns (and past the bot events it skipped). User events are never
    returned (they are in the log for failure messages).
    """

    def __init__(self, state: FakeState, chat_id: int) -> None:
        self._state = state
        self.chat_id = chat_id
        self.cursor = 0

    def _log(self) -> list[ChatEvent]:
        return self._state.logs.get(self.chat_id, [])

    async def next_event(self, timeout: float = 10.0, *,
                         kinds: Iterable[str] | None = None) -> ChatEvent:
        """The next bot event (optionally only of ``kinds``, skipping the others)."""
        wanted = set(kinds) if kinds is not None else None

        def advance() -> ChatEvent | None:
            log = self._log()
            while self.cursor < len(log):
                event = log[self.cursor]
                self.cursor += 1
                if event.by_bot and (wanted is None or event.kind in wanted):
                    return event
            return None

        event = await self._state.notifier.wait_until(advance, timeout)
        if event is None:
            what = "event" if wanted is None else f"event of kind {sorted(wanted)}"
            raise AssertionError(
                f"chat {self.chat_id}: no new bot {what} within {timeout}s. The chat saw:\n"
                + describe_chat(self._state, self.chat_id))
        return event

    async def next_message(self, timeout: float = 10.0) -> StoredMessage:
        """The next new bot message (edits, answers and actions in between are skipped)."""
        event = await self.next_event(timeout, kinds=("message",))
        assert event.message is not None
        return event.message

    def pending(self) -> list[ChatEvent]:
        """Bot events after the cursor, without moving it."""
        return [event for event in self._log()[self.cursor :] if event.by_bot]

    def assert_no_pending(self) -> None:
        unread = self.pending()
        assert not unread, "unexpected bot events: " + "; ".join(e.describe() for e in unread)

    def skip(self) -> None:
        """Move the cursor to the end of the chat."""
        self.cursor = len(self._log())

    def messages(self) -> list[StoredMessage]:
        """Every bot message in the chat (including deleted ones, see ``.deleted``).

        Service messages (topic created/edited/closed/reopened) are left out; they are in
        ``fake.topic_messages()`` and the topic events.
        """
        chat = self._state.messages.get(self.chat_id, {})
        return [message for message in chat.values()
                if message.from_bot and not message.is_service]

    def last_message(self) -> StoredMessage | None:
        """The latest bot message that is not deleted, regardless of the cursor."""
        alive = [message for message in self.messages() if not message.deleted]
        return alive[-1] if alive else None
