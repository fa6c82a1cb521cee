"""The foundation, driven as a user would through the real bot process."""

from __future__ import annotations

from bot.fakeapi import FakeTelegram
from tests.e2e.conftest import USER_ID, BotProcess, start_in


async def test_start_picker_then_russian_menu(fake: FakeTelegram, bot: BotProcess) -> None:
    fake.add_user(USER_ID, first_name="Фарход", language_code="ru")
    chat = fake.chat(USER_ID)
    fake.send_message(USER_ID, "/start")

    picker = await chat.next_message()
    assert picker.button_texts() == ["🇹🇯 Тоҷикӣ", "🇷🇺 Русский", "🇬🇧 English"]
    assert "выберите язык" in picker.text and "забонро интихоб кунед" in picker.text

    fake.press_button(USER_ID, picker.message_id, "🇷🇺 Русский")
    welcome = await chat.next_message()
    assert "Добро пожаловать, Фарход!" in welcome.text
    menu = await chat.next_message()
    assert menu.button_texts() == [
        "📚 Вопросы по темам", "❓ Задать вопрос", "🙋 Спросить человека",
        "📝 Сообщить об инциденте", "🆘 Экстренная помощь", "🌐 Язык",
    ]
    assert picker.button_texts()[1] == "🇷🇺 Русский ✓"  # the picker shows the choice

    # A returning user gets the welcome and menu directly, in the saved language.
    fake.send_message(USER_ID, "/start")
    assert "Добро пожаловать" in (await chat.next_message()).text
    assert "📚 Вопросы по темам" in (await chat.next_message()).button_texts()


async def test_switch_language_from_menu(fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, USER_ID, "ru")
    chat = fake.chat(USER_ID)
    menu = chat.last_message()
    assert menu is not None
    fake.press_button(USER_ID, menu.message_id, "🌐 Язык")
    picker = await chat.next_message()
    assert "🇷🇺 Русский ✓" in picker.button_texts()
    fake.press_button(USER_ID, picker.message_id, "🇹🇯 Тоҷикӣ")
    assert "Хуш омадед" in (await chat.next_message()).text
    tajik_menu = await chat.next_message()
    assert "🌐 Забон" in tajik_menu.button_texts()

    fake.send_message(USER_ID, "/language")
    picker = await chat.next_message()
    fake.press_button(USER_ID, picker.message_id, "🇬🇧 English")
    assert "Welcome" in (await chat.next_message()).text
    assert "🌐 Language" in (await chat.next_message()).button_texts()


async def test_first_start_uses_telegram_language_for_texts(fake: FakeTelegram,
                                                            bot: BotProcess) -> None:
    fake.add_user(USER_ID, language_code="uk")  # Ukrainian clients read Russian
    chat = fake.chat(USER_ID)
    fake.send_message(USER_ID, "/help")
    help_text = await chat.next_message()
    assert "Как пользоваться Hamroh" in help_text.text


async def test_unknown_command_and_sticker(fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, USER_ID, "en")
    chat = fake.chat(USER_ID)
    fake.send_message(USER_ID, "/frobnicate")
    reply = await chat.next_message()
    assert "do not know this command" in reply.text
    assert "📚 Questions by topic" in reply.button_texts()

    fake.send_sticker(USER_ID)
    reply = await chat.next_message()
    assert "I can only read text here" in reply.text

    fake.send_voice(USER_ID)
    assert "I cannot listen to voice messages" in (await chat.next_message()).text


async def test_tajik_sticker_reply_is_tajik(fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, USER_ID, "tg")
    chat = fake.chat(USER_ID)
    fake.send_sticker(USER_ID)
    assert "Ман дар ин ҷо танҳо матнро мехонам" in (await chat.next_message()).text


async def test_edited_message_and_forged_callback(fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, USER_ID, "en")
    chat = fake.chat(USER_ID)
    menu = chat.last_message()
    assert menu is not None
    fake.press_callback(USER_ID, menu.message_id, "kb:a:no.such.article")
    await fake.wait_for(lambda: any(e.kind == "callback_answer" for e in chat.pending()))
    reply = await chat.next_message()
    assert "What would you like to do" in reply.text

    fake.press_callback(USER_ID, menu.message_id, "\u0000garbage")
    assert "What would you like to do" in (await chat.next_message()).text

    update_id = fake.send_message(USER_ID, "hello")
    await chat.next_message()
    fake.edit_user_message(USER_ID, fake.message_id_of(update_id), "hello again")
    assert "only see new messages" in (await chat.next_message()).text


async def test_duplicate_update_is_handled_once(fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, USER_ID, "en")
    chat = fake.chat(USER_ID)
    update_id = fake.send_message(USER_ID, "/help")
    await chat.next_message()
    fake.redeliver(update_id)
    marker = fake.send_message(USER_ID, "/menu")
    # The /menu reply arriving next proves the duplicate /help produced nothing.
    reply = await chat.next_message()
    assert "What would you like to do" in reply.text, fake.describe_chat(USER_ID)
    assert marker


async def test_group_chat_stays_quiet(fake: FakeTelegram, bot: BotProcess) -> None:
    fake.add_group(-100500, "Migrants chat")
    fake.send_group_message(-100500, USER_ID, "/start")
    fake.send_group_message(-100500, USER_ID, "hello bot")
    # Then a private message: by the time it is answered the group updates were handled.
    fake.add_user(USER_ID, language_code="en")
    fake.send_message(USER_ID, "/help")
    await fake.chat(USER_ID).next_message()
    assert fake.transcript(-100500) == []


async def test_commands_registered_per_language(fake: FakeTelegram, bot: BotProcess) -> None:
    calls = fake.calls_of("setMyCommands")
    by_language = {call.get("language_code"): call for call in calls}
    assert {"tg", "ru", "en", None} <= set(by_language)
    def descriptions(call: dict) -> list[str]:  # type: ignore[type-arg]
        commands = call["commands"]
        return [c["description"] for c in commands]
    assert "Главное меню" in descriptions(by_language["ru"])
    assert "Менюи асосӣ" in descriptions(by_language["tg"])
    assert "Main menu" in descriptions(by_language[None])


async def test_logs_have_no_text_or_user_ids(fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, USER_ID, "en")
    fake.send_message(USER_ID, "secret-question-marker about patent")
    await fake.chat(USER_ID).next_message()
    await bot.stop()
    log = bot.log()
    assert "secret-question-marker" not in log
    assert str(USER_ID) not in log
    assert "TEST-token" not in log


async def test_quick_messages_are_answered_in_order(fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, USER_ID, "en")
    chat = fake.chat(USER_ID)
    fake.send_message(USER_ID, "/help")
    fake.send_message(USER_ID, "/frobnicate")
    fake.send_message(USER_ID, "/menu")
    first, second, third = [await chat.next_message() for _ in range(3)]
    assert "How to use Hamroh" in first.text
    assert "do not know this command" in second.text
    assert "What would you like to do" in third.text
