"""Media: sendPhoto/Document/Video/Voice/Audio/Animation/Sticker, sendMediaGroup, getFile.

A file may be a file_id the fake knows (sent by a simulated user or uploaded by the bot), a
multipart upload (directly or via ``attach://``) or an HTTP URL. The fake is offline, so a
URL is accepted without being fetched.
"""

from __future__ import annotations

import itertools
from typing import Any

from bot.fakeapi import validation
from bot.fakeapi.errors import ApiError, bad_request
from bot.fakeapi.models import MAX_DOWNLOAD_SIZE, FakeChat, StoredFile
from bot.fakeapi.outgoing import create_bot_message, placement
from bot.fakeapi.params import Params, Upload
from bot.fakeapi.registry import api_method
from bot.fakeapi.state import FakeState

MAX_PHOTO_UPLOAD = 10 * 1024 * 1024
MAX_UPLOAD = 50 * 1024 * 1024
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM", b"RIFF")
_SEND_METHODS = {
    "sendPhoto": "photo", "sendDocument": "document", "sendVideo": "video",
    "sendVoice": "voice", "sendAudio": "audio", "sendAnimation": "animation",
    "sendSticker": "sticker", "sendVideoNote": "video_note",
}
_VISUAL = {"photo", "video"}  # may be mixed in one album
_group_numbers = itertools.count(13_000_000_000_000_001)


def resolve_file(state: FakeState, value: Upload | str | None, kind: str) -> StoredFile:
    if value is None or value == "":
        raise bad_request(f"there is no {kind} in the request")
    if isinstance(value, Upload):
        return _uploaded(state, value, kind)
    if value.lower().startswith(("http://", "https://")):
        if validation.url_problem(value):
            raise bad_request("wrong file identifier/HTTP URL specified")
        return state.register_file(kind, size=1024, source_url=value, **_dimensions(kind))
    known = state.files.get(value)
    if known is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if known.kind != kind:
        raise bad_request(f"can't use file of type {known.kind.title()} as {kind.title()}")
    return known


def _uploaded(state: FakeState, upload: Upload, kind: str) -> StoredFile:
    limit = MAX_PHOTO_UPLOAD if kind == "photo" else MAX_UPLOAD
    if len(upload.data) > limit:
        raise ApiError(413, "Request Entity Too Large")
    if not upload.data:
        raise bad_request("file must be non-empty")
    if kind == "photo" and not upload.data.startswith(_IMAGE_MAGIC):
        raise bad_request("IMAGE_PROCESS_FAILED")
    return state.register_file(
        kind, size=len(upload.data), content=upload.data, file_name=upload.filename,
        mime_type=upload.content_type, **_dimensions(kind),
    )


def _dimensions(kind: str) -> dict[str, Any]:
    if kind in ("photo", "video", "animation"):
        return {"width": 1280, "height": 720}
    if kind in ("sticker", "video_note"):
        return {"width": 512, "height": 512}
    return {}


def _caption(p: Params) -> validation.FormattedText:
    return validation.caption_text(p.get_str("caption"), p.get_str("parse_mode"),
                                   p.get_json("caption_entities"))


def _send_media_handler(kind: str) -> Any:
    async def handler(state: FakeState, p: Params) -> Any:
        chat_id = p.chat_id()
        markup = validation.reply_markup(p.get_json("reply_markup", what="reply keyboard "
                                                    "markup"))
        chat = state.bot_chat(chat_id, check_access=False)
        file = resolve_file(state, p.file_input(kind), kind)
        caption = _caption(p) if kind not in ("sticker", "video_note") else None
        reply_to, thread_id = placement(state, chat, p)
        state.check_access(chat)
        message = create_bot_message(state, chat, kind, p, caption=caption, files=[file],
                                     markup=markup, reply_to=reply_to, thread_id=thread_id)
        return state.message_api(message)

    return handler


for _method, _kind in _SEND_METHODS.items():
    api_method(_method)(_send_media_handler(_kind))


def _album_kind(items: list[Any]) -> None:
    if not 2 <= len(items) <= 10:
        raise bad_request("wrong number of media items: an album must include 2-10 items")
    kinds = set()
    for item in items:
        if not isinstance(item, dict) or item.get("type") not in (*_VISUAL, "document", "audio"):
            raise bad_request("can't parse InputMedia JSON object")
        kinds.add(item["type"])
    if len(kinds) > 1 and not kinds <= _VISUAL:
        raise bad_request(f"{sorted(kinds - _VISUAL)[0]} can't be mixed with other media types")


def _album_item(state: FakeState, p: Params, item: dict[str, Any]) -> tuple[str, Any, Any]:
    kind = item["type"]
    media = item.get("media")
    value = p.attached(media) if isinstance(media, str) and media.startswith("attach://") else media
    file = resolve_file(state, value, kind)
    caption = validation.caption_text(item.get("caption"), item.get("parse_mode"),
                                      item.get("caption_entities"))
    return kind, file, caption


@api_method("sendMediaGroup")
async def send_media_group(state: FakeState, p: Params) -> Any:
    chat = state.bot_chat(p.chat_id(), check_access=False)
    items = p.get_json("media", what="media")
    if not isinstance(items, list):
        raise bad_request("can't parse media JSON object")
    _album_kind(items)
    prepared = [_album_item(state, p, item) for item in items]
    reply_to, thread_id = placement(state, chat, p)
    state.check_access(chat)
    return _send_album(state, chat, p, prepared, reply_to, thread_id)


def _send_album(state: FakeState, chat: FakeChat, p: Params, prepared: list[tuple[str, Any, Any]],
                reply_to: int | None, thread_id: int | None) -> list[Any]:
    group_id = str(next(_group_numbers))
    sent = []
    for index, (kind, file, caption) in enumerate(prepared):
        # An album counts once for flood control.
        message = create_bot_message(state, chat, kind, p, caption=caption, files=[file],
                                     reply_to=reply_to, thread_id=thread_id,
                                     media_group_id=group_id,
                                     flood_check=index == 0)
        sent.append(state.message_api(message))
    return sent


@api_method("getFile")
async def get_file(state: FakeState, p: Params) -> Any:
    file_id = p.get_str("file_id", required=True)
    stored = state.files.get(file_id or "")
    if stored is None:
        raise bad_request("wrong file_id or the file is temporarily unavailable")
    if stored.size > MAX_DOWNLOAD_SIZE:
        raise bad_request("file is too big")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.file_path,
    }
