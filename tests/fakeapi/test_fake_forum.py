"""Forum supergroups: topics, message_thread_id, and users writing in topics and groups."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from telegram import Bot, InputMediaPhoto, Message, ReplyParameters, Update
from telegram.error import BadRequest

from bot.fakeapi import FakeTelegram

USER = 5001
STAFF = -1001234567890
GROUP = -4242


@contextmanager
def raises(text: str) -> Iterator[None]:
    """pytest.raises(BadRequest) matching a substring case-insensitively (PTB capitalises)."""
    with pytest.raises(BadRequest) as caught:
        yield
    assert text.lower() in str(caught.value).lower(), str(caught.value)


@pytest.fixture
def forum(fake: FakeTelegram) -> int:
    fake.add_group(STAFF, "Support staff", chat_type="supergroup", is_forum=True,
                   bot_status="administrator")
    return STAFF


async def new_updates(bot: Bot, fake: FakeTelegram) -> list[Update]:
    """The updates not seen yet, then confirmed with the next offset (as a polling bot)."""
    found = list(await bot.get_updates(timeout=0))
    if found:
        await bot.get_updates(offset=found[-1].update_id + 1, timeout=0)
    return found


def assert_in_topic(message: Message, thread_id: int, name: str) -> None:
    assert message.message_thread_id == thread_id and message.is_topic_message
    root = message.reply_to_message
    assert root is not None and root.message_id == thread_id
    assert root.forum_topic_created is not None and root.forum_topic_created.name == name


async def test_admin_bot_creates_a_topic(fake: FakeTelegram, bot: Bot, forum: int) -> None:
    chat = await bot.get_chat(forum)
    assert chat.is_forum and chat.type == "supergroup"
    topic = await bot.create_forum_topic(forum, "  Ticket\n #17  ", icon_color=16766590)
    # Message 1 is the group's creation, so the first topic is thread 2.
    assert (topic.message_thread_id, topic.name, topic.icon_color) == (2, "Ticket #17", 16766590)
    root = fake.message(forum, topic.message_thread_id)
    assert root.from_bot and root.kind == "forum_topic_created" and root.is_service
    assert root.thread_id == topic.message_thread_id and root.is_topic_message
    assert root.to_api()["forum_topic_created"] == {"name": "Ticket #17", "icon_color": 16766590}
    default = await bot.create_forum_topic(forum, "Ticket #18")
    assert default.icon_color == 7322096 and default.message_thread_id == 3
    assert {t: r.name for t, r in fake.topics(forum).items()} == {2: "Ticket #17",
                                                                  3: "Ticket #18"}
    event = await fake.chat(forum).next_event(timeout=1)
    assert event.kind == "topic_created" and event.data["name"] == "Ticket #17"
    assert fake.chat(forum).messages() == []  # service messages are not bot messages


async def test_creating_topics_is_refused(fake: FakeTelegram, bot: Bot, forum: int) -> None:
    fake.add_group(-100555, "Members only", chat_type="supergroup", is_forum=True)
    with raises("not enough rights to create a topic"):
        await bot.create_forum_topic(-100555, "Ticket")
    fake.add_group(-100556, "Plain", chat_type="supergroup", bot_status="administrator")
    with raises("the chat is not a forum"):
        await bot.create_forum_topic(-100556, "Ticket")
    fake.send_group_message(GROUP, USER, "hi")
    with raises("the chat is not a forum"):
        await bot.create_forum_topic(GROUP, "Ticket")
    with raises("name must be non-empty"):
        await bot.create_forum_topic(forum, " \n ")
    with raises("topic name is too long"):
        await bot.create_forum_topic(forum, "x" * 129)
    with raises("invalid icon color"):
        await bot.create_forum_topic(forum, "Ticket", icon_color=0xFF0000)
    assert (await bot.create_forum_topic(forum, "x" * 128)).name == "x" * 128
    assert list(fake.topics(forum)) == [2]


async def test_bot_sends_text_photo_and_copy_into_a_topic(fake: FakeTelegram, bot: Bot,
                                                         forum: int) -> None:
    topic = await bot.create_forum_topic(forum, "Ticket #1")
    thread = topic.message_thread_id
    fake.send_photo(USER, caption="receipt")
    fake.send_message(USER, "my problem")
    photo_update, text_update = await new_updates(bot, fake)

    text = await bot.send_message(forum, "New ticket", message_thread_id=thread)
    assert_in_topic(text, thread, "Ticket #1")
    photo = await bot.send_photo(forum, photo_update.message.photo[-1].file_id,
                                 caption="receipt", message_thread_id=thread)
    assert_in_topic(photo, thread, "Ticket #1")
    copied = await bot.copy_message(forum, USER, text_update.message.message_id,
                                    message_thread_id=thread)
    album = await bot.send_media_group(forum, [
        InputMediaPhoto(photo_update.message.photo[-1].file_id)] * 2, message_thread_id=thread)
    assert all(m.message_thread_id == thread and m.is_topic_message for m in album)

    stored = fake.message(forum, copied.message_id)
    assert (stored.text, stored.thread_id, stored.is_topic_message) == ("my problem", thread, True)
    assert stored.to_api()["message_thread_id"] == thread
    in_topic = fake.topic_messages(forum, thread)
    assert [m.kind for m in in_topic] == ["forum_topic_created", "text", "photo", "text",
                                          "photo", "photo"]
    reader = fake.chat(forum)
    assert (await reader.next_message(timeout=1)).text == "New ticket"
    assert (await reader.next_message(timeout=1)).caption == "receipt"
    # Without message_thread_id the message goes to the General topic.
    general = await bot.send_message(forum, "General news")
    assert general.message_thread_id is None and not general.is_topic_message
    assert general.reply_to_message is None


async def test_unknown_thread_is_message_thread_not_found(fake: FakeTelegram, bot: Bot,
                                                         forum: int) -> None:
    with raises("message thread not found"):
        await bot.send_message(forum, "hi", message_thread_id=999)
    with raises("message thread not found"):  # the General topic has no thread id
        await bot.send_message(forum, "hi", message_thread_id=1)
    fake.send_message(USER, "/start")
    with raises("message thread not found"):
        await bot.send_message(USER, "hi", message_thread_id=2)
    fake.send_group_message(GROUP, USER, "hi")
    with raises("message thread not found"):
        await bot.send_message(GROUP, "hi", message_thread_id=1)
    topic = await bot.create_forum_topic(forum, "Gone soon")
    await bot.delete_forum_topic(forum, topic.message_thread_id)
    with raises("message thread not found"):
        await bot.send_document(forum, "https://example.org/a.pdf",
                                message_thread_id=topic.message_thread_id)
    with raises("message thread not found"):
        await bot.forward_message(forum, USER, 1, message_thread_id=topic.message_thread_id)
    with raises("message thread not found"):
        await bot.send_chat_action(forum, "typing", message_thread_id=999)


async def test_user_topic_message_reaches_the_bot(fake: FakeTelegram, bot: Bot,
                                                  forum: int) -> None:
    topic = await bot.create_forum_topic(forum, "Ticket #5")
    thread = topic.message_thread_id
    fake.add_user(USER + 1, "Moderator")
    fake.send_group_message(forum, USER + 1, "I take it", thread_id=thread)
    fake.send_group_media(forum, USER + 1, "document", caption="log", thread_id=thread)
    text, document = [u.message for u in await new_updates(bot, fake)]
    assert text.from_user.id == USER + 1 and text.chat.id == forum and text.chat.is_forum
    assert text.text == "I take it"
    assert_in_topic(text, thread, "Ticket #5")
    assert_in_topic(document, thread, "Ticket #5")
    assert document.document.file_name == "document.pdf" and document.caption == "log"
    # The replied message comes with its own fields, not its own reply.
    assert document.reply_to_message.reply_to_message is None

    # An explicit reply to a bot message in the topic stays in the topic.
    sent = await bot.send_message(forum, "Thanks", message_thread_id=thread)
    fake.send_group_message(forum, USER + 1, "np", reply_to=sent.message_id)
    (reply,) = [u.message for u in await new_updates(bot, fake)]
    assert reply.message_thread_id == thread and reply.is_topic_message
    assert reply.reply_to_message.message_id == sent.message_id
    assert reply.reply_to_message.text == "Thanks"
    with pytest.raises(AssertionError, match="no topic 99"):
        fake.send_group_message(forum, USER, "hi", thread_id=99)
    with pytest.raises(AssertionError, match="no message 999"):
        fake.send_group_message(forum, USER, "hi", reply_to=999)


async def test_bot_reply_in_a_topic_keeps_the_topic(fake: FakeTelegram, bot: Bot,
                                                    forum: int) -> None:
    thread = (await bot.create_forum_topic(forum, "Ticket")).message_thread_id
    update_id = fake.send_group_message(forum, USER, "help", thread_id=thread)
    question = fake.message_id_of(update_id)
    answer = await bot.send_message(forum, "On it", reply_parameters=ReplyParameters(question))
    assert answer.message_thread_id == thread and answer.is_topic_message
    assert answer.reply_to_message.message_id == question
    assert fake.message(forum, answer.message_id).reply_to_message_id == question
    general = fake.message_id_of(fake.send_group_message(forum, USER, "in General"))
    elsewhere = await bot.send_message(forum, "x", reply_parameters=ReplyParameters(general))
    assert elsewhere.message_thread_id is None and elsewhere.reply_to_message.text == "in General"


async def test_user_reply_in_plain_groups(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_group_message(GROUP, USER, "question")
    sent = await bot.send_message(GROUP, "answer")
    fake.send_group_message(GROUP, USER + 1, "thanks", reply_to=sent.message_id)
    fake.send_group_media(GROUP, USER + 1, "photo", caption="proof", reply_to=sent.message_id)
    updates = [u.message for u in await new_updates(bot, fake)]
    thanks, proof = updates[1:]
    assert thanks.from_user.id == USER + 1 and thanks.chat.id == GROUP
    assert thanks.reply_to_message.message_id == sent.message_id
    assert thanks.reply_to_message.text == "answer" and thanks.message_thread_id is None
    assert proof.photo and proof.reply_to_message.message_id == sent.message_id
    with pytest.raises(AssertionError, match="not a forum"):
        fake.send_group_message(GROUP, USER, "hi", thread_id=2)
    # In a supergroup without topics a reply belongs to the thread of its first message.
    root = fake.message_id_of(fake.send_group_message(-100900, USER, "root",
                                                      chat_type="supergroup"))
    fake.send_group_message(-100900, USER, "reply", reply_to=root)
    reply = (await new_updates(bot, fake))[-1].message
    assert reply.message_thread_id == root and not reply.is_topic_message


async def test_rename_close_reopen_and_delete_a_topic(fake: FakeTelegram, bot: Bot,
                                                      forum: int) -> None:
    thread = (await bot.create_forum_topic(forum, "Ticket #9")).message_thread_id
    assert await bot.edit_forum_topic(forum, thread, name="Ticket #9 (urgent)")
    assert fake.topics(forum)[thread].name == "Ticket #9 (urgent)"
    with raises("TOPIC_NOT_MODIFIED"):
        await bot.edit_forum_topic(forum, thread, name="Ticket #9 (urgent)")

    assert await bot.close_forum_topic(forum, thread)
    assert fake.topics(forum)[thread].closed
    with raises("TOPIC_NOT_MODIFIED"):
        await bot.close_forum_topic(forum, thread)
    closed_note = await bot.send_message(forum, "Closed", message_thread_id=thread)
    assert closed_note.is_topic_message  # administrators still post in closed topics
    with pytest.raises(AssertionError, match="is closed"):
        fake.send_group_message(forum, USER, "wait", thread_id=thread)
    with pytest.raises(AssertionError, match="is closed"):
        fake.send_group_message(forum, USER, "wait", reply_to=closed_note.message_id)
    assert await bot.reopen_forum_topic(forum, thread)
    fake.send_group_message(forum, USER, "thanks", thread_id=thread)
    kinds = [m.kind for m in fake.topic_messages(forum, thread)]
    assert kinds == ["forum_topic_created", "forum_topic_edited", "forum_topic_closed", "text",
                     "forum_topic_reopened", "text"]
    events = [e.kind for e in fake.transcript(forum) if e.kind.startswith("topic_")]
    assert events == ["topic_created", "topic_edited", "topic_closed", "topic_reopened"]

    assert await bot.delete_forum_topic(forum, thread)
    assert thread not in fake.topics(forum)
    assert all(m.deleted for m in fake.topic_messages(forum, thread))
    with raises("TOPIC_ID_INVALID"):
        await bot.edit_forum_topic(forum, thread, name="again")
    with raises("TOPIC_ID_INVALID"):
        await bot.delete_forum_topic(forum, thread)


async def test_topic_management_needs_rights_and_a_forum(fake: FakeTelegram, bot: Bot,
                                                         forum: int) -> None:
    thread = (await bot.create_forum_topic(forum, "Ticket")).message_thread_id
    fake.set_member_status(forum, bot.id, "member")
    with raises("not enough rights to edit the topic"):
        await bot.edit_forum_topic(forum, thread, name="Renamed")
    with raises("not enough rights to close or open the topic"):
        await bot.close_forum_topic(forum, thread)
    with raises("not enough rights to delete the topic"):
        await bot.delete_forum_topic(forum, thread)
    fake.send_group_message(GROUP, USER, "hi")
    with raises("the chat is not a forum"):
        await bot.close_forum_topic(GROUP, thread)
    fake.set_member_status(forum, bot.id, "administrator")
    with raises("TOPIC_ID_INVALID"):
        await bot.reopen_forum_topic(forum, 1)  # the General topic is not a created topic
    with raises("message can't be copied"):
        await bot.copy_message(forum, forum, thread)
    with raises("message can't be edited"):
        await bot.edit_message_caption(forum, thread, caption="x")
