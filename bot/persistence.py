"""PTB persistence on the project's SQLite database.

Only user data and conversation states are stored; bot data holds the
process's services and is rebuilt at start. The application flushes after
every update (see ``bot.processor``), so ``update_interval`` is only a
safety net.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from bot.storage import Database


class SqlitePersistence(BasePersistence[dict[str, Any], dict[str, Any], dict[str, Any]]):
    def __init__(self, db: Database, update_interval: float = 5.0) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self._db = db
        # What each user's row holds now ({} = no row). PTB hands over every user touched
        # by an update, changed or not; comparing here saves a write and an fsync per update.
        self._stored: dict[int, dict[str, Any]] = {}

    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        await self._db.connect()  # PTB loads persistence before post_init
        data = await self._db.state.load_user_data()
        self._stored = {user_id: dict(values) for user_id, values in data.items()}
        return data

    async def get_chat_data(self) -> dict[int, dict[str, Any]]:
        return {}

    async def get_bot_data(self) -> dict[str, Any]:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        await self._db.connect()
        return await self._db.state.load_conversations(name)  # type: ignore[return-value]

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        await self._db.state.save_conversation(name, tuple(key), new_state)

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        if self._stored.get(user_id, {}) == data:
            return
        # An empty dict says nothing but "this id exists": after /forget PTB would write
        # one back, so store nothing instead.
        if data:
            await self._db.state.save_user_data(user_id, data)
            self._stored[user_id] = data  # PTB passes a deep copy: safe to keep
        else:
            await self.drop_user_data(user_id)

    async def update_chat_data(self, chat_id: int, data: dict[str, Any]) -> None:
        return None

    async def update_bot_data(self, data: dict[str, Any]) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        await self._db.state.drop_user_data(user_id)
        self._stored.pop(user_id, None)

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[str, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[str, Any]) -> None:
        return None

    async def flush(self) -> None:
        return None
