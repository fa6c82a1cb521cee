"""PTB persistence on the project's SQLite database.

Only user data and conversation steps are stored; bot data holds the process's services
and is rebuilt at start. The application flushes after every update (see
``bot.processor``), so ``update_interval`` is only a safety net.

Privacy: a row is found by a keyed hash of the user (or conversation) id and holds
sealed JSON, so a database reader cannot tell who is writing a report, or what they
read or asked (review M1). Scale: user data is loaded when the user's next update
arrives (``refresh_user_data``), not for every user at start; conversation steps, a
handful at any time, are loaded at start as PTB requires.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from bot.crypto import ReportKeys
from bot.sealing import conversation_owner, open_state, seal_state, user_state_owner
from bot.storage import Database

log = logging.getLogger(__name__)

# A conversation whose step did not change is written again at most this often: enough
# to keep its "last touched" time for draft expiry, without an fsync per message.
RESAVE_UNCHANGED_AFTER = 60.0


class SqlitePersistence(BasePersistence[dict[str, Any], dict[str, Any], dict[str, Any]]):
    def __init__(self, db: Database, keys: Callable[[], ReportKeys],
                 update_interval: float = 5.0) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self._db = db
        self._keys = keys
        self._ready = False
        # What each loaded user's row holds now ({} = no row). PTB hands over every user
        # touched by an update, changed or not; comparing saves a write and an fsync.
        self._stored: dict[int, dict[str, Any]] = {}
        # Conversation steps as last written: state, when (see RESAVE_UNCHANGED_AFTER), row.
        self._steps: dict[tuple[str, ConversationKey], tuple[object, float, str]] = {}
        self._conversation_names: set[str] = set()

    async def _ensure_ready(self) -> None:
        """Connect (PTB loads persistence before ``post_init``) and seal what an older
        version stored in clear."""
        if self._ready:
            return
        await self._db.connect()
        users, conversations = await self._db.state.legacy_state()
        keys = self._keys()
        sealed_users = [(user_state_owner(keys, uid), seal_state(keys, user_state_owner(
            keys, uid), data)) for uid, data in users.items() if data]
        sealed_conversations = []
        for name, key, state in conversations:
            owner = conversation_owner(keys, name, key)
            sealed_conversations.append(
                (name, owner, seal_state(keys, owner, {"key": list(key), "state": state})))
        await self._db.state.replace_legacy_state(sealed_users, sealed_conversations)
        if users or conversations:
            log.info("sealed %d users' data and %d conversation steps stored in clear",
                     len(users), len(conversations))
        self._ready = True

    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        await self._ensure_ready()
        return {}  # loaded per user, on demand (refresh_user_data)

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        """Called by PTB before a handler runs: bring in the user's stored data once."""
        if user_id in self._stored:
            return
        await self._ensure_ready()
        keys = self._keys()
        owner = user_state_owner(keys, user_id)
        blob = await self._db.state.load_user_state(owner)
        stored = open_state(keys, owner, blob) if blob is not None else None
        loaded = stored if isinstance(stored, dict) else {}
        for name, value in loaded.items():
            user_data.setdefault(name, value)
        self._stored[user_id] = dict(loaded)

    async def get_chat_data(self) -> dict[int, dict[str, Any]]:
        return {}

    async def get_bot_data(self) -> dict[str, Any]:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        await self._ensure_ready()
        self._conversation_names.add(name)
        keys = self._keys()
        found: dict[ConversationKey, object] = {}
        for owner, blob in await self._db.state.load_conversation_rows(name):
            value = open_state(keys, owner, blob)
            if not isinstance(value, dict) or not isinstance(value.get("key"), list):
                continue  # sealed with another key: the step is lost, the draft is not
            key = tuple(value["key"])
            found[key] = value.get("state")
            self._steps[(name, key)] = (value.get("state"), time.monotonic(), owner)
        return found  # type: ignore[return-value]

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        previous = self._steps.get((name, key))
        if (previous is not None and new_state is not None and previous[0] == new_state
                and time.monotonic() - previous[1] < RESAVE_UNCHANGED_AFTER):
            return
        keys = self._keys()
        owner = conversation_owner(keys, name, key)
        if new_state is None:
            self._steps.pop((name, key), None)
            await self._db.state.save_conversation_row(name, owner, None)
            return
        sealed = seal_state(keys, owner, {"key": list(key), "state": new_state})
        await self._db.state.save_conversation_row(name, owner, sealed)
        self._steps[(name, key)] = (new_state, time.monotonic(), owner)

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        if self._stored.get(user_id, {}) == data:
            return
        # An empty dict says nothing but "this id exists": after /forget PTB would write
        # one back, so store nothing instead.
        if data:
            keys = self._keys()
            owner = user_state_owner(keys, user_id)
            await self._db.state.save_user_state(owner, seal_state(keys, owner, data))
            self._stored[user_id] = data  # PTB passes a deep copy: safe to keep
        else:
            await self.drop_user_data(user_id)

    async def forget_user(self, user_id: int) -> None:
        """/forget: the user's data and every conversation step of their private chat."""
        keys = self._keys()
        await self.drop_user_data(user_id)
        owners = [conversation_owner(keys, name, key) for name in self._conversation_names
                  for key in ((user_id,), (user_id, user_id))]
        await self._db.state.drop_conversation_rows(owners)
        for step in [step for step in self._steps if step[1] in ((user_id,),
                                                                 (user_id, user_id))]:
            del self._steps[step]

    async def expire_conversations(self, name: str, cutoff: datetime) -> int:
        """Delete the steps of ``name`` conversations untouched since ``cutoff`` (with
        their drafts: "nothing was kept" must be true). The handler's in-memory step stays
        until the user's next update, which then finds no draft."""
        owners = set(await self._db.state.purge_conversations_before(
            name, cutoff.isoformat(timespec="seconds")))
        for step in [step for step, (_, _, owner) in self._steps.items() if owner in owners]:
            del self._steps[step]  # if the step comes back, write it again
        return len(owners)

    async def expire_user_data(self, cutoff: datetime) -> int:
        """Delete the data of users idle since ``cutoff``; those still in memory are
        written again at their next change."""
        deleted = await self._db.state.purge_user_state_before(
            cutoff.isoformat(timespec="seconds"))
        if deleted:
            self._stored.clear()  # the rows are hashed: which users is not known here
        return deleted

    async def update_chat_data(self, chat_id: int, data: dict[str, Any]) -> None:
        return None

    async def update_bot_data(self, data: dict[str, Any]) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        await self._db.state.drop_user_state(user_state_owner(self._keys(), user_id))
        self._stored[user_id] = {}  # known to be empty: nothing to load again

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[str, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[str, Any]) -> None:
        return None

    async def flush(self) -> None:
        return None
