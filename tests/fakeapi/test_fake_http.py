"""The HTTP surface: tokens, unknown methods, body encodings, uploads and downloads."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import Bot, InputMediaDocument, InputMediaPhoto
from telegram.error import BadRequest

from bot.fakeapi import FakeTelegram

USER = 5001
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(http: aiohttp.ClientSession, fake: FakeTelegram, method: str,
               **kwargs: Any) -> tuple[int, dict[str, Any]]:
    async with http.post(f"{fake.api_url}{fake.token}/{method}", **kwargs) as response:
        return response.status, await response.json()


async def test_wrong_token_and_unknown_method(fake: FakeTelegram,
                                              http: aiohttp.ClientSession) -> None:
    async with http.post(f"{fake.api_url}42:nope/getMe") as response:
        assert response.status == 401
        assert await response.json() == {"ok": False, "error_code": 401,
                                          "description": "Unauthorized"}
    assert await call(http, fake, "sendTelepathy") == (
        404, {"ok": False, "error_code": 404, "description": "Not Found"})


@pytest.mark.parametrize("encoding", ["json", "form", "multipart"])
async def test_every_body_encoding(fake: FakeTelegram, http: aiohttp.ClientSession,
                                   encoding: str) -> None:
    fake.send_message(USER, "/start")
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    if encoding == "json":
        kwargs: dict[str, Any] = {"json": {"chat_id": USER, "text": "hi",
                                           "reply_markup": markup}}
    else:
        form = aiohttp.FormData({"chat_id": str(USER), "text": "hi",
                                 "reply_markup": json.dumps(markup)})
        if encoding == "multipart":
            form.add_field("unused", b"x", filename="x.bin")
        kwargs = {"data": form}
    status, body = await call(http, fake, "sendMessage", **kwargs)
    assert status == 200 and body["result"]["reply_markup"] == markup
    assert fake.calls_of("sendMessage")[0]["chat_id"] == USER  # typed in the call log


async def test_missing_parameters(fake: FakeTelegram, http: aiohttp.ClientSession) -> None:
    fake.send_message(USER, "/start")
    assert (await call(http, fake, "sendMessage", json={"text": "x"}))[1]["description"] == (
        "Bad Request: chat_id is empty")
    assert (await call(http, fake, "sendMessage", json={"chat_id": USER}))[1][
        "description"] == "Bad Request: message text is empty"
    status, body = await call(http, fake, "sendMessage",
                              json={"chat_id": USER, "text": "x", "reply_markup": "{bad"})
    assert (status, body["description"]) == (
        400, "Bad Request: can't parse reply keyboard markup JSON object")


@pytest.mark.parametrize(
    ("button", "error"),
    [
        ({"text": "only text"}, "Text buttons are unallowed in the inline keyboard"),
        ({"text": "two", "callback_data": "a", "url": "https://a.io"}, "exactly one"),
        ({"text": "", "callback_data": "a"}, "BUTTON_TEXT_INVALID"),
        ({"text": "x", "callback_data": ""}, "BUTTON_DATA_INVALID"),
        ({"text": "x", "url": "https://localhost/x"}, "Wrong HTTP URL"),
        ({"text": "x", "web_app": {"url": "http://a.io"}}, "Only HTTPS links are allowed"),
    ],
)
async def test_inline_button_validation(fake: FakeTelegram, http: aiohttp.ClientSession,
                                        button: dict[str, Any], error: str) -> None:
    fake.send_message(USER, "/start")
    status, body = await call(http, fake, "sendMessage", json={
        "chat_id": USER, "text": "x", "reply_markup": {"inline_keyboard": [[button]]}})
    assert status == 400 and error in body["description"]


async def test_uploads_are_stored_and_downloadable(fake: FakeTelegram, bot: Bot,
                                                   http: aiohttp.ClientSession) -> None:
    fake.send_message(USER, "/start")
    sent = await bot.send_photo(USER, PNG, caption="<i>chart</i>", parse_mode="HTML")
    message = await fake.chat(USER).next_message()
    assert message.kind == "photo" and message.caption == "chart"
    assert message.caption_entities == [{"type": "italic", "offset": 0, "length": 5}]
    url = (await bot.get_file(sent.photo[-1].file_id)).file_path  # PTB makes it a full URL
    assert url is not None and url.startswith(f"{fake.file_url}{fake.token}/photos/")
    async with http.get(url) as response:
        assert await response.read() == PNG
    async with http.get(f"{fake.file_url}{fake.token}/photos/nothing.jpg") as response:
        assert response.status == 404


async def test_photo_upload_must_be_an_image(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_message(USER, "/start")
    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await bot.send_photo(USER, b"not an image")


async def test_media_group_with_uploads_and_file_ids(fake: FakeTelegram, bot: Bot) -> None:
    photo_id = fake.message(USER, fake.message_id_of(fake.send_photo(USER))).file_id
    sent = await bot.send_media_group(USER, [InputMediaPhoto(PNG, caption="new"),
                                             InputMediaPhoto(photo_id)])
    assert len({m.media_group_id for m in sent}) == 1 and sent[0].caption == "new"
    with pytest.raises(BadRequest, match=r"(?i)can't be mixed"):
        await bot.send_media_group(USER, [InputMediaPhoto(photo_id),
                                          InputMediaDocument(b"%PDF")])
    with pytest.raises(BadRequest, match=r"(?i)2-10 items"):
        await bot.send_media_group(USER, [InputMediaPhoto(photo_id)])


async def test_copy_and_forward(fake: FakeTelegram, bot: Bot) -> None:
    original = fake.message_id_of(fake.send_document(USER, "a.pdf"))
    fake.send_group_message(-77, USER, "hello group")
    copied = await bot.copy_message(-77, USER, original, caption="copied")
    copy = fake.message(-77, copied.message_id)
    assert copy.kind == "document" and copy.caption == "copied"
    assert copy.file_id == fake.message(USER, original).file_id
    forwarded = await bot.forward_message(-77, USER, original)
    assert forwarded.forward_origin.sender_user.id == USER
    with pytest.raises(BadRequest, match=r"(?i)message to copy not found"):
        await bot.copy_message(-77, USER, 999)
