"""Owner commands: /reload for admins only."""

from __future__ import annotations

from bot.fakeapi import FakeTelegram
from tests.e2e.conftest import ADMIN_ID, USER_ID, BotProcess, start_in


async def test_reload_for_admin_and_not_for_others(fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, ADMIN_ID, "ru")
    admin_chat = fake.chat(ADMIN_ID)
    fake.send_message(ADMIN_ID, "/reload")
    reply = await admin_chat.next_message(timeout=20)
    # 36 articles: Russian uses the "many" form after 36.
    assert reply.text == "База знаний перезагружена: 36 статей."

    await start_in(fake, USER_ID, "en")
    user_chat = fake.chat(USER_ID)
    fake.send_message(USER_ID, "/reload")
    assert "do not know this command" in (await user_chat.next_message()).text
