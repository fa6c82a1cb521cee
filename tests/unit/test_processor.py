"""Per-chat ordering: one chat's updates run one at a time, other chats overlap."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.processor import PerChatUpdateProcessor


def _update(update_id: int, chat_id: int) -> Update:
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": chat_id, "is_bot": False, "first_name": "A"},
                "text": "hi",
            },
        },
        None,
    )


async def test_same_chat_is_sequential_other_chats_overlap() -> None:
    processor = PerChatUpdateProcessor(8)
    log: list[str] = []
    release_first = asyncio.Event()
    second_chat_done = asyncio.Event()

    async def handler(name: str, wait: asyncio.Event | None = None) -> None:
        log.append(f"start {name}")
        if wait is not None:
            await wait.wait()
        log.append(f"end {name}")
        if name == "b1":
            second_chat_done.set()

    tasks = [
        asyncio.create_task(processor.process_update(_update(1, 10), handler("a1", release_first))),
        asyncio.create_task(processor.process_update(_update(2, 10), handler("a2"))),
        asyncio.create_task(processor.process_update(_update(3, 20), handler("b1"))),
    ]
    # Chat 20 finishes while chat 10's first update is still blocked...
    await asyncio.wait_for(second_chat_done.wait(), 5)
    assert "start a2" not in log  # ...and chat 10's second update has not started.
    release_first.set()
    await asyncio.gather(*tasks)
    assert log.index("end a1") < log.index("start a2")
    assert processor._locks == {}  # idle chats leave nothing behind


async def test_after_update_hook_runs() -> None:
    processor = PerChatUpdateProcessor(2)
    calls: list[int] = []

    async def flush(update: object) -> None:
        assert isinstance(update, Update)
        calls.append(1)

    async def noop() -> None:
        return None

    processor.after_update = flush
    await processor.process_update(_update(1, 10), noop())
    assert calls == [1]
