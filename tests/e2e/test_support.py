"""Support tickets end to end: "Ask a person" relayed both ways through the real bot."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.fakeapi import FakeTelegram, StoredMessage
from bot.fakeapi.observe import ChatReader
from tests.e2e.conftest import ADMIN_ID, USER_ID, BotProcess, start_in

UNANSWERABLE = "what's the weather in Dushanbe tomorrow?"
STRANGER_ID = 1002
GROUP_ID = -100600


def db_rows(data_dir: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(data_dir / "hamroh.sqlite3") as conn:
        return conn.execute(sql).fetchall()


async def new_user(fake: FakeTelegram) -> None:
    """A user whose name and username must never reach the staff."""
    await start_in(fake, USER_ID, "en")
    fake.add_user(USER_ID, first_name="Zarina", username="zarina_k", language_code="en")


async def ask_a_person(fake: FakeTelegram) -> StoredMessage:
    chat = fake.chat(USER_ID)
    fake.send_message(USER_ID, UNANSWERABLE)
    offer = await chat.next_message()
    fake.press_button(USER_ID, offer.message_id, "🙋 Ask a person")
    return await chat.next_message()


def assert_no_identity(message: StoredMessage) -> None:
    shown = f"{message.text} {message.caption or ''} {message.html}"
    for secret in ("Zarina", "zarina_k", str(USER_ID)):
        assert secret not in shown, (secret, shown)


async def test_ticket_relayed_both_ways_privately(fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, ADMIN_ID, "en")  # no moderation chat: owners get tickets privately
    await new_user(fake)
    user, staff = fake.chat(USER_ID), fake.chat(ADMIN_ID)
    opened = await ask_a_person(fake)
    assert "passed to a volunteer" in opened.text and "T-1" in opened.text

    relayed = await staff.next_message()
    assert ("T-1" in relayed.text and UNANSWERABLE.replace("'", "&#x27;") in relayed.html) \
        or UNANSWERABLE in relayed.text
    assert "English" in relayed.text and "Reporter " in relayed.text
    assert_no_identity(relayed)

    # The owner answers by replying to the relayed message.
    fake.send_message(ADMIN_ID, "It will be sunny. <b>Take water</b>.", reply_to=relayed.message_id)
    answer = await user.next_message()
    assert answer.text.startswith("💬 Volunteer") and "Take water" in answer.text
    assert "Test" not in answer.text and str(ADMIN_ID) not in answer.html

    # A follow-up with a photo lands in the same ticket, as a copy with the header.
    fake.send_photo(USER_ID, caption="this is the stamp")  # no notice: the user was told
    photo = await staff.next_message()
    assert photo.kind == "photo" and "T-1" in (photo.caption or "")
    assert "this is the stamp" in (photo.caption or "")
    assert_no_identity(photo)

    # Take, then "Suggest a report": the user gets the report flow's start button.
    update_id = fake.press_button(ADMIN_ID, relayed.message_id, "✋ Take")
    await fake.wait_for(lambda: fake.callback_query(update_id).answered)
    assert "Conversation T-1 is yours now" in fake.callback_query(update_id).answer["text"]
    fake.press_button(ADMIN_ID, relayed.message_id, "📝 Suggest a report")
    suggestion = await user.next_message()
    assert "report what happened" in suggestion.text
    assert "📝 Report an incident" in suggestion.button_texts()
    listing = await fake_send(fake, ADMIN_ID, "/tickets")
    assert "T-1" in listing.text and "Test" in listing.text  # taken by the owner

    # /reply works too; then the owner closes the ticket and the user rates it.
    fake.send_message(ADMIN_ID, "/reply T-1 Please also send the date on the stamp.")
    assert "Sent to T-1" in (await staff.next_message()).text
    assert "date on the stamp" in (await user.next_message()).text
    fake.send_message(ADMIN_ID, "/close T-1")
    assert "T-1 is closed. The person was told." in (await staff.next_message()).text
    closed = await user.next_message()
    assert "closed this conversation" in closed.text
    fake.press_button(USER_ID, closed.message_id, "👍")
    await fake.wait_for(lambda: db_rows(bot.data_dir, "SELECT rating FROM tickets") == [(1,)])

    # After closing, a message is a question for the bot again, not for the ticket.
    fake.send_message(USER_ID, "How long can I stay in Russia without a patent?")
    assert "patent" in (await user.next_message()).text.lower()
    staff.assert_no_pending()
    assert db_rows(bot.data_dir, "SELECT status, assignee FROM tickets") == [("closed", ADMIN_ID)]


async def test_show_my_name_and_ending_by_the_user(fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, ADMIN_ID, "en")
    await new_user(fake)
    user, staff = fake.chat(USER_ID), fake.chat(ADMIN_ID)
    fake.send_message(USER_ID, "/ask")
    opened = await user.next_message()
    assert "Please write your question" in opened.text
    fake.press_button(USER_ID, opened.message_id, "👤 Show my name to the volunteer")
    await user.next_event(kinds={"edit_markup"})
    fake.send_message(USER_ID, "My employer keeps my passport.")
    relayed = await staff.next_message()
    assert "Zarina" in relayed.text and "My employer keeps my passport." in relayed.text
    fake.press_button(USER_ID, opened.message_id, "✅ End the conversation")
    assert "conversation with the volunteer is ended" in (await user.next_message()).text
    assert "ended the conversation" in (await staff.next_message()).text
    # A reply to the old relayed message no longer reaches the user.
    fake.send_message(ADMIN_ID, "Are you still there?", reply_to=relayed.message_id)
    assert "closed" in (await staff.next_message()).text
    user.assert_no_pending()


async def test_no_staff_no_promise(fake: FakeTelegram, bot: BotProcess) -> None:
    # ADMIN_IDS has the owner, but they never talked to the bot: nobody can be reached.
    await new_user(fake)
    opened = await ask_a_person(fake)
    assert "no volunteer could be reached" in opened.text
    assert "The answer will come here" not in opened.text


@pytest.mark.parametrize("bot_env", [{"ADMIN_IDS": ""}])
async def test_no_staff_at_all_opens_no_ticket(fake: FakeTelegram, bot: BotProcess) -> None:
    await new_user(fake)
    reply = await ask_a_person(fake)
    assert "no volunteer is connected to this bot" in reply.text
    assert db_rows(bot.data_dir, "SELECT COUNT(*) FROM tickets") == [(0,)]


async def test_strangers_cannot_answer_or_use_staff_commands(fake: FakeTelegram,
                                                            bot: BotProcess) -> None:
    await start_in(fake, ADMIN_ID, "en")
    await new_user(fake)
    await ask_a_person(fake)
    await fake.chat(ADMIN_ID).next_message()
    await start_in(fake, STRANGER_ID, "en")
    stranger = fake.chat(STRANGER_ID)
    unknown = "Sorry, I do not know this command. Here is what I can do:"
    for command in ("/reply T-1 hello", "/close T-1", "/tickets"):
        fake.send_message(STRANGER_ID, command)
        assert (await stranger.next_message()).text == unknown
    menu = stranger.last_message()
    assert menu is not None
    for data in ("tk:close:1", "tk:take:1", "tu:end:1"):
        fake.press_callback(STRANGER_ID, menu.message_id, data)
    await fake.wait_for(lambda: all(q.answered for q in fake.callback_queries.values()
                                    if q.user_id == STRANGER_ID))
    assert db_rows(bot.data_dir, "SELECT status, assignee FROM tickets") == [("open", None)]
    fake.chat(USER_ID).skip()


async def test_forget_removes_tickets(fake: FakeTelegram, bot: BotProcess) -> None:
    await start_in(fake, ADMIN_ID, "en")
    await new_user(fake)
    await ask_a_person(fake)
    relayed = await fake.chat(ADMIN_ID).next_message()
    user = fake.chat(USER_ID)
    fake.send_message(USER_ID, "/forget")
    confirm = await user.next_message()
    fake.press_button(USER_ID, confirm.message_id, 0)
    await user.next_event(kinds={"edit_text", "message"})
    assert db_rows(bot.data_dir, "SELECT COUNT(*) FROM tickets") == [(0,)]
    assert db_rows(bot.data_dir, "SELECT COUNT(*) FROM ticket_messages") == [(0,)]
    await fake.wait_for(lambda: fake.message(ADMIN_ID, relayed.message_id).deleted)


@pytest.mark.parametrize("bot_env", [{"MODERATION_CHAT_ID": str(GROUP_ID)}])
async def test_plain_group_reply_and_reply_command(fake: FakeTelegram, bot: BotProcess) -> None:
    fake.add_group(GROUP_ID, "Volunteers", chat_type="supergroup")
    await start_in(fake, ADMIN_ID, "en")
    await new_user(fake)
    user, group = fake.chat(USER_ID), fake.chat(GROUP_ID)
    await ask_a_person(fake)
    relayed = await group.next_message()
    assert "T-1" in relayed.text and UNANSWERABLE in relayed.text
    assert_no_identity(relayed)
    assert fake.chat(ADMIN_ID).pending() == []  # the group, not every owner privately

    # A group member without the role replies: nothing reaches the user.
    fake.send_group_message(GROUP_ID, STRANGER_ID, "I am not staff", chat_type="supergroup",
                            reply_to=relayed.message_id)
    # The owner replies with text, then with a photo.
    fake.send_group_message(GROUP_ID, ADMIN_ID, "Check the forecast app.",
                            chat_type="supergroup", reply_to=relayed.message_id)
    answer = await user.next_message()
    assert "Check the forecast app." in answer.text and "not staff" not in answer.text
    fake.send_group_media(GROUP_ID, ADMIN_ID, "photo", caption="like this",
                          reply_to=relayed.message_id)
    photo = await user.next_message()
    assert photo.kind == "photo" and "like this" in (photo.caption or "")
    assert "Volunteer" in (photo.caption or "")
    # The user's follow-up goes to the same ticket in the group.
    fake.send_message(USER_ID, "Thank you! One more question.")
    follow_up = await group.next_message()
    assert "T-1" in follow_up.text and "One more question" in follow_up.text
    fake.send_group_message(GROUP_ID, ADMIN_ID, "/reply T-1 Ask away.", chat_type="supergroup")
    assert "Ask away." in (await user.next_message()).text
    assert "Sent to T-1" in (await group.next_message()).text
    user.assert_no_pending()


@pytest.mark.parametrize("bot_env", [{"MODERATION_CHAT_ID": str(GROUP_ID)}])
async def test_forum_group_one_topic_per_ticket(fake: FakeTelegram, bot: BotProcess) -> None:
    fake.add_group(GROUP_ID, "Volunteers", chat_type="supergroup", is_forum=True,
                   bot_status="administrator")
    await start_in(fake, ADMIN_ID, "en")
    await new_user(fake)
    user = fake.chat(USER_ID)
    await ask_a_person(fake)
    await fake.wait_for(lambda: fake.topics(GROUP_ID))
    ((thread_id, topic),) = fake.topics(GROUP_ID).items()
    assert topic.name.startswith("T-1") and "Zarina" not in topic.name
    await fake.wait_for(lambda: [m for m in fake.topic_messages(GROUP_ID, thread_id)
                                 if not m.is_service])
    relayed = [m for m in fake.topic_messages(GROUP_ID, thread_id) if not m.is_service]
    assert UNANSWERABLE in (relayed[0].text or "")
    # In the topic a moderator simply writes; no reply needed.
    fake.send_group_message(GROUP_ID, ADMIN_ID, "Hello from the topic.",
                            chat_type="supergroup", thread_id=thread_id)
    assert "Hello from the topic." in (await user.next_message()).text
    fake.send_message(USER_ID, "Second question in the same ticket.")
    await fake.wait_for(lambda: any("Second question" in (m.text or "") for m in
                                    fake.topic_messages(GROUP_ID, thread_id)))
    fake.send_group_message(GROUP_ID, ADMIN_ID, "/close T-1", chat_type="supergroup",
                            thread_id=thread_id)
    assert "closed this conversation" in (await user.next_message()).text
    await fake.wait_for(lambda: fake.topics(GROUP_ID)[thread_id].closed)


async def test_ban_silences_a_user_and_unban_restores(fake: FakeTelegram,
                                                      bot: BotProcess) -> None:
    await start_in(fake, ADMIN_ID, "en")
    await new_user(fake)
    user, staff = fake.chat(USER_ID), fake.chat(ADMIN_ID)
    await ask_a_person(fake)
    relayed = await staff.next_message()
    pseudonym = relayed.text.split(" · ")[1]
    fake.send_message(ADMIN_ID, "/ban T-1")
    assert "is banned" in (await staff.next_message()).text
    for action in (lambda: fake.send_message(USER_ID, "hello?"),
                   lambda: fake.send_message(USER_ID, "/start"),
                   lambda: fake.send_photo(USER_ID)):
        update_id = action()
        await fake.wait_for(lambda uid=update_id: uid not in fake.pending)
    fake.send_message(ADMIN_ID, "/tickets")  # the owner still works: a round trip
    await staff.next_message()
    user.assert_no_pending()  # nothing answered, nothing relayed
    staff.assert_no_pending()
    fake.send_message(ADMIN_ID, f"/unban {pseudonym}")
    assert "no longer banned" in (await staff.next_message()).text
    fake.send_message(USER_ID, "/menu")
    assert (await user.next_message()).button_texts()
    audit = await fake_send(fake, ADMIN_ID, "/audit")
    assert "· ban · T-1" in audit.text and "unban" in audit.text
    # Owners cannot be banned.
    fake.send_message(ADMIN_ID, "/ban R-ABC234")
    assert "Nobody found" in (await staff.next_message()).text


async def fake_send(fake: FakeTelegram, user_id: int, text: str) -> StoredMessage:
    chat = fake.chat(user_id)
    fake.send_message(user_id, text)
    return await chat.next_message()


async def ticket_opened_with_ask(fake: FakeTelegram) -> tuple[ChatReader, ChatReader]:
    """The owner reachable, a new user who sent /ask: their chat and the owner's."""
    await start_in(fake, ADMIN_ID, "en")
    await new_user(fake)
    user, staff = fake.chat(USER_ID), fake.chat(ADMIN_ID)
    fake.send_message(USER_ID, "/ask")
    await user.next_message()
    return user, staff


async def test_a_report_written_meanwhile_gets_its_answers(fake: FakeTelegram,
                                                           bot: BotProcess) -> None:
    user, staff = await ticket_opened_with_ask(fake)
    fake.send_message(USER_ID, "/report")
    consent = await user.next_message()
    assert "Report an incident" in consent.text
    fake.send_message(USER_ID, "This text belongs to the report flow.")
    reprompt = await user.next_message()
    assert "T-1" not in reprompt.text
    fake.send_message(USER_ID, "/menu")  # pauses the report
    await user.next_message()
    await user.next_message()
    fake.send_message(USER_ID, "Back to the volunteer.")
    relayed = await staff.next_message()
    assert "Back to the volunteer." in relayed.text
    assert "belongs to the report" not in " ".join(m.text for m in staff.messages())


async def test_cancel_and_ask_during_a_conversation_say_where_messages_go(
        fake: FakeTelegram, bot: BotProcess) -> None:
    # "/cancel" used to answer "There is nothing to cancel" while every message still went
    # to the volunteer, and "Ask a question" let the user type a question nobody searched.
    user, staff = await ticket_opened_with_ask(fake)

    fake.send_message(USER_ID, "/cancel")
    notice = await user.next_message()
    assert "conversation with a volunteer (T-1)" in notice.text
    assert notice.button_texts() == ["✅ End the conversation"]
    fake.send_message(USER_ID, "/menu")
    menu = await user.next_message()
    fake.press_button(USER_ID, menu.message_id, "❓ Ask a question")
    again = await user.next_message()
    assert "end the conversation first" in again.text
    staff.assert_no_pending()  # neither reached the volunteer, and the ticket is open
    assert db_rows(bot.data_dir, "SELECT status FROM tickets") == [("open",)]

    fake.press_button(USER_ID, again.message_id, "✅ End the conversation")
    assert "conversation with the volunteer is ended" in (await user.next_message()).text
    assert "ended the conversation" in (await staff.next_message()).text
    fake.send_message(USER_ID, "/cancel")
    assert "nothing to cancel" in (await user.next_message()).text
    # an ordinary /cancel is no refused moderator command
    assert "without the role" not in bot.log()


async def test_cancel_inside_a_report_still_cancels_the_report(fake: FakeTelegram,
                                                               bot: BotProcess) -> None:
    user, _staff = await ticket_opened_with_ask(fake)
    fake.send_message(USER_ID, "/report")
    assert "Report an incident" in (await user.next_message()).text
    fake.send_message(USER_ID, "/cancel")
    assert "The report was cancelled" in (await user.next_message()).text
    assert db_rows(bot.data_dir, "SELECT status FROM tickets") == [("open",)]
